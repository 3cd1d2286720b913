"""The integrity flags of selected rep-days, from the raw rows: what `rep_day_flags` holds.

Per rep, team at check-in, day and kind: the flags of the visits, held visits included (the
exceptions report lists them all).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import RepDayFlags, Visit, VisitFlag

TABLE = RepDayFlags
KEYS = ("rep_id", "team_id", "day", "kind")
COUNTS = ("flags",)


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, VisitFlag.kind)
    return (
        select(
            *keys[:2], Visit.visit_date.label("day"), VisitFlag.kind, func.count().label("flags")
        )
        .select_from(VisitFlag)
        .join(Visit, Visit.id == VisitFlag.visit_id)
        .where(where(Visit.rep_id, Visit.visit_date))
        .group_by(*keys)
    )
