"""The order counts of selected rep-days per product, from the raw rows: what `rep_day_orders`
holds.

Per rep, team at check-in, day, the store's channel and tier, and product: the orders with a
line of that product, its units, and its value (quantity × the line's unit price, the list
price when the order was taken; a line without one counts 0), rounded to cents so that a
rebuild gives the same number on SQLite's binary floats. A visit held for review counts only
once a supervisor accepts it, as in the KPIs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import ORDER_PRODUCT_COUNTS, Order, OrderLine, RepDayOrders, Store, Visit
from ...models.visits import counted_visit

TABLE = RepDayOrders
KEYS = ("rep_id", "team_id", "day", "channel", "tier", "product_id")
COUNTS = ORDER_PRODUCT_COUNTS


def line_value() -> Any:
    """The value of the lines summed, in cents."""
    return func.round(func.sum(OrderLine.quantity * func.coalesce(OrderLine.unit_price, 0)), 2)


def at_counted_visits(stmt: Select[Any], where: Any) -> Select[Any]:
    """Order lines joined to their order, visit and store, at the selected rep-days' counted
    visits."""
    return (
        stmt.select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Visit, Visit.id == Order.visit_id)
        .join(Store, Store.id == Visit.store_id)
        .where(where(Visit.rep_id, Visit.visit_date), counted_visit())
    )


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date, Store.channel, Store.tier)
    stmt = select(
        *keys[:2],
        Visit.visit_date.label("day"),
        *keys[3:],
        OrderLine.product_id,
        func.count().label("orders"),
        func.sum(OrderLine.quantity).label("units"),
        line_value().label("value"),
    )
    return at_counted_visits(stmt, where).group_by(*keys, OrderLine.product_id)
