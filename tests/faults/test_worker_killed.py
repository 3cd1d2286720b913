"""A gunicorn worker killed (SIGKILL), then the client replays: exactly once (both databases).

- inside a sync batch (which commits once, at its end): nothing of it stays, the replay runs
  every item once;
- inside a single request (a photo upload held at its write by a lock): the retry with the same
  Idempotency-Key stores it once.
"""

from __future__ import annotations

import functools
import os
import signal

import pytest

from backend.routes.operations import REPLAYED
from tests.api.visit_helpers import (
    catalogue,
)
from tests.faults.harness import (
    assert_all_once,
    assert_key_iff_write,
    during,
    offline_visit,
    photo_writes_blocked,
    post,
    replay_until_done,
    sync,
    upload,
    when_up,
    worker_pid,
)


@pytest.fixture
def visit_batch(database, org):
    products = catalogue(database).products
    return offline_visit(database, org, products)


def test_worker_killed_mid_batch_then_replayed(database, org, tokens, server, visit_batch):
    """The batch commits once, at its end: a worker killed while it runs (held at its photo
    write) leaves nothing of it; the outbox's replay runs every item once, and the next
    replay is answered from the keys with the same replies."""
    headers = tokens.headers("rep-n1a")
    port, name = server
    worker = worker_pid(port)
    send = functools.partial(sync, port, visit_batch, headers)
    with photo_writes_blocked(database, name) as wait_until_blocked, during(send) as outcome:
        wait_until_blocked()
        os.kill(worker, signal.SIGKILL)
    assert "error" in outcome, f"the batch finished before the kill: {outcome}"
    assert assert_key_iff_write(database, visit_batch) == 0

    results = replay_until_done(port, visit_batch, headers)
    assert [r["replayed"] for r in results] == [False] * len(visit_batch)
    assert_all_once(database, visit_batch)

    again = replay_until_done(port, visit_batch, headers)
    assert all(r["replayed"] for r in again)
    assert [r["body"] for r in again] == [r["body"] for r in results]
    assert_all_once(database, visit_batch)


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
