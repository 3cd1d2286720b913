"""The demo territory, and the acceptance walk-through: each role sees its own slice; the demo's
four weeks of work, today's plans, determinism and the top-up to a later day."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import (
    Area,
    Brand,
    FlagKind,
    Photo,
    PlannedStop,
    PlanStatus,
    Product,
    Role,
    RoutePlan,
    ShelfFacing,
    Store,
    Team,
    User,
    Visit,
    VisitFlag,
    VisitStatus,
)
from backend.services import expiry_followups
from backend.services.demo import DEMO_PASSWORD, HISTORY_DAYS, field_day
from backend.services.reports.ranges import today as business_today
from backend.services.visit_integrity import hamming
from tests import demo_database

# Generous for a loaded test machine; the real time is printed by the command: 37 s on a quiet
# machine since the report tables grew to 16 (issue 19), 96 s in a CI run at load average ~5.
LOAD_SECONDS_BOUND = 150
LOADED = re.compile(r"Demo loaded in ([\d.]+) s")
# The read-only tests share one load of the demo (--today 2026-03-11) on a database of its own.
shared_demo = demo_database.shared_demo


@pytest.fixture
def cli(database, tmp_path, monkeypatch):
    monkeypatch.setitem(database.config, "PHOTO_DIR", str(tmp_path / "photos"))
    runner = database.test_cli_runner()

    def invoke(*args):
        result = runner.invoke(args=["demo", "load", *args])
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


@pytest.fixture
def territory(cli):
    """The organisation, stores and catalogue only."""
    return cli("--organisation-only")


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_organisation(app, territory):
    with app.app_context():
        assert count(Area) == 1 and count(Team) == 2
        assert {r: count(User, User.role == r) for r in Role} == {
            Role.ADMIN: 1, Role.AREA_MANAGER: 1, Role.SUPERVISOR: 2, Role.REP: 8,
        }  # fmt: skip
        assert count(Store) == 300
        per_rep = db.session.execute(
            select(Store.rep_id, func.count()).group_by(Store.rep_id)
        ).all()
        assert len(per_rep) == 8 and all(30 <= n <= 38 for _, n in per_rep)
        assert count(Brand) == 4 and count(Brand, Brand.is_own) == 1
        assert count(Product) >= 15
        channels = db.session.scalars(select(Store.channel).distinct()).all()
        assert len(channels) == 3
        assert count(RoutePlan) == 0
    for username in ("admin", "manager", "sup-east", "sup-west", "rep-1", "rep-8"):
        assert username in territory
    assert DEMO_PASSWORD in territory


def test_demo_load_refuses_a_non_empty_database_and_leaves_other_data_alone(app, org, cli):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code != 0
    assert "demo not loaded" in cli("--if-empty")
    with app.app_context():
        assert count(Store) == 5 and count(RoutePlan) == 0


def login(client, username):
    response = client.post(
        "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['token']}"}


def store_ids(client, headers):
    ids, page = set(), 1
    while True:
        body = client.get(f"/api/stores?per_page=200&page={page}", headers=headers).json
        ids |= {s["id"] for s in body["items"]}
        if page >= body["meta"]["pages"]:
            return ids
        page += 1


def test_each_demo_role_sees_its_slice(app, client, territory):
    with app.app_context():
        rep = db.session.scalars(select(User).where(User.username == "rep-1")).one()
        own = set(db.session.scalars(select(Store.id).where(Store.rep_id == rep.id)))
        team = set(db.session.scalars(select(Store.id).where(Store.team_id == rep.team_id)))
        supervisor = db.session.scalars(
            select(User.username).where(User.role == Role.SUPERVISOR, User.team_id == rep.team_id)
        ).one()
    assert store_ids(client, login(client, "rep-1")) == own
    assert store_ids(client, login(client, supervisor)) == team
    assert len(store_ids(client, login(client, "manager"))) == 300
    assert len(own) < len(team) < 300


# --- the four weeks of work -------------------------------------------------------------------


def plan_stops(day: date) -> dict[str, int]:
    """Stops of each rep's published plan on `day`, by username."""
    rows = db.session.execute(
        select(User.username, func.count(PlannedStop.id))
        .join(RoutePlan, RoutePlan.rep_id == User.id)
        .outerjoin(PlannedStop, PlannedStop.plan_id == RoutePlan.id)
        .where(RoutePlan.plan_date == day, RoutePlan.status == PlanStatus.PUBLISHED)
        .group_by(User.username)
    ).all()
    return dict(rows)


def snapshot() -> dict:
    """What the demo holds, by natural keys (ids may differ between databases)."""
    tables = {m.__tablename__: count(m) for m in (Visit, VisitFlag, Photo, PlannedStop)}
    routes = db.session.execute(
        select(User.username, RoutePlan.plan_date, Store.code)
        .join(RoutePlan, RoutePlan.rep_id == User.id)
        .join(PlannedStop, PlannedStop.plan_id == RoutePlan.id)
        .join(Store, Store.id == PlannedStop.store_id)
        .order_by(User.username, RoutePlan.plan_date, PlannedStop.sequence)
    ).all()
    visits = db.session.execute(
        select(Visit.uuid, Store.code, Visit.checked_in_at, Visit.successful)
        .join(Store, Store.id == Visit.store_id)
        .order_by(Visit.uuid)
    ).all()
    flags = db.session.execute(
        select(VisitFlag.kind, func.count()).group_by(VisitFlag.kind).order_by(VisitFlag.kind)
    ).all()
    return {"tables": tables, "routes": routes, "visits": visits, "flags": flags}


def kpis(client, headers, first: date, last: date) -> dict:
    query = f"period=custom&date_from={first}&date_to={last}&group_by=rep"
    response = client.get(f"/api/reports/kpis?{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_demo_four_weeks_of_work_and_todays_plans(app, client, cli):
    with app.app_context():
        today = business_today()  # one day for the whole test, even across Tokyo midnight
    output = cli("--today", today.isoformat())
    seconds = float(LOADED.search(output).group(1))
    print(f"flask demo load: {seconds:.1f} s")
    assert seconds < LOAD_SECONDS_BOUND
    with app.app_context():
        stops = plan_stops(today)
        assert len(stops) == 8 and stops["rep-1"] >= 10 and min(stops.values()) >= 8
        first = db.session.scalar(select(func.min(RoutePlan.plan_date)))
        assert first >= today - timedelta(days=HISTORY_DAYS)
        assert count(Visit, Visit.visit_date >= today) == 0
        kinds = set(db.session.scalars(select(VisitFlag.kind).distinct()))
        assert {FlagKind.OUTSIDE_GEOFENCE, FlagKind.POOR_ACCURACY, FlagKind.SHORT_VISIT} <= kinds
        assert FlagKind.PHOTO_REUSED not in kinds
        assert count(Visit, Visit.planned.is_(False)) > 0
        assert count(Photo) >= 50
        # The app compares a photo with the rep's others (and the store's): far apart.
        by_rep = db.session.execute(
            select(Visit.rep_id, Photo.phash).join(Visit, Visit.id == Photo.visit_id)
        ).all()
        for _, rep_photos in itertools.groupby(sorted(by_rep), key=lambda r: r[0]):
            hashes = [h for _, h in rep_photos]
            assert min(hamming(a, b) for a, b in itertools.combinations(hashes, 2)) > 6
    sup = login(client, "sup-east")
    report = kpis(client, sup, today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1))
    completion = {g["name"]: g["completion_rate"]["rate"] for g in report["groups"]}
    success = {g["name"]: g["success_rate"]["rate"] for g in report["groups"]}
    assert len(completion) == 4
    assert all(0.55 <= r <= 1 for r in completion.values()), completion
    assert all(0.3 <= r <= 0.95 for r in success.values()), success
    assert max(completion.values()) - min(completion.values()) >= 0.08
    assert max(success.values()) - min(success.values()) >= 0.15
    daily = {d["completion_rate"]["rate"] for d in report["trend"]}
    assert len(daily) >= 5
    assert report["total"]["off_route_orders"] > 0
    week = f"period=custom&date_from={today - timedelta(days=7)}&date_to={today}"
    pending = client.get(f"/api/reports/photos?{week}&status=pending", headers=sup).json
    assert pending["items"]
    image = client.get(pending["items"][0]["image_path"], headers=sup)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    runner = app.test_cli_runner()
    check = runner.invoke(args=["reports", "check"])
    assert check.exit_code == 0, check.output
    assert "already up to date" in cli("--if-empty", "--today", today.isoformat())


def test_demo_manager_reports_have_rows(shared_demo):
    client = shared_demo.client
    manager = login(client, "manager")
    period = "period=custom&date_from=2026-02-09&date_to=2026-03-10"
    display = client.get(f"/api/reports/display-compliance?{period}", headers=manager).json
    assert display["total"]["eye_level_share"]["rate"] > 0.3
    expiry = client.get("/api/reports/near-expiry?as_of=2026-03-10", headers=manager).json
    assert expiry["groups"] and expiry["total"]["within_30_days"]["quantity"] > 0
    prices = client.get(f"/api/reports/competitor-prices?{period}", headers=manager).json
    oolong = {
        p["regular"]["median"]
        for p in prices["prices"]
        if p["product"].startswith("Kawa Oolong Tea") and p["channel"] == "modern"
    }
    assert len(oolong) >= 2  # the price cut
    assert {p["promo_type"] for p in prices["promotions"]} >= {"discount", "bundle"}
    assert [p["product"] for p in prices["new_products"]] == ["Kawa Matcha Latte 280 ml"]


def test_demo_is_deterministic(app, cli, shared_demo):
    """A load of the same day and seed gives the same data as the module's shared load (each
    in a new database of its own)."""
    cli("--today", demo_database.DEMO_DAY)
    with app.app_context():
        loaded = snapshot()
    with shared_demo.app.app_context():
        assert loaded == snapshot()


def test_demo_top_up_adds_the_missing_days_only(app, cli):
    cli("--today", "2026-03-10")
    with app.app_context():
        before = db.session.execute(
            select(RoutePlan.id, RoutePlan.plan_date, RoutePlan.revision).order_by(RoutePlan.id)
        ).all()
        visits_before = count(Visit)
        assert count(Visit, Visit.visit_date == date(2026, 3, 10)) == 0
    assert "3 days added up to 2026-03-13" in cli("--if-empty", "--today", "2026-03-13")
    with app.app_context():
        after = db.session.execute(
            select(RoutePlan.id, RoutePlan.plan_date, RoutePlan.revision)
            .where(RoutePlan.id <= before[-1].id)
            .order_by(RoutePlan.id)
        ).all()
        assert after == before
        # The earlier today is worked, the days since planned and worked, today only planned.
        for day in (10, 11, 12):
            assert count(Visit, Visit.visit_date == date(2026, 3, day)) > 40
        assert len(plan_stops(date(2026, 3, 13))) == 8
        assert count(Visit, Visit.visit_date == date(2026, 3, 13)) == 0
        assert count(Visit) > visits_before
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reports", "check"]).exit_code == 0
    assert "already up to date" in cli("--if-empty", "--today", "2026-03-13")


def test_demo_share_of_shelf_counts_competitor_facings(shared_demo):
    """Every demo visit counts the competitors' facings, so share of shelf is below 100 %, and
    Kawa's widening tea shelf at modern stores lowers our share there week by week."""
    app = shared_demo.app
    client = shared_demo.client
    manager = login(client, "manager")
    period = "period=custom&date_from=2026-02-09&date_to=2026-03-08"
    body = client.get(
        f"/api/reports/display-compliance?{period}&group_by=week", headers=manager
    ).json
    weeks = {g["group"]: g["share_of_shelf"]["rate"] for g in body["groups"]}
    assert list(weeks) == ["2026-W07", "2026-W08", "2026-W09", "2026-W10"]
    assert 0.3 < body["total"]["share_of_shelf"]["rate"] < 0.7
    assert 0.3 < body["total"]["eye_level_share_of_shelf"]["rate"] < 0.8
    assert weeks["2026-W07"] > weeks["2026-W10"]
    with app.app_context():
        assert count(ShelfFacing) > count(Visit)


def test_demo_returns_and_near_expiry_follow_up(shared_demo):
    """Older returns have moved on, recent ones wait in the queue; near-expiry items carry an
    action and the next visit's outcome, some expired on the shelf; stores on today's routes
    have open items to ask about."""
    app = shared_demo.app
    client = shared_demo.client
    manager, supervisor = login(client, "manager"), login(client, "sup-east")
    period = "period=custom&date_from=2026-02-09&date_to=2026-03-10"
    statuses = client.get(f"/api/reports/returns?{period}", headers=manager).json
    by_status = {g["name"]: g["count"] for g in statuses["groups"]}
    assert set(by_status) == {"requested", "approved", "rejected", "collected", "credited"}
    assert statuses["total"]["pending"]["count"] == by_status["requested"] > 0
    queue = client.get("/api/returns?status=requested", headers=supervisor).json
    assert queue["meta"]["total"] > 0
    actions = client.get(
        "/api/reports/near-expiry?as_of=2026-03-10&group_by=action", headers=manager
    ).json
    assert {g["name"] for g in actions["groups"]} >= {"moved_to_front", "discount_agreed"}
    assert actions["total"]["expired_on_shelf"]["quantity"] > 0
    with app.app_context():
        rep = db.session.scalar(select(User).where(User.username == "rep-1"))
        today_stores = db.session.scalars(
            select(PlannedStop.store_id)
            .join(RoutePlan, RoutePlan.id == PlannedStop.plan_id)
            .where(RoutePlan.rep_id == rep.id, RoutePlan.plan_date == date(2026, 3, 11))
        ).all()
        assert any(
            expiry_followups.open_items(rep, store_id, date(2026, 3, 11))
            for store_id in today_stores
        )


def test_demo_price_deviations(shared_demo):
    """Own shelf prices at every check on the shelf; a few stores cut prices often, specials
    are mostly the running promotion's: deviations of both kinds over the four weeks and
    today's week, each visit with one flagged."""
    app = shared_demo.app
    client = shared_demo.client
    manager = login(client, "manager")
    period = "period=custom&date_from=2026-02-09&date_to=2026-03-11"
    body = client.get(f"/api/reports/price-deviations?{period}&group_by=week", headers=manager).json
    assert [g["name"] for g in body["groups"]] == [
        "2026-W07", "2026-W08", "2026-W09", "2026-W10", "2026-W11",
    ]  # fmt: skip
    total = body["total"]
    assert total["below_agreed"] > 0 and total["unagreed_special"] > 0
    assert total["deviations"] == total["below_agreed"] + total["unagreed_special"]
    by_store = client.get(f"/api/reports/price-deviations?{period}", headers=manager).json
    assert max(g["deviations"] for g in by_store["groups"]) > 5 * min(
        g["deviations"] for g in by_store["groups"]
    )
    promotions = client.get("/api/promotions?on=2026-03-11", headers=manager).json
    assert promotions["meta"]["total"] == 1
    with app.app_context():
        flagged = count(VisitFlag, VisitFlag.kind == FlagKind.PRICE_DEVIATION)
        assert flagged == total["visits"]


def test_demo_orders_report_and_suggested_orders(shared_demo):
    """Four weeks of orders by product and rep, with best sellers; today's stores of rep-1 get
    suggestions learnt from their counts, lifted by the season's uplift at modern stores."""
    app = shared_demo.app
    client = shared_demo.client
    manager = login(client, "manager")
    period = "period=custom&date_from=2026-02-09&date_to=2026-03-10"
    body = client.get(f"/api/reports/orders?{period}&group_by=rep", headers=manager).json
    assert len(body["groups"]) == 8 and body["total"]["orders"] > 300
    assert 2 < float(body["total"]["lines_per_order"]) < 5
    assert len(body["best_sellers"]) == 10
    rep = login(client, "rep-1")
    with app.app_context():
        stores = db.session.scalars(
            select(PlannedStop.store_id)
            .join(RoutePlan, RoutePlan.id == PlannedStop.plan_id)
            .join(User, User.id == RoutePlan.rep_id)
            .where(User.username == "rep-1", RoutePlan.plan_date == date(2026, 3, 11))
        ).all()
    items = [
        item
        for store_id in stores
        for item in client.get(
            f"/api/stores/{store_id}/suggested-order?date=2026-03-11", headers=rep
        ).json["items"]
    ]
    learnt = [i for i in items if i["basis"] == "history"]
    assert len(learnt) > len(items) / 2
    assert all(0.2 <= float(i["daily_rate"]) <= 8 for i in learnt)
    assert any(i["uplift"] == "1.30" and i["uplift_reason"] == "Year-end gifting" for i in items)
    assert any(i["suggested_qty"] for i in learnt)


def test_demo_store_file_contacts_and_complaints(shared_demo):
    """Every store has two to four contacts, one primary; complaints over the four weeks, the
    older mostly resolved with a time to resolve, the last days' open in the supervisor's list."""
    client = shared_demo.client
    manager, supervisor = login(client, "manager"), login(client, "sup-east")
    stores = client.get("/api/stores?per_page=200", headers=manager).json["items"]
    assert all(2 <= len(s["contacts"]) <= 4 for s in stores)
    assert all([c["is_primary"] for c in s["contacts"]].count(True) == 1 for s in stores)
    assert {c["role"] for s in stores for c in s["contacts"]} == {
        "owner", "buyer", "decision_maker", "front_desk",
    }  # fmt: skip
    period = "period=custom&date_from=2026-02-09&date_to=2026-03-10"
    report = client.get(f"/api/reports/complaints?{period}", headers=manager).json
    total = report["total"]
    assert total["opened"] >= 20 and total["resolved"] > total["open_now"] > 0
    assert 2 <= total["median_hours_to_resolve"] <= 120
    assert len(report["groups"]) >= 4 and len(report["open"]) == total["open_now"]
    waiting = client.get("/api/complaints?status=open", headers=supervisor).json
    assert waiting["meta"]["total"] > 0
    every = client.get("/api/complaints?per_page=200", headers=manager).json["items"]
    assert {c["visit_id"] is None for c in every} == {True, False}  # phoned in, and at visits


def test_demo_prospects_lapsed_stores_and_tier_proposals(shared_demo):
    """Some stores never ordered (prospects), some stopped months ago (lapsed), and the tiers
    proposed from the orders differ from some stores' tiers."""
    client = shared_demo.client
    manager = login(client, "manager")
    report = client.get("/api/reports/tier-proposals?as_of=2026-03-11", headers=manager).json
    total = report["total"]
    assert total["ranked"] > 200 and total["lapsed"] >= 10 and total["prospects"] >= 10
    assert 0 < total["changes"] < total["ranked"]
    assert {p["proposed_tier"] for p in report["proposals"]} == {"A", "B", "C"}
    assert all(p["last_order_on"] < "2026-01-10" for p in report["lapsed"])
    # Today (months after the demo's days) the store list and the report agree.
    now = client.get("/api/reports/tier-proposals", headers=manager).json["total"]
    for status, key in (("lapsed", "lapsed"), ("prospect", "prospects")):
        listed = client.get(f"/api/stores?customer_status={status}&per_page=1", headers=manager)
        assert listed.json["meta"]["total"] == now[key]


def test_demo_visits_carry_the_reps_notes(shared_demo):
    """About one closed visit in eight has a note from the rep, and the supervisor reads it."""
    app = shared_demo.app
    with app.app_context():
        closed = count(Visit, Visit.status == VisitStatus.CLOSED)
        noted = count(Visit, Visit.note.in_(field_day.VISIT_NOTES))
        assert count(Visit, Visit.note.is_not(None)) == noted
    assert 0.08 < noted / closed < 0.17
