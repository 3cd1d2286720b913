"""The data set of the reports benchmark: an organisation of `reps` reps and their working days,
as rows per table (ids assigned here) for COPY or executemany, one day of a group of reps at a
time (memory stays bounded at any size; `bench/reports.py --reps 2000` makes 10 M visits).

Each working day (Mon-Fri) a rep has a published plan of 20 stops, visits about 90 % of them (a
few twice) plus one unplanned store, with a display check per visit, competitor prices at 20 %,
near-expiry notes at 10 %, a photo at 50 % (30 % of them reviewed) and an integrity flag at 5 %.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select

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
# Reps per generated chunk (one working day of theirs: about 4,800 visits, 40,000 rows).
REPS_PER_CHUNK = 250
MINUTES = [timedelta(minutes=m) for m in range(61)]
DAYS = [timedelta(days=d) for d in range(61)]
# A competitor's regular price (80.00-200.00) and its promotion price (20 % off).
COMPETITOR_PRICES = [
    (Decimal(cents) / 100, (Decimal(cents) * Decimal("0.008")).quantize(Decimal("0.01")))
    for cents in range(8000, 20001)
]

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


def _stores(org_reps: list[tuple[int, int]], per_rep: int) -> dict[int, list[int]]:
    """`per_rep` stores of each rep, inserted in bulk a batch of reps at a time: ids by rep."""
    rng = random.Random(1)
    channels, tiers = list(Channel), list(Tier)
    for first in range(0, len(org_reps), REPS_PER_CHUNK):
        rows = [
            {"code": f"S{rep_id}-{s}", "name": f"Store {rep_id}-{s}",
             "channel": rng.choice(channels), "tier": rng.choice(tiers),
             "lat": 35.6 + rng.random() / 10, "lng": 139.7 + rng.random() / 10,
             "team_id": team_id, "rep_id": rep_id}
            for rep_id, team_id in org_reps[first : first + REPS_PER_CHUNK]
            for s in range(per_rep)
        ]  # fmt: skip
        db.session.execute(insert(Store), rows)
    by_rep: dict[int, list[int]] = {}
    for store_id, rep_id in db.session.execute(select(Store.id, Store.rep_id).order_by(Store.id)):
        by_rep.setdefault(rep_id, []).append(store_id)
    return by_rep


def setup_org(reps: int, stores_per_rep: int) -> dict[str, Any]:
    """Areas, teams, users and the catalogue through the ORM, the stores in bulk."""
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
    org_reps = [(r.id, r.team_id) for r in rep_users]
    stores = _stores(org_reps, stores_per_rep)
    db.session.commit()
    return {
        "reps": org_reps,
        "stores": stores,
        "own": [p.id for p in products[:20]],
        "products": [p.id for p in products],
        "rivals": [(b.id, [p.id for p in products if p.brand is b]) for b in rivals],
        "rival_brands": [b.id for b in rivals],
        "categories": {p.id: p.category for p in products},
        "prices": {p.id: p.unit_price for p in products[:20]},
        "agreed": {p.id: price for p, price in agreed.items()},
        "reviewers": {s.team_id: s.id for s in sups},
    }


def _chunk() -> dict[str, list[tuple]]:
    return {table: [] for table in COLUMNS}


def generate(org: dict[str, Any], days: int, seed: int) -> Iterator[dict[str, list[tuple]]]:
    """Rows per table, ids assigned here: one chunk per working day and group of
    `REPS_PER_CHUNK` reps, so memory stays bounded however many reps and days there are."""
    rng = random.Random(seed)
    depth = report_depth.Depth(org, seed)
    ids = SimpleNamespace(**{table: count(1).__next__ for table in COLUMNS})
    workdays = [d for d in (YEAR_START + timedelta(n) for n in range(400)) if d.weekday() < 5]
    reps = org["reps"]
    for day in workdays[:days]:
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for first in range(0, len(reps), REPS_PER_CHUNK):
            chunk = _chunk()
            for rep_id, team_id in reps[first : first + REPS_PER_CHUNK]:
                _rep_day(chunk, ids, rng, depth, day, midnight, rep_id, team_id)
            yield chunk


def _rep_day(chunk, ids, rng, depth, day, clock, rep_id, team_id) -> None:
    """A rep's published plan of 20 stops and the day's visits, in the order they happened."""
    stores = rng.sample(depth.org["stores"][rep_id], 21)
    plan_id = ids.route_plans()
    chunk["route_plans"].append((plan_id, rep_id, team_id, day, "published", 0, 0, 1, NOW, NOW))
    order = list(range(20))
    if rng.random() < 0.3:
        a, b = rng.sample(order, 2)
        order[a], order[b] = order[b], order[a]
    stops, visits, random_ = chunk["planned_stops"], [], rng.random
    for seq, store_id in enumerate(stores[:20], 1):
        stop_id = ids.planned_stops()
        stops.append((stop_id, plan_id, store_id, seq, 0, 0, False))
        if random_() < 0.9:
            visits.append((order[seq - 1], store_id, stop_id))
            if random_() < 0.02:
                visits.append((20, store_id, None))
    visits.append((int(random_() * 21), stores[20], None))
    visits.sort(key=itemgetter(0))
    for _, store_id, stop_id in visits:
        checked_in = clock + MINUTES[5 + int(random_() * 21)]  # 5-25 minutes on the road
        clock = checked_in + MINUTES[3 + int(random_() * 28)]  # 3-30 minutes in the store
        _visit(chunk, ids, rng, depth, day, rep_id, team_id, store_id, stop_id, checked_in,
               clock)  # fmt: skip


def _visit(chunk, ids, rng, depth, day, rep_id, team_id, store_id, stop_id, start, end) -> None:
    org, random_ = depth.org, rng.random
    visit_id = ids.visits()
    visit = (visit_id, report_depth.uuid_text(rng), rep_id, team_id, store_id, stop_id,
             stop_id is not None, day, "closed", start, start, 35.65, 139.75, 20.0, end,
             random_() < 0.6, NOW, NOW)  # fmt: skip
    chunk["visits"].append(visit)
    products = org["products"]
    product = products[int(random_() * len(products))]
    # One availability answer: on the shelf 90 %, out of stock 7 %, not stocked here 3 %; eye
    # level (shelf level 2) for 40 % of the products on the shelf.
    found = random_()
    on_shelf, out_of_stock = found < 0.9, 0.9 <= found < 0.97
    level = (2 if random_() < 0.4 else (1, 3, 4)[int(random_() * 3)]) if on_shelf else None
    price = depth.shelf_price(chunk, ids, visit_id, product, on_shelf)
    chunk["display_checks"].append(
        (ids.display_checks(), visit_id, product, on_shelf,
         int(random_() * 9) if on_shelf else 0, level, random_() < 0.9, out_of_stock,
         random_() < 0.95, random_() < 0.9, random_() < 0.9, random_() < 0.5, *price)
    )  # fmt: skip
    depth.records(chunk, ids, visit, product, org["reviewers"][team_id])
    if random_() < 0.2:
        brand, rival_products = org["rivals"][int(random_() * len(org["rivals"]))]
        regular, promo = COMPETITOR_PRICES[int(random_() * len(COMPETITOR_PRICES))]
        promo = promo if random_() < 0.2 else None
        chunk["competitor_observations"].append(
            (ids.competitor_observations(), visit_id, brand,
             rival_products[int(random_() * len(rival_products))], regular, promo,
             "discount" if promo else None, random_() < 0.01)
        )  # fmt: skip
    if random_() < 0.1:
        own = org["own"]
        item = (ids.near_expiry_items(), visit_id, own[int(random_() * len(own))],
                1 + int(random_() * 30), day + DAYS[1 + int(random_() * 60)],
                depth.near_expiry_action())  # fmt: skip
        chunk["near_expiry_items"].append(item)
        depth.note_near_expiry(store_id, item[0], item[3])
    if random_() < 0.5:
        _photo(chunk, ids, rng, rep_id, org["reviewers"][team_id], visit_id, end)
    if random_() < 0.05:
        kind = FLAGS[int(random_() * len(FLAGS))]
        chunk["visit_flags"].append((ids.visit_flags(), visit_id, kind, kind, "{}", end))


def _photo(chunk, ids, rng, rep_id, reviewer, visit_id, at) -> None:
    """A shelf photo, reviewed at 30 % (approved 80 %, else rejected as blurry)."""
    photo_id = ids.photos()
    chunk["photos"].append(
        (photo_id, visit_id, "shelf", f"{photo_id:064x}", f"{photo_id:016x}", "JPEG", 1600,
         1200, 200000, rep_id, at)
    )  # fmt: skip
    if rng.random() < 0.3:
        approved = rng.random() < 0.8
        chunk["photo_reviews"].append(
            (ids.photo_reviews(), photo_id, "approved" if approved else "rejected",
             None if approved else "Blurry", reviewer, at)
        )  # fmt: skip
