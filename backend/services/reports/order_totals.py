"""The order totals of selected rep-days, from the raw rows: what `rep_day_order_totals` holds.

Per rep, team at check-in, day, and the store's channel and tier: orders (visits with an order:
one order per visit), their lines, units and value (as `order_counts` defines them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import ORDER_TOTAL_COUNTS, Order, OrderLine, RepDayOrderTotals, Store, Visit
from .order_counts import at_counted_visits, line_value

TABLE = RepDayOrderTotals
KEYS = ("rep_id", "team_id", "day", "channel", "tier")
COUNTS = ORDER_TOTAL_COUNTS


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, Store.channel, Store.tier)
    stmt = select(
        *keys[:2],
        Visit.visit_date.label("day"),
        *keys[3:],
        func.count(func.distinct(Order.id)).label("orders"),
        func.count().label("lines"),
        func.sum(OrderLine.quantity).label("units"),
        line_value().label("value"),
    )
    return at_counted_visits(stmt, where).group_by(*keys)
