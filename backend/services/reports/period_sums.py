"""Report tables summed from a table of rep-days per rep and ISO week or month (`day` the
period's first day): what a report over whole weeks or months reads instead of every rep-day
(the days of its period outside them still come from the rep-days).

`rep_days` refreshes one after its source (ROLLUPS order) for the whole period of a touched
rep-day, when the source is refreshed (it reads what its source reads), from the source's
stored rows; `stale_rep_days` compares it with the sums of the source's recomputation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

from sqlalchemy import Select, func, select

from ...models import RepMonthDisplay, RepMonthKpi, RepWeekDisplay
from . import display_counts, kpi_counts, ranges
from .sql import month_start, week_start


class PeriodSums:
    """The counts of `source`'s table summed per rep, team, period and `keys` (a rollup like
    the modules in ROLLUPS: TABLE, KEYS, COUNTS, fresh, and PERIOD, SOURCE)."""

    def __init__(
        self,
        table: type,
        source: ModuleType,
        keys: tuple[str, ...],
        period: Callable[[date], tuple[date, date]],
        start: type,
    ) -> None:
        self.TABLE, self.SOURCE, self.PERIOD = table, source, period
        self.KEYS = ("rep_id", "team_id", "day", *keys)
        self.COUNTS = source.COUNTS
        self._start = start  # the SQL function of a day's period start

    def fresh(self, where: Any) -> Select[Any]:
        """The rows for the periods whose days `where(rep column, day column)` selects, from
        the source's stored rows (refreshed just before, in the same transaction)."""
        daily = self.SOURCE.TABLE
        return self._sums(daily.__table__, where(daily.rep_id, daily.day))

    def from_raw(self, where: Any) -> Select[Any]:
        """The same rows from the raw rows (the source's recomputation): what `stale_rep_days`
        compares the table with, so a wrong source row is not counted twice."""
        return self._sums(self.SOURCE.fresh(where).subquery("source"))

    def _sums(self, daily: Any, *conditions: Any) -> Select[Any]:
        start = self._start(daily.c.day)
        keys = [daily.c.rep_id, daily.c.team_id, start, *(daily.c[k] for k in self.KEYS[3:])]
        sums = [func.sum(daily.c[name]).label(name) for name in self.COUNTS]
        return (
            select(*keys[:2], start.label("day"), *keys[3:], *sums)
            .where(*conditions)
            .group_by(*keys)
        )


KPI_MONTHS = PeriodSums(RepMonthKpi, kpi_counts, (), ranges.month_of, month_start)
DISPLAY_MONTHS = PeriodSums(
    RepMonthDisplay, display_counts, ("channel", "tier"), ranges.month_of, month_start
)
DISPLAY_WEEKS = PeriodSums(RepWeekDisplay, display_counts, (), ranges.week_of, week_start)
