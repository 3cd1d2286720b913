"""The KPIs count a day's plan as it stood when the day began (first published during the day:
as first published) and report the later amendments apart, in exact counts."""

from __future__ import annotations

import pytest

from backend.extensions import db
from backend.services.reports import rep_days
from tests.api.plan_helpers import add_store, homes
from tests.api.visit_helpers import TOKYO, check_in, minutes_ago, publish_plan

pytestmark = pytest.mark.usefixtures("photo_dir")
ALL_WEEK = [{"weekday": d, "opens": "00:00", "closes": "23:59"} for d in range(7)]


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def visit_day():
    """The local day of the test's check-ins (the last 40 minutes)."""
    return minutes_ago(40).astimezone(TOKYO).date()


@pytest.fixture
def stores(client, org, tokens):
    """Seven stores of rep-n1a, open around the clock every day, and a home for the rep."""
    admin = tokens.headers("admin")
    homes(client, org, admin, "rep-n1a")
    return [
        add_store(client, admin, f"k{i}", org.user["rep-n1a"], 35.66 + i / 1000, 139.77,
                  hours=ALL_WEEK, visit_minutes=10)
        for i in range(7)
    ]  # fmt: skip


def visit(client, app, headers, store_ids):
    """Check in and out at each store in turn, five minutes apart."""
    for k, store in enumerate(store_ids):
        done = ok(check_in(client, headers, app, store, minutes_ago(40 - 5 * k)), 201)
        out = {"device_time": minutes_ago(38 - 5 * k).isoformat()}
        ok(client.post(f"/api/visits/{done['id']}/checkout", json=out, headers=headers))


def kpis(client, headers, rep_id):
    day = visit_day().isoformat()
    report = ok(client.get(f"/api/reports/kpis?period=day&date={day}&rep_id={rep_id}",
                           headers=headers))  # fmt: skip
    [row] = [g for g in report["groups"] if g["id"] == rep_id]
    return row, report["total"]


def assert_consistent(app):
    with app.app_context():
        assert rep_days.stale_rep_days(db.session.connection()) == []


def test_a_plan_published_the_day_before_counts_as_it_stood(app, client, org, tokens, stores):
    """Plan of 5 published before the day; the supervisor removes 1 and adds 2 during it; the
    rep visits 4 of the original and 1 added: planned 5, visited 4, added 2, removed 1."""
    sup, rep = tokens.headers("sup-n1"), tokens.headers("rep-n1a")
    rep_id = org.user["rep-n1a"]
    publish_plan(app, rep_id, stores[:5], visit_day())  # published last evening
    day = visit_day().isoformat()
    [plan] = ok(client.get(f"/api/plans?date_from={day}&date_to={day}", headers=sup))["items"]
    assert plan["amended"] is False
    edited = [{"store_id": s} for s in (*stores[:4], stores[5], stores[6])]
    body = {"stops": edited, "reason": "Two shops called in an order"}
    ok(client.put(f"/api/plans/{plan['id']}", json=body, headers=sup))
    visit(client, app, rep, [*stores[:4], stores[5]])
    row, total = kpis(client, sup, rep_id)
    for counts in (row, total):
        assert counts["planned_stops"] == 5 and counts["planned_visited"] == 4
        assert counts["completion_rate"]["numerator"] == 4
        assert counts["completion_rate"]["denominator"] == 5
        assert counts["amendments"] == {"added": 2, "removed": 1}
        assert counts["visits"] == 5 and counts["on_route_visits"] == 5
    assert_consistent(app)
    shown = ok(client.get(f"/api/plans/{plan['id']}", headers=sup))
    assert shown["amended"] is True
    [revision] = ok(client.get(f"/api/plans/{plan['id']}/revisions", headers=sup))["items"]
    assert revision["kind"] == "edited" and revision["during_day"] is True
    assert revision["changes"]["added"] == [stores[5], stores[6]]
    assert revision["changes"]["removed"] == [stores[4]]
    # A second change keeps the start-of-day plan as the baseline.
    ok(client.put(f"/api/plans/{plan['id']}", json={"stops": edited[:3]}, headers=sup))
    row, _ = kpis(client, sup, rep_id)
    assert (row["planned_stops"], row["planned_visited"]) == (5, 4)  # s3 was visited
    assert row["amendments"] == {"added": 0, "removed": 2}
    assert_consistent(app)


def test_a_plan_first_published_during_its_day_counts_as_published(
    app, client, org, tokens, stores
):
    sup, rep = tokens.headers("sup-n1"), tokens.headers("rep-n1a")
    rep_id = org.user["rep-n1a"]
    body = {"rep_id": rep_id, "plan_date": visit_day().isoformat(), "seconds": 0.3}
    plan = ok(client.post("/api/plans", json={**body, "store_ids": stores[:3]}, headers=sup), 201)
    grown = [{"store_id": s} for s in stores[:3]] + [{"store_id": stores[3]}]
    ok(client.put(f"/api/plans/{plan['id']}", json={"stops": grown}, headers=sup))  # a draft
    ok(client.post(f"/api/plans/{plan['id']}/publish", headers=sup))
    later = [*grown, {"store_id": stores[4]}]
    ok(client.put(f"/api/plans/{plan['id']}", json={"stops": later}, headers=sup))
    visit(client, app, rep, [stores[0], stores[4]])
    row, total = kpis(client, sup, rep_id)
    assert (row["planned_stops"], row["planned_visited"]) == (4, 1)
    assert row["amendments"] == total["amendments"] == {"added": 1, "removed": 0}
    assert_consistent(app)
    check = app.test_cli_runner().invoke(args=["reports", "check"])
    assert check.exit_code == 0, check.output
