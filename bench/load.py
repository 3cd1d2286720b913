"""Load test: 200 simulated reps working a day against gunicorn + PostgreSQL, then an
exactly-once audit of everything the clients were told succeeded.

    python -m bench.load [--reps 200] [--duration 180] [--quick] [--think 10] [--offline 0.3]
                         [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                         [--redis redis://127.0.0.1:6379/14]

Set-up is bench.visits' (a scratch database beside --pg's, dropped at the end; migrations;
the demo territory; reps added up to --reps, stores up to --stores-per-rep (15) a rep, copies of
the demo's 300 a few hundred metres off; gunicorn with
config/gunicorn.conf.py on a free port: threaded workers, cores + 1 processes of 4 threads, or
--workers and --threads). On top of it each rep gets a
published plan for today of its stores, and the benchmark database uses Argon2 at its minimum
cost (200 logins at production cost would only measure Argon2). The rate-limit counters are
in Redis (--redis), as a production server with Redis keeps them.

The reps are locust users (bench/load_scenario.py, run headless in a subprocess): sign in, read
today's plan and stores, then visit after visit: check-in, two photos (1024 × 768 JPEGs made
with Pillow), display checks, stock, near-expiry, order, check-out; ~30% of the visits are
recorded offline and sent as one POST /api/sync batch. With --think 10 (seconds between a rep's
requests) a visit takes ~100 s: a rep's day of ~15 visits in ~25 minutes, ~20 times faster than
real life, about 13 requests/s from 200 reps. Timeouts, dropped connections and 5xx
are retried with the same Idempotency-Key (and the same batch). The report gives requests/s,
p50/p95/p99 per request type, for the calls without image bytes and overall, and the errors.

The audit: every acknowledged operation (idempotency key, visit uuid, photo hash, record count
kept client-side) is looked up in the database: its key stored once, its visit once, its photo
once, its records exactly as sent (no lost, no duplicated rows); and the report tables of
rep-days, written by all the workers at once, must equal a recomputation from the raw rows.

Goal (issue 7): 0 errors, 0 lost or duplicated, p95 ≤ 100 ms for non-photo calls at 200 reps
(and no stale report rows).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import sqlalchemy as sa

from backend.services.reports import rep_days
from bench.server import ROOT, gunicorn, prepare, scratch_database

PASSWORD = "terminus-demo"
NON_PHOTO_GOAL_MS = 100


def bench_env(url: str, photo_dir: Path, redis_url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "TERMINUS_REDIS_URL": redis_url,  # rate-limit counters (and jobs) as in production
        "FLASK_APP": "backend",
        "TERMINUS_DATABASE_URL": url,
        "TERMINUS_PHOTO_DIR": str(photo_dir),
        "TERMINUS_SECRET_KEY": "bench",
        "TERMINUS_LOG_LEVEL": "WARNING",
        "TERMINUS_SERVER_TIMING": "true",  # the phases of each answer, for the breakdown
        # Benchmark database only: cheap password hashes, and logins of 200 reps from one address.
        "TERMINUS_PASSWORD_TIME_COST": "1",
        "TERMINUS_PASSWORD_MEMORY_KIB": "8",
        "TERMINUS_PASSWORD_PARALLELISM": "1",
        "TERMINUS_LOGIN_RATE_LIMIT": "1000 per minute",
        "TERMINUS_LOGIN_RATE_LIMIT_PER_ADDRESS": "100000 per minute",
    }


def publish_todays_plans(url: str) -> dict:
    """A published plan for today (organisation time) per rep, of the rep's stores; returns
    what the scenario needs: rep usernames and own-brand products."""
    from backend import create_app
    from backend.extensions import db
    from backend.models import (
        Brand,
        PlannedStop,
        PlanStatus,
        Product,
        Role,
        RoutePlan,
        Store,
        User,
        utcnow,
    )

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        today = dt.datetime.now(ZoneInfo(app.config["TIMEZONE"])).date()
        reps = db.session.scalars(
            sa.select(User).where(User.role == Role.REP).order_by(User.id)
        ).all()
        stores = defaultdict(list)
        for store in db.session.scalars(sa.select(Store).where(Store.active).order_by(Store.id)):
            stores[store.rep_id].append(store.id)
        for rep in reps:
            plan = RoutePlan(
                rep_id=rep.id,
                team_id=rep.team_id,
                plan_date=today,
                status=PlanStatus.PUBLISHED,
                published_at=utcnow(),
            )
            plan.stops = [PlannedStop(store_id=s, sequence=i) for i, s in enumerate(stores[rep.id])]
            db.session.add(plan)
        products = db.session.scalars(
            sa.select(Product.id).join(Brand).where(Brand.is_own).order_by(Product.id)
        ).all()
        db.session.commit()
        return {
            "password": PASSWORD,
            "reps": [{"username": r.username} for r in reps],
            "products": list(products),
        }


def server_cpu_seconds(port: int) -> float:
    """CPU time used so far by the gunicorn serving `port` (master and workers)."""
    total = 0.0
    for process in psutil.Process().children(recursive=True):
        try:
            if any(f"127.0.0.1:{port}" in part for part in process.cmdline()):
                total += sum(process.cpu_times()[:2])
        except psutil.NoSuchProcess:
            continue
    return total


def database_cpu_seconds(database: str) -> dict[int, float]:
    """CPU time so far of each PostgreSQL backend serving `database`, by process id (the
    app's pooled connections live through the run; one closed meanwhile is not counted)."""
    found = {}
    for process in psutil.process_iter(["cmdline"]):
        try:
            words = " ".join(process.info["cmdline"] or ()).split()
            if database in words:
                found[process.pid] = sum(process.cpu_times()[:2])
        except psutil.Error:
            continue
    return found


def run_locust(port: int, env: dict[str, str], args, work: Path) -> tuple[dict, list[dict]]:
    files = {name: work / f"{name}.json" for name in ("stats", "acks")}
    command = [
        sys.executable, "-m", "locust",  # -m: the repository root is on sys.path
        "-f", ROOT / "bench" / "load_scenario.py",
        "--headless", "--only-summary", "--loglevel", "WARNING",
        "-u", str(args.reps), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
        "--stop-timeout", "120",
        "--host", f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    locust_env = {
        **env,
        "LOAD_DATA": str(work / "data.json"),
        "LOAD_STATS": str(files["stats"]),
        "LOAD_ACKS": str(files["acks"]),
        "LOAD_THINK": str(args.think),
        "LOAD_OFFLINE": str(args.offline),
    }
    completed = subprocess.run(
        [str(c) for c in command], env=locust_env, cwd=ROOT, capture_output=True, text=True
    )
    if not files["stats"].exists():
        raise RuntimeError(f"locust failed ({completed.returncode}): {completed.stderr[-3000:]}")
    return json.loads(files["stats"].read_text()), json.loads(files["acks"].read_text())


def unanswered_of(cut: list[dict]) -> Counter:
    """Per (visit, operation): how many of its operations the end of the run left unanswered
    (in flight or never sent: stored or not, nobody was told)."""
    return Counter((c["visit"], op) for c in cut for op in c["unanswered"])


def audit(url: str, acks: list[dict], cut: list[dict]) -> dict[str, dict[str, int]]:
    """Look every acknowledged operation up in the database: stored once, or lost/duplicated.
    A visit the end of the run cut short may hold what its unanswered operations stored."""
    unanswered = unanswered_of(cut)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        users = dict(conn.execute(sa.text("SELECT username, id FROM users")).all())
        keys = Counter(
            (user_id, key)
            for user_id, key in conn.execute(sa.text("SELECT user_id, key FROM idempotency_keys"))
        )
        visits = {
            row.uuid: row
            for row in conn.execute(
                sa.text(
                    "SELECT uuid, rep_id, status, count(*) OVER (PARTITION BY uuid) AS n "
                    "FROM visits"
                )
            )
        }
        photos = Counter(
            conn.execute(
                sa.text("SELECT v.uuid, p.sha256 FROM photos p JOIN visits v ON v.id = p.visit_id")
            ).all()
        )
        photos_per_visit = Counter(uuid for uuid, _ in photos.elements())
        records = {}
        for kind, table in (
            ("display_checks", "display_checks"),
            ("stock_counts", "stock_counts"),
            ("near_expiry_items", "near_expiry_items"),
            ("order", "order_lines"),
        ):
            join = "JOIN orders o ON o.id = r.order_id JOIN visits v ON v.id = o.visit_id"
            if table != "order_lines":
                join = "JOIN visits v ON v.id = r.visit_id"
            query = f"SELECT v.uuid, count(*) FROM {table} r {join} GROUP BY 1"
            records[kind] = dict(conn.execute(sa.text(query)).all())
        orders = dict(
            conn.execute(
                sa.text(
                    "SELECT v.uuid, count(*) FROM orders o JOIN visits v ON v.id = o.visit_id "
                    "GROUP BY 1"
                )
            ).all()
        )
    engine.dispose()
    acked_photos = Counter(a["visit"] for a in acks if a["op"] == "photo")
    table: dict[str, dict[str, int]] = defaultdict(Counter)
    for a in acks:
        row = table[a["op"]]
        row["acknowledged"] += 1
        found = keys[(users[a["user"]], a["key"])]
        row["key lost"] += found == 0
        row["key duplicated"] += found > 1
        visit = visits.get(a["visit"])
        if a["op"] == "check_in":
            stored = 0 if visit is None else visit.n
        elif a["op"] == "check_out":
            stored = int(visit is not None and visit.status == "closed")
        elif a["op"] == "photo":
            stored = photos[(a["visit"], a["sha256"])]
            # more photos on the visit than were acknowledged (or left unanswered) would be
            # duplicates too
            allowed = acked_photos[a["visit"]] + unanswered[(a["visit"], "photo")]
            if photos_per_visit[a["visit"]] > allowed:
                stored = max(stored, 2)
        else:
            count = records[a["op"]].get(a["visit"], 0)
            stored = 1 if count == a["items"] else (0 if count < a["items"] else 2)
            if a["op"] == "order" and orders.get(a["visit"], 0) > 1:
                stored = 2
        row["stored once"] += stored == 1
        row["lost"] += stored == 0
        row["duplicated"] += stored > 1
    known = {a["visit"] for a in acks if a["op"] == "check_in"}
    bench_users = {users[a["user"]] for a in acks}
    cut_short = {c["visit"] for c in cut}
    extra = [
        u
        for u, v in visits.items()
        if v.rep_id in bench_users and u not in known and u not in cut_short
    ]
    table["check_in"]["stored, not acknowledged"] = len(extra)
    table["check_in"]["visits cut short by the end of the run"] = len(cut_short)
    return table


def stale_report_rows(url: str) -> int:
    """Rows of the report tables of rep-days that a recomputation would not give (0 when the
    concurrent writers kept them exact)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stale = len(rep_days.stale_rep_days(conn))
    engine.dispose()
    return stale


def print_latency(stats: dict) -> None:
    rows = stats["rows"]
    names = sorted(n for n in rows if n not in ("non-photo calls", "all"))
    width = max(len(n) for n in [*rows, "request"])
    print(f"\n{'request':<{width}}  {'count':>7} {'errors':>6} {'req/s':>7} "
          f"{'p50':>6} {'p95':>6} {'p99':>6} {'max':>7}  (ms)")  # fmt: skip
    for name in [*names, "non-photo calls", "all"]:
        r = rows[name]
        if name == "non-photo calls":
            print("-" * (width + 55))
        print(
            f"{name:<{width}}  {r['requests']:>7} {r['failures']:>6} {r['rps']:>7.1f} "
            f"{r['p50']:>6.0f} {r['p95']:>6.0f} {r['p99']:>6.0f} {r['max']:>7.0f}"
        )


TAIL_PHASES = ("queue", "db", "lock", "commit", "photo", "serialise", "app")


def phase_breakdown(phases: dict[str, list], photo_names: set[str]) -> dict[str, dict[str, float]]:
    """Per request name (and all non-photo calls): the client's p95 and, over the answers at or
    above it, the mean milliseconds of each server phase; `other` is what the client waited
    beyond the server's queue and total (network, the load generator itself)."""
    groups = dict(phases)
    groups["non-photo calls"] = [
        answer for name, answers in phases.items() if name not in photo_names for answer in answers
    ]
    table = {}
    for name, answers in groups.items():
        if not answers:
            continue
        waits = sorted(client for client, *_ in answers)
        p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
        tail = [server for client, server, _ in answers if client >= p95]
        row = {"answers": len(answers), "p95": p95, "tail": len(tail)}
        for phase in (*TAIL_PHASES, "statements"):
            row[phase] = statistics.fmean(server.get(phase, 0.0) for server in tail)
        clients = [client for client, *_ in answers if client >= p95]
        seen = statistics.fmean(s.get("queue", 0.0) + s.get("total", 0.0) for s in tail)
        row["other"] = max(0.0, statistics.fmean(clients) - seen)
        table[name] = row
    return table


def timeline(
    phases: dict[str, list], photo_names: set[str], window: float = 30.0
) -> list[dict[str, float]]:
    """The non-photo calls by when they were sent, in windows of `window` seconds from the
    first: how many, their p95 and their mean queue time (a slow start is the spawn burst)."""
    answers = [a for name, found in phases.items() if name not in photo_names for a in found]
    if not answers:
        return []
    first = min(sent for *_, sent in answers)
    windows: dict[int, list] = defaultdict(list)
    for client, server, sent in answers:
        windows[int((sent - first) // window)].append((client, server.get("queue", 0.0)))
    rows = []
    for index, found in sorted(windows.items()):
        waits = sorted(client for client, _ in found)
        rows.append(
            {
                "from_s": index * window,
                "answers": len(found),
                "p95": waits[min(len(waits) - 1, int(0.95 * len(waits)))],
                "mean_queue": statistics.fmean(queue for _, queue in found),
            }
        )
    return rows


def print_timeline(rows: list[dict[str, float]]) -> None:
    print("\nnon-photo calls by when they were sent (30 s windows from the first request)")
    print(f"{'from s':>7} {'answers':>8} {'p95 ms':>7} {'mean queue ms':>14}")
    for row in rows:
        print(
            f"{row['from_s']:>7.0f} {row['answers']:>8} {row['p95']:>7.0f} "
            f"{row['mean_queue']:>14.1f}"
        )


def print_phases(table: dict[str, dict[str, float]]) -> None:
    names = [*sorted(n for n in table if n != "non-photo calls"), "non-photo calls"]
    width = max(len(n) for n in [*table, "request"])
    columns = (*TAIL_PHASES, "other")
    print("\nwhere the slowest 5 % of each request's answers spent their time (mean ms of the "
          "answers at or above its p95; stmts: SQL statements)")  # fmt: skip
    print(f"{'request':<{width}}  {'p95':>6}" + "".join(f"{c:>10}" for c in columns) + "  stmts")
    for name in names:
        if name in table:
            r = table[name]
            cells = "".join(f"{r[c]:>10.1f}" for c in columns)
            print(f"{name:<{width}}  {r['p95']:>6.0f}{cells}  {r['statements']:>5.1f}")


def print_audit(table: dict[str, dict[str, int]]) -> None:
    columns = ["acknowledged", "stored once", "lost", "duplicated", "key lost", "key duplicated"]
    print(f"\n{'operation':<18}" + "".join(f"{c:>16}" for c in columns))
    total = Counter()
    for op in sorted(table):
        total.update({c: table[op][c] for c in columns})
        print(f"{op:<18}" + "".join(f"{table[op][c]:>16}" for c in columns))
    print(f"{'all':<18}" + "".join(f"{total[c]:>16}" for c in columns))
    print(f"visits stored but never acknowledged: {table['check_in']['stored, not acknowledged']}")
    cut = table["check_in"]["visits cut short by the end of the run"]
    print(f"visits the end of the run cut short (their unanswered operations allowed for): {cut}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--stores-per-rep", type=int, default=15, help="a day's route each")
    ap.add_argument("--spawn-rate", type=float, default=20)
    ap.add_argument("--duration", type=int, default=180, help="seconds of load")
    ap.add_argument("--quick", action="store_true", help="30 s of load")
    ap.add_argument("--think", type=float, default=10.0, help="mean seconds between requests")
    ap.add_argument("--offline", type=float, default=0.3, help="share of visits synced as batch")
    ap.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",
        help="Redis for the rate-limit counters, as in production ('' counts them in the database)",
    )
    ap.add_argument("--workers", type=int, help="gunicorn processes (config's: cores + 1)")
    ap.add_argument("--threads", type=int, help="threads per process (config's: 4)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    if args.quick:
        args.duration = 30
    work = Path(tempfile.mkdtemp(prefix="terminus-load-"))
    try:
        with scratch_database(args.pg) as url:
            env = bench_env(url, work / "photos", args.redis)
            print(f"preparing {url.rsplit('/', 1)[-1]}: demo + {args.reps} reps ...", flush=True)
            prepare(url, env, args.reps, args.stores_per_rep)
            (work / "data.json").write_text(json.dumps(publish_todays_plans(url)))
            with gunicorn(env, args.workers, args.threads) as port:
                print(
                    f"gunicorn on 127.0.0.1:{port}, workers {args.workers or 'as configured'}, "
                    f"threads {args.threads or 'as configured'}; locust: {args.reps} "
                    f"reps, {args.duration} s, ~{args.think:g} s between a rep's requests",
                    flush=True,
                )
                load_before, cpu_before = os.getloadavg()[0], server_cpu_seconds(port)
                database = url.rsplit("/", 1)[-1]
                db_before = database_cpu_seconds(database)
                children_before = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
                stats, acks = run_locust(port, env, args, work)
                load_after, cpu_after = os.getloadavg()[0], server_cpu_seconds(port)
                db_after = database_cpu_seconds(database)
                locust_cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - children_before
            table, stale = audit(url, acks["acks"], acks["cut"]), stale_report_rows(url)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_latency(stats)
    phases = phase_breakdown(stats["phases"], set(stats["photo_names"]))
    print_phases(phases)
    windows = timeline(stats["phases"], set(stats["photo_names"]))
    print_timeline(windows)
    print_audit(table)
    print(f"report tables of rep-days: {stale} rows differ from a recomputation")
    non_photo = stats["rows"]["non-photo calls"]
    lost = sum(t["lost"] + t["key lost"] for t in table.values())
    duplicated = sum(t["duplicated"] + t["key duplicated"] for t in table.values())
    verdict = {
        "errors": stats["rows"]["all"]["failures"],
        "operations failed for good": len(stats["failed"]),
        "lost": lost,
        "duplicated": duplicated,
        "non-photo p95 ms": non_photo["p95"],
        "report rows stale": stale,
    }
    # Other processes on the machine share its 2 cores: say how busy it was.
    requests = stats["rows"]["all"]["requests"]
    db_cpu = sum(used - db_before.get(pid, 0.0) for pid, used in db_after.items())
    cpu = {
        "server_cpu_ms_per_request": 1000 * (cpu_after - cpu_before) / max(1, requests),
        "database_cpu_ms_per_request": 1000 * db_cpu / max(1, requests),
        "database_cores_used": db_cpu / stats["duration_s"],
        "server_cores_used": (cpu_after - cpu_before) / stats["duration_s"],
        "load_generator_cores_used": locust_cpu / stats["duration_s"],
        "load_average_before_after": [load_before, load_after],
    }
    print(
        f"\ngunicorn: {cpu['server_cpu_ms_per_request']:.1f} ms CPU per request, "
        f"{cpu['server_cores_used']:.2f} cores used on average; PostgreSQL: "
        f"{cpu['database_cpu_ms_per_request']:.1f} ms, {cpu['database_cores_used']:.2f} cores; "
        "locust: "
        f"{cpu['load_generator_cores_used']:.2f} cores; machine load average (1 min, every "
        f"process on it) before / after: {load_before:.1f} / {load_after:.1f}"
    )
    ok = not (verdict["errors"] or verdict["operations failed for good"] or lost or duplicated)
    ok = ok and not verdict["report rows stale"]
    ok = ok and non_photo["p95"] <= NON_PHOTO_GOAL_MS
    print("\n" + ", ".join(f"{k}: {v}" for k, v in verdict.items()), "->", "PASS" if ok else "FAIL")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or ROOT / "bench" / "results" / f"load-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "args": {k: str(v) for k, v in vars(args).items()},
                "latency": stats["rows"],
                "phases_of_the_slowest_5_percent": phases,
                "non_photo_timeline": windows,
                "failed": stats["failed"][:50],
                "audit": table,
                "verdict": verdict,
                "cpu": cpu,
            },
            indent=2,
        )
    )
    print(f"saved {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
