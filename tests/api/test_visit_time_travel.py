"""Visits in the wrong time: a device time the server cannot believe (ahead of its receipt or of
the phone's own send time, received after its day closed, or longer after it than a phone stays
offline) is flagged `time_travel` and held out of every KPI count until a supervisor in scope
accepts it; an offline day synced the same evening stays normal."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest
import time_machine

from backend.extensions import db
from backend.models import Team, User, Visit
from backend.services.reports import rep_days
from tests.api.visit_helpers import (
    TOKYO,
    check_in,
    check_in_body,
    key,
    local_today,
    minutes_ago,
    publish_plan,
    store_position,
)
from tests.org_factory import make_store


def at(day, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), TOKYO)


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def four_stores(app, org) -> list[int]:
    """rep-n1a's store n1-a and three more of theirs."""
    with app.app_context():
        team, rep = db.session.get(Team, org.team["N1"]), db.session.get(User, org.user["rep-n1a"])
        extra = [
            make_store(f"tt-{i}", team, rep, lat=35.66 + i / 100, lng=139.77) for i in (1, 2, 3)
        ]
        db.session.add_all(extra)
        db.session.commit()
        return [org.store["n1-a"], *(s.id for s in extra)]


def visit_there(client, headers, app, store_id, start: datetime, minutes=20):
    visit = ok(check_in(client, headers, app, store_id, start), 201)
    body = {"device_time": (start + timedelta(minutes=minutes)).isoformat()}
    return ok(client.post(f"/api/visits/{visit['id']}/checkout", json=body, headers=headers))


def kpis(client, headers, day, rep_id) -> dict:
    query = {"period": "day", "date": day.isoformat(), "rep_id": rep_id}
    return ok(client.get("/api/reports/kpis", query_string=query, headers=headers))["total"]


def time_flags(visit: dict) -> list[dict]:
    return [f for f in visit["flags"] if f["kind"] == "time_travel"]


def assert_report_tables_right(app) -> None:
    with app.app_context():
        assert rep_days.stale_rep_days(db.session.connection()) == []


@pytest.fixture
def last_week(app, client, org, tokens):
    """rep-n1a's plan of 4 stops a week ago, 2 of them visited that day (online, in time)."""
    day = local_today() - timedelta(days=7)
    stores = four_stores(app, org)
    rep = tokens.headers("rep-n1a")
    with time_machine.travel(at(day, "10:00"), tick=True):
        publish_plan(app, org.user["rep-n1a"], stores, day)
        for n, store in enumerate(stores[:2]):
            visit_there(client, rep, app, store, at(day, f"0{8 + n}:00"))
    return day, stores


def test_a_visit_sent_today_for_last_weeks_plan_is_held_until_accepted(
    app, client, org, tokens, last_week
):
    day, stores = last_week
    rep, sup = tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    rep_id = org.user["rep-n1a"]
    before = kpis(client, sup, day, rep_id)
    assert before["completion_rate"]["numerator"] == 2 and before["visits"] == 2

    late = ok(check_in(client, rep, app, stores[2], at(day, "15:00")), 201)
    assert late["planned"] and late["visit_date"] == day.isoformat()
    (flag,) = time_flags(late)
    assert flag["detail"]["rule"] == "day_closed"
    assert flag["detail"]["rules"] == ["day_closed", "offline"]
    assert flag["detail"]["event"] == "check_in"
    assert f"after its day ({day.isoformat()}) had closed" in flag["message"]
    assert ok(client.get(f"/api/visits/{late['id']}/review", headers=sup))["review"] == "pending"

    held = kpis(client, sup, day, rep_id)
    assert held["completion_rate"] == {"numerator": 2, "denominator": 4, "rate": 0.5}
    assert held["visits"] == 2 and held["on_route_visits"] == 2
    assert held["time_in_store"]["count"] == 2
    assert_report_tables_right(app)

    decided = ok(client.post(f"/api/visits/{late['id']}/review", json={"decision": "accepted"},
                             headers={**sup, **key()}))  # fmt: skip
    assert decided["review"] == "accepted" and decided["reviewed_by_id"] == org.user["sup-n1"]
    accepted = kpis(client, sup, day, rep_id)
    assert accepted["completion_rate"] == {"numerator": 3, "denominator": 4, "rate": 0.75}
    assert accepted["visits"] == 3
    assert_report_tables_right(app)


def test_a_rejected_visit_stays_out_and_only_a_supervisor_in_scope_decides(
    app, client, org, tokens, last_week
):
    day, stores = last_week
    rep = tokens.headers("rep-n1a")
    late = ok(check_in(client, rep, app, stores[2], at(day, "15:00")), 201)
    path = f"/api/visits/{late['id']}/review"
    reject = {"decision": "rejected"}
    assert client.post(path, json=reject, headers=tokens.headers("sup-n2")).status_code == 404
    assert client.get(path, headers=tokens.headers("sup-n2")).status_code == 404
    assert client.post(path, json=reject, headers=rep).status_code == 403
    assert client.post(path, json=reject, headers=tokens.headers("mgr-north")).status_code == 403
    pending = {"decision": "pending"}
    assert client.post(path, json=pending, headers=tokens.headers("sup-n1")).status_code == 422
    ok(client.post(path, json=reject, headers=tokens.headers("sup-n1")))
    totals = kpis(client, tokens.headers("sup-n1"), day, org.user["rep-n1a"])
    assert totals["completion_rate"]["numerator"] == 2 and totals["visits"] == 2
    # The rep reads the decision on their own visit.
    assert ok(client.get(path, headers=rep))["review"] == "rejected"
    # A visit never held has nothing to decide.
    normal = ok(client.get("/api/visits", headers=rep))["items"][-1]
    response = client.post(f"/api/visits/{normal['id']}/review", json=reject,
                           headers=tokens.headers("admin"))  # fmt: skip
    assert response.status_code == 409 and response.json["reason"] == "visit_not_held"
    assert_report_tables_right(app)


def test_a_device_time_in_the_future_is_held(app, client, org, tokens):
    rep, sup = tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    today = local_today()
    publish_plan(app, org.user["rep-n1a"], [org.store["n1-a"]], today)
    future = minutes_ago(-90)
    visit = ok(check_in(client, rep, app, org.store["n1-a"], future), 201)
    (flag,) = time_flags(visit)
    assert flag["detail"]["rule"] == "future" and flag["detail"]["minutes"] >= 89
    totals = kpis(client, sup, today, org.user["rep-n1a"])
    assert totals["visits"] == 0 and totals["completion_rate"]["numerator"] == 0
    assert_report_tables_right(app)


def test_a_device_time_later_than_the_phone_sent_it_is_held(app, client, org, tokens):
    rep = tokens.headers("rep-n1a")
    store = org.store["n1-a"]
    body = check_in_body(store, store_position(app, store), minutes_ago(2), uuid=str(uuid.uuid4()))
    sent_at = minutes_ago(40).isoformat()
    batch = {"sent_at": sent_at, "operations": [{"key": str(uuid.uuid4()), "op": "check_in",
                                                  "body": body}]}  # fmt: skip
    result = ok(client.post("/api/sync", json=batch, headers=rep))["results"][0]
    assert result["status"] == 201, result
    (flag,) = time_flags(result["body"])
    assert flag["detail"]["rule"] == "after_sent" and flag["detail"]["sent_at"] is not None
    # The same rule with the X-Device-Time header of a single request, at check-out.
    headers = {**rep, "X-Device-Time": minutes_ago(30).isoformat()}
    path = f"/api/visits/{result['body']['id']}/checkout"
    out = client.post(path, json={"device_time": minutes_ago(1).isoformat()}, headers=headers)
    events = {f["detail"]["event"]: f["detail"]["rule"] for f in time_flags(ok(out))}
    assert events == {"check_in": "after_sent", "check_out": "after_sent"}


def test_a_visit_to_a_closed_plan_day_is_held(app, client, org, tokens):
    """Yesterday's plan visited with yesterday's time, well inside the offline allowance, but
    received after yesterday closed."""
    rep, sup = tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    yesterday = local_today() - timedelta(days=1)
    publish_plan(app, org.user["rep-n1a"], [org.store["n1-a"]], yesterday)
    visit = ok(check_in(client, rep, app, org.store["n1-a"], at(yesterday, "17:00")), 201)
    (flag,) = time_flags(visit)
    assert flag["detail"]["rules"] == ["day_closed"]
    assert kpis(client, sup, yesterday, org.user["rep-n1a"])["completion_rate"]["numerator"] == 0


def test_an_offline_day_synced_the_same_evening_stays_normal(app, client, org, tokens):
    rep, sup = tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    today = local_today()
    stores = four_stores(app, org)
    publish_plan(app, org.user["rep-n1a"], stores, today)
    with time_machine.travel(at(today, "20:30"), tick=True):
        operations = []
        for store, clock in zip(stores[:3], ("09:00", "09:40", "10:20"), strict=False):
            visit, start = str(uuid.uuid4()), at(today, clock)
            body = check_in_body(store, store_position(app, store), start, uuid=visit)
            out = {"device_time": (start + timedelta(minutes=20)).isoformat()}
            operations += [
                {"key": str(uuid.uuid4()), "op": "check_in", "body": body},
                {"key": str(uuid.uuid4()), "op": "check_out", "visit": visit, "body": out},
            ]
        batch = {"sent_at": at(today, "20:30").isoformat(), "operations": operations}
        results = ok(client.post("/api/sync", json=batch, headers=rep))["results"]
        assert [r["status"] for r in results] == [201, 200] * 3
        assert all(time_flags(r["body"]) == [] for r in results)
        with app.app_context():
            assert db.session.query(Visit).filter(Visit.review.is_not(None)).count() == 0
        totals = kpis(client, sup, today, org.user["rep-n1a"])
    assert totals["completion_rate"] == {"numerator": 3, "denominator": 4, "rate": 0.75}
    assert totals["visits"] == 3


def test_the_exceptions_list_shows_a_held_visit(app, client, org, tokens, last_week):
    day, stores = last_week
    late = ok(check_in(client, tokens.headers("rep-n1a"), app, stores[2], at(day, "15:00")), 201)
    query = {"period": "day", "date": day.isoformat(), "kind": "time_travel"}
    report = ok(client.get("/api/reports/exceptions", query_string=query,
                           headers=tokens.headers("sup-n1")))  # fmt: skip
    assert report["counts"] == {"time_travel": 1}
    (item,) = report["items"]
    assert item["visit_id"] == late["id"] and "had closed" in item["message"]
    other = ok(client.get("/api/reports/exceptions", query_string=query,
                          headers=tokens.headers("sup-n2")))  # fmt: skip
    assert other["items"] == []


def test_a_check_in_sent_again_keeps_its_first_receipt(app, client, org, tokens):
    """Replayed under its key, or sent again under a new one the next day, a check-in received
    in time stays as first received: not flagged, not held."""
    rep = tokens.headers("rep-n1a")
    store = org.store["n1-a"]
    body = check_in_body(store, store_position(app, store), minutes_ago(5), uuid=str(uuid.uuid4()))
    first_key = key()
    first = ok(client.post("/api/visits", json=body, headers={**rep, **first_key}), 201)
    with time_machine.travel(datetime.now(TOKYO) + timedelta(days=2), tick=True):
        again = client.post("/api/visits", json=body, headers={**rep, **first_key})
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert client.post("/api/visits", json=body, headers={**rep, **key()}).status_code == 409
    with app.app_context():
        visit = db.session.get(Visit, first["id"])
        assert visit.checkin_received_at.isoformat() == first["checkin_received_at"]
        assert visit.review is None and [f.kind.value for f in visit.flags] == []


def test_a_fast_clock_that_sends_its_own_time_is_skew_not_time_travel(app, client, org, tokens):
    """A phone 15 min fast, sending at once with its send time: flagged clock skew, counted."""
    rep, sup = tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    today, store = local_today(), org.store["n1-a"]
    publish_plan(app, org.user["rep-n1a"], [store], today)
    fast = minutes_ago(-15)
    headers = {**rep, "X-Device-Time": fast.isoformat()}
    body = check_in_body(store, store_position(app, store), fast, uuid=str(uuid.uuid4()))
    visit = ok(client.post("/api/visits", json=body, headers=headers), 201)
    assert time_flags(visit) == []
    assert "clock_skew" in {f["kind"] for f in visit["flags"]}
    assert kpis(client, sup, today, org.user["rep-n1a"])["completion_rate"]["numerator"] == 1


def test_a_clock_set_to_tomorrow_is_held_even_with_its_send_time(app, client, org, tokens):
    """Device and send times both a day ahead: the visit lands on tomorrow's plan, so it is
    held whatever the phone says its clock reads."""
    rep = tokens.headers("rep-n1a")
    store = org.store["n1-a"]
    tomorrow = minutes_ago(-24 * 60)
    headers = {**rep, "X-Device-Time": tomorrow.isoformat()}
    body = check_in_body(store, store_position(app, store), tomorrow, uuid=str(uuid.uuid4()))
    visit = ok(client.post("/api/visits", json=body, headers=headers), 201)
    (flag,) = time_flags(visit)
    assert flag["detail"]["rule"] == "future"
