"""What the fault tests share: the app in a real gunicorn, a client that notices a dying
server, an offline visit as a device queues it, and the exactly-once checks.

The app runs in gunicorn (bench/server.py's launcher, one worker) on the test database (the
SQLite file, or this worker's PostgreSQL schema), and a client posts an offline visit as one
POST /api/sync batch: check-in, photos large enough to take a while, records, check-out. After
a fault, a key must be stored if and only if its write is (never half an item), every answer
must be JSON, and after the client's replays everything is stored exactly once.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.client
import io
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from backend.extensions import db
from bench import server as bench_server
from tests.api.visit_helpers import (
    catalogue,
    check_in_body,
    image_bytes,
    iso,
    minutes_ago,
    store_position,
)

PHOTOS = 4  # each a 5.4 MP JPEG: the batch takes long enough to be hit half-way


def on_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def server_url(app, application_name: str) -> str:
    """The test database as a URL gunicorn can use: on PostgreSQL with this worker's schema
    and a name for its connections."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return url.render_as_string(hide_password=False)
    query = {"application_name": application_name}
    connect_args = app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {})
    if "options" in connect_args:
        query["options"] = connect_args["options"]
    return url.update_query_dict(query).render_as_string(hide_password=False)


@contextmanager
def serving(app, tmp_path_factory) -> Iterator[tuple[int, str]]:
    """gunicorn with one worker on `app`'s database; yields (port, application_name)."""
    name = f"terminus-faults-{os.getpid()}"
    env = {
        **os.environ,
        "TERMINUS_DATABASE_URL": server_url(app, name),
        "TERMINUS_PHOTO_DIR": str(tmp_path_factory.mktemp("faults") / "photos"),
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


class Answer(NamedTuple):
    status: int
    body: Any  # the JSON, or {"not json": the first bytes} (e.g. gunicorn's own HTML error)
    headers: http.client.HTTPMessage


def send(port: int, path: str, data: bytes, headers: dict, timeout: float = 30) -> Answer:
    """POST `data`; raises OSError / http.client.HTTPException if the server died."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, data, headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"not json": raw[:500]}
        return Answer(response.status, body, response.headers)
    finally:
        conn.close()


def post(port: int, path: str, body: dict, headers: dict) -> Answer:
    data = json.dumps(body).encode()
    return send(port, path, data, {**headers, "Content-Type": "application/json"})


def sync(port: int, ops: list[dict], headers: dict) -> Answer:
    return post(port, "/api/sync", {"operations": ops}, headers)


def upload(port: int, visit_id: int, op: dict, headers: dict) -> Answer:
    """The photo operation `op` alone: POST /api/visits/{id}/photos (multipart), its key as
    the Idempotency-Key."""
    content = io.BytesIO(base64.b64decode(op["file_base64"]))
    picture = FileStorage(content, "shelf.jpg", "file", "image/jpeg")
    boundary, data = encode_multipart({**op["body"], "file": picture})
    headers = {
        **headers,
        "Idempotency-Key": op["key"],
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    return send(port, f"/api/visits/{visit_id}/photos", data, headers)


def when_up(port: int, request: Callable[[], Answer], within: float = 30) -> Answer:
    """Send, retrying while the server is (re)starting its worker, as a client would."""
    deadline = time.monotonic() + within
    while True:
        try:
            return request()
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
        status, body, _ = when_up(port, functools.partial(sync, port, ops, headers))
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
def during(request: Callable[[], Answer]):
    """Send the request in a thread; yields a dict that gets its 'reply' or 'error'."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["reply"] = request()
        except (OSError, http.client.HTTPException) as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield outcome
    finally:
        thread.join(60)


def clean_answer(outcome: dict) -> frozenset:
    """The batch's answer to a database fault is JSON: a 200 whose items failed only with 5xx
    (or with 4xx caused by an earlier 5xx, e.g. no visit yet), or the API's 503 with
    Retry-After. Returns the keys a check-out stranded (test_failed_item_is_not_stranded_...)."""
    assert "reply" in outcome, f"no answer: {outcome}"
    status, body, headers = outcome["reply"]
    if status != 200:
        assert (status, body.get("code")) == (503, 503), (status, body)
        assert int(headers["Retry-After"]) > 0
        return frozenset()
    statuses = [r["status"] for r in body["results"]]
    for i, item in enumerate(statuses):
        assert item < 400 or item >= 500 or max(statuses[:i], default=0) >= 500, body
    if statuses[-1] >= 400:
        return frozenset()
    return frozenset(r["key"] for r in body["results"] if r["status"] >= 400)


@contextmanager
def photo_writes_blocked(app, application_name: str) -> Iterator[Callable[[], None]]:
    """Hold a lock that makes the app's next photo write wait: the photos table on PostgreSQL,
    the whole database on SQLite. Yields a wait until the server's worker is stuck there."""

    def blocked_on_postgres() -> None:
        deadline = time.monotonic() + 20
        waiting = sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
            "AND wait_event_type = 'Lock'"
        )

        # pg_stat_activity is read once per transaction unless its snapshot is dropped: this
        # connection holds the lock, so its transaction lasts the whole wait.
        def blocked() -> bool:
            conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            return bool(conn.execute(waiting, {"name": application_name}).scalar_one())

        while not blocked():
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
            with suppress(sa.exc.DBAPIError):  # a fault may have taken this connection too
                conn.rollback()


def batch_under_fault(
    database, org, tokens, server: tuple[int, str], fault: Callable[[dict], None]
) -> tuple[int, list[dict]]:
    """An offline visit's batch, struck by `fault(outcome)` while it runs (held at its photo
    write): a clean answer, every key stored iff its write, and exactly once after the
    client's replays. Returns how many keys were stored before the replays, and the batch."""
    headers = tokens.headers("rep-n1a")
    port, name = server
    ops = offline_visit(database, org, catalogue(database).products)
    send = functools.partial(sync, port, ops, headers)
    with photo_writes_blocked(database, name) as wait_until_blocked, during(send) as outcome:
        wait_until_blocked()
        fault(outcome)
    stranded = clean_answer(outcome)
    before = assert_key_iff_write(database, ops)

    replay_until_done(port, ops, headers, stranded)
    assert_all_once(database, ops, stranded)
    return before, ops
