"""Known histories for the report tests, written straight into the tables (no visit API).

Use inside an app context. Times are Tokyo local "HH:MM" on the given day.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from backend.extensions import db
from backend.models import (
    Brand,
    CompetitorObservation,
    DisplayCheck,
    FlagKind,
    NearExpiry,
    Order,
    OrderLine,
    Photo,
    PhotoKind,
    PlannedStop,
    PlanStatus,
    Product,
    RoutePlan,
    Store,
    User,
    Visit,
    VisitFlag,
    VisitStatus,
    utcnow,
)
from backend.services.customer_status import note_orders
from tests.org_factory import make_store

TOKYO = ZoneInfo("Asia/Tokyo")
# The report tests' week (ISO 2026-W47), Monday to Wednesday, the Monday after, and its query.
MON, TUE, WED, NEXT_MON = (
    date(2026, 11, 16),
    date(2026, 11, 17),
    date(2026, 11, 18),
    date(2026, 11, 23),
)
WEEK = {"period": "week", "date": "2026-11-18"}
_serial = count(1)


def at(day: date, clock: str) -> datetime:
    hours, minutes = (int(p) for p in clock.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=TOKYO)


class History:
    """Builds plans, visits and what was recorded at them; `commit()` when done."""

    def __init__(self, org):
        self.org = org

    def team_of(self, rep: str) -> int:
        return db.session.get(User, self.org.user[rep]).team_id

    def store(self, code: str, rep: str, **fields) -> int:
        user = db.session.get(User, self.org.user[rep])
        store = make_store(code, user.team, user, **fields)
        db.session.add(store)
        db.session.flush()
        self.org.store[code] = store.id
        return store.id

    def plan(self, rep: str, day: date, stores: list[str], team: str | None = None, **kw):
        """A published plan (team: the rep's current one unless given); returns the stops."""
        plan = RoutePlan(
            rep_id=self.org.user[rep],
            team_id=self.org.team[team] if team else self.team_of(rep),
            plan_date=day,
            status=kw.get("status", PlanStatus.PUBLISHED),
            published_at=utcnow(),
        )
        plan.stops = [
            PlannedStop(store_id=self.org.store[code], sequence=n)
            for n, code in enumerate(stores, 1)
        ]
        db.session.add(plan)
        db.session.flush()
        return {code: stop for code, stop in zip(stores, plan.stops, strict=True)}

    def visit(
        self,
        rep: str,
        store: str,
        day: date,
        start: str,
        minutes: int | None,
        ordered: bool = False,
        team: str | None = None,
        stop: PlannedStop | None = None,
    ) -> Visit:
        """A visit checked in at `start` local time, `minutes` long (None = still open)."""
        checked_in = at(day, start)
        visit = Visit(
            uuid=str(uuid.uuid4()),
            rep_id=self.org.user[rep],
            team_id=self.org.team[team] if team else self.team_of(rep),
            store_id=self.org.store[store],
            planned_stop_id=stop.id if stop else None,
            planned=stop is not None,
            visit_date=day,
            status=VisitStatus.CLOSED if minutes is not None else VisitStatus.OPEN,
            checked_in_at=checked_in,
            checkin_lat=35.66,
            checkin_lng=139.77,
            checkin_distance_m=10.0,
            checked_out_at=checked_in + timedelta(minutes=minutes) if minutes is not None else None,
            successful=ordered,
        )
        db.session.add(visit)
        db.session.flush()
        if ordered:
            order = Order(visit_id=visit.id)
            product = db.session.query(Product).order_by(Product.id).first()
            if product is not None:
                order.lines = [
                    OrderLine(product_id=product.id, quantity=2, unit_price=product.unit_price)
                ]
            db.session.add(order)
            db.session.flush()
            note_orders([visit.store_id])  # as the app's order write does
        return visit

    def photo(self, visit: Visit) -> int:
        digest = hashlib.sha256(str(next(_serial)).encode()).hexdigest()
        photo = Photo(
            visit_id=visit.id,
            kind=PhotoKind.SHELF,
            sha256=digest,
            phash=digest[:16],
            source_format="JPEG",
            width=640,
            height=480,
            size_bytes=1000,
            uploaded_by_id=visit.rep_id,
        )
        db.session.add(photo)
        db.session.flush()
        return photo.id

    def flag(self, visit: Visit, kind: FlagKind) -> int:
        flag = VisitFlag(visit_id=visit.id, kind=kind, message=kind.value, detail={})
        db.session.add(flag)
        db.session.flush()
        return flag.id

    def catalogue(self) -> dict[str, int]:
        """Own brand Sakura (tea-1 150.00, tea-2 151.00), rival Fuji (fuji-tea, no price)."""
        own, rival = Brand(name="Sakura", is_own=True), Brand(name="Fuji", is_own=False)
        products = {
            "tea-1": Product(sku="SK-1", name="Sakura tea 1", brand=own, category="tea",
                             pack_size="500 ml", unit_price=Decimal("150.00")),
            "tea-2": Product(sku="SK-2", name="Sakura tea 2", brand=own, category="tea",
                             pack_size="500 ml", unit_price=Decimal("151.00")),
            "fuji-tea": Product(sku="FJ-1", name="Fuji tea", brand=rival, category="tea",
                                pack_size="500 ml"),
        }  # fmt: skip
        db.session.add_all([own, rival, *products.values()])
        db.session.flush()
        ids = {name: p.id for name, p in products.items()}
        ids.update(sakura=own.id, fuji=rival.id)
        return ids

    def display(self, visit: Visit, product_id: int, **fields) -> None:
        values = {"on_shelf": True, "facings": 1, "out_of_stock": False, **fields}
        db.session.add(DisplayCheck(visit_id=visit.id, product_id=product_id, **values))

    def expiry(self, visit: Visit, product_id: int, quantity: int, expires: date) -> None:
        db.session.add(
            NearExpiry(
                visit_id=visit.id, product_id=product_id, quantity=quantity, expiry_date=expires
            )
        )

    def competitor(self, visit: Visit, brand_id: int, **fields) -> None:
        db.session.add(CompetitorObservation(visit_id=visit.id, brand_id=brand_id, **fields))

    def commit(self) -> None:
        db.session.commit()


def store_of(code: str) -> Store:
    return db.session.query(Store).filter_by(code=code).one()
