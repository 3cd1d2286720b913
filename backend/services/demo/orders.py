"""Demo: stock that sells and orders that refill it, so sell-through and the suggested order
read true; and a demand uplift for the season.

Runs after the days' records are written. Each store and product gets a daily rate of sale
(its own seeded stream: tier A sells most); its stock runs down by that rate (± a fifth) between
visits and up by the units ordered at a visit. The counts recorded at the new days' visits are
set to that stock (shelf and back room split as counted), and each order line to the units that
refill about ten days of sales. A top-up starts each product from its latest count before the
new days. The uplift ("Year-end gifting", modern stores, × 1.30) runs from a week before today
to two weeks after; it is added once.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from ...extensions import db
from ...models import Channel, DemandUplift, Order, OrderLine, StockCount, Tier, Visit

TIER_SALES = {Tier.A: (2.0, 6.0), Tier.B: (1.0, 4.0), Tier.C: (0.5, 2.5)}
COVER_DAYS = 10
CASE = 6
UPLIFT_REASON = "Year-end gifting"


def add(seed: int, past: list[date], today: date) -> None:
    if past:
        _simulate(seed, past[0], past[-1])
    _uplift(today)


def _simulate(seed: int, first: date, last: date) -> None:
    visits = db.session.scalars(
        select(Visit)
        .where(Visit.visit_date.between(first, last))
        .order_by(Visit.store_id, Visit.checked_in_at)
    ).all()
    ids = [v.id for v in visits]
    counts, lines = defaultdict(list), defaultdict(list)
    for row in db.session.scalars(select(StockCount).where(StockCount.visit_id.in_(ids))):
        counts[row.visit_id].append(row)
    orders = select(Order.id, Order.visit_id).where(Order.visit_id.in_(ids)).subquery()
    for line, visit_id in db.session.execute(
        select(OrderLine, orders.c.visit_id).join(orders, orders.c.id == OrderLine.order_id)
    ):
        lines[visit_id].append(line)
    stock = _stock_before(first)
    for visit in visits:
        rng = random.Random(f"{seed}/stock/{visit.store_id}/{visit.visit_date}")
        key = visit.store_id
        for row in sorted(counts[visit.id], key=lambda r: r.product_id):
            units = _on_hand(seed, stock, visit, row.product_id, rng)
            shelf = 0 if row.shelf_qty == 0 else min(units, rng.randint(6, 24))
            row.shelf_qty, row.backroom_qty = shelf, units - shelf
        for line in sorted(lines[visit.id], key=lambda r: r.product_id):
            units = _on_hand(seed, stock, visit, line.product_id, rng)
            need = _rate(seed, visit, line.product_id) * COVER_DAYS - units
            line.quantity = CASE * max(1, math.ceil(need / CASE))
            stock[(key, line.product_id)] = (units + line.quantity, visit.visit_date)
    db.session.flush()


def _stock_before(first: date) -> dict[tuple[int, int], tuple[int, date]]:
    """Each store's and product's latest count before `first`: (units, day)."""
    rows = db.session.execute(
        select(
            Visit.store_id,
            StockCount.product_id,
            StockCount.shelf_qty + StockCount.backroom_qty,
            Visit.visit_date,
        )
        .join(Visit, Visit.id == StockCount.visit_id)
        .where(Visit.visit_date < first)
        .order_by(Visit.checked_in_at)
    )
    return {(store, product): (units, day) for store, product, units, day in rows}


def _rate(seed: int, visit: Visit, product_id: int) -> float:
    low, high = TIER_SALES[visit.store.tier]
    return random.Random(f"{seed}/rate/{visit.store_id}/{product_id}").uniform(low, high)


def _on_hand(seed: int, stock: dict, visit: Visit, product_id: int, rng: random.Random) -> int:
    """The units left at the visit after the sales since the last one (noted as of now)."""
    key = (visit.store_id, product_id)
    units, since = stock.get(key, (rng.randint(12, 40), visit.visit_date))
    days = (visit.visit_date - since).days
    sold = round(_rate(seed, visit, product_id) * days * rng.uniform(0.8, 1.2))
    units = max(0, units - sold)
    stock[key] = (units, visit.visit_date)
    return units


def _uplift(today: date) -> None:
    if db.session.scalar(select(DemandUplift.id).where(DemandUplift.reason == UPLIFT_REASON)):
        return
    db.session.add(
        DemandUplift(
            channel=Channel.MODERN,
            starts_on=today - timedelta(days=7),
            ends_on=today + timedelta(days=14),
            factor=Decimal("1.30"),
            reason=UPLIFT_REASON,
        )
    )
    db.session.flush()
