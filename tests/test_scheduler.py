"""The scheduler (`flask scheduler`): each daily task runs once per slot, on one machine.

Schedulers racing the same slot (threads with their own app contexts, and processes) run it
once, the others skip; a failure is recorded and the others go on; a late start runs only the
latest slot; slots stay one per local date in zones without DST and across Helsinki's changes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from backend import scheduler
from backend.config import ConfigError
from backend.extensions import db
from backend.models import IdempotencyKey, RunOutcome, ScheduledRun, Visit, VisitStatus
from backend.services import visits
from tests.api.visit_helpers import check_in, minutes_ago
from tests.faults.harness import server_url

ROOT = Path(__file__).resolve().parent.parent
HELSINKI = ZoneInfo("Europe/Helsinki")
SUCCEEDED, FAILED = RunOutcome.SUCCEEDED.value, RunOutcome.FAILED.value


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def runs() -> list[tuple[str, datetime, str | None]]:
    rows = db.session.scalars(select(ScheduledRun).order_by(ScheduledRun.task, ScheduledRun.slot))
    return [(r.task, r.slot, r.outcome) for r in rows]


@pytest.fixture
def only(app, monkeypatch):
    """Turn every task off but the named ones (their times as configured, or given)."""

    def keep(**times: str) -> None:
        for task in scheduler.TASKS:
            if task.name not in times:
                monkeypatch.setitem(app.config, task.setting, "")
            elif times[task.name]:
                monkeypatch.setitem(app.config, task.setting, times[task.name])

    return keep


# --- slots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Asia/Kolkata", "UTC", "America/Sao_Paulo"])
def test_the_latest_slot_is_the_local_time_within_the_last_day(zone):
    """Zones without DST (Kolkata's half hour, São Paulo west of UTC): every 37 minutes over
    three days, the slot is at 00:15 local, due, and less than a day old."""
    zone_info, start = ZoneInfo(zone), utc(2026, 12, 5)
    for step in range(3 * 24 * 60 // 37):
        now = start + timedelta(minutes=37 * step)
        slot = scheduler.latest_slot(clock(0, 15), zone_info, now)
        assert slot <= now < slot + timedelta(days=1)
        assert slot.astimezone(zone_info).time() == clock(0, 15)
        assert slot.tzinfo == UTC


def test_a_local_time_the_spring_change_skips_runs_when_the_clocks_have_moved_on():
    """Helsinki, 29 March 2026: 03:00 EET jumps to 04:00 EEST; 03:30 that day is 04:30."""
    slot = scheduler.latest_slot
    assert slot(clock(3, 30), HELSINKI, utc(2026, 3, 29, 1, 29)) == utc(2026, 3, 28, 1, 30)
    assert slot(clock(3, 30), HELSINKI, utc(2026, 3, 29, 1, 30)) == utc(2026, 3, 29, 1, 30)
    assert utc(2026, 3, 29, 1, 30).astimezone(HELSINKI).time() == clock(4, 30)
    assert slot(clock(3, 30), HELSINKI, utc(2026, 3, 30, 12)) == utc(2026, 3, 30, 0, 30)


def test_a_local_time_the_autumn_change_repeats_has_one_slot_the_first():
    """Helsinki, 25 October 2026: 04:00 EEST goes back to 03:00 EET; 03:30 happens twice."""
    first = utc(2026, 10, 25, 0, 30)
    for now in (first, utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 1, 45)):
        assert scheduler.latest_slot(clock(3, 30), HELSINKI, now) == first


@pytest.mark.parametrize("days", [(2026, 3, 27), (2026, 10, 23)], ids=["spring", "autumn"])
def test_across_helsinki_dst_changes_each_local_day_runs_once(ctx, app, monkeypatch, only, days):
    """A tick every 15 minutes for four days around each change, from noon: one run per local
    date (the first tick's runs that morning's slot), at 03:00 local (the spring day's skipped
    03:00: at 04:00, the moment of the jump)."""
    monkeypatch.setitem(app.config, "TIMEZONE", "Europe/Helsinki")
    only(prune_keys="03:00")
    start = datetime(*days, 12, tzinfo=HELSINKI)
    for step in range(4 * 24 * 4):
        scheduler.run_due(start + timedelta(minutes=15 * step), host="h")
    slots = [slot.astimezone(HELSINKI) for _task, slot, _outcome in runs()]
    assert [s.date() for s in slots] == [start.date() + timedelta(days=d) for d in range(5)]
    assert {s.time() for s in slots} <= {clock(3), clock(4)}
    assert {outcome for *_rest, outcome in runs()} == {SUCCEEDED}


def test_a_late_start_runs_the_latest_slot_once(ctx, only):
    """Down for three days, started at 10:00 Tokyo: today's 00:15 and 03:00 run, once each;
    the missed days are not caught up, and the next tick runs nothing."""
    only(close_open="00:15", prune_keys="03:00")
    before = utc(2026, 12, 3, 15, 15)  # the last run before the stop
    earlier = {"host": "old", "started_at": before, "finished_at": before, "outcome": SUCCEEDED}
    db.session.add(ScheduledRun(task="close_open", slot=before, **earlier))
    db.session.commit()
    now = utc(2026, 12, 7, 1)  # 10:00 in Tokyo
    first = scheduler.run_due(now, host="late")
    assert [(r.task, r.outcome) for r in first] == [
        ("close_open", SUCCEEDED),
        ("prune_keys", SUCCEEDED),
    ]
    assert runs() == [
        ("close_open", before, SUCCEEDED),
        ("close_open", utc(2026, 12, 6, 15, 15), SUCCEEDED),
        ("prune_keys", utc(2026, 12, 6, 18), SUCCEEDED),
    ]
    again = scheduler.run_due(now + timedelta(seconds=30), host="late")
    assert {r.outcome for r in again} == {scheduler.SKIPPED}
    assert len(runs()) == 3
    scheduler.run_due(utc(2026, 12, 7, 15, 16), host="late")  # 00:16 the next day
    assert runs()[2] == ("close_open", utc(2026, 12, 7, 15, 15), SUCCEEDED)
    assert len(runs()) == 4


# --- what runs, and a failure --------------------------------------------------------------


def test_the_end_of_day_close_runs_and_is_recorded(app, client, org, tokens, only):
    """A visit left open yesterday (Tokyo) is closed by the close_open slot, in its write."""
    rep = tokens.headers("rep-n1b")
    visit = check_in(client, rep, app, org.store["n1-b"], minutes_ago(60 * 30))
    assert visit.status_code == 201, visit.json
    only(close_open="00:15")
    with app.app_context():
        [result] = scheduler.run_due(host="m1")
        assert result.outcome == SUCCEEDED
        assert result.detail.startswith("closed ") and "left open" in result.detail
        assert db.session.get(Visit, visit.json["id"]).status == VisitStatus.AUTO_CLOSED
        run = db.session.get(ScheduledRun, ("close_open", result.slot))
        assert (run.host, run.outcome, run.detail) == ("m1", SUCCEEDED, result.detail)
        assert run.started_at <= run.finished_at


def test_key_pruning_runs_on_its_slot(app, org, ctx, only):
    old = datetime.now(UTC) - timedelta(days=app.config["IDEMPOTENCY_KEEP_DAYS"] + 1)
    reply = {"operation": "POST /x", "fingerprint": "f", "status_code": 201, "response": {}}
    db.session.add(IdempotencyKey(user_id=org.user["rep-n1a"], key="k1", created_at=old, **reply))
    db.session.commit()
    only(prune_keys="03:00")
    [result] = scheduler.run_due(host="m1")
    assert (result.outcome, result.detail) == (SUCCEEDED, "pruned 1 idempotency key(s)")
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_photo_retention_runs_only_when_a_retention_is_set(app, ctx, only, monkeypatch):
    only(photo_retention="03:30")
    assert scheduler.run_due(host="m1") == []  # PHOTO_RETENTION_DAYS = 0: keep for ever
    monkeypatch.setitem(app.config, "PHOTO_RETENTION_DAYS", 90)
    [result] = scheduler.run_due(host="m1")
    assert result.outcome == SUCCEEDED
    assert result.detail.startswith("removed 0 photo image(s), 0 file(s), 0 bytes; cutoff ")


def test_a_failing_task_is_recorded_rolled_back_and_the_others_run(ctx, org, only, monkeypatch):
    """The task's own changes are undone; its row says failed and why; the next task runs."""
    only(close_open="00:15", prune_keys="03:00")

    def broken(now=None):
        db.session.add(IdempotencyKey(user_id=org.user["rep-n1a"], key="half", operation="x",
                                      fingerprint="f", status_code=200, response={}))  # fmt: skip
        db.session.flush()
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(visits, "close_left_open", broken)
    results = scheduler.run_due(utc(2026, 12, 7, 1), host="m1")
    assert [(r.task, r.outcome) for r in results] == [
        ("close_open", FAILED),
        ("prune_keys", SUCCEEDED),
    ]
    run = db.session.get(ScheduledRun, ("close_open", results[0].slot))
    assert (run.outcome, run.detail) == (FAILED, "RuntimeError: disk on fire")
    assert run.finished_at is not None
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    # A failed slot is not retried by the next tick: it waits for the next day's slot.
    assert scheduler.run_due(utc(2026, 12, 7, 1, 1), host="m1")[0].outcome == scheduler.SKIPPED


def test_a_malformed_time_is_a_config_error(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULE_PRUNE_KEYS", "3am")
    with pytest.raises(ConfigError, match="SCHEDULE_PRUNE_KEYS"):
        scheduler.schedule(app.config)
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 1 and "SCHEDULE_PRUNE_KEYS" in result.output


def test_an_interval_of_zero_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_INTERVAL_SECONDS", 0)
    result = app.test_cli_runner().invoke(args=["scheduler"])
    assert result.exit_code == 1 and "SCHEDULER_INTERVAL_SECONDS" in result.output


# --- several machines ----------------------------------------------------------------------


def race(app, count: int, work):
    """Run `work(i)` in `count` threads, each in its own app context, released together."""
    barrier, answers, errors = threading.Barrier(count), [None] * count, []

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                answers[i] = work(i)
            except Exception as exc:  # surfaced by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return answers


def test_racing_claims_of_one_slot_have_one_winner(app, database):
    slot = utc(2026, 12, 6, 15, 15)
    won = race(app, 3, lambda i: scheduler.claim("close_open", slot, f"machine-{i}"))
    assert sorted(won) == [False, False, True]
    with app.app_context():
        [(task, at, outcome)] = runs()
        assert (task, at, outcome) == ("close_open", slot, None)


def test_three_schedulers_racing_run_each_task_once(app, database, only, monkeypatch):
    """Each task's body runs in one thread only; the other two skip."""
    only(close_open="00:15", prune_keys="03:00")
    bodies, real = [], visits.close_left_open

    def counted(now=None):
        bodies.append(threading.get_ident())
        time.sleep(0.2)  # a slow task: the others reach its slot while it runs
        return real(now)

    monkeypatch.setattr(visits, "close_left_open", counted)
    now = utc(2026, 12, 7, 1)
    answers = race(app, 3, lambda i: scheduler.run_due(now, host=f"machine-{i}"))
    outcomes = {
        task: sorted(r.outcome for results in answers for r in results if r.task == task)
        for task in ("close_open", "prune_keys")
    }
    assert outcomes == {task: ["skipped", "skipped", SUCCEEDED] for task in outcomes}
    assert len(bodies) == 1
    with app.app_context():
        assert [(task, outcome) for task, _slot, outcome in runs()] == [
            ("close_open", SUCCEEDED),
            ("prune_keys", SUCCEEDED),
        ]


def scheduler_env(app) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "backend",
        "TERMINUS_DATABASE_URL": server_url(app, f"terminus-scheduler-{os.getpid()}"),
        "TERMINUS_SECRET_KEY": "test",
        "TERMINUS_LOG_LEVEL": "WARNING",
        "TERMINUS_SCHEDULER_INTERVAL_SECONDS": "1",
        "TERMINUS_TIMEZONE": "Asia/Tokyo",
        "TERMINUS_SCHEDULE_CLOSE_OPEN": "00:15",
        "TERMINUS_SCHEDULE_PRUNE_KEYS": "03:00",
        "TERMINUS_PHOTO_RETENTION_DAYS": "0",
        "PYTHONUNBUFFERED": "1",  # the loop's first lines are read while it runs
    }


def finished(rows: list, count: int) -> bool:
    return len(rows) == count and all(outcome is not None for *_rest, outcome in rows)


def start_scheduler(env: dict[str, str], *args: str) -> subprocess.Popen:
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.Popen([flask, "scheduler", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def test_scheduler_processes_race_one_runs_each_slot_and_the_loop_stops_on_sigterm(app, database):
    """Three processes at once, as on three machines: two `flask scheduler --once` and one
    looping `flask scheduler`. Each task's row names one of them (host:pid); a --once that
    did not win says skipped. SIGTERM then ends the loop cleanly (exit 0)."""
    env = scheduler_env(app)
    loop, *once = [
        start_scheduler(env),
        start_scheduler(env, "--once"),
        start_scheduler(env, "--once"),
    ]
    try:
        announced = [loop.stdout.readline() for _ in range(2)]  # its schedule, then it ticks
        outputs = {proc.pid: proc.communicate(timeout=120)[0] for proc in once}
        assert [proc.returncode for proc in once] == [0, 0], outputs
        with app.app_context():
            deadline = time.monotonic() + 60
            while not finished(runs(), 2) and time.monotonic() < deadline:
                db.session.remove()
                time.sleep(0.2)
            rows = db.session.scalars(select(ScheduledRun).order_by(ScheduledRun.task)).all()
            winners = {row.task: int(row.host.rpartition(":")[2]) for row in rows}
            assert {row.outcome for row in rows} == {SUCCEEDED}
        time.sleep(1.5)  # the loop has ticked past the claimed slots (skipping them)
        loop.send_signal(signal.SIGTERM)
        rest, err = loop.communicate(timeout=30)
    finally:
        for proc in (loop, *once):
            if proc.poll() is None:
                proc.kill()
    assert sorted(winners) == ["close_open", "prune_keys"]
    for task, pid in winners.items():
        assert pid in {loop.pid, *outputs}
        for other, out in outputs.items():
            [line] = [line for line in out.splitlines() if line.startswith(f"{task} ")]
            assert line.endswith(": skipped") == (other != pid), out
    assert loop.returncode == 0, err
    assert announced == [
        "close_open daily at 00:15 Asia/Tokyo\n",
        "prune_keys daily at 03:00 Asia/Tokyo\n",
    ]
    assert rest.rstrip().endswith("Scheduler stopped.")
