"""Team planning as a background job: in-process by default, on an RQ queue with Redis."""

from __future__ import annotations

import os
import time as clock
import uuid

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.job_runner import wait_for_local_jobs
from backend.models import PlanStatus, RoutePlan

WEEK = {"date_from": "2026-11-30", "date_to": "2026-12-06"}  # Monday to Sunday
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
        if body["status"] in ("succeeded", "failed"):
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


@pytest.mark.redis
def test_team_planning_on_an_rq_queue_served_by_a_worker(app, client, org, tokens, homes):
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({REDIS_URL})")
        pytest.skip(f"no Redis at {REDIS_URL}")
    from rq import SimpleWorker

    from backend.job_runner import queue

    app.config.update(REDIS_URL=REDIS_URL, JOB_QUEUE=f"test-{uuid.uuid4()}")
    try:
        sup = tokens.headers("sup-n1")
        response = submit(client, sup, org.team["N1"])
        assert response.status_code == 202
        assert (
            client.get(f"/api/jobs/{response.json['id']}", headers=sup).json["status"] == "queued"
        )
        with app.app_context():
            job_queue = queue()
            assert job_queue.count == 1
            # What `flask worker --burst` does, in this process.
            SimpleWorker([job_queue], connection=job_queue.connection).work(burst=True)
            job_queue.delete(delete_jobs=True)
        job = client.get(f"/api/jobs/{response.json['id']}", headers=sup).json
        assert job["status"] == "succeeded", job
        assert_week_planned(app, job["result"], org)
    finally:
        app.config.update(REDIS_URL="", JOB_QUEUE="terminus")
