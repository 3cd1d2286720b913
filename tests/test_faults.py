"""Faults during sync: exactly-once must survive them.

The app runs in a real gunicorn (bench/server.py's launcher, one worker) on the test database
(the SQLite file, or this worker's PostgreSQL schema), and a client posts an offline visit as
one POST /api/sync batch: check-in, photos large enough to take a while, records, check-out.

- a worker killed (SIGKILL) half-way through the batch, then the client replays the batch:
  what committed before the kill is answered from its keys, the rest runs once (both databases);
- PostgreSQL only: the app's database connections terminated (pg_terminate_backend) between
  requests and, repeatedly, during a batch (a database restart as the app sees it): every answer
  is a success or a clean 5xx, a key is stored if and only if its write is (never half an item),
  and after the client's replays everything is stored exactly once;
- photo storage failing for a moment (in process, both databases): the photos answer 5xx and
  must be delivered by the replay. Expected to fail today (strict xfail): the batch goes on to
  the check-out, which closes the visit, and the replayed photos get 409 for ever.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.client
import importlib.util
import json
import os
import signal
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend.extensions import db
from tests.api.visit_helpers import (
    catalogue,
    check_in_body,
    image_bytes,
    iso,
    minutes_ago,
    store_position,
)

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = 4  # each a 5.4 MP JPEG: the batch takes long enough to be hit half-way
_spec = importlib.util.spec_from_file_location("bench_server", ROOT / "bench" / "server.py")
bench_server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_server)


def on_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def server_url(app, application_name: str) -> str:
    """The test database as a URL gunicorn can use: on PostgreSQL with this worker's schema
    and a name for its connections."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return url.render_as_string(hide_password=False)
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    url = url.update_query_dict({"options": options, "application_name": application_name})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    """gunicorn with one worker on the test database, shared by this module's tests (each
    empties the database after itself); yields (port, application_name)."""
    name = f"terminus-faults-{os.getpid()}"
    tmp_path = tmp_path_factory.mktemp("faults")
    env = {
        **os.environ,
        "TERMINUS_DATABASE_URL": server_url(app, name),
        "TERMINUS_PHOTO_DIR": str(tmp_path / "photos"),
        "TERMINUS_SECRET_KEY": "test",
        # CRITICAL keeps the worker from filling the launcher's stderr pipe with tracebacks.
        "TERMINUS_LOG_LEVEL": "CRITICAL",
        "GUNICORN_TIMEOUT": "30",
    }
    with bench_server.gunicorn(env, 1) as port:
        yield port, name


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def master_of(port: int, pid: int) -> bool:
    try:
        return f"127.0.0.1:{port}".encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def worker_pid(port: int) -> int:
    """The pid of the gunicorn worker serving `port` (the master is a child of this process)."""
    for master in children(os.getpid()):
        if master_of(port, master):
            workers = children(master)
            assert len(workers) == 1, workers
            return workers[0]
    raise AssertionError("no gunicorn worker found")


def post(port: int, path: str, body: dict, headers: dict, timeout: float = 30):
    """(status, JSON body); raises OSError / http.client.HTTPException if the server died."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST", path, json.dumps(body), {**headers, "Content-Type": "application/json"}
        )
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, {"not json": raw[:500], "headers": response.getheaders()}
    finally:
        conn.close()


def post_when_up(port: int, path: str, body: dict, headers: dict, within: float = 30):
    """POST, retrying while the server is (re)starting its worker, as a client would."""
    deadline = time.monotonic() + within
    while True:
        try:
            return post(port, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            if time.monotonic() > deadline:
                alive = any(master_of(port, pid) for pid in children(os.getpid()))
                raise AssertionError(
                    f"no answer for {within} s ({exc!r}); gunicorn master "
                    + ("alive" if alive else "exited: did the new worker fail to boot?")
                ) from exc
            time.sleep(0.2)


@functools.cache
def picture_of(seed: int, size: tuple[int, int]) -> bytes:
    return image_bytes(seed, size=size, gps=False)


def offline_visit(
    app, org, products: list[int], photos: int = PHOTOS, size: tuple[int, int] = (2700, 2000)
) -> list[dict]:
    """One visit queued offline: check-in, photos, records, order, check-out."""
    store = org.store["n1-a"]
    visit = str(uuid.uuid4())
    started = minutes_ago(30)
    ops = [
        {
            "op": "check_in",
            "body": check_in_body(store, store_position(app, store), started, uuid=visit),
        }
    ]
    for seed in range(photos):
        picture = picture_of(seed, size)
        ops.append(
            {
                "op": "photo",
                "visit": visit,
                "body": {"kind": "shelf"},
                "file_base64": base64.b64encode(picture).decode(),
            }
        )
    ops += [
        {
            "op": "display_checks",
            "visit": visit,
            "body": {
                "items": [{"product_id": p, "on_shelf": True, "facings": 2} for p in products]
            },
        },
        {
            "op": "stock_counts",
            "visit": visit,
            "body": {"items": [{"product_id": p, "shelf_qty": 4} for p in products[:3]]},
        },
        {
            "op": "order",
            "visit": visit,
            "body": {"lines": [{"product_id": p, "quantity": 2} for p in products[:2]]},
        },
        {
            "op": "check_out",
            "visit": visit,
            "body": {"device_time": iso(started + timedelta(minutes=20))},
        },
    ]
    for op in ops:
        op["key"] = str(uuid.uuid4())
    return ops


def stored(app, ops: list[dict]) -> dict[str, tuple[int, bool]]:
    """Per operation key: (how many times its key is stored, whether its write is in the
    database, completely)."""
    visit = ops[0]["body"]["uuid"]
    with app.app_context(), db.engine.connect() as conn:

        def one(sql: str, **params) -> int:
            return conn.execute(sa.text(sql), {"uuid": visit, **params}).scalar_one()

        keys = dict(
            conn.execute(sa.text("SELECT key, count(*) FROM idempotency_keys GROUP BY key")).all()
        )
        visits = one("SELECT count(*) FROM visits WHERE uuid = :uuid")
        closed = one("SELECT count(*) FROM visits WHERE uuid = :uuid AND status = 'closed'")
        per_visit = "JOIN visits v ON v.id = r.visit_id WHERE v.uuid = :uuid"
        counts = {
            name: one(f"SELECT count(*) FROM {name} r {per_visit}")
            for name in ("photos", "display_checks", "stock_counts")
        }
        lines = one(
            "SELECT count(*) FROM order_lines r JOIN orders o ON o.id = r.order_id "
            "JOIN visits v ON v.id = o.visit_id WHERE v.uuid = :uuid"
        )
        result = {}
        for op in ops:
            if op["op"] == "check_in":
                done = visits == 1
            elif op["op"] == "check_out":
                done = closed == 1
            elif op["op"] == "photo":
                sha = hashlib.sha256(base64.b64decode(op["file_base64"])).hexdigest()
                done = one(f"SELECT count(*) FROM photos r {per_visit} AND sha256 = :s", s=sha)
                assert done in (0, 1)
            elif op["op"] == "order":
                done = lines == len(op["body"]["lines"])
                assert lines in (0, len(op["body"]["lines"])), "half an order"
            else:
                count = counts[op["op"]]
                done = count == len(op["body"]["items"])
                assert count in (0, len(op["body"]["items"])), f"half of {op['op']}"
            result[op["key"]] = (keys.get(op["key"], 0), bool(done))
        assert visits <= 1 and counts["photos"] <= PHOTOS
    return result


def assert_all_once(app, ops: list[dict], stranded: frozenset = frozenset()) -> None:
    """Every operation stored exactly once (its key and its write); `stranded` ones not at all."""
    state = stored(app, ops)
    expected = {op["key"]: (0, False) if op["key"] in stranded else (1, True) for op in ops}
    assert state == expected


def assert_key_iff_write(app, ops: list[dict]) -> int:
    """A key is stored exactly when its write is (they commit together); returns how many."""
    state = stored(app, ops)
    for op in ops:
        keys, done = state[op["key"]]
        assert keys <= 1
        assert bool(keys) == done, f"{op['op']}: key stored {keys}, write stored {done}"
    return sum(keys for keys, _ in state.values())


def replay_until_done(
    port: int, ops: list[dict], headers: dict, stranded: frozenset = frozenset(), attempts: int = 5
) -> list:
    """The outbox: re-send the whole batch (same keys) until every item is answered < 400
    (or, for the `stranded` keys, 409: see test_failed_item_is_not_stranded_by_check_out)."""
    for _ in range(attempts):
        status, body = post_when_up(port, "/api/sync", {"operations": ops}, headers)
        done = status == 200 and all(
            r["status"] < 400 or (r["status"] == 409 and r["key"] in stranded)
            for r in body["results"]
        )
        if done:
            return body["results"]
        assert status == 200 or status >= 500, (status, body)
        time.sleep(0.3)
    raise AssertionError(f"batch still failing after {attempts} replays: {status} {body}")


@contextmanager
def during(port: int, ops: list[dict], headers: dict):
    """POST the batch in a thread; yields a dict that gets its 'reply' or 'error'."""
    outcome: dict = {}

    def send() -> None:
        try:
            outcome["reply"] = post(port, "/api/sync", {"operations": ops}, headers)
        except (OSError, http.client.HTTPException) as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=send)
    thread.start()
    try:
        yield outcome
    finally:
        thread.join(60)


def wait_for_keys(app, keys: set[str], at_least: int, outcome: dict, within: float = 20) -> int:
    """Poll until `at_least` of the batch's keys have committed (or the batch answered)."""
    deadline = time.monotonic() + within
    with app.app_context():
        while time.monotonic() < deadline and not outcome:
            with db.engine.connect() as conn:
                found = conn.execute(sa.text("SELECT key FROM idempotency_keys")).scalars()
                committed = len(keys & set(found))
            if committed >= at_least:
                return committed
            time.sleep(0.005)
    raise AssertionError(f"the batch never got half-way: {outcome or 'timed out'}")


@pytest.fixture
def visit_batch(database, org):
    products = catalogue(database).products
    return offline_visit(database, org, products)


def test_worker_killed_mid_batch_then_replayed(database, org, tokens, server, visit_batch):
    headers = tokens.headers("rep-n1a")
    keys = {op["key"] for op in visit_batch}
    port, _name = server
    worker = worker_pid(port)
    with during(port, visit_batch, headers) as outcome:
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


@pytest.fixture
def postgres(database):
    if not on_postgres(database):
        pytest.skip("terminates PostgreSQL connections: set TERMINUS_TEST_DATABASE_URL")
    engine = sa.create_engine(database.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def terminate(engine, application_name: str) -> int:
    """Drop every database connection of the app's worker; returns how many."""
    with engine.connect() as conn:
        return len(
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": application_name},
            ).all()
        )


@pytest.mark.postgres
def test_connections_dropped_between_requests(database, org, tokens, server, postgres):
    """Pooled connections killed while idle: the next requests reconnect (pool_pre_ping)."""
    headers = tokens.headers("rep-n1a")
    products = catalogue(database).products
    ops = offline_visit(database, org, products, size=(800, 600))
    port, name = server
    for i, op in enumerate(ops):
        assert terminate(postgres, name) >= 1 or i == 0  # after a request: its pooled one
        status, body = post(port, "/api/sync", {"operations": [op]}, headers)
        assert status == 200 and body["results"][0]["status"] < 400, body
    assert_all_once(database, ops)


@pytest.mark.postgres
def test_connections_dropped_mid_batch_then_replayed(database, org, tokens, server, postgres):
    """The database goes away under a running batch (its connections terminated again and
    again for a while): clean answers, no half-applied item, exactly-once after the replays."""
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(database, org, catalogue(database).products)
    keys = {op["key"] for op in ops}
    port, name = server
    with during(port, ops, headers) as outcome:
        wait_for_keys(database, keys, 2, outcome)
        stop, hits = time.monotonic() + 0.5, 0
        while time.monotonic() < stop and not outcome:
            hits += terminate(postgres, name)
            time.sleep(0.02)
    assert hits, "no connection was dropped while the batch ran"
    assert "reply" in outcome, f"no clean answer: {outcome}"
    status, body = outcome["reply"]
    stranded: frozenset = frozenset()
    if status == 200:
        statuses = [r["status"] for r in body["results"]]
        for i, item in enumerate(statuses):
            # a 4xx only as the consequence of an earlier item's 5xx (e.g. no visit yet)
            assert item < 400 or item >= 500 or max(statuses[:i], default=0) >= 500, body
        if statuses[-1] < 400:  # checked out despite failed items: see the test below
            stranded = frozenset(r["key"] for r in body["results"] if r["status"] >= 400)
    else:
        # Retryable. Usually the API's JSON error; now and then gunicorn's own HTML 500 (an
        # exception escaped the app while its connection died): noted in issue 7's report.
        assert status >= 500, (status, body)
    assert_key_iff_write(database, ops)

    replay_until_done(port, ops, headers, stranded)
    assert_all_once(database, ops, stranded)


def test_failed_item_is_not_stranded_by_check_out(database, org, tokens, tmp_path, monkeypatch):
    """Photo storage briefly unavailable (a full or unmounted volume) during a batch: the
    photos answer 5xx and the visit's later operations (the check-out) wait unrun (424), so
    once storage is back the replayed batch delivers the photos, then checks out."""
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(database, org, catalogue(database).products, photos=2, size=(800, 600))
    broken = tmp_path / "photos"
    broken.write_text("not a directory")
    monkeypatch.setitem(database.config, "PHOTO_DIR", str(broken))
    client = database.test_client()
    first = client.post("/api/sync", json={"operations": ops}, headers=headers).get_json()
    statuses = [(r["op"], r["status"]) for r in first["results"]]
    failed = next(k for k, (op, status) in enumerate(statuses) if op == "photo")
    assert statuses[failed][1] == 500, first
    assert {status for _, status in statuses[failed + 1 :]} == {424}, first  # later ops wait
    assert_key_iff_write(database, ops)

    broken.unlink()  # storage is back
    again = client.post("/api/sync", json={"operations": ops}, headers=headers).get_json()
    assert [r["status"] for r in again["results"] if r["op"] == "photo"] == [201, 201], again
    assert_all_once(database, ops)
