"""Scheduled work without cron: `flask scheduler` runs each daily task once per slot.

A task's slot is its time of day (a `SCHEDULE_*` setting, the organisation's TIMEZONE) on one
local date. Every tick the scheduler takes each task's latest slot that is due; if nobody has
run it, it claims it by inserting (task, slot) into `scheduled_runs` in a write of its own. The
primary key makes the claim a lock across machines: one insert wins, the others conflict and
skip. The winner runs the task through the write executor and records its outcome in the same
transaction (a failure: rolled back, then recorded as `failed` with the error).

Only the latest slot is ever looked at, so a scheduler started late (or down for days) runs
each task once, not once per missed day. A local time that a DST change skips runs when the
clocks have moved on (03:30 on the spring day runs at 04:30); a repeated one runs the first time.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from .clock import parse_clock
from .config import ConfigError
from .errors import ConflictError
from .extensions import db
from .models import RunOutcome, ScheduledRun, utcnow
from .services import photo_retention, visits
from .writes import after_commit, execute, idempotency

log = logging.getLogger(__name__)

SKIPPED = "skipped"  # another scheduler has the slot (or had it)
DETAIL_LENGTH = 500


@dataclass(frozen=True)
class Task:
    name: str
    setting: str  # the SCHEDULE_* setting holding its time of day
    run: Callable[[datetime], str]  # the use case (flushes only); says what it did
    enabled: Callable[[Mapping[str, Any]], bool] = lambda config: True


def _close_open(now: datetime) -> str:
    return f"closed {visits.close_left_open(now)} visit(s) left open"


def _prune_keys(now: datetime) -> str:
    return f"pruned {idempotency.prune()} idempotency key(s)"


def _photo_retention(now: datetime) -> str:
    report = photo_retention.delete_expired(now)
    after_commit(lambda: photo_retention.remove_files(report))
    cutoff = report.cutoff.isoformat() if report.cutoff else "none (retention off)"
    return (
        f"removed {report.photos} photo image(s), {report.files} file(s), "
        f"{report.bytes} bytes; cutoff {cutoff}"
    )


TASKS = (
    Task("close_open", "SCHEDULE_CLOSE_OPEN", _close_open),
    Task("prune_keys", "SCHEDULE_PRUNE_KEYS", _prune_keys),
    Task(
        "photo_retention",
        "SCHEDULE_PHOTO_RETENTION",
        _photo_retention,
        enabled=lambda config: config["PHOTO_RETENTION_DAYS"] > 0,
    ),
)


@dataclass(frozen=True)
class Result:
    task: str
    slot: datetime
    outcome: str  # RunOutcome's values, or SKIPPED
    detail: str = ""


def schedule(config: Mapping[str, Any]) -> list[tuple[Task, time]]:
    """The enabled tasks with their times of day; a malformed setting is a ConfigError."""
    planned = []
    for task in TASKS:
        text = config[task.setting].strip()
        if not text or not task.enabled(config):
            continue
        try:
            planned.append((task, parse_clock(text)))
        except ValueError:
            raise ConfigError(f'{task.setting}: expected HH:MM or "", got {text!r}') from None
    return planned


def latest_slot(clock: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The latest moment (UTC) at or before `now` when the local time was `clock`: today's slot
    or, before it, yesterday's. One slot per local date, whatever DST does that day."""
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1)):
        # fold=0: a repeated local time means its first occurrence; a skipped one maps past
        # the gap (zoneinfo applies the offset from before the change).
        slot = datetime.combine(day, clock, zone).astimezone(now.tzinfo)
        if slot <= now:
            return slot
    raise AssertionError("yesterday's slot is always due")  # pragma: no cover


def run_due(now: datetime | None = None, host: str | None = None) -> list[Result]:
    """Run every task whose latest slot nobody has claimed yet; one result per task."""
    now, host = now or utcnow(), host or default_host()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return [
        _run_slot(task, latest_slot(clock, zone, now), host, now)
        for task, clock in schedule(current_app.config)
    ]


def _run_slot(task: Task, slot: datetime, host: str, now: datetime) -> Result:
    if _claimed(task.name, slot) or not claim(task.name, slot, host, now):
        return Result(task.name, slot, SKIPPED)
    try:
        detail = execute(lambda: _finish(task.name, slot, RunOutcome.SUCCEEDED, task.run(now)))
    except Exception as exc:  # any failure: recorded, and the loop goes on
        log.exception("scheduled task %s (slot %s) failed", task.name, slot.isoformat())
        detail = f"{type(exc).__name__}: {exc}"
        execute(lambda: _finish(task.name, slot, RunOutcome.FAILED, detail))
        return Result(task.name, slot, RunOutcome.FAILED.value, detail[:DETAIL_LENGTH])
    log.info("scheduled task %s (slot %s): %s", task.name, slot.isoformat(), detail)
    return Result(task.name, slot, RunOutcome.SUCCEEDED.value, detail)


def _claimed(task: str, slot: datetime) -> bool:
    """A cheap read first, so the loop's every tick does not try (and fail) an insert."""
    found = db.session.get(ScheduledRun, (task, slot)) is not None
    db.session.rollback()  # end the read's transaction: the claim starts its own
    return found


def claim(task: str, slot: datetime, host: str, now: datetime | None = None) -> bool:
    """Insert the (task, slot) row and commit it; False when another scheduler has it."""
    run = ScheduledRun(task=task, slot=slot, host=host[:120], started_at=now or utcnow())
    try:
        execute(lambda: db.session.add(run))
    except ConflictError:
        return False
    return True


def _finish(task: str, slot: datetime, outcome: RunOutcome, detail: str) -> str:
    run = db.session.get(ScheduledRun, (task, slot))
    run.finished_at, run.outcome, run.detail = utcnow(), outcome.value, detail[:DETAIL_LENGTH]
    return run.detail


def default_host() -> str:
    """This scheduler's name in `scheduled_runs.host`: host name and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_forever(stop: threading.Event, interval: float) -> None:
    """Tick every `interval` seconds until `stop` is set; a task under way finishes first."""
    host = default_host()
    while not stop.is_set():
        try:
            run_due(host=host)
        except Exception:  # the database away for a moment: try again at the next tick
            log.exception("scheduler tick failed")
        finally:
            db.session.remove()
        stop.wait(interval)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM (systemd, docker stop) and SIGINT end the loop after the current task."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
