"""The demo organisation: a believable team structure on real Tokyo store coordinates.

Store locations, tiers, visit durations and hours come from `backend/demo/tokyo_stores.csv`
(derived from the project's Tokyo field benchmark); reps start from `tokyo_rep_homes.csv`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from ...auth import hash_password
from ...clock import parse_clock
from ...extensions import db
from ...models import Area, Brand, Channel, Product, Role, Store, StoreHours, Team, Tier, User

DATA_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_PASSWORD = "terminus-demo"
TRADITIONAL_CHAINS = {
    "生活彩家",
    "ポプラ",
    "デイリ－ヤマザキ",
    "グランメルシー",
    "ローソンストア100",
}
LUNCH = (time(12, 0), time(13, 0))
# Days between visits: a dense city beat, where a rep sees a dozen stores a day (the tiers'
# defaults, weekly to monthly, would leave a 38-store territory with three visits a day).
VISIT_FREQUENCY_DAYS = {Tier.A: 2, Tier.B: 3, Tier.C: 7}
AREA_NAME = "Tokyo Central"
FIRST_STORE = "TKY-0001"

OWN_BRAND = "Sakura Beverages"
PRODUCTS = {
    OWN_BRAND: [
        ("SKB-GT-500", "Sakura Green Tea", "tea", "500 ml", "160"),
        ("SKB-GT-2000", "Sakura Green Tea", "tea", "2 l", "380"),
        ("SKB-HJ-600", "Sakura Hojicha", "tea", "600 ml", "170"),
        ("SKB-BC-185", "Sakura Black Coffee", "coffee", "185 g can", "130"),
        ("SKB-LC-280", "Sakura Cafe Latte", "coffee", "280 ml", "150"),
        ("SKB-MW-550", "Sakura Mineral Water", "water", "550 ml", "110"),
        ("SKB-MW-2000", "Sakura Mineral Water", "water", "2 l", "190"),
        ("SKB-YZ-410", "Sakura Yuzu Soda", "soft drinks", "410 ml", "160"),
        ("SKB-SP-500", "Sakura Sports Drink", "soft drinks", "500 ml", "160"),
        ("SKB-CC-50", "Sakura Rice Crackers", "snacks", "50 g", "140"),
    ],
    "Kawa Drinks": [
        ("KWD-GT-525", "Kawa Oolong Tea", "tea", "525 ml", "150"),
        ("KWD-BC-190", "Kawa Black Coffee", "coffee", "190 g can", "125"),
        ("KWD-SD-500", "Kawa Lemon Soda", "soft drinks", "500 ml", "150"),
    ],
    "Fuji Tea Company": [
        ("FTC-GT-600", "Fuji Sencha", "tea", "600 ml", "165"),
        ("FTC-MG-500", "Fuji Barley Tea", "tea", "500 ml", "140"),
        ("FTC-MW-555", "Fuji Spring Water", "water", "555 ml", "105"),
    ],
    "Aoyama Snacks": [
        ("AYS-CP-60", "Aoyama Potato Chips", "snacks", "60 g", "150"),
        ("AYS-RC-45", "Aoyama Rice Crackers", "snacks", "45 g", "130"),
        ("AYS-CH-40", "Aoyama Chocolate Wafer", "snacks", "40 g", "120"),
    ],
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    scope: str


def is_empty() -> bool:
    """True when there are no users yet (a fresh database)."""
    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def is_demo(area: str = AREA_NAME, first_store: str = FIRST_STORE) -> bool:
    """True when the database holds a demo organisation (its area, its first store, rep-1)."""
    found = select(func.count()).where(
        select(Area.id).where(Area.name == area).exists(),
        select(Store.id).where(Store.code == first_store).exists(),
        select(User.id).where(User.username == "rep-1").exists(),
    )
    return bool(db.session.scalar(found))


def create_organisation() -> list[DemoLogin]:
    """Add the demo organisation, stores and catalogue (flushed, not committed); the logins.

    Every demo user's password is `DEMO_PASSWORD`.
    """
    homes = read_csv("tokyo_rep_homes.csv")
    median_lng = sorted(float(h["lng"]) for h in homes)[len(homes) // 2]
    staff = Staff.create(
        AREA_NAME, {"west": "Tokyo West", "east": "Tokyo East"},
        ("Aiko Admin", "Kenji Morita", {"west": "Yuki Sato", "east": "Haruto Tanaka"}),
    )  # fmt: skip
    rep_names = ["Mei Ito", "Sota Kato", "Rin Suzuki", "Ren Yamada", "Hina Kobayashi",
                 "Daiki Nakamura", "Yui Watanabe", "Kaito Shimizu"]  # fmt: skip
    reps = []
    for home, full_name in zip(homes, rep_names, strict=True):
        side = "east" if float(home["lng"]) >= median_lng else "west"
        rep = staff.rep(home["rep"], full_name, side, (float(home["lat"]), float(home["lng"])))
        rep.shift_start = parse_clock(home["shift_start"])
        rep.shift_end = parse_clock(home["shift_end"])
        reps.append(rep)
    staff.add()
    rows = read_csv("tokyo_stores.csv")
    points = [(float(row["lat"]), float(row["lng"])) for row in rows]
    for row, rep in zip(rows, balanced_assignment(points, reps), strict=True):
        db.session.add(_store(row, rep))
    add_catalogue(PRODUCTS, OWN_BRAND)
    db.session.flush()
    return staff.logins


@dataclass
class Staff:
    """A demo organisation's people: admin, area manager, a supervisor per team, then reps."""

    area: Area
    teams: dict[str, Team]
    users: list[User]
    logins: list[DemoLogin]

    @classmethod
    def create(
        cls, area_name: str, teams: dict[str, str], names: tuple[str, str, dict[str, str]]
    ) -> Staff:
        """The area, its teams (by side: name) and the managers' `names` (admin, area manager,
        supervisor by side)."""
        area = Area(name=area_name)
        admin, manager, supervisors = names
        staff = cls(area, {side: Team(name=n, area=area) for side, n in teams.items()}, [], [])
        staff._user("admin", admin, Role.ADMIN, "everything")
        staff._user("manager", manager, Role.AREA_MANAGER, f"area {area_name}").area = area
        for side, full_name in supervisors.items():
            team = staff.teams[side]
            staff._user(f"sup-{side}", full_name, Role.SUPERVISOR, f"team {team.name}").team = team
        return staff

    def rep(self, username: str, full_name: str, side: str, home: tuple[float, float]) -> User:
        team = self.teams[side]
        rep = self._user(username, full_name, Role.REP, f"own stores, team {team.name}")
        rep.team, (rep.home_lat, rep.home_lng) = team, home
        return rep

    def _user(self, username: str, full_name: str, role: Role, scope: str) -> User:
        user = User(username=username, full_name=full_name, role=role, active=True)
        self.users.append(user)
        self.logins.append(DemoLogin(username, role.value, scope))
        return user

    def add(self) -> None:
        """Add everyone (one password hash for all: `DEMO_PASSWORD`)."""
        password_hash = hash_password(DEMO_PASSWORD)
        for user in self.users:
            user.password_hash = password_hash
        db.session.add_all([self.area, *self.teams.values(), *self.users])


def add_catalogue(products: dict[str, list[tuple[str, ...]]], own_brand: str) -> None:
    """The brands (ours is `own_brand`) and their products (sku, name, category, pack, price)."""
    for brand_name, items in products.items():
        brand = Brand(name=brand_name, is_own=brand_name == own_brand)
        db.session.add(brand)
        for sku, name, category, pack, price in items:
            db.session.add(
                Product(
                    sku=sku,
                    name=name,
                    brand=brand,
                    category=category,
                    pack_size=pack,
                    unit_price=Decimal(price),
                    active=True,
                )
            )


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def balanced_assignment(points: list[tuple[float, float]], reps: list[User]) -> list[User]:
    """Each store (at `points`) to the nearest rep home that still has room (at most
    ⌈stores/reps⌉ each)."""
    capacity = {id(r): math.ceil(len(points) / len(reps)) for r in reps}
    pairs = sorted(
        (_squared_km(lat, lng, rep), i, j)
        for i, (lat, lng) in enumerate(points)
        for j, rep in enumerate(reps)
    )
    chosen: dict[int, User] = {}
    for _, i, j in pairs:
        if i not in chosen and capacity[id(reps[j])] > 0:
            chosen[i] = reps[j]
            capacity[id(reps[j])] -= 1
    return [chosen[i] for i in range(len(points))]


def _squared_km(lat: float, lng: float, rep: User) -> float:
    dy = (lat - rep.home_lat) * 111.2
    dx = (lng - rep.home_lng) * 111.2 * math.cos(math.radians(lat))
    return dx * dx + dy * dy


def _store(row: dict[str, str], rep: User) -> Store:
    chain, branch, tier = row["chain"], row["branch"], Tier(row["tier"])
    if "駅" in branch:
        channel = Channel.SPECIAL
    elif chain in TRADITIONAL_CHAINS:
        channel = Channel.TRADITIONAL
    else:
        channel = Channel.MODERN
    store = Store(
        code=row["code"],
        name=f"{chain} {branch}店",
        channel=channel,
        tier=tier,
        address=f"東京都 {branch}",
        lat=float(row["lat"]),
        lng=float(row["lng"]),
        visit_minutes=int(row["visit_minutes"]),
        visit_frequency_days=VISIT_FREQUENCY_DAYS[tier],
        rep=rep,
        team=rep.team,
        active=True,
    )
    opens, closes = parse_clock(row["opens"]), parse_clock(row["closes"])
    store.hours = [
        StoreHours(weekday=d, opens=o, closes=c) for d, o, c in _weekly(channel, opens, closes)
    ]
    return store


def _weekly(channel: Channel, opens: time, closes: time) -> list[tuple[int, time, time]]:
    """Traditional stores receive reps before and after lunch, Monday to Saturday."""
    if channel is not Channel.TRADITIONAL:
        return [(day, opens, closes) for day in range(7)]
    if opens < LUNCH[0] and closes > LUNCH[1]:
        windows = [(opens, LUNCH[0]), (LUNCH[1], closes)]
    else:
        windows = [(opens, closes)]
    return [(day, o, c) for day in range(6) for o, c in windows]
