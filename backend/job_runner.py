"""Background jobs: run in-process by default, or on an RQ queue when Redis is configured.

A job is a row (status, progress, result; `services/jobs.py`) plus the function of its kind,
registered in `KINDS`. The same `run_job` executes it in either mode, through the write
executor: in a thread of the web process (one at a time), or in a `flask worker` process
consuming the RQ queue. A job starts only once the write that recorded it has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

from .extensions import db
from .models import Job, JobStatus, utcnow
from .services import team_planning
from .writes import after_commit, checkpoint, execute

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
JobFunction = Callable[[Job, Progress], dict[str, Any]]
# Every kind of job, by the name stored on its row.
KINDS: dict[str, JobFunction] = {"plan_team": team_planning.plan_team}
_EXECUTOR_KEY = "terminus.job_executor"


def start(job: Job) -> None:
    """Start `job` (RQ queue if TERMINUS_REDIS_URL is set, else a local thread) once the write
    recording it commits: the worker must find its row."""
    if job.kind not in KINDS:
        raise ValueError(f"unknown job kind {job.kind!r}")
    app, job_id = current_app._get_current_object(), job.id  # type: ignore[attr-defined]
    if app.config["REDIS_URL"]:
        after_commit(lambda: queue().enqueue(run_job, job_id, job_id=job_id, job_timeout=3600))
    else:
        after_commit(lambda: _executor(app).submit(_run_with_context, app, job_id))


def run_job(job_id: str) -> None:
    """Execute a queued job (inside an app context); records success or failure on the row."""
    job = db.session.get(Job, job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return
    execute(lambda: _mark(job, JobStatus.RUNNING, started_at=utcnow()))

    def progress(percent: int) -> None:
        job.progress = max(0, min(100, percent))
        checkpoint()  # pollers see the percentage (and the plans made so far)

    def body() -> None:
        result = KINDS[job.kind](job, progress)
        _mark(job, JobStatus.SUCCEEDED, result=result, progress=100, finished_at=utcnow())

    try:
        execute(body)
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        failed = db.session.get(Job, job_id)
        error = f"{type(exc).__name__}: {exc}"
        execute(lambda: _mark(failed, JobStatus.FAILED, error=error, finished_at=utcnow()))


def _mark(job: Job, status: JobStatus, **values: Any) -> None:
    job.status = status
    for name, value in values.items():
        setattr(job, name, value)


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
