"""Team planning as a background job: in-process by default, on an RQ queue with Redis."""

from __future__ import annotations

import os
import time as clock
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from backend import job_runner
from backend.extensions import db
from backend.job_runner import wait_for_local_jobs
from backend.models import PlanStatus, RoutePlan, Team, User
from tests.org_factory import make_store

# Next week, Monday to Sunday: the days of a planning job cannot be in the past.
MONDAY = date.today() - timedelta(days=date.today().weekday()) + timedelta(weeks=1)
WEEK = {"date_from": MONDAY.isoformat(), "date_to": (MONDAY + timedelta(days=6)).isoformat()}
REDIS_URL = os.environ.get("TERMINUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def homes(client, org, tokens):
    for rep in ("rep-n1a", "rep-n1b"):
        client.patch(
            f"/api/users/{org.user[rep]}",
            json={"home_lat": 35.662, "home_lng": 139.772},
            headers=tokens.headers("admin"),
        )


def submit(client, headers, team_id, **extra):
    return client.post(
        "/api/planning-jobs",
        json={"team_id": team_id, "seconds": 0.3, **WEEK, **extra},
        headers=headers,
    )


def poll(client, headers, job_id, timeout=60):
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        body = client.get(f"/api/jobs/{job_id}", headers=headers).json
        if body["status"] in ("succeeded", "failed", "cancelled"):
            return body
        clock.sleep(0.1)
    raise AssertionError(f"job {job_id} still {body['status']}")


def assert_week_planned(app, result, org):
    # Both reps have one weekly store each: one visit in the week, Monday to Friday.
    assert result["reps_without_home"] == [] and result["unplaced"] == []
    planned = {(p["rep_id"], p["date"]) for p in result["plans"]}
    assert {rep for rep, _ in planned} == {org.user["rep-n1a"], org.user["rep-n1b"]}
    with app.app_context():
        plans = db.session.scalars(
            select(RoutePlan).where(RoutePlan.team_id == org.team["N1"])
        ).all()
        assert len(plans) == len(result["plans"])
        assert all(p.status is PlanStatus.DRAFT and p.plan_date.weekday() < 5 for p in plans)
        visited = sorted(s.store_id for p in plans for s in p.stops)
    # n1-free has no rep, so it is not planned.
    assert visited == sorted([org.store["n1-a"], org.store["n1-b"]])


def test_team_week_planning_runs_as_an_in_process_job(app, client, org, tokens, homes):
    sup = tokens.headers("sup-n1")
    response = submit(client, sup, org.team["N1"])
    assert response.status_code == 202, response.json
    assert response.json["status"] in ("queued", "running", "succeeded")
    job = poll(client, sup, response.json["id"])
    wait_for_local_jobs(app)
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100
    assert_week_planned(app, job["result"], org)
    # A second run leaves the planned days alone.
    again = poll(client, sup, submit(client, sup, org.team["N1"]).json["id"])
    assert again["result"]["plans"] == [] and len(again["result"]["skipped"]) == 2


def test_jobs_are_scoped(client, org, tokens, homes, app):
    job = submit(client, tokens.headers("sup-n1"), org.team["N1"]).json
    poll(client, tokens.headers("sup-n1"), job["id"])
    wait_for_local_jobs(app)
    assert client.get(f"/api/jobs/{job['id']}", headers=tokens.headers("sup-n2")).status_code == 404
    assert (
        client.get(f"/api/jobs/{job['id']}", headers=tokens.headers("mgr-north")).status_code == 200
    )
    other_team = submit(client, tokens.headers("sup-n1"), org.team["N2"])
    assert other_team.status_code == 422
    assert submit(client, tokens.headers("rep-n1a"), org.team["N1"]).status_code == 403


def test_bad_range_is_422(client, org, tokens):
    response = client.post(
        "/api/planning-jobs",
        json={"team_id": org.team["N1"], "date_from": "2026-12-01", "date_to": "2026-11-01"},
        headers=tokens.headers("sup-n1"),
    )
    assert response.status_code == 422 and "date_to" in response.json["errors"]["json"]


def redis_available() -> bool:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except RedisDown:
        return False


@pytest.fixture
def rq_queue(app):
    """Jobs go to a fresh RQ queue on the test Redis; `work()` is what `flask worker --burst`
    does, in this process."""
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({REDIS_URL})")
        pytest.skip(f"no Redis at {REDIS_URL}")
    from rq import SimpleWorker

    from backend.job_runner import queue

    class BurstWorker(SimpleWorker):
        """Without RQ's command channel: stopping its pub/sub thread waits out the thread's
        60 s read (redis-py), a minute a test; jobs are cancelled through the database."""

        def subscribe(self) -> None:
            self.pubsub_thread = None

    app.config.update(REDIS_URL=REDIS_URL, JOB_QUEUE=f"test-{uuid.uuid4()}")

    def work():
        with app.app_context():
            job_queue = queue()
            assert job_queue.count == 1
            BurstWorker([job_queue], connection=job_queue.connection).work(burst=True)
            job_queue.delete(delete_jobs=True)

    try:
        yield work
    finally:
        app.config.update(REDIS_URL="", JOB_QUEUE="terminus")


@pytest.mark.redis
def test_team_planning_on_an_rq_queue_served_by_a_worker(app, client, org, tokens, homes, rq_queue):
    sup = tokens.headers("sup-n1")
    response = submit(client, sup, org.team["N1"])
    assert response.status_code == 202
    assert client.get(f"/api/jobs/{response.json['id']}", headers=sup).json["status"] == "queued"
    rq_queue()
    job = client.get(f"/api/jobs/{response.json['id']}", headers=sup).json
    assert (job["status"], job["stage"]) == ("succeeded", "done"), job
    assert_week_planned(app, job["result"], org)


@pytest.mark.redis
def test_a_queued_job_cancelled_is_not_run_by_the_worker(app, client, org, tokens, homes, rq_queue):
    sup = tokens.headers("sup-n1")
    job_id = submit(client, sup, org.team["N1"]).json["id"]
    response = cancel(client, sup, job_id)
    assert response.status_code == 200, response.json
    assert (response.json["status"], response.json["stage"]) == ("cancelled", "cancelled")
    assert response.json["cancel_requested"] is True and response.json["finished_at"]
    rq_queue()
    job = client.get(f"/api/jobs/{job_id}", headers=sup).json
    assert (job["status"], job["started_at"], job["result"]) == ("cancelled", None, None)
    assert week_plan_ids(app, org.team["N1"]) == []


# -- progress, cancel, replacing drafts, the frozen past ---------------------------------------

DAYS = 5  # the working days of WEEK
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def daily(app, org, homes):
    """Two more stores for each of N1's reps, visited every working day: each of the team's
    10 rep-days in WEEK gets a plan."""
    with app.app_context():
        team = db.session.get(Team, org.team["N1"])
        for rep in ("rep-n1a", "rep-n1b"):
            user = db.session.get(User, org.user[rep])
            for k in range(2):
                store = make_store(
                    f"{rep}-daily-{k}", team, user, lat=35.66 + k / 200, visit_frequency_days=1
                )
                db.session.add(store)
        db.session.commit()
    return 2 * DAYS


def cancel(client, headers, job_id):
    return client.post(f"/api/jobs/{job_id}/cancel", headers=headers)


def week_plan_ids(app, team_id):
    with app.app_context():
        stmt = select(RoutePlan.id).where(RoutePlan.team_id == team_id).order_by(RoutePlan.id)
        return list(db.session.scalars(stmt))


def test_progress_reports_stage_percent_and_time_left(app, client, org, tokens, daily, monkeypatch):
    """What a poller reads after each progress report: "cycles" at 0 %, then "routes" before
    each rep-day with the share of rep-days done and a time left extrapolated from the time
    taken so far, then "done"."""
    sup = tokens.headers("sup-n1")
    seen = []
    real = job_runner.KINDS["plan_team"]

    def observed(job, progress):
        def report(percent, stage):
            progress(percent, stage)  # committed: this is what a poller sees now
            body = client.get(f"/api/jobs/{job.id}", headers=sup).json
            seen.append((datetime.now(UTC), body))

        return real(job, report)

    monkeypatch.setitem(job_runner.KINDS, "plan_team", observed)
    response = submit(client, sup, org.team["N1"])
    assert response.status_code == 202 and response.json["stage"] == "queued"
    wait_for_local_jobs(app)
    first, *routes, last = [body for _, body in seen]
    assert (first["stage"], first["progress"], first["eta_seconds"]) == ("cycles", 0, None)
    assert [b["stage"] for b in routes] == ["routes"] * daily
    assert [b["progress"] for b in routes] == [k * 100 // daily for k in range(daily)]
    assert all(b["status"] == "running" and not b["cancel_requested"] for b in routes)
    assert routes[0]["eta_seconds"] is None  # nothing done yet: no pace to go by
    for at, body in seen[2:-1]:
        elapsed = (at - datetime.fromisoformat(body["started_at"])).total_seconds()
        expected = elapsed * (100 - body["progress"]) / body["progress"]
        assert isinstance(body["eta_seconds"], int) and body["eta_seconds"] >= 0
        assert abs(body["eta_seconds"] - expected) <= 1 + expected / 10, (body, expected)
    assert (last["stage"], last["progress"]) == ("done", 100)
    job = client.get(f"/api/jobs/{response.json['id']}", headers=sup).json
    assert (job["status"], job["stage"], job["progress"], job["eta_seconds"]) == (
        "succeeded", "done", 100, 0
    )  # fmt: skip
    assert len(job["result"]["plans"]) == daily


def test_cancel_stops_the_job_before_its_next_rep_day(app, client, org, tokens, daily):
    """Cancelled while it solves the routes: it stops, the days planned stay drafts and are
    the job's result."""
    sup = tokens.headers("sup-n1")
    job_id = submit(client, sup, org.team["N1"], seconds=0.5).json["id"]
    deadline = clock.monotonic() + 60
    while client.get(f"/api/jobs/{job_id}", headers=sup).json["progress"] < 20:
        assert clock.monotonic() < deadline, "the job never got to its third rep-day"
        clock.sleep(0.05)
    response = cancel(client, sup, job_id)
    assert response.status_code == 200, response.json
    assert response.json["cancel_requested"] is True
    wait_for_local_jobs(app)
    job = client.get(f"/api/jobs/{job_id}", headers=sup).json
    assert (job["status"], job["stage"]) == ("cancelled", "cancelled"), job
    planned = job["result"]["plans"]
    assert 2 <= len(planned) < daily
    assert sorted(p["plan_id"] for p in planned) == week_plan_ids(app, org.team["N1"])
    with app.app_context():
        assert {db.session.get(RoutePlan, p["plan_id"]).status for p in planned} == {
            PlanStatus.DRAFT
        }
    # Stopped means finished: a second cancel is refused.
    again = cancel(client, sup, job_id)
    assert again.status_code == 409 and "already finished (cancelled)" in again.json["message"]


def test_who_may_cancel_and_a_finished_job_is_409(app, client, org, tokens, homes):
    job = submit(client, tokens.headers("sup-n1"), org.team["N1"]).json
    wait_for_local_jobs(app)
    assert cancel(client, tokens.headers("rep-n1a"), job["id"]).status_code == 404
    assert cancel(client, tokens.headers("sup-n2"), job["id"]).status_code == 404
    # The area manager sees the job but neither made it nor supervises the team.
    assert cancel(client, tokens.headers("mgr-north"), job["id"]).status_code == 403
    for user in ("sup-n1", "admin"):
        response = cancel(client, tokens.headers(user), job["id"])
        assert response.status_code == 409, response.json
        assert response.json["message"] == (
            "The job has already finished (succeeded); there is nothing to cancel."
        )
    assert cancel(client, tokens.headers("admin"), str(uuid.uuid4())).status_code == 404


def test_replace_drafts_plans_drafts_again_and_leaves_published_plans(
    app, client, org, tokens, daily
):
    sup, team = tokens.headers("sup-n1"), org.team["N1"]
    first = poll(client, sup, submit(client, sup, team).json["id"])
    wait_for_local_jobs(app)
    drafts = {(p["rep_id"], p["date"]): p["plan_id"] for p in first["result"]["plans"]}
    assert len(drafts) == daily
    kept = first["result"]["plans"][0]
    published = client.post(f"/api/plans/{kept['plan_id']}/publish", headers=sup)
    assert published.status_code == 200, published.json
    stops_before = [s["store_id"] for s in published.json["stops"]]

    again = poll(client, sup, submit(client, sup, team, replace_drafts=True).json["id"])
    wait_for_local_jobs(app)
    result = again["result"]
    assert again["params"]["replace_drafts"] is True
    assert result["skipped"] == [{"rep_id": kept["rep_id"], "date": kept["date"]}]
    replaced = {(r["rep_id"], r["date"]): r["plan_id"] for r in result["replaced"]}
    assert replaced == {key: pid for key, pid in drafts.items() if pid != kept["plan_id"]}
    new = {(p["rep_id"], p["date"]): p["plan_id"] for p in result["plans"]}
    assert new.keys() == replaced.keys() and not set(new.values()) & set(drafts.values())
    assert week_plan_ids(app, team) == sorted([kept["plan_id"], *new.values()])
    plan = client.get(f"/api/plans/{kept['plan_id']}", headers=sup).json
    assert plan["status"] == "published"
    assert [s["store_id"] for s in plan["stops"]] == stops_before
    # Without replace_drafts, every planned day is left as it is.
    third = poll(client, sup, submit(client, sup, team).json["id"])
    assert third["result"]["plans"] == [] and len(third["result"]["skipped"]) == daily


def test_a_range_starting_before_the_business_today_is_refused(app, client, org, tokens, homes):
    today = datetime.now(TOKYO).date()
    sup = tokens.headers("sup-n1")
    past = {"date_from": (today - timedelta(days=1)).isoformat(), "date_to": today.isoformat()}
    response = submit(client, sup, org.team["N1"], **past)
    assert response.status_code == 422, response.json
    message = f"Days before {today.isoformat()} (the business today) can no longer be planned."
    assert response.json["message"] == message
    assert response.json["errors"]["json"]["date_from"] == [message]
    from_today = {"date_from": today.isoformat(), "date_to": today.isoformat()}
    assert submit(client, sup, org.team["N1"], **from_today).status_code == 202
    wait_for_local_jobs(app)
