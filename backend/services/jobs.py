"""Background jobs: run in-process by default, or on an RQ queue when Redis is configured.

A job is a row (status, progress, result) plus a function registered under its kind. The same
`run_job` executes it in either mode: in a thread of the web process (one at a time), or in a
`flask worker` process consuming the RQ queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from uuid import uuid4

from flask import Flask, current_app

from ..extensions import db
from ..models import Job, JobStatus, User, utcnow
from ..scoping import get_in_scope

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
JobFunction = Callable[[Job, Progress], dict[str, Any]]
_KINDS: dict[str, JobFunction] = {}
_EXECUTOR_KEY = "terminus.job_executor"


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the body of jobs of kind `name`."""

    def register(function: JobFunction) -> JobFunction:
        _KINDS[name] = function
        return function

    return register


def submit(actor: User, kind: str, params: dict[str, Any], team_id: int | None = None) -> Job:
    """Record a job and start it (RQ queue if TERMINUS_REDIS_URL is set, else a local thread)."""
    if kind not in _KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(id=str(uuid4()), kind=kind, params=params, created_by_id=actor.id, team_id=team_id)
    db.session.add(job)
    db.session.commit()
    if current_app.config["REDIS_URL"]:
        queue().enqueue(run_job, job.id, job_id=job.id, job_timeout=3600)
    else:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        _executor(app).submit(_run_with_context, app, job.id)
    return job


def get_job(actor: User, job_id: str) -> Job:
    return get_in_scope(actor, Job, job_id)


def run_job(job_id: str) -> None:
    """Execute a queued job (inside an app context); records success or failure on the row."""
    job = db.session.get(Job, job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return
    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    db.session.commit()

    def progress(percent: int) -> None:
        job.progress = max(0, min(100, percent))
        db.session.commit()

    try:
        result = _KINDS[job.kind](job, progress)
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        job = db.session.get(Job, job_id)
        job.status, job.error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
    else:
        job.status, job.result, job.progress = JobStatus.SUCCEEDED, result, 100
    job.finished_at = utcnow()
    db.session.commit()


def queue():
    """The RQ queue jobs go to when Redis is configured."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"])
    return Queue(current_app.config["JOB_QUEUE"], connection=connection)


def _executor(app: Flask) -> ThreadPoolExecutor:
    executor = app.extensions.get(_EXECUTOR_KEY)
    if executor is None:
        executor = app.extensions[_EXECUTOR_KEY] = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="terminus-job"
        )
    return executor


def _run_with_context(app: Flask, job_id: str) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def wait_for_local_jobs(app: Flask) -> None:
    """Block until the in-process jobs submitted so far have finished (tests, shutdown)."""
    executor: ThreadPoolExecutor | None = app.extensions.get(_EXECUTOR_KEY)
    if executor is not None:
        marker: Future[None] = executor.submit(lambda: None)
        marker.result()
