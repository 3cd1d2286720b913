"""The return requests of selected rep-days, from the raw rows: what `rep_day_returns` holds.

Per rep, team at check-in, day, store, product, status and reason: the requests and their
quantity. Every visit counts (a held one too), as the returns report always did.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import RETURN_COUNTS, RepDayReturns, ReturnRequest, Visit

TABLE = RepDayReturns
KEYS = ("rep_id", "team_id", "day", "store_id", "product_id", "status", "reason")
COUNTS = RETURN_COUNTS


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    r = ReturnRequest
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, Visit.store_id, r.product_id,
            r.status, r.reason)  # fmt: skip
    return (
        select(
            *keys[:2],
            Visit.visit_date.label("day"),
            *keys[3:],
            func.count().label("requests"),
            func.sum(r.quantity).label("quantity"),
        )
        .select_from(r)
        .join(Visit, Visit.id == r.visit_id)
        .where(where(Visit.rep_id, Visit.visit_date))
        .group_by(*keys)
    )
