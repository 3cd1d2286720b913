"""The report tables of rep-days equal a recomputation from the raw tables after any write.

A rep's day is driven through the API (plans drafted, published and edited; check-ins, orders,
photos, reviews, display checks, check-outs; a store changing tier and a product changing
brand; a sync batch with a failing item; idempotent replays; a visit left open and closed by
the server; a move to another team), and after each step `rep_day_kpis` and `rep_day_display`
must match `stale_rep_days`: nothing stored that a recomputation would not give, and the
reverse. On PostgreSQL, two transactions writing the same rep-day take turns.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from backend.extensions import db
from backend.models import RepDayDisplay, RepDayKpi, Visit, VisitStatus
from backend.services import visits as visit_service
from backend.services.reports import rep_days
from tests.api.visit_helpers import (
    TOKYO,
    catalogue,
    check_in,
    image_bytes,
    key,
    minutes_ago,
    upload,
)


def day_of_visits():
    """The local day of the test's visits (all within the last 12 minutes)."""
    return minutes_ago(12).astimezone(TOKYO).date()


pytestmark = pytest.mark.usefixtures("photo_dir")


def assert_consistent(app) -> None:
    with app.app_context():
        assert rep_days.stale_rep_days(db.session.connection()) == []


def at(minutes: float) -> dict:
    return {"device_time": minutes_ago(minutes).isoformat()}


DAY_COUNTS = ("planned", "visited", "ordered", "visits", "on_route", "photos", "added",
              "removed")  # fmt: skip


def day_row(app, rep_id: int) -> dict:
    """The rep's counts on the day of the test's visits, summed over teams."""
    with app.app_context():
        rows = db.session.scalars(
            select(RepDayKpi).where(RepDayKpi.rep_id == rep_id, RepDayKpi.day == day_of_visits())
        ).all()
        return {name: sum(getattr(r, name) for r in rows) for name in DAY_COUNTS} | {
            "approved": sum(r.approved for r in rows),
            "teams": {r.team_id for r in rows},
        }


def display_row(app, rep_id: int) -> dict:
    """The rep's display counts on the day of the test's visits (one store, so one row)."""
    with app.app_context():
        row = db.session.scalars(
            select(RepDayDisplay).where(
                RepDayDisplay.rep_id == rep_id, RepDayDisplay.day == day_of_visits()
            )
        ).one()
        names = ("checks", "eye_level", "own_facings", "all_facings")
        return {name: getattr(row, name) for name in names} | {"tier": row.tier.value}


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def test_every_write_keeps_the_rep_day_right(app, client, org, tokens):
    sup, rep, admin = (tokens.headers(u) for u in ("sup-n1", "rep-n1a", "admin"))
    rep_id, cat = org.user["rep-n1a"], catalogue(app)
    home = {"home_lat": 35.662, "home_lng": 139.772, "shift_start": "08:30", "shift_end": "17:30"}
    ok(client.patch(f"/api/users/{rep_id}", json=home, headers=admin))
    hours = [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)]
    stores = [
        ok(
            client.post(
                "/api/stores",
                json={"code": f"k{i}", "name": f"K {i}", "channel": "modern", "tier": "A",
                      "lat": 35.66 + i / 1000, "lng": 139.77, "rep_id": rep_id, "hours": hours,
                      "visit_minutes": 15},
                headers=admin,
            ),
            201,
        )["id"]
        for i in range(4)
    ]  # fmt: skip
    body = {"rep_id": rep_id, "plan_date": day_of_visits().isoformat(), "seconds": 0.3}
    plan = ok(client.post("/api/plans", json={**body, "store_ids": stores[:3]}, headers=sup), 201)
    assert_consistent(app)
    assert day_row(app, rep_id)["planned"] == 0  # a draft counts nowhere
    ok(client.post(f"/api/plans/{plan['id']}/publish", headers=sup))
    assert_consistent(app)
    assert day_row(app, rep_id)["planned"] == 3

    first = ok(check_in(client, {**rep, **key()}, app, stores[0], minutes_ago(12)), 201)
    assert_consistent(app)
    lines = {"lines": [{"product_id": cat.products[0], "quantity": 2}]}
    ok(client.put(f"/api/visits/{first['id']}/order", json=lines, headers=rep))
    photo = ok(upload(client, rep, first["id"], image_bytes(seed=7)), 201)
    assert_consistent(app)
    checks = {"items": [
        {"product_id": cat.products[0], "on_shelf": True, "facings": 4, "shelf_level": 2,
         "fifo_ok": False, "price_tag_present": True, "price_tag_correct": True},
        {"product_id": cat.products[1], "on_shelf": False, "out_of_stock": True, "shelf_level": 2},
        {"product_id": cat.rival_product, "on_shelf": True, "facings": 6},
    ]}  # fmt: skip
    ok(client.put(f"/api/visits/{first['id']}/display-checks", json=checks, headers=rep))
    assert_consistent(app)
    assert display_row(app, rep_id) == {"checks": 2, "eye_level": 1, "own_facings": 4,
                                        "all_facings": 10, "tier": "A"}  # fmt: skip
    # The store moves tier and a product to the rival brand: past days are regrouped.
    ok(client.patch(f"/api/stores/{stores[0]}", json={"tier": "B"}, headers=admin))
    moved = {"brand_id": cat.rival}
    ok(client.patch(f"/api/products/{cat.products[0]}", json=moved, headers=admin))
    assert_consistent(app)
    assert display_row(app, rep_id) == {"checks": 1, "eye_level": 0, "own_facings": 0,
                                        "all_facings": 10, "tier": "B"}  # fmt: skip
    review = {"status": "approved", "comment": "Good"}
    ok(client.put(f"/api/photos/{photo['id']}/review", json=review, headers=sup))
    assert_consistent(app)
    replay = {**rep, **key()}
    checkout = at(10)
    ok(client.post(f"/api/visits/{first['id']}/checkout", json=checkout, headers=replay))
    ok(client.post(f"/api/visits/{first['id']}/checkout", json=checkout, headers=replay))
    assert_consistent(app)
    assert day_row(app, rep_id) | {"teams": None} == {
        "planned": 3, "visited": 1, "ordered": 1, "visits": 1, "on_route": 1, "photos": 1,
        "approved": 1, "teams": None, "added": 0, "removed": 0,
    }  # fmt: skip

    # An unplanned visit, then the supervisor adds its store to the plan (and drops another):
    # now on route, yet the day's plan as first published (today) stays what is counted.
    second = ok(check_in(client, rep, app, stores[3], minutes_ago(9)), 201)
    ok(client.put(f"/api/visits/{second['id']}/order", json=lines, headers=rep))
    ok(client.post(f"/api/visits/{second['id']}/checkout", json=at(8), headers=rep))
    assert day_row(app, rep_id)["on_route"] == 1
    edited = [{"store_id": s} for s in (stores[0], stores[3], stores[1])]
    ok(client.put(f"/api/plans/{plan['id']}", json={"stops": edited}, headers=sup))
    assert_consistent(app)
    assert day_row(app, rep_id) | {"teams": None} == {
        "planned": 3, "visited": 1, "ordered": 1, "visits": 2, "on_route": 2, "photos": 1,
        "approved": 1, "teams": None, "added": 1, "removed": 1,
    }  # fmt: skip

    # A sync batch whose middle item fails (unknown product): the others count, it does not.
    visit = str(uuid.uuid4())
    store_lat, store_lng = 35.66 + 1 / 1000, 139.77
    ops = [
        {"key": str(uuid.uuid4()), "op": "check_in",
         "body": {"store_id": stores[1], "device_time": minutes_ago(7).isoformat(),
                  "lat": store_lat, "lng": store_lng, "accuracy_m": 10.0, "uuid": visit}},
        {"key": str(uuid.uuid4()), "op": "order", "visit": visit,
         "body": {"lines": [{"product_id": 999999, "quantity": 1}]}},
        {"key": str(uuid.uuid4()), "op": "check_out", "visit": visit,
         "body": at(6)},
    ]  # fmt: skip
    results = ok(client.post("/api/sync", json={"operations": ops}, headers=rep))["results"]
    assert [r["status"] for r in results] == [201, 422, 200]
    assert_consistent(app)
    assert day_row(app, rep_id)["visited"] == 2 and day_row(app, rep_id)["ordered"] == 1

    # The review changes its mind; the photo review is part of the day's numbers.
    rejected = {"status": "rejected", "comment": "Blurry"}
    ok(client.put(f"/api/photos/{photo['id']}/review", json=rejected, headers=sup))
    assert_consistent(app)
    assert day_row(app, rep_id)["approved"] == 0

    # Moved to team N2: today's later visits count for N2, the plan stays with N1.
    patch = {"team_id": org.team["N2"]}
    ok(client.patch(f"/api/users/{rep_id}", json=patch, headers=admin))
    left_open = ok(check_in(client, rep, app, stores[2], minutes_ago(5)), 201)
    assert_consistent(app)
    assert day_row(app, rep_id)["teams"] == {org.team["N1"], org.team["N2"]}

    # Left open, and closed by the server once the day is over.
    with app.app_context():
        assert visit_service.close_left_open(now=minutes_ago(0) + timedelta(days=1)) == 1
        assert db.session.get(Visit, left_open["id"]).status == VisitStatus.AUTO_CLOSED
    assert_consistent(app)


def test_a_wrong_row_is_found_and_rebuild_mends_it(app, client, org, tokens):
    rep = tokens.headers("rep-n1a")
    ok(check_in(client, rep, app, org.store["n1-a"], minutes_ago(3)), 201)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["reports", "check"]).exit_code == 0
    with app.app_context():
        db.session.execute(update(RepDayKpi).values(visits=RepDayKpi.visits + 1))
        db.session.commit()
    failed = runner.invoke(args=["reports", "check"])
    assert failed.exit_code == 1 and "2 rows differ" in failed.output
    assert runner.invoke(args=["reports", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["reports", "check"]).exit_code == 0
    assert day_row(app, org.user["rep-n1a"])["visits"] == 1


@pytest.mark.postgres
def test_concurrent_writers_to_one_rep_day_take_turns(app, client, org, tokens):
    """A transaction that has recomputed a rep-day but not committed holds the day: a second
    writer (a supervisor's review of the same day's photo) waits, then counts its rows."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has one writer at a time")
    rep, sup = tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    visit = ok(check_in(client, rep, app, org.store["n1-a"], minutes_ago(3)), 201)
    photo = ok(upload(client, rep, visit["id"], image_bytes(seed=3)), 201)
    with app.app_context():
        rep_day = (org.user["rep-n1a"], db.session.get(Visit, visit["id"]).visit_date)
        engine = db.engine
    review: dict = {}

    def supervisor_reviews() -> None:
        body = {"status": "approved", "comment": "ok"}
        review["response"] = app.test_client().put(
            f"/api/photos/{photo['id']}/review", json=body, headers=sup
        )

    with engine.connect() as first:
        first.execute(update(Visit).where(Visit.id == visit["id"]).values(successful=True))
        rep_days.refresh_rep_days(first, [rep_day])
        second = threading.Thread(target=supervisor_reviews)
        second.start()
        time.sleep(1.0)
        assert second.is_alive(), "the second writer did not wait for the first"
        first.commit()
    second.join(10)
    assert review["response"].status_code == 200, review["response"].json
    assert_consistent(app)
    with app.app_context():
        row = db.session.scalars(select(RepDayKpi)).one()
        assert (row.visits, row.off_route_orders, row.photos, row.approved) == (1, 1, 1, 1)
