"""The login rate limit holds across gunicorn's workers: counted in the database without Redis,
in Redis with it, never in each process's memory (where 3 workers would allow 3 × the limit).

Each case serves the test database from a real gunicorn with 3 workers and sends 15 failed
logins for one username from one address: one is held half-sent (its worker waits for the body,
so the others must answer the rest; gunicorn's access log names the pids), 14 at once, then the
held one's body. Exactly 10 are heard; then everything is 429, even the right password.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from backend.auth import hash_password
from backend.extensions import db
from backend.models import Role, User
from bench import server as bench_server
from tests.api.test_jobs import REDIS_URL, redis_available
from tests.faults.harness import post, server_url
from tests.org_factory import PASSWORD

WORKERS, LIMIT, BURST = 3, 10, 15


def serve(app, tmp_path, redis_url: str = ""):
    env = {
        **os.environ,
        "TERMINUS_DATABASE_URL": server_url(app, f"terminus-limit-{os.getpid()}"),
        "TERMINUS_REDIS_URL": redis_url,
        "TERMINUS_SECRET_KEY": "test",
        "TERMINUS_LOG_LEVEL": "CRITICAL",
        "TERMINUS_LOGIN_RATE_LIMIT": f"{LIMIT} per minute",
        "TERMINUS_LOGIN_RATE_LIMIT_PER_ADDRESS": "1000 per minute",
        # Argon2 at its production cost: each refusal keeps its worker busy for a while, so the
        # burst is spread over the workers.
        # The pid of the worker that answered each request.
        "GUNICORN_CMD_ARGS": f"--access-logfile {tmp_path / 'access.log'} "
        "--access-logformat '%(p)s %(U)s %(s)s'",
        # One request at a time a process (threads would let one process answer the whole
        # burst): the burst must spread over processes whose memory counters would differ.
        "GUNICORN_WORKER_CLASS": "sync",
    }
    return bench_server.gunicorn(env, WORKERS)


def a_user(app) -> str:
    """A user of a name never used before (Redis keeps its counters between runs)."""
    username = f"limit-{uuid.uuid4().hex[:12]}"
    with app.app_context():
        db.session.add(User(username=username, full_name="L", role=Role.ADMIN,
                            password_hash=hash_password(PASSWORD), active=True))  # fmt: skip
        db.session.commit()
    return username


def attempt(port: int, username: str, password: str = "wrong password") -> int:
    return post(port, "/api/auth/login", {"username": username, "password": password}, {}).status


def held_attempt(port: int, username: str):
    """A failed login sent but for the end of its body: a worker waits on it. Returns a function
    that sends the rest and answers the status."""
    body = json.dumps({"username": username, "password": "wrong password"}).encode()
    head = (
        f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(head + body[:5])

    def finish() -> int:
        with sock:
            sock.sendall(body[5:])
            return int(sock.makefile("rb").readline().split()[1])

    return finish


def all_workers_serving(port: int, tmp_path) -> int:
    """Wait until every worker has booted (a loaded machine boots them seconds apart, and a
    burst served by the first alone proves nothing): with all but one held on half-sent
    sign-ins of another name, a third sign-in must still be answered. Returns how many lines
    the access log then has (each answer is logged just after it is sent)."""
    name = f"warm-up-{uuid.uuid4().hex[:8]}"
    held = [held_attempt(port, name) for _ in range(WORKERS - 1)]
    assert attempt(port, name) == 401
    assert [finish() for finish in held] == [401] * (WORKERS - 1)
    deadline = time.monotonic() + 10
    while len(worker_pids(access_lines(tmp_path))) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(access_lines(tmp_path))


def access_lines(tmp_path) -> list[str]:
    return (tmp_path / "access.log").read_text().splitlines()


def worker_pids(lines: list[str]) -> set[str]:
    return {line.split()[0] for line in lines if "/api/auth/login" in line}


def check_the_limit_holds(app, tmp_path, redis_url: str = "") -> None:
    username = a_user(app)
    with serve(app, tmp_path, redis_url) as port, ThreadPoolExecutor(BURST) as pool:
        warm_up = all_workers_serving(port, tmp_path)
        held = held_attempt(port, username)
        burst = list(pool.map(lambda _: attempt(port, username), range(BURST - 1)))
        burst.append(held())
        after = [attempt(port, username) for _ in range(5)]
        right_password = attempt(port, username, PASSWORD)
        other_user = attempt(port, "rep-n1b", PASSWORD)
    assert sorted(burst) == [401] * LIMIT + [429] * (BURST - LIMIT), burst
    assert after == [429] * 5 and right_password == 429
    assert other_user == 200  # counted per username and address
    assert len(worker_pids(access_lines(tmp_path)[warm_up:])) >= 2  # the burst's own


def test_the_login_limit_holds_across_workers_in_the_database(app, database, org, tmp_path):
    check_the_limit_holds(app, tmp_path)


@pytest.mark.redis
def test_the_login_limit_holds_across_workers_in_redis(app, database, org, tmp_path):
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI ({REDIS_URL})")
        pytest.skip(f"no Redis at {REDIS_URL}")
    check_the_limit_holds(app, tmp_path, REDIS_URL)
