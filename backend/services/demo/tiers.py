"""Demo: customers that are not (yet, or any more) buying, and every store's order dates.

Runs after the days' records are written. A few stores are prospects: their reps call, but
they have never ordered (what the days drew for them is withdrawn). A few are lapsed: they
bought on two or three visits two to four months ago and nothing since. Then every store's
first and latest order dates are set from its orders, so the store list, the planner and
the tier proposals (which differ from the benchmark's tiers) read them. The stores are drawn
from the seed alone, so a top-up keeps them; the older visits are made once.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, exists, select

from ...extensions import db
from ...models import Order, OrderLine, Product, Store, User, Visit, VisitStatus
from ..customer_status import note_orders
from ..plan_building import zone

PROSPECT_SHARE, LAPSED_SHARE = 0.05, 0.05
# Lapsed stores' last orders: this many days before today, at the most recent.
LAPSED_DAYS = (65, 120)
QUANTITIES = (12, 24, 24, 36, 48)


def add(seed: int, stores: dict[int, list[Store]], today: date) -> None:
    """Make the prospects and lapsed stores of `stores` (by rep), then note every order date."""
    every = sorted((s for held in stores.values() for s in held), key=lambda s: s.id)
    rng = random.Random(f"{seed}/customers")
    drawn = rng.sample(every, round(len(every) * (PROSPECT_SHARE + LAPSED_SHARE)))
    lapsed = drawn[round(len(every) * PROSPECT_SHARE) :]  # the others are the prospects
    _withdraw([s.id for s in drawn], today - timedelta(days=LAPSED_DAYS[0]))
    products = db.session.scalars(select(Product).order_by(Product.sku)).all()
    own = [p for p in products if p.brand.is_own]
    for store in lapsed:
        _earlier_orders(seed, store, own, today)
    note_orders(s.id for s in every)


def _withdraw(store_ids: list[int], after: date) -> None:
    """No order at the stores' visits after `after` (the demo's days): they were not successful."""
    at_stores = select(Visit.id).where(Visit.store_id.in_(store_ids), Visit.visit_date > after)
    orders = select(Order.id).where(Order.visit_id.in_(at_stores))
    db.session.execute(delete(OrderLine).where(OrderLine.order_id.in_(orders)))
    db.session.execute(delete(Order).where(Order.visit_id.in_(at_stores)))
    for visit in db.session.scalars(select(Visit).where(Visit.id.in_(at_stores), Visit.successful)):
        visit.successful = False


def _earlier_orders(seed: int, store: Store, own: list[Product], today: date) -> None:
    """Two or three unplanned visits with an order, months ago (once: a top-up keeps them)."""
    earlier = (
        select(Order.id)
        .join(Visit, Visit.id == Order.visit_id)
        .where(Visit.store_id == store.id, Visit.visit_date <= today - timedelta(LAPSED_DAYS[0]))
    )
    if store.rep_id is None or db.session.scalar(select(exists(earlier))):
        return
    rng = random.Random(f"{seed}/lapsed/{store.code}")
    rep = db.session.get(User, store.rep_id)
    last = today - timedelta(days=rng.randint(*LAPSED_DAYS))
    for weeks in range(rng.randint(2, 3)):
        day = last - timedelta(days=14 * weeks)
        arrived = datetime.combine(day, time(10 + rng.randint(0, 5), rng.randint(0, 59)), zone())
        visit = Visit(
            uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            rep_id=rep.id,
            team_id=rep.team_id,
            store_id=store.id,
            planned=False,
            visit_date=day,
            status=VisitStatus.CLOSED,
            checked_in_at=arrived,
            checkin_received_at=arrived,
            checkin_lat=store.lat,
            checkin_lng=store.lng,
            checkin_accuracy_m=8.0,
            checkin_distance_m=0.0,
            checked_out_at=arrived + timedelta(minutes=store.visit_minutes),
            checkout_received_at=arrived + timedelta(minutes=store.visit_minutes),
            successful=True,
            created_at=arrived,
            updated_at=arrived,
        )
        db.session.add(visit)
        db.session.flush()
        order = Order(visit_id=visit.id, created_at=arrived, updated_at=arrived)
        order.lines = [
            OrderLine(product_id=p.id, quantity=rng.choice(QUANTITIES), unit_price=p.unit_price)
            for p in rng.sample(own, min(len(own), rng.randint(2, 4)))
        ]
        db.session.add(order)
    db.session.flush()
