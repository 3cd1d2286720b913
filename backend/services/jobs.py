"""Job rows: a background job's kind, parameters, status, stage, progress and result.

The runner (`backend/job_runner.py`) starts and executes them; here they are recorded, read and
asked to stop.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from ..errors import ConflictError, PermissionDeniedError
from ..extensions import db
from ..models import Job, JobStatus, Role, Team, User, utcnow
from ..models.jobs import FINISHED, JobStage
from ..scoping import get_in_scope, ids_in_scope

# Besides its creator, who may stop a job: these roles, when the job's team is in their scope.
CANCELLERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class JobCancelled(Exception):
    """A cancel was requested: raised by the job's progress report, before its next step. The
    job function raises it again with what it has done so far as `result`."""

    def __init__(self, result: dict[str, Any] | None = None):
        super().__init__("cancel requested")
        self.result = result


def record(actor: User, kind: str, params: dict[str, Any], team_id: int | None = None) -> Job:
    """A new queued job of `kind` (flushed; the runner starts it after the commit)."""
    job = Job(id=str(uuid4()), kind=kind, params=params, created_by_id=actor.id, team_id=team_id)
    db.session.add(job)
    db.session.flush()
    return job


def get_job(actor: User, job_id: str) -> Job:
    return get_in_scope(actor, Job, job_id)


def locked(job_id: str) -> Job | None:
    """The job row as committed, locked until the transaction ends (PostgreSQL; SQLite's writes
    are serialised anyway), so a cancel and the runner starting the job never both win."""
    return db.session.get(Job, job_id, with_for_update=True, populate_existing=True)


def request_cancel(actor: User, job_id: str) -> Job:
    """Ask a job to stop: a queued one is cancelled at once, a running one stops before its
    next step (the runner looks). A finished job cannot be cancelled (409)."""
    job = get_job(actor, job_id)
    if job.created_by_id != actor.id and not (
        actor.role in CANCELLERS and job.team_id in ids_in_scope(actor, Team, {job.team_id})
    ):
        raise PermissionDeniedError("Only the job's creator or the team's supervisor can stop it.")
    job = locked(job_id)
    if job.status in FINISHED:
        raise ConflictError(
            f"The job has already finished ({job.status.value}); there is nothing to cancel.",
            reason="job_finished",
            params={"status": job.status.value},
        )
    if job.cancel_requested_at is None:
        job.cancel_requested_at, job.cancel_requested_by_id = utcnow(), actor.id
    if job.status is JobStatus.QUEUED:
        mark_cancelled(job, None)
    db.session.flush()
    return job


def mark_cancelled(job: Job, result: dict[str, Any] | None) -> None:
    """Record that `job` stopped on request, with what it had done (`result`)."""
    job.status, job.stage, job.result, job.finished_at = (
        JobStatus.CANCELLED,
        JobStage.CANCELLED,
        result,
        utcnow(),
    )
