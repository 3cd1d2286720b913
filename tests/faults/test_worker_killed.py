"""A gunicorn worker killed (SIGKILL), then the client replays: exactly once (both databases).

- half-way through a sync batch: what committed before the kill is answered from its keys, the
  rest runs once;
- inside a single request (a photo upload held at its write by a lock): the retry with the same
  Idempotency-Key stores it once.
"""

from __future__ import annotations

import functools
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from backend.extensions import db
from backend.routes.operations import REPLAYED
from tests.api.visit_helpers import (
    catalogue,
)
from tests.faults.harness import (
    assert_all_once,
    assert_key_iff_write,
    during,
    offline_visit,
    on_postgres,
    post,
    replay_until_done,
    sync,
    upload,
    wait_for_keys,
    when_up,
    worker_pid,
)


@pytest.fixture
def visit_batch(database, org):
    products = catalogue(database).products
    return offline_visit(database, org, products)


def test_worker_killed_mid_batch_then_replayed(database, org, tokens, server, visit_batch):
    headers = tokens.headers("rep-n1a")
    keys = {op["key"] for op in visit_batch}
    port, _name = server
    worker = worker_pid(port)
    with during(functools.partial(sync, port, visit_batch, headers)) as outcome:
        # check-in and a first photo committed: the worker is inside the second photo
        wait_for_keys(database, keys, 2, outcome)
        os.kill(worker, signal.SIGKILL)
    assert "error" in outcome, f"the batch finished before the kill: {outcome}"
    before = assert_key_iff_write(database, visit_batch)
    assert 2 <= before < len(visit_batch)

    results = replay_until_done(port, visit_batch, headers)
    # what went through before the kill is answered from its key, the rest ran now
    assert [r["replayed"] for r in results] == [True] * before + [False] * (
        len(visit_batch) - before
    )
    assert_all_once(database, visit_batch)

    again = replay_until_done(port, visit_batch, headers)
    assert all(r["replayed"] for r in again)
    assert [r["body"] for r in again] == [r["body"] for r in results]
    assert_all_once(database, visit_batch)


@contextmanager
def photo_writes_blocked(app, application_name: str) -> Iterator[Callable[[], None]]:
    """Hold a lock that makes the app's next photo write wait: the photos table on PostgreSQL,
    the whole database on SQLite. Yields a wait until the server's worker is stuck there."""

    def blocked_on_postgres() -> None:
        deadline = time.monotonic() + 20
        while not conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                "AND wait_event_type = 'Lock'"
            ),
            {"name": application_name},
        ).scalar_one():
            assert time.monotonic() < deadline, "the request never reached its photo write"
            time.sleep(0.01)

    def blocked_on_sqlite() -> None:
        # Nothing shows a waiting SQLite writer: give the upload ample time to get there (it
        # waits up to 30 s); an earlier kill would still land inside the request.
        time.sleep(2)

    with app.app_context(), db.engine.connect() as conn:
        if on_postgres(app):
            conn.execute(sa.text("LOCK TABLE photos IN EXCLUSIVE MODE"))  # reads still pass
            wait = blocked_on_postgres
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            wait = blocked_on_sqlite
        try:
            yield wait
        finally:
            conn.rollback()


def test_worker_killed_mid_request_then_replayed(database, org, tokens, server):
    """A worker killed (SIGKILL) inside a single photo upload, its transaction open: nothing
    of it stays; the client's retry with the same Idempotency-Key stores it once, and the next
    retry is answered from the key with the same reply."""
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(database, org, [], photos=1)[:2]  # check-in, one 5.4 MP photo
    check_in, photo = ops
    port, name = server
    visit = post(
        port, "/api/visits", check_in["body"], {**headers, "Idempotency-Key": check_in["key"]}
    )
    assert visit.status == 201, visit
    send_photo = functools.partial(upload, port, visit.body["id"], photo, headers)
    worker = worker_pid(port)
    with photo_writes_blocked(database, name) as wait_until_blocked, during(send_photo) as outcome:
        wait_until_blocked()
        os.kill(worker, signal.SIGKILL)
    assert "error" in outcome, f"the upload finished despite the kill: {outcome}"
    assert assert_key_iff_write(database, ops) == 1  # the check-in's

    first = when_up(port, send_photo)
    assert first.status == 201 and first.headers.get(REPLAYED) is None, first
    assert_all_once(database, ops)
    again = when_up(port, send_photo)
    assert (again.status, again.headers.get(REPLAYED), again.body) == (201, "true", first.body)
    assert_all_once(database, ops)
