"""Route plans through the API: plan, review, edit, lock, optimise, publish, re-plan."""

from __future__ import annotations

import time as clock

import pytest

from tests.api.plan_helpers import next_monday, plan_stores

DAY = next_monday().isoformat()


@pytest.fixture
def team(client, org, tokens):
    """Team N1 with homes for its reps and a few more stores for rep-n1a."""
    return plan_stores(client, org, tokens)


def create(client, headers, org, **extra):
    body = {"rep_id": org.user["rep-n1a"], "plan_date": DAY, "seconds": 0.5, **extra}
    return client.post("/api/plans", json=body, headers=headers)


def assert_timed_in_order(stops):
    times = [s["arrival"] for s in stops if s["arrival"]]
    assert times == sorted(times)
    for stop in stops:
        if stop["start"]:
            assert "09:00" <= stop["start"] <= "17:40"


def test_supervisor_plans_a_draft_the_rep_sees_once_published(client, org, tokens, team):
    sup, rep = tokens.headers("sup-n1"), tokens.headers("rep-n1a")
    response = create(client, sup, org)
    assert response.status_code == 201, response.json
    plan = response.json
    assert plan["status"] == "draft" and plan["dropped_store_ids"] == []
    assert sorted(s["store_id"] for s in plan["stops"]) == sorted(team)
    assert [s["sequence"] for s in plan["stops"]] == list(range(1, 7))
    assert_timed_in_order(plan["stops"])
    assert plan["travel_seconds"] > 0 and plan["start_time"] >= "08:30"
    assert plan["break_after"] is not None
    assert client.get(f"/api/plans/{plan['id']}", headers=rep).status_code == 404
    assert client.get("/api/plans", headers=rep).json["items"] == []
    published = client.post(f"/api/plans/{plan['id']}/publish", headers=sup)
    assert published.status_code == 200 and published.json["status"] == "published"
    mine = client.get(f"/api/plans?date_from={DAY}&date_to={DAY}", headers=rep).json["items"]
    assert [p["id"] for p in mine] == [plan["id"]]
    assert client.post(f"/api/plans/{plan['id']}/publish", headers=sup).status_code == 409
    assert create(client, sup, org).status_code == 409


def test_given_stores_are_all_planned(client, org, tokens, team):
    response = create(client, tokens.headers("sup-n1"), org, store_ids=team[:3])
    assert [s["store_id"] for s in response.json["stops"]] != []
    assert sorted(s["store_id"] for s in response.json["stops"]) == sorted(team[:3])


def test_edit_reorders_adds_removes_and_retimes(client, org, tokens, team):
    sup = tokens.headers("sup-n1")
    plan = create(client, sup, org, store_ids=team[:4]).json
    order = [team[3], team[0], team[4], team[1]]  # team[2] removed, team[4] added
    edited = client.put(
        f"/api/plans/{plan['id']}",
        json={"stops": [{"store_id": i, "locked": i == team[0]} for i in order]},
        headers=sup,
    )
    assert edited.status_code == 200, edited.json
    body = edited.json
    assert [s["store_id"] for s in body["stops"]] == order
    assert [s["locked"] for s in body["stops"]] == [False, True, False, False]
    assert body["revision"] == plan["revision"] + 1
    assert_timed_in_order(body["stops"])


def test_optimise_keeps_locked_stops_in_place(client, org, tokens, team):
    sup = tokens.headers("sup-n1")
    plan = create(client, sup, org).json
    worst = list(reversed([s["store_id"] for s in plan["stops"]]))
    client.put(
        f"/api/plans/{plan['id']}",
        json={"stops": [{"store_id": i, "locked": k == 2} for k, i in enumerate(worst)]},
        headers=sup,
    )
    optimised = client.post(f"/api/plans/{plan['id']}/optimise", json={"seconds": 0.5}, headers=sup)
    assert optimised.status_code == 200, optimised.json
    stops = optimised.json["stops"]
    assert stops[2]["store_id"] == worst[2] and stops[2]["locked"]
    assert set(s["store_id"] for s in stops[:2]) == set(worst[:2])


def test_rep_replans_the_rest_of_the_day_in_about_a_second(client, org, tokens, team):
    sup, rep = tokens.headers("sup-n1"), tokens.headers("rep-n1a")
    plan = create(client, sup, org).json
    client.post(f"/api/plans/{plan['id']}/publish", headers=sup)
    done = [plan["stops"][0]["store_id"], plan["stops"][1]["store_id"]]
    started = clock.perf_counter()
    response = client.post(
        f"/api/plans/{plan['id']}/replan",
        json={"lat": 35.671, "lng": 139.776, "at": "13:30", "done_store_ids": done},
        headers=rep,
    )
    elapsed = clock.perf_counter() - started
    assert response.status_code == 200, response.json
    stops = response.json["stops"]
    assert [s["store_id"] for s in stops[:2]] == done
    assert all(s["start"] >= "13:30" for s in stops[2:] if s["start"])
    assert sorted(s["store_id"] for s in stops) == sorted(team)
    assert elapsed < 1.5


def test_replan_late_in_the_day_keeps_what_no_longer_fits_without_times(client, org, tokens, team):
    sup = tokens.headers("sup-n1")
    plan = create(client, sup, org).json
    response = client.post(
        f"/api/plans/{plan['id']}/replan",
        json={"lat": 35.662, "lng": 139.772, "at": "17:10"},
        headers=sup,
    )
    body = response.json
    assert len(body["stops"]) == 6 and body["dropped_store_ids"]
    untimed = [s["store_id"] for s in body["stops"] if s["arrival"] is None]
    assert sorted(untimed) == sorted(body["dropped_store_ids"])


def test_plan_scoping(client, org, tokens, team):
    plan = create(client, tokens.headers("sup-n1"), org).json
    client.post(f"/api/plans/{plan['id']}/publish", headers=tokens.headers("sup-n1"))
    for outsider in ("sup-n2", "rep-n1b", "mgr-south"):
        headers = tokens.headers(outsider)
        assert client.get(f"/api/plans/{plan['id']}", headers=headers).status_code == 404
    for insider in ("mgr-north", "admin", "rep-n1a"):
        headers = tokens.headers(insider)
        assert client.get(f"/api/plans/{plan['id']}", headers=headers).status_code == 200
    other = client.post(f"/api/plans/{plan['id']}/replan", json={"lat": 35.6, "lng": 139.7},
                        headers=tokens.headers("rep-n1b"))  # fmt: skip
    assert other.status_code == 404
    assert create(client, tokens.headers("sup-n2"), org).status_code == 422  # rep not in scope
    assert create(client, tokens.headers("rep-n1a"), org).status_code == 403


def test_rep_without_home_cannot_be_planned(client, org, tokens):
    response = client.post(
        "/api/plans",
        json={"rep_id": org.user["rep-n2a"], "plan_date": DAY},
        headers=tokens.headers("sup-n2"),
    )
    assert response.status_code == 422 and "rep_id" in response.json["errors"]["json"]


def test_published_plans_cannot_be_deleted_but_drafts_can(client, org, tokens, team):
    sup = tokens.headers("sup-n1")
    plan = create(client, sup, org).json
    assert client.delete(f"/api/plans/{plan['id']}", headers=sup).status_code == 204
    plan = create(client, sup, org).json
    client.post(f"/api/plans/{plan['id']}/publish", headers=sup)
    assert client.delete(f"/api/plans/{plan['id']}", headers=sup).status_code == 409


def test_recently_visited_stores_are_not_due(app, client, org, tokens, team):
    from datetime import UTC, date, datetime, timedelta

    from backend.extensions import db
    from backend.models import Visit, VisitStatus

    seen = date.fromisoformat(DAY) - timedelta(days=3)
    with app.app_context():
        db.session.add(
            Visit(
                uuid="00000000-0000-4000-8000-000000000001",
                rep_id=org.user["rep-n1a"],
                team_id=org.team["N1"],
                store_id=team[1],
                planned=False,
                visit_date=seen,
                status=VisitStatus.CLOSED,
                checked_in_at=datetime.combine(seen, datetime.min.time(), UTC),
                checkin_lat=35.6,
                checkin_lng=139.7,
                checkin_distance_m=0,
            )
        )
        db.session.commit()
    plan = create(client, tokens.headers("sup-n1"), org).json
    planned = {s["store_id"] for s in plan["stops"]}
    assert team[1] not in planned  # visited 3 days ago, tier A is weekly: not due yet
    assert set(team) - {team[1]} == planned
