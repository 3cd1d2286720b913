"""The counted visits of selected rep-months per store, from the raw rows: what
`rep_month_store_visits` holds, and what the KPIs' coverage and frequency adherence add up over
whole months (the days of a period outside them are counted from the visits).

Per rep, team at check-in, month (its first day, as `day`) and store: the visits the KPIs count
(a visit held for review only once accepted).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import RepMonthStoreVisits, Visit
from ...models.visits import counted_visit
from . import ranges
from .sql import month_start

TABLE = RepMonthStoreVisits
KEYS = ("rep_id", "team_id", "day", "store_id")
COUNTS = ("visits",)
# Rows per rep-month: `rep_days` recomputes the whole month of a touched rep-day.
PERIOD = ranges.month_of


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-months whose days `where(rep column, day column)` selects."""
    month = month_start(Visit.visit_date)
    keys = (Visit.rep_id, Visit.team_id, month, Visit.store_id)
    return (
        select(*keys[:2], month.label("day"), Visit.store_id, func.count().label("visits"))
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit())
        .group_by(*keys)
    )
