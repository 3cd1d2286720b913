"""The data set of the reports benchmark: an organisation of `reps` reps and their working days,
as rows per table (ids assigned here) for COPY or executemany, one month at a time.

Each working day (Mon-Fri) a rep has a published plan of 20 stops, visits about 90 % of them (a
few twice) plus one unplanned store, with a display check per visit, competitor prices at 20 %,
near-expiry notes at 10 %, a photo at 50 % (30 % of them reviewed) and an integrity flag at 5 %.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.extensions import db
from backend.models import (
    AgreedPrice,
    Area,
    Brand,
    Channel,
    Product,
    Role,
    Store,
    Team,
    Tier,
    User,
)
from bench import report_depth

YEAR_START = date(2025, 1, 1)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FLAGS = ("outside_geofence", "short_visit", "poor_accuracy", "clock_skew")

COLUMNS = {
    "route_plans": "id rep_id team_id plan_date status travel_seconds distance_m revision "
    "created_at updated_at",
    "planned_stops": "id plan_id store_id sequence travel_seconds distance_m locked",
    "visits": "id uuid rep_id team_id store_id planned_stop_id planned visit_date status "
    "checked_in_at checkin_received_at checkin_lat checkin_lng checkin_distance_m "
    "checked_out_at successful created_at updated_at",
    "visit_flags": "id visit_id kind message detail created_at",
    "display_checks": "id visit_id product_id on_shelf facings shelf_level fifo_ok "
    "out_of_stock price_tag_present price_tag_correct shelf_clean pop_present shelf_price "
    "special_price",
    "near_expiry_items": "id visit_id product_id quantity expiry_date action",
    "competitor_observations": "id visit_id brand_id product_id regular_price promo_price "
    "promo_type new_product",
    "photos": "id visit_id kind sha256 phash source_format width height size_bytes "
    "uploaded_by_id created_at",
    "photo_reviews": "id photo_id status comment reviewer_id reviewed_at",
}
COLUMNS.update(report_depth.COLUMNS)  # after the tables they refer to
ORDER = list(COLUMNS)


def setup_org(reps: int, stores_per_rep: int) -> dict[str, Any]:
    """Areas, teams, users, stores and the catalogue through the ORM (small tables)."""
    areas = [Area(name=f"Area {a}") for a in range(4)]
    teams = [Team(name=f"Team {t}", area=areas[t % 4]) for t in range(max(1, reps // 10))]
    admin = User(username="admin", full_name="Admin", role=Role.ADMIN, password_hash="x")
    sups = [
        User(username=f"sup-{t}", full_name=f"Sup {t}", role=Role.SUPERVISOR, team=team,
             password_hash="x")
        for t, team in enumerate(teams)
    ]  # fmt: skip
    rep_users = [
        User(username=f"rep-{r}", full_name=f"Rep {r}", role=Role.REP,
             team=teams[r % len(teams)], password_hash="x")
        for r in range(reps)
    ]  # fmt: skip
    own = Brand(name="Sakura", is_own=True)
    rivals = [Brand(name=f"Rival {b}") for b in range(4)]
    products = [
        Product(sku=f"P{p}", name=f"Product {p}", brand=own if p < 20 else rivals[p % 4],
                category=f"cat {p % 5}", pack_size="500 ml",
                unit_price=Decimal(100 + p) if p < 20 else None)
        for p in range(40)
    ]  # fmt: skip
    # The agreed shelf price of each own product: its list price plus 30 %, for every channel.
    agreed = {p: (p.unit_price * Decimal("1.3")).quantize(Decimal("0.01")) for p in products[:20]}
    db.session.add_all([*areas, admin, *sups, *rep_users, own, *rivals, *products])
    db.session.add_all(
        AgreedPrice(product=p, price=price, valid_from=YEAR_START) for p, price in agreed.items()
    )
    db.session.flush()
    rng = random.Random(1)
    stores = []
    for rep in rep_users:
        for s in range(stores_per_rep):
            stores.append(
                Store(code=f"S{rep.id}-{s}", name=f"Store {rep.id}-{s}",
                      channel=rng.choice(list(Channel)), tier=rng.choice(list(Tier)),
                      lat=35.6 + rng.random() / 10, lng=139.7 + rng.random() / 10,
                      team_id=rep.team_id, rep_id=rep.id)
            )  # fmt: skip
    db.session.add_all(stores)
    db.session.commit()
    by_rep: dict[int, list[int]] = {}
    for store in stores:
        by_rep.setdefault(store.rep_id, []).append(store.id)
    return {
        "reps": [(r.id, r.team_id) for r in rep_users],
        "stores": by_rep,
        "own": [p.id for p in products[:20]],
        "products": [p.id for p in products],
        "rivals": [(b.id, [p.id for p in products if p.brand is b]) for b in rivals],
        "rival_brands": [b.id for b in rivals],
        "categories": {p.id: p.category for p in products},
        "prices": {p.id: p.unit_price for p in products[:20]},
        "agreed": {p.id: price for p, price in agreed.items()},
        "reviewers": {s.team_id: s.id for s in sups},
    }


def generate(org: dict[str, Any], days: int, seed: int) -> Iterator[dict[str, list[tuple]]]:
    """Rows per table, one month of working days at a time, ids assigned here."""
    rng = random.Random(seed)
    depth = report_depth.Depth(org, seed)
    ids = dict.fromkeys(COLUMNS, 0)

    def new(table: str) -> int:
        ids[table] += 1
        return ids[table]

    workdays = [d for d in (YEAR_START + timedelta(n) for n in range(400)) if d.weekday() < 5]
    chunk: dict[str, list[tuple]] = {t: [] for t in COLUMNS}
    month = workdays[0].month
    for day in workdays[:days]:
        if day.month != month and chunk["visits"]:
            yield chunk
            chunk, month = {t: [] for t in COLUMNS}, day.month
        for rep_id, team_id in org["reps"]:
            stores = rng.sample(org["stores"][rep_id], 21)
            plan_id = new("route_plans")
            chunk["route_plans"].append(
                (plan_id, rep_id, team_id, day, "published", 0, 0, 1, NOW, NOW)
            )
            clock = datetime(day.year, day.month, day.day, 0, 0, tzinfo=UTC)
            order = list(range(20))
            if rng.random() < 0.3:
                a, b = rng.sample(order, 2)
                order[a], order[b] = order[b], order[a]
            visits = []
            for seq, store_id in enumerate(stores[:20], 1):
                stop_id = new("planned_stops")
                chunk["planned_stops"].append((stop_id, plan_id, store_id, seq, 0, 0, False))
                if rng.random() < 0.9:
                    visits.append((order[seq - 1], store_id, stop_id))
                    if rng.random() < 0.02:
                        visits.append((20, store_id, None))
            visits.append((rng.randrange(21), stores[20], None))
            visits.sort(key=lambda v: v[0])
            for _, store_id, stop_id in visits:
                clock += timedelta(minutes=rng.randint(5, 25))
                checked_in = clock
                clock += timedelta(minutes=rng.randint(3, 30))
                _visit(chunk, new, rng, depth, day, rep_id, team_id, store_id, stop_id,
                       checked_in, clock)  # fmt: skip
    if chunk["visits"]:
        yield chunk


def _visit(chunk, new, rng, depth, day, rep_id, team_id, store_id, stop_id, start, end) -> None:
    org = depth.org
    visit_id = new("visits")
    chunk["visits"].append(
        (visit_id, str(uuid.UUID(int=rng.getrandbits(128))), rep_id, team_id, store_id, stop_id,
         stop_id is not None, day, "closed", start, start, 35.65, 139.75, 20.0, end,
         rng.random() < 0.6, NOW, NOW)
    )  # fmt: skip
    product = rng.choice(org["products"])
    # One availability answer: on the shelf 90 %, out of stock 7 %, not stocked here 3 %; eye
    # level (shelf level 2) for 40 % of the products on the shelf.
    found = rng.random()
    on_shelf, out_of_stock = found < 0.9, 0.9 <= found < 0.97
    level = (2 if rng.random() < 0.4 else rng.choice((1, 3, 4))) if on_shelf else None
    price = depth.shelf_price(chunk, new, visit_id, product, on_shelf)
    chunk["display_checks"].append(
        (new("display_checks"), visit_id, product, on_shelf, rng.randint(0, 8) if on_shelf else 0,
         level, rng.random() < 0.9, out_of_stock, rng.random() < 0.95, rng.random() < 0.9,
         rng.random() < 0.9, rng.random() < 0.5, *price)
    )  # fmt: skip
    depth.records(chunk, new, chunk["visits"][-1], product, org["reviewers"][team_id])
    if rng.random() < 0.2:
        brand, products = rng.choice(org["rivals"])
        regular = Decimal(rng.randint(8000, 20000)) / 100
        promo = (regular * Decimal("0.8")).quantize(Decimal("0.01")) if rng.random() < 0.2 else None
        chunk["competitor_observations"].append(
            (new("competitor_observations"), visit_id, brand, rng.choice(products), regular,
             promo, "discount" if promo else None, rng.random() < 0.01)
        )  # fmt: skip
    if rng.random() < 0.1:
        item = (new("near_expiry_items"), visit_id, rng.choice(org["own"]), rng.randint(1, 30),
                day + timedelta(days=rng.randint(1, 60)), depth.near_expiry_action())  # fmt: skip
        chunk["near_expiry_items"].append(item)
        depth.note_near_expiry(store_id, item[0], item[3])
    if rng.random() < 0.5:
        photo_id = new("photos")
        chunk["photos"].append(
            (photo_id, visit_id, "shelf", f"{photo_id:064x}", f"{photo_id:016x}", "JPEG", 1600,
             1200, 200000, rep_id, end)
        )  # fmt: skip
        if rng.random() < 0.3:
            status = "approved" if rng.random() < 0.8 else "rejected"
            chunk["photo_reviews"].append(
                (new("photo_reviews"), photo_id, status, None if status == "approved" else "Blurry",
                 org["reviewers"][team_id], end)
            )  # fmt: skip
    if rng.random() < 0.05:
        kind = rng.choice(FLAGS)
        chunk["visit_flags"].append((new("visit_flags"), visit_id, kind, kind, "{}", end))
