"""The orders of selected rep-days per store, from the raw rows: what `rep_day_store_orders`
holds, and what the tier proposals (`services.tiers`) weigh.

Per rep, team at check-in, day and store: the orders with at least one line and their value
(Σ quantity × the line's unit price, a line without one counting 0, rounded to cents as
`order_counts` does). Held visits count too: a store's contribution is what it bought.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import Order, OrderLine, RepDayStoreOrders, Visit
from .order_counts import line_value

TABLE = RepDayStoreOrders
KEYS = ("rep_id", "team_id", "day", "store_id")
COUNTS = ("orders", "value")


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, Visit.store_id)
    return (
        select(
            *keys[:2],
            Visit.visit_date.label("day"),
            Visit.store_id,
            func.count(func.distinct(Order.id)).label("orders"),
            line_value().label("value"),
        )
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Visit, Visit.id == Order.visit_id)
        .where(where(Visit.rep_id, Visit.visit_date))
        .group_by(*keys)
    )
