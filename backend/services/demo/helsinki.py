"""The Helsinki demo organisation: real shops, cafés, restaurants, bars and hotels of central
Helsinki from the OpenStreetMap extract `backend/demo/helsinki-centre.osm.pbf` (© OpenStreetMap
contributors, ODbL), with the Tokyo demo's structure: an area, two teams, their supervisors and
eight reps (the same usernames, so the same rep profiles), and a Nordic drinks catalogue.

Stores: `helsinki_stores`. Reps live on real residential streets of the extract: the stores
fall into eight neighbourhoods (k-means on their positions), and each rep's home is the
residential street point nearest one of them, one street per rep. The four western homes belong
to team Helsinki West (rep-2, 3, 4, 6), the eastern ones to Helsinki East (rep-1, 5, 7, 8),
south to north. Each store goes to the nearest home with room. Two reps walk, two cycle, two
ride scooters and two drive: those whose stores a car reaches best (`_travel_modes`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import numpy as np

from ...extensions import db
from ...models import ContactRole, Store, StoreContact, StoreHours, Tier, TravelMode, User
from .. import road_travel
from .helsinki_stores import StoreRow, store_rows
from .org import DATA_DIR, DemoLogin, Staff, add_catalogue, balanced_assignment, read_csv
from .osm_places import Street, read_extract

PBF = DATA_DIR / "helsinki-centre.osm.pbf"
AREA_NAME = "Helsinki Centre"
FIRST_STORE = "HEL-0001"
TIMEZONE, CURRENCY = "Europe/Helsinki", "EUR"
# Days between visits: central Helsinki is dense (about 53 stores a rep), so a rep's day holds
# about ten of them at these.
VISIT_FREQUENCY_DAYS = {Tier.A: 3, Tier.B: 7, Tier.C: 14}
# Usernames by side, south to north; then their names.
WEST, EAST = ("rep-2", "rep-3", "rep-4", "rep-6"), ("rep-1", "rep-5", "rep-7", "rep-8")
REP_NAMES = {
    "rep-1": "Aino Nieminen", "rep-2": "Eetu Hämäläinen", "rep-3": "Sanna Laine",
    "rep-4": "Juho Heikkinen", "rep-5": "Emilia Koskinen", "rep-6": "Ville Järvinen",
    "rep-7": "Noora Lehtonen", "rep-8": "Onni Salminen",
}  # fmt: skip
# Two reps each, from the beat a car serves worst to the one it serves best (`_travel_modes`).
MODES_BY_SPREAD = ("foot", "foot", "bicycle", "bicycle", "scooter", "scooter", "car", "car")
# Restaurants, most of the beat, receive from about ten: the day starts late on foot.
SHIFTS = {"foot": (time(10), time(18)), "bicycle": (time(9, 30), time(17, 30)),
          "scooter": (time(9), time(17)), "car": (time(9), time(17))}  # fmt: skip
KMEANS_ROUNDS = 25
OSM_TYPES = {"n": "node", "w": "way"}

OWN_BRAND = "Pohjola Beverages"
# Our products and three competitors' (prices in euros): brand, sku, name, category, pack, price.
PRODUCTS_CSV = "helsinki_products.csv"


@dataclass(frozen=True)
class Home:
    lat: float
    lng: float
    street: str


def create_organisation(pbf: Path = PBF) -> list[DemoLogin]:
    """Add the Helsinki organisation, stores and catalogue (flushed, not committed); the
    logins. Every demo user's password is `DEMO_PASSWORD`."""
    extract = read_extract(pbf)
    rows = store_rows(extract)
    points = [(row.lat, row.lng) for row in rows]
    staff = Staff.create(
        AREA_NAME, {"west": "Helsinki West", "east": "Helsinki East"},
        ("Helmi Admin", "Mikko Virtanen", {"west": "Laura Korhonen", "east": "Antti Mäkinen"}),
    )  # fmt: skip
    reps = [
        staff.rep(username, REP_NAMES[username], side, (home.lat, home.lng))
        for username, side, home in sorted(_seats(rep_homes(points, extract.streets)))
    ]
    staff.add()
    owners = balanced_assignment(points, reps)
    _travel_modes(reps, rows, owners)
    for row, rep in zip(rows, owners, strict=True):
        db.session.add(_store(row, rep))
    add_catalogue(_products(), OWN_BRAND)
    db.session.flush()
    return staff.logins


def _products() -> dict[str, list[tuple[str, ...]]]:
    products: dict[str, list[tuple[str, ...]]] = {}
    for row in read_csv(PRODUCTS_CSV):
        item = (row["sku"], row["name"], row["category"], row["pack_size"], row["unit_price"])
        products.setdefault(row["brand"], []).append(item)
    return products


def rep_homes(points: list[tuple[float, float]], streets: list[Street]) -> list[Home]:
    """One home per neighbourhood of `points`: the nearest point inside a residential street
    (not its ends, which are crossings), a different street for each."""
    candidates = [
        (lat, lng, street.name)
        for street in streets
        if street.residential
        for lat, lng in (street.points[1:-1] or street.points)
    ]
    homes: list[Home] = []
    for lat, lng in _neighbourhoods(points, len(REP_NAMES)):
        taken = {h.street for h in homes}
        best = min(
            (c for c in candidates if c[2] not in taken),
            key=lambda c: _squared_m(lat, lng, c[0], c[1]),
        )
        homes.append(Home(*best))
    return homes


def _neighbourhoods(points: list[tuple[float, float]], count: int) -> list[tuple[float, float]]:
    """`count` centres of `points` (k-means from points spread in longitude order: the same
    points give the same centres)."""
    xy = np.array(points)
    order = np.argsort(xy[:, 1], kind="stable")
    centres = xy[order[(np.arange(count) * len(xy)) // count + len(xy) // (2 * count)]]
    for _ in range(KMEANS_ROUNDS):
        nearest = np.argmin(((xy[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        centres = np.array(
            [xy[nearest == k].mean(axis=0) if (nearest == k).any() else centres[k]
             for k in range(count)]
        )  # fmt: skip
    return [(float(lat), float(lng)) for lat, lng in centres]


def _seats(homes: list[Home]) -> list[tuple[str, str, Home]]:
    """(username, side, home): the western half of the homes to WEST, the rest to EAST, each
    south to north."""
    by_lng = sorted(homes, key=lambda h: (h.lng, h.lat))
    half = len(by_lng) // 2
    seats = []
    for side, names, group in (("west", WEST, by_lng[:half]), ("east", EAST, by_lng[half:])):
        for username, home in zip(names, sorted(group, key=lambda h: h.lat), strict=True):
            seats.append((username, side, home))
    return seats


def _travel_modes(reps: list[User], rows: list[StoreRow], owners: list[User]) -> None:
    """Modes, and shifts by mode. On roads, the reps with the most stores a car cannot get to
    (the pedestrian core, one-way streets out of the extract) walk, the next cycle, then
    scooters; those a car reaches best drive. Each by the spread of their stores (mean metres
    from home) where that ties, and alone on straight lines: the widest beats drive."""
    net = road_travel.network()

    def key(rep: User) -> tuple[int, float, str]:
        own = [(r.lat, r.lng) for r, owner in zip(rows, owners, strict=True) if owner is rep]
        home = (rep.home_lat, rep.home_lng)
        metres = [math.sqrt(_squared_m(*home, lat, lng)) for lat, lng in own]
        # The car's matrix is cached: the reps who drive plan from it.
        blocked = len(road_travel.road_matrix(net, [home, *own], "car").unreachable) if net else 0
        return -blocked, sum(metres) / len(metres), rep.username

    for rep, mode in zip(sorted(reps, key=key), MODES_BY_SPREAD, strict=True):
        rep.travel_mode = TravelMode(mode)
        rep.shift_start, rep.shift_end = SHIFTS[mode]


def _squared_m(lat: float, lng: float, lat2: float, lng2: float) -> float:
    dy = (lat2 - lat) * 111_320
    dx = (lng2 - lng) * 111_320 * math.cos(math.radians(lat))
    return dx * dx + dy * dy


def _store(row: StoreRow, rep: User) -> Store:
    store = Store(
        code=row.code,
        name=row.name,
        channel=row.channel,
        tier=row.tier,
        address=row.address,
        lat=row.lat,
        lng=row.lng,
        visit_minutes=row.visit_minutes,
        visit_frequency_days=VISIT_FREQUENCY_DAYS[row.tier],
        # The shop's own listed phone: whoever answers at the front desk.
        contacts=[
            StoreContact(
                name=row.name[:120], role=ContactRole.FRONT_DESK, phone=row.phone, is_primary=True
            )
        ]
        if row.phone
        else [],
        notes=f"OpenStreetMap {OSM_TYPES[row.osm_id[0]]} {row.osm_id[1:]} ({row.kind}); "
        "© OpenStreetMap contributors, ODbL",
        rep=rep,
        team=rep.team,
        active=True,
    )
    store.hours = [
        StoreHours(weekday=day, opens=opens, closes=closes)
        for day, windows in sorted(row.hours.items())
        for opens, closes in windows
    ]
    return store
