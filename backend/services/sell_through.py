"""Sell-through per day of a store's products, from consecutive stock counts and the orders
taken between them.

Two consecutive counts of a product at the store (shelf + back room, at visits the KPIs count)
make an interval: sold = stock at the earlier count + units ordered at the store's visits from
the earlier count's visit up to (not including) the later one's − stock at the later count,
0 when that is negative (stock came from elsewhere). An order taken at a visit is taken to be
delivered before the next visit. Intervals count when both counts fall within
SELL_THROUGH_LOOKBACK_DAYS before the day asked for (that day included) and their dates differ
(two counts on one day say nothing per day). rate = Σ sold ÷ Σ days, rounded half up to 2
decimals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Date, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Order, OrderLine, StockCount, Visit
from ..models.visits import VisitReview, counted_visit

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SellThrough:
    """One product's sell-through at one store: intervals used, their days, units sold."""

    intervals: int = 0
    days_observed: int = 0
    units_sold: int = 0

    @property
    def daily_rate(self) -> Decimal | None:
        """Units sold per day (2 decimals), or None without an interval."""
        if not self.days_observed:
            return None
        return (Decimal(self.units_sold) / self.days_observed).quantize(CENT, ROUND_HALF_UP)


def _interval_rows(store_id: int, product_ids: list[int], first: date, last: date) -> list[Any]:
    """Each count of the products at the store in [first, last] with the count before it (in
    the same window) and the units ordered at the store's visits between the two."""
    counts = (
        select(
            StockCount.product_id,
            (StockCount.shelf_qty + StockCount.backroom_qty).label("stock"),
            Visit.visit_date,
            Visit.checked_in_at,
        )
        .join(Visit, Visit.id == StockCount.visit_id)
        .where(
            Visit.store_id == store_id,
            Visit.visit_date.between(first, last),
            StockCount.product_id.in_(product_ids),
            counted_visit(),
        )
        .subquery("counts")
    )
    order = (counts.c.checked_in_at, counts.c.visit_date)
    window = {"partition_by": counts.c.product_id, "order_by": order}
    paired = select(
        counts,
        func.lag(counts.c.stock).over(**window).label("prev_stock"),
        func.lag(counts.c.visit_date, type_=Date).over(**window).label("prev_date"),
        func.lag(counts.c.checked_in_at).over(**window).label("prev_at"),
    ).subquery("paired")
    taken = aliased(Visit, name="taken")
    ordered = (
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .join(taken, taken.id == Order.visit_id)
        .where(
            taken.store_id == store_id,
            OrderLine.product_id == paired.c.product_id,
            taken.checked_in_at >= paired.c.prev_at,
            taken.checked_in_at < paired.c.checked_in_at,
            taken.review.is_(None) | (taken.review == VisitReview.ACCEPTED),
        )
        .scalar_subquery()
    )
    stmt = select(
        paired.c.product_id,
        paired.c.prev_date,
        paired.c.visit_date,
        paired.c.prev_stock,
        ordered.label("ordered"),
        paired.c.stock,
    ).where(paired.c.prev_stock.is_not(None))
    return list(db.session.execute(stmt))


def sell_through(store_id: int, product_ids: Iterable[int], day: date) -> dict[int, SellThrough]:
    """The sell-through of each product at the store as of `day` (no interval: all zero)."""
    ids = sorted(set(product_ids))
    lookback = current_app.config["SELL_THROUGH_LOOKBACK_DAYS"]
    totals = {pid: [0, 0, 0] for pid in ids}
    for row in _interval_rows(store_id, ids, day - timedelta(days=lookback), day):
        days = (row.visit_date - row.prev_date).days
        if days < 1:
            continue
        sold = max(0, row.prev_stock + int(row.ordered) - row.stock)
        found = totals[row.product_id]
        found[0], found[1], found[2] = found[0] + 1, found[1] + days, found[2] + sold
    return {pid: SellThrough(*found) for pid, found in totals.items()}
