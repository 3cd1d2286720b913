"""Background jobs: run in-process by default, or on an RQ queue when Redis is configured.

A job is a row (status, progress, result; `services/jobs.py`) plus the function of its kind,
registered in `KINDS`. The same `run_job` executes it in either mode, through the write
executor: in a thread of the web process (one at a time), or in a `flask worker` process
consuming the RQ queue. A job starts only once the write that recorded it has committed. Its
progress reports commit what it did so far and look for a cancel request (`jobs.request_cancel`,
a column on the row, so both modes see it); a cancelled job keeps what it committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app

from .extensions import db
from .models import Job, JobStatus, utcnow
from .models.jobs import JobStage
from .services import jobs, team_planning
from .services.jobs import JobCancelled
from .writes import after_commit, checkpoint, execute

log = logging.getLogger(__name__)

# A job reports (percent, stage) before each step; the report raises JobCancelled when a
# cancel was requested, and commits the work so far otherwise.
Progress = Callable[[int, JobStage], None]
JobFunction = Callable[[Job, Progress], dict[str, Any]]
# Every kind of job, by the name stored on its row.
KINDS: dict[str, JobFunction] = {"plan_team": team_planning.plan_team}
_EXECUTOR_KEY = "terminus.job_executor"
SQLITE_WRITER_GAP_S = 0.12  # SQLite's busy handler waits at most 0.1 s between retries


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
    """Execute a queued job (inside an app context); records success, failure or a cancel."""
    job = execute(lambda: _start_running(job_id))
    if job is None:
        return

    def progress(percent: int, stage: JobStage) -> None:
        job.progress, job.stage = max(0, min(100, percent)), stage
        if db.session.get_bind().dialect.name == "sqlite":
            after_commit(_let_writers_in)
        checkpoint()  # pollers see the stage and percentage (and the plans made so far)
        db.session.refresh(job, ["cancel_requested_at"])
        if job.cancel_requested_at is not None:
            raise JobCancelled

    def body() -> None:
        try:
            result = KINDS[job.kind](job, progress)
        except JobCancelled as stop:
            jobs.mark_cancelled(job, stop.result)
            return
        done = {"result": result, "progress": 100, "stage": JobStage.DONE}
        _mark(job, JobStatus.SUCCEEDED, **done, finished_at=utcnow())

    try:
        execute(body)
    except Exception as exc:
        log.exception("job %s (%s) failed", job_id, job.kind)
        failed = db.session.get(Job, job_id)
        error = f"{type(exc).__name__}: {exc}"
        execute(lambda: _mark(failed, JobStatus.FAILED, error=error, finished_at=utcnow()))


def _let_writers_in() -> None:
    """SQLite queues no one for its write lock: a writer waiting for it (a cancel, a rep's
    check-in) retries about every 0.1 s and gets it only if it is free just then. A job takes
    it again right after each checkpoint, so others would wait for the whole job; between
    checkpoints it leaves the lock free for a little longer than one retry."""
    time.sleep(SQLITE_WRITER_GAP_S)


def _start_running(job_id: str) -> Job | None:
    """The job marked running, or None if it is not queued (cancelled first, or run already).
    One cancelled before it started is not run."""
    job = jobs.locked(job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return None
    if job.cancel_requested_at is not None:
        jobs.mark_cancelled(job, None)
        return None
    _mark(job, JobStatus.RUNNING, started_at=utcnow())
    return job


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
