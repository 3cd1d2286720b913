"""Planning-job writes through the executor: a replayed submission starts no second job, and
a job whose body fails is marked failed, keeping only what its progress checkpoints committed.

The job makes draft plans, which no report table counts: the tables stay as they were."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend import job_runner
from backend.extensions import db
from backend.job_runner import wait_for_local_jobs
from backend.models import Job, JobStatus, RoutePlan
from tests.writes.write_helpers import (
    assert_fresh,
    assert_replays,
    count,
    in_app,
    report_tables,
)

MONDAY = date.today() - timedelta(days=date.today().weekday()) + timedelta(weeks=2)
WEEK = {"date_from": MONDAY.isoformat(), "date_to": (MONDAY + timedelta(days=6)).isoformat()}


@pytest.fixture(autouse=True)
def _jobs_done(database):
    """No job still runs when the tables are emptied (this teardown comes first)."""
    yield
    wait_for_local_jobs(database)


def submit(client, headers, team_id, **changes):
    body = {"team_id": team_id, "seconds": 0.3, **WEEK, **changes}
    return client.post("/api/planning-jobs", json=body, headers=headers)


def week_plans() -> list[int]:
    stmt = select(RoutePlan.id).where(RoutePlan.plan_date >= MONDAY).order_by(RoutePlan.id)
    return list(db.session.scalars(stmt))


def test_a_replayed_submission_starts_no_second_job(app, client, org, tokens, day):
    sup = tokens.headers("sup-n1")
    team = org.team["N1"]
    first = assert_replays(
        lambda k: submit(client, {**sup, **k}, team),
        lambda k: submit(client, {**sup, **k}, team, seconds=0.5),
        202,
    )
    wait_for_local_jobs(app)
    with app.app_context():
        assert db.session.scalars(select(Job.id)).all() == [first.json["id"]]
        assert db.session.get(Job, first.json["id"]).status is JobStatus.SUCCEEDED
        assert week_plans(), "the job planned nothing"
    second = submit(client, sup, team)  # without a key, as before: another job
    assert second.status_code == 202
    wait_for_local_jobs(app)
    with app.app_context():
        assert count(Job) == 2


def failing_plan_team(plans_made: int | None, checkpoints: list[list[int]]):
    """The real `plan_team`, failing at the progress call after its `plans_made`-th plan, before
    that call commits (None: once it has returned, and flushed). `checkpoints` gets the week's
    plans at every progress call: committed, but for the last one when it fails there."""
    real = job_runner.KINDS["plan_team"]

    def run(job, progress):
        def checkpoint(percent, stage):
            checkpoints.append(week_plans())
            if len(checkpoints[-1]) == plans_made:
                raise RuntimeError("injected before a checkpoint")
            progress(percent, stage)

        real(job, checkpoint)
        db.session.flush()
        checkpoints.append(week_plans())
        raise RuntimeError("injected after the job's body")

    return run


@pytest.mark.parametrize("plans_made", [None, 2])
def test_a_failed_job_keeps_only_what_its_checkpoints_committed(
    app, client, org, tokens, day, monkeypatch, plans_made
):
    """The job is failed with the error and no result; its plans are exactly those its last
    committed checkpoint saw: failing after the body, every plan (each was committed by the
    progress call after it, the last one at 100%); failing at the progress call after the
    second plan, only the first (the second was flushed, never committed)."""
    checkpoints: list[list[int]] = []
    failing = failing_plan_team(plans_made, checkpoints)
    monkeypatch.setitem(job_runner.KINDS, "plan_team", failing)
    tables = in_app(app, report_tables)
    response = submit(client, tokens.headers("sup-n1"), org.team["N1"])
    assert response.status_code == 202, response.json
    wait_for_local_jobs(app)
    *committed, at_failure = checkpoints
    with app.app_context():
        job = db.session.get(Job, response.json["id"])
        assert job.status is JobStatus.FAILED and job.result is None
        assert job.error.startswith("RuntimeError: injected")
        assert week_plans() == committed[-1]
        progress = job.progress
    if plans_made is None:
        assert progress == 100 and at_failure == committed[-1]
    else:
        assert len(committed[-1]) == 1 and at_failure == [*committed[-1], at_failure[-1]]
        assert progress < 100
    assert in_app(app, report_tables) == tables
    assert_fresh(app)
