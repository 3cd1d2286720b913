"""Set-up shared by the HTTP benchmarks (bench.visits, bench.load): a scratch PostgreSQL
database with the demo territory and extra reps, and gunicorn serving it on a free port."""

from __future__ import annotations

import http.client
import math
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@contextmanager
def scratch_database(admin_url: str):
    """A new PostgreSQL database beside `admin_url`'s, dropped afterwards."""
    name = f"terminus_bench_{os.getpid()}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def prepare(url: str, env: dict[str, str], reps: int, stores_per_rep: int = 0) -> dict:
    """Migrate, load the demo organisation (no history: the benchmark makes its own), add reps
    up to `reps`, add stores up to `stores_per_rep` a rep (copies of the demo's, a few hundred
    metres off), share the stores, issue tokens."""
    for command in (["db", "upgrade"], ["demo", "load", "--organisation-only"]):
        subprocess.run([BIN / "flask", *command], env=env, check=True, capture_output=True)
    from backend import create_app
    from backend.auth import issue_token
    from backend.extensions import db
    from backend.models import Brand, Product, Role, Store, User

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        demo_reps = db.session.scalars(
            sa.select(User).where(User.role == Role.REP).order_by(User.id)
        ).all()
        template = demo_reps[0]
        people = list(demo_reps)
        for i in range(len(people), reps):
            twin = demo_reps[i % len(demo_reps)]
            people.append(
                User(
                    username=f"bench-rep-{i}",
                    full_name=f"Bench Rep {i}",
                    role=Role.REP,
                    team_id=twin.team_id,
                    password_hash=template.password_hash,
                    active=True,
                )
            )
        db.session.add_all(people)
        db.session.flush()
        stores = db.session.scalars(sa.select(Store).where(Store.active).order_by(Store.id)).all()
        stores += copies_of(stores, reps * stores_per_rep - len(stores))
        db.session.flush()
        routes: dict[int, list[tuple[int, float, float]]] = {p.id: [] for p in people}
        for i, store in enumerate(stores):
            rep = people[i % len(people)]
            store.rep_id, store.team_id = rep.id, rep.team_id
            routes[rep.id].append((store.id, store.lat, store.lng))
        tokens = {p.id: issue_token(p)[0] for p in people}
        products = db.session.scalars(
            sa.select(Product.id).join(Brand).where(Brand.is_own).order_by(Product.id).limit(5)
        ).all()
        db.session.commit()
        return {
            "reps": [{"token": tokens[p.id], "stores": routes[p.id]} for p in people],
            "products": list(products),
        }


def copies_of(stores: list, count: int) -> list:
    """`count` new stores like `stores` (hours and all), each ~300 m from its original."""
    from backend.models import StoreHours

    copies = []
    for i in range(max(0, count)):
        store = stores[i % len(stores)]
        angle = 2 * math.pi * ((i * 0.618034) % 1)
        copies.append(
            type(store)(
                code=f"{store.code}-b{i}",
                name=f"{store.name} ({i // len(stores) + 2})",
                channel=store.channel,
                tier=store.tier,
                address=store.address,
                lat=store.lat + 0.003 * math.sin(angle),
                lng=store.lng + 0.003 * math.cos(angle),
                visit_minutes=store.visit_minutes,
                active=True,
                hours=[
                    StoreHours(weekday=h.weekday, opens=h.opens, closes=h.closes)
                    for h in store.hours
                ],
            )
        )
    return copies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int | None = None, threads: int | None = None):
    """gunicorn with config/gunicorn.conf.py (threaded workers, cores + 1 of 4 threads) on a
    free port; `workers` and `threads` override the file's."""
    port = free_port()
    options = [("-w", workers), ("--threads", threads)]
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{port}",
            *(str(part) for flag, value in options if value for part in (flag, value)),
            "backend:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start: " + process.stderr.read(4000).decode())
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(30)
