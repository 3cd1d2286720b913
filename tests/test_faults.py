"""Faults during sync: exactly-once must survive them.

The app runs in a real gunicorn (bench/server.py's launcher, one worker) on the test database
(the SQLite file, or this worker's PostgreSQL schema), and a client posts an offline visit as
one POST /api/sync batch: check-in, photos large enough to take a while, records, check-out.

- a worker killed (SIGKILL) half-way through the batch, then the client replays the batch:
  what committed before the kill is answered from its keys, the rest runs once (both databases);
- a worker killed inside a single request (a photo upload held at its write by a lock), then
  the client's retry with the same Idempotency-Key (both databases);
- PostgreSQL only: the app's database connections terminated (pg_terminate_backend) between
  requests and, repeatedly, during a batch; and a real restart of the database server mid-batch
  (`pg_ctl restart`, crash and recovery or fast shutdown) on a throwaway cluster of the test's
  own. Every answer is JSON, a success or a 5xx (the API's 503 with Retry-After when the
  database is gone), a key is stored if and only if its write is (never half an item), and
  after the client's replays everything is stored exactly once;
- photo storage failing for a moment (in process, both databases): the photos answer 5xx, the
  visit's later operations wait (424), and the replay delivers the photos, then checks out.
"""

from __future__ import annotations

import base64
import functools
import glob
import hashlib
import http.client
import importlib.util
import io
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from backend import create_app
from backend.extensions import db
from backend.routes.operations import REPLAYED
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
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
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


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    """gunicorn on the test database, shared by this module's tests (each empties the database
    after itself); yields (port, application_name)."""
    with serving(app, tmp_path_factory) as served:
        yield served


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


@pytest.mark.postgres
def test_connections_dropped_between_requests(database, org, tokens, server, postgres):
    """Pooled connections killed while idle: the next requests reconnect (pool_pre_ping)."""
    headers = tokens.headers("rep-n1a")
    products = catalogue(database).products
    ops = offline_visit(database, org, products, size=(800, 600))
    port, name = server
    for i, op in enumerate(ops):
        assert terminate(postgres, name) >= 1 or i == 0  # after a request: its pooled one
        status, body, _ = sync(port, [op], headers)
        assert status == 200 and body["results"][0]["status"] < 400, body
    assert_all_once(database, ops)


def batch_under_fault(
    database, org, tokens, port: int, fault: Callable[[dict], None]
) -> tuple[int, list[dict]]:
    """An offline visit's batch, struck by `fault(outcome)` once two of its operations have
    committed: a clean answer, every key stored iff its write, and exactly once after the
    client's replays. Returns how many keys were stored before the replays, and the batch."""
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(database, org, catalogue(database).products)
    with during(functools.partial(sync, port, ops, headers)) as outcome:
        wait_for_keys(database, {op["key"] for op in ops}, 2, outcome)
        fault(outcome)
    stranded = clean_answer(outcome)
    before = assert_key_iff_write(database, ops)

    replay_until_done(port, ops, headers, stranded)
    assert_all_once(database, ops, stranded)
    return before, ops


@pytest.mark.postgres
def test_connections_dropped_mid_batch_then_replayed(database, org, tokens, server, postgres):
    """The database goes away under a running batch (its connections terminated again and
    again for a while)."""
    port, name = server
    hits: list[int] = []

    def drop_connections(outcome: dict) -> None:
        stop = time.monotonic() + 0.5
        while time.monotonic() < stop and not outcome:
            hits.append(terminate(postgres, name))
            time.sleep(0.02)

    batch_under_fault(database, org, tokens, port, drop_connections)
    assert sum(hits), "no connection was dropped while the batch ran"


def postgres_bin() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, or where Debian and Red Hat install them."""
    if found := shutil.which("initdb"):
        return Path(found).resolve().parent
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"):
        for candidate in sorted(glob.glob(pattern), reverse=True):
            if (Path(candidate) / "pg_ctl").exists():
                return Path(candidate)
    return None


class Cluster:
    """A PostgreSQL server of the test's own, in a temporary directory, on a free port."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="terminus-pg-"))  # short: holds the socket
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = bench_server.free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        # PostgreSQL refuses to run as root: its files and processes belong to `postgres`.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.root, "postgres")

    def run(self, tool: str, *args: str) -> None:
        command = [*self.as_owner, str(self.bin_dir / tool), *args]
        done = subprocess.run(command, cwd=self.root, capture_output=True, timeout=60)
        assert done.returncode == 0, f"{tool} {' '.join(args)}: {done.stderr.decode()[-2000:]}"

    def ctl(self, *args: str) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", *args)

    def create(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "shared_buffers = 16MB\nmax_connections = 20\n"
                # A crash of the server, not of the machine: what it wrote is in the OS cache.
                "fsync = off\n"
            )

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.ctl("-m", "immediate", "stop")
        shutil.rmtree(self.root)


@pytest.fixture(scope="class")
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster, started (the shared server is never restarted). In the
    PostgreSQL pass only; without initdb/pg_ctl it skips, except in CI where it fails."""
    if not os.environ.get("TERMINUS_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("restarts a PostgreSQL server: runs in the PostgreSQL pass")
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = "initdb and pg_ctl not found (PATH, /usr/lib/postgresql/*/bin)"
        if CI:
            pytest.fail(f"CI: the database restart test must run: {reason}")
        pytest.skip(reason)
    cluster = Cluster(bin_dir)
    try:
        cluster.create()
        cluster.ctl("start")
        yield cluster
    finally:
        cluster.remove()


@pytest.mark.postgres
class TestDatabaseRestart:
    """The database server restarted under a running batch. Here `app` is an app on the
    throwaway cluster, so conftest's database, org and tokens fixtures build data there."""

    @pytest.fixture(scope="class")
    @classmethod
    def app(cls, cluster):
        app = create_app({"DATABASE_URL": cluster.url, "TESTING": True, "SECRET_KEY": "test"})
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            db.engine.dispose()

    @pytest.fixture(scope="class")
    @classmethod
    def server(cls, app, tmp_path_factory):
        with serving(app, tmp_path_factory) as served:
            yield served

    @pytest.mark.parametrize("mode", ["immediate", "fast"])  # crash and recovery; clean stop
    def test_database_restarted_mid_batch_then_replayed(
        self, database, org, tokens, cluster, server, mode
    ):
        port, _name = server
        restart = functools.partial(cluster.ctl, "-m", mode, "restart")
        before, ops = batch_under_fault(database, org, tokens, port, lambda _outcome: restart())
        # what committed before the restart survived it, and the restart landed mid-batch
        assert 2 <= before < len(ops)


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
