"""CPU time per request, by request type: what each call of a rep's day costs the server, in
the app's own process (no HTTP, no other load), so the figure holds on a busy machine too.

    python -m bench.request_cpu [--visits 12] [--profile N] [--sql REQUEST ...]
                                [--pg postgresql+psycopg://...]

Set-up is bench.load's (a scratch PostgreSQL database, the demo organisation, 20 reps with 15
stores each and today's published plans). One rep then works `--visits` visits through Flask's
test client — check-in, two 1024 × 768 photos, display checks, stock, near-expiry, order,
check-out, and the reads (today's plan, the store list, the visit list) — after one warm-up
visit. Printed per request type: the app's CPU milliseconds (process time, median) and the
SQL statements it ran; then the database's CPU per visit (its backend's process time) and what
that makes a rep's compressed day (bench.load's: a request every ~10 s) cost in cores. With
`--profile N` it also prints the N functions with the most CPU time, own and cumulative
(cProfile, process time); `--sql check-in photo` prints the statements of one of each.
Results go to bench/results/request_cpu-TIME.json.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import statistics
import time
import uuid
from collections import defaultdict
from pathlib import Path

import psutil
import sqlalchemy as sa

from bench.load import bench_env, database_cpu_seconds, publish_todays_plans
from bench.server import ROOT, prepare, scratch_database
from bench.visits import check_in_body, multipart, small_jpeg, unique

# A compressed day's rep (bench.load, --think 10) asks about once every 10 s.
REQUESTS_PER_REP_SECOND = 0.1


class Rep:
    """One signed-in rep driving the app in-process; CPU and statements per request name."""

    def __init__(self, app, username: str, password: str) -> None:
        from backend.extensions import db

        self.client = app.test_client()
        token = self.client.post(
            "/api/auth/login", json={"username": username, "password": password}
        ).json["token"]
        self.auth = {"Authorization": f"Bearer {token}"}
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, list[int]] = defaultdict(list)
        self._count = 0
        self.shown: set[str] = set()  # request types whose SQL to print (--sql), once each
        self._sql: list[str] | None = None
        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._counted)

    def _counted(self, _conn, _cursor, statement, *_args) -> None:
        self._count += 1
        if self._sql is not None:
            self._sql.append(" ".join(statement.split())[:160])

    def send(self, name: str, method: str, path: str, write: bool = True, **kw):
        headers = {**self.auth, **kw.pop("headers", {})}
        if write:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        self._sql = [] if name in self.shown else None
        self._count, started = 0, time.process_time()
        reply = self.client.open(path, method=method, headers=headers, **kw)
        self.cpu[name].append(time.process_time() - started)
        self.statements[name].append(self._count)
        if self._sql is not None:
            self.shown.discard(name)
            print(f"-- {name}: {len(self._sql)} statements", *self._sql, sep="\n  ")
        assert reply.status_code < 300, (name, reply.status_code, reply.json)
        return reply.json


def one_visit(rep: Rep, store: dict, products: list[int], pictures: list[bytes], day) -> None:
    now = dt.datetime.now(dt.UTC)
    body = check_in_body((store["id"], store["lat"], store["lng"]), now, str(uuid.uuid4()))
    visit = rep.send("check-in", "POST", "/api/visits", json=body)["id"]
    for picture in pictures:
        form, content_type = multipart({"kind": "shelf"}, unique(picture))
        path = f"/api/visits/{visit}/photos"
        rep.send("photo", "POST", path, data=form, headers={"Content-Type": content_type})
    items = products[:4]
    records = {
        "display-checks": [{"product_id": p, "on_shelf": True, "facings": 3} for p in items],
        "stock": [{"product_id": p, "shelf_qty": 5, "backroom_qty": 9} for p in items],
        "near-expiry": [{"product_id": items[0], "quantity": 2, "expiry_date": "2027-01-10"}],
    }
    for name, record in records.items():
        rep.send(name, "PUT", f"/api/visits/{visit}/{name}", json={"items": record})
    order = {"lines": [{"product_id": p, "quantity": 6} for p in items[:3]]}
    rep.send("order", "PUT", f"/api/visits/{visit}/order", json=order)
    checkout = {"device_time": now.isoformat()}
    rep.send("check-out", "POST", f"/api/visits/{visit}/checkout", json=checkout)
    rep.send("today's plan", "GET", f"/api/plans?date_from={day}&date_to={day}", write=False)
    rep.send("store list", "GET", "/api/stores?per_page=50", write=False)
    rep.send("visit list", "GET", "/api/visits?per_page=10", write=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--visits", type=int, default=12)
    ap.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    ap.add_argument("--sql", nargs="*", default=[], help="print one REQUEST's statements")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    with scratch_database(args.pg) as url:
        os.environ.update(bench_env(url, Path(f"/tmp/terminus-cpu-{os.getpid()}")))
        prepare(url, dict(os.environ), 20, 15)
        data = publish_todays_plans(url)
        from backend import create_app

        app = create_app({"DATABASE_URL": url})
        rep = Rep(app, data["reps"][3]["username"], data["password"])
        stores = rep.client.get("/api/stores?per_page=50", headers=rep.auth).json["items"]
        pictures = [small_jpeg(seed) for seed in range(2)]
        day = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9))).date()
        one_visit(rep, stores[0], data["products"], pictures, day)  # warm-up
        rep.cpu.clear()
        rep.statements.clear()
        rep.shown = set(args.sql)
        database = url.rsplit("/", 1)[-1]
        db_before = database_cpu_seconds(database)
        profile = cProfile.Profile(time.process_time) if args.profile else None
        if profile:
            profile.enable()
        for i in range(args.visits):
            one_visit(rep, stores[1 + i % (len(stores) - 1)], data["products"], pictures, day)
        if profile:
            profile.disable()
        db_after = database_cpu_seconds(database)
    db_cpu = sum(used - db_before.get(pid, 0.0) for pid, used in db_after.items())
    return report(rep, db_cpu, args, profile)


def report(rep: Rep, db_cpu: float, args, profile) -> int:
    rows = {
        name: {
            "cpu_ms": 1000 * statistics.median(times),
            "statements": statistics.median(rep.statements[name]),
        }
        for name, times in rep.cpu.items()
    }
    requests = sum(len(times) for times in rep.cpu.values())
    app_ms = 1000 * sum(sum(times) for times in rep.cpu.values()) / requests
    db_ms = 1000 * db_cpu / requests
    print(f"{'request':<16}{'app CPU ms':>12}{'statements':>12}")
    for name, row in rows.items():
        print(f"{name:<16}{row['cpu_ms']:>12.1f}{row['statements']:>12.0f}")
    millicores = (app_ms + db_ms) * REQUESTS_PER_REP_SECOND  # CPU ms per second per rep
    reps_per_core = 1000 / millicores
    print(
        f"\nper request, mean: app {app_ms:.1f} ms, PostgreSQL {db_ms:.1f} ms of CPU; a compressed-"
        f"day rep ({REQUESTS_PER_REP_SECOND:g} requests/s) costs {millicores:.1f} millicores: "
        f"{reps_per_core:.0f} reps per core at full use, before any waiting"
    )
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f}; cpu count {psutil.cpu_count()}")
    if profile:
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or ROOT / "bench" / "results" / f"request_cpu-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "requests": rows,
                "app_cpu_ms_per_request": app_ms,
                "database_cpu_ms_per_request": db_ms,
                "reps_per_core_compressed_day": reps_per_core,
                "load_average": os.getloadavg()[0],
            },
            indent=2,
        )
    )
    print(f"saved {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
