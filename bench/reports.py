"""Benchmark the reports over a year of data: 200 reps and about a million visits with their
records by default, ten million with `--reps 2000`.

    python -m bench.reports [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                            [--no-pg] [--sqlite] [--reps 200] [--days 261] [--seed 5]
                            [--keep | --schema NAME] [--runs 2] [--out FILE]

Builds the data in a scratch PostgreSQL schema (created in --pg's database, dropped at the end;
loaded with binary COPY, streamed a day of 250 reps at a time, so memory stays bounded) and,
with --sqlite, in a temporary SQLite file (executemany), migrated with the project's migrations.
COPY and executemany bypass the app, so the report tables of rep-days are then rebuilt
(`rep_days.refresh`, as `flask reports rebuild` does). Prints and saves the load time (and the
generator's share, its rows per processor second), the rebuild time and the peak RSS. Then
times every report as an admin over the whole year (and the KPIs for a supervisor over a
month), best of --runs, prints a table and saves it in bench/results/reports-TIME.json.

Data (`report_data`): teams of 10 reps in 4 areas, 60 stores per rep, about 5,000 visits per
rep over 261 working days with what reps record. Goal: every report ≤ 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from backend import create_app
from backend.extensions import db
from backend.models import User
from backend.services.customer_status import note_orders
from backend.services.reports import (
    competitor,
    complaints,
    display,
    exceptions,
    expiry,
    kpis,
    orders,
    photos,
    prices,
    rep_days,
    returns,
    tiers,
)
from bench.report_data import COLUMNS, ORDER, YEAR_START, generate, setup_org

ROOT = Path(__file__).resolve().parent.parent


# The indexes of the loaded tables that no constraint owns, by name (dropped for the load).
_LOOSE_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(%s)
  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


# The type of each column COPY sends, in binary: its own, but text for an enum or json (whose
# binary form is their text, which psycopg has no dumper of its own for).
_COPY_TYPES = """
SELECT CASE WHEN t.typtype = 'e' OR t.oid = 'json'::regtype THEN 'text'::regtype ELSE t.oid END
FROM unnest(%s::text[]) WITH ORDINALITY AS c(name, n)
JOIN pg_attribute a ON a.attrelid = %s::regclass AND a.attname = c.name
JOIN pg_type t ON t.oid = a.atttypid
ORDER BY c.n
"""


def _binary_types(cursor: Any, table: str) -> list[int]:
    cursor.execute(_COPY_TYPES, [COLUMNS[table].split(), table])
    return [oid for (oid,) in cursor.fetchall()]


def load_postgres(chunks: Iterable[dict[str, list[tuple]]]) -> int:
    """COPY the chunks into the (empty) tables in one transaction, in binary (several times less
    work than text for the client). As a bulk load does: the tables truncated first so COPY
    FREEZE writes its rows frozen (no VACUUM to follow), the foreign-key triggers off (the
    generator's ids agree by construction) and the indexes no constraint owns built once after
    the rows, from their own definitions."""
    raw = db.engine.raw_connection()
    total = 0
    try:
        cursor = raw.cursor()
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(_LOOSE_INDEXES, [ORDER])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute(f"TRUNCATE {', '.join(ORDER)} CASCADE")
        types = {table: _binary_types(cursor, table) for table in ORDER}
        started = time.perf_counter()
        for chunk in chunks:
            for table in ORDER:
                columns = ", ".join(COLUMNS[table].split())
                sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY, FREEZE)"
                with cursor.copy(sql) as copy:
                    copy.set_types(types[table])
                    for row in chunk[table]:
                        copy.write_row(row)
            total += len(chunk["visits"])
        print(f"  rows copied in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        for _, definition in indexes:
            cursor.execute(definition)
        for table in ORDER:
            cursor.execute(f"ANALYZE {table}")
        raw.commit()
        built = time.perf_counter() - started
        print(f"  {len(indexes)} indexes built and the tables analysed in {built:.0f} s")
    finally:
        raw.rollback()
        raw.cursor().execute("RESET session_replication_role; RESET maintenance_work_mem")
        raw.commit()
        raw.close()
    return total


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def load_sqlite(path: str, chunks: Iterable[dict[str, list[tuple]]]) -> int:
    conn = sqlite3.connect(path)
    total = 0
    for chunk in chunks:
        for table in ORDER:
            names = COLUMNS[table].split()
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            conn.executemany(sql, ([_sqlite_value(v) for v in row] for row in chunk[table]))
        total += len(chunk["visits"])
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return total


def reports(days: int) -> list[tuple[str, str, Callable[[User], Any], dict[str, Any]]]:
    last = [d for d in (YEAR_START + timedelta(n) for n in range(400)) if d.weekday() < 5][days - 1]
    year = {"period": "custom", "date_from": YEAR_START, "date_to": last}
    month = {"period": "month", "date": last}
    week = {"period": "week", "date": last}
    page = {"page": 1, "per_page": 50}
    return [
        ("kpis by team, year", "admin", kpis.kpi_report, {**year, "group_by": "team"}),
        ("kpis by rep, year", "admin", kpis.kpi_report, {**year, "group_by": "rep"}),
        ("kpis by area, month", "admin", kpis.kpi_report, {**month, "group_by": "area"}),
        ("kpis by rep, month", "sup-0", kpis.kpi_report, {**month, "group_by": "rep"}),
        ("kpis by rep, week", "sup-0", kpis.kpi_report, {**week, "group_by": "rep"}),
        ("kpis by team, month", "admin", kpis.kpi_report, {**month, "group_by": "team"}),
        ("exceptions, year", "admin", exceptions.exception_report, {**year, **page}),
        (
            "photos pending, year",
            "admin",
            photos.photo_report,
            {**year, **page, "status": "pending"},
        ),
        ("competitor prices, year", "admin", competitor.competitor_report, year),
        ("competitor prices, month", "admin", competitor.competitor_report, month),
        ("display by team, year", "admin", display.display_report, {**year, "group_by": "team"}),
        ("display by tier, year", "admin", display.display_report, {**year, "group_by": "tier"}),
        ("display by team, month", "admin", display.display_report, {**month, "group_by": "team"}),
        (
            "near expiry by store",
            "admin",
            expiry.expiry_report,
            {"as_of": last, "group_by": "store"},
        ),
        (
            "near expiry by product",
            "admin",
            expiry.expiry_report,
            {"as_of": last, "group_by": "product"},
        ),
        ("near expiry by action", "admin", expiry.expiry_report,
         {"as_of": last, "group_by": "action"}),
        ("display by week, year", "admin", display.display_report, {**year, "group_by": "week"}),
        ("orders by product, year", "admin", orders.order_report, {**year, "group_by": "product"}),
        ("orders by rep, year", "admin", orders.order_report, {**year, "group_by": "rep"}),
        ("orders by tier, month", "sup-0", orders.order_report, {**month, "group_by": "tier"}),
        ("price deviations by store, year", "admin", prices.price_deviation_report,
         {**year, **page, "group_by": "store"}),
        ("price deviations by week, year", "admin", prices.price_deviation_report,
         {**year, **page, "group_by": "week"}),
        ("returns by status, year", "admin", returns.returns_report,
         {**year, "group_by": "status"}),
        ("returns by store, year", "admin", returns.returns_report, {**year, "group_by": "store"}),
        ("complaints by team, year", "admin", complaints.complaint_report,
         {**year, "group_by": "team"}),
        ("tier proposals", "admin", tiers.tier_report, {"as_of": last}),
    ]  # fmt: skip


def has_rows(report: dict[str, Any]) -> bool:
    """Whether a report found anything: one of its lists is not empty."""
    return any(isinstance(value, list) and value for value in report.values())


def time_reports(days: int, runs: int = 2) -> list[tuple[str, str, float]]:
    results = []
    for name, username, build, args in reports(days):
        user = db.session.scalars(sa.select(User).where(User.username == username)).one()
        best = float("inf")
        for _ in range(runs):
            started = time.perf_counter()
            report = build(user, dict(args))
            best = min(best, time.perf_counter() - started)
            db.session.rollback()
        results.append((name, username, best))
        empty = "" if has_rows(report) else "  (EMPTY: the data set has nothing for it)"
        print(f"  {name:<32} {username:<6} {best * 1000:8.0f} ms{empty}", flush=True)
    return results


class Timed:
    """The generated chunks, counting their visits and rows and the time spent making them (and
    the processor time, which the machine's other work does not stretch); a progress line every
    million visits."""

    def __init__(self, chunks: Iterator[dict[str, list[tuple]]]) -> None:
        self.chunks, self.seconds, self.cpu_seconds, self.visits, self.rows = chunks, 0, 0, 0, 0
        self.started = time.perf_counter()

    def __iter__(self) -> Iterator[dict[str, list[tuple]]]:
        while True:
            started, cpu = time.perf_counter(), time.process_time()
            chunk = next(self.chunks, None)
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu
            if chunk is None:
                return
            before, self.visits = self.visits, self.visits + len(chunk["visits"])
            self.rows += sum(map(len, chunk.values()))
            if self.visits // 1_000_000 > before // 1_000_000:
                elapsed = time.perf_counter() - self.started
                print(
                    f"  {self.visits:,} visits, {self.rows:,} rows: {elapsed:.0f} s "
                    f"({self.seconds:.0f} s generating), {peak_rss_mb():.0f} MB",
                    flush=True,
                )
            yield chunk


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(label: str, args: argparse.Namespace, loader) -> dict[str, Any]:
    """Generate and load the data set, then set the stores' order dates; its figures."""
    started = time.perf_counter()
    org = setup_org(args.reps, 60)
    print(f"  organisation set up in {time.perf_counter() - started:.0f} s", flush=True)
    chunks = Timed(generate(org, args.days, args.seed))
    visits = loader(chunks)
    noted = time.perf_counter()
    stores = [sid for ids in org["stores"].values() for sid in ids]
    for first in range(0, len(stores), 10_000):  # a bound parameter per store
        note_orders(stores[first : first + 10_000])
        db.session.commit()
    print(f"  stores' order dates set in {time.perf_counter() - noted:.0f} s")
    seconds = time.perf_counter() - started
    rate = chunks.rows / chunks.cpu_seconds
    print(
        f"{label}: {visits:,} visits ({chunks.rows:,} rows) loaded in {seconds:.0f} s, "
        f"{chunks.seconds:.0f} s of it generating ({rate:,.0f} rows per processor second)"
    )
    return {
        "visits": visits,
        "rows": chunks.rows,
        "load_seconds": round(seconds, 1),
        "generate_seconds": round(chunks.seconds, 1),
        "generate_cpu_seconds": round(chunks.cpu_seconds, 1),
        "generated_rows_per_second": round(rate),
    }


def rebuild(label: str) -> dict[str, float]:
    """Rebuild the report tables of rep-days: COPY bypassed the app, which keeps them current
    on every write. Each table is one INSERT ... SELECT over all the rows (given the memory to
    aggregate them on PostgreSQL), then analysed; seconds by table."""
    seconds = {}
    for rollup in rep_days.ROLLUPS:
        started, name = time.perf_counter(), rollup.TABLE.__tablename__
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SET LOCAL work_mem = '256MB'"))
        rep_days.refresh(connection, rep_days.everything, (rollup,))
        connection.execute(sa.text(f"ANALYZE {name}"))
        db.session.commit()
        seconds[name] = round(time.perf_counter() - started, 1)
        print(f"  {name} rebuilt in {seconds[name]} s", flush=True)
    print(f"{label}: report tables of rep-days rebuilt in {sum(seconds.values()):.0f} s")
    return seconds


def run(label: str, config: dict[str, Any], args: argparse.Namespace, loader) -> dict:
    from flask_migrate import upgrade

    app = create_app({**config, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()  # a kept schema from an older revision is brought up to date too
        if loader is None:
            figures = {"visits": db.session.scalar(sa.text("SELECT count(*) FROM visits"))}
        else:
            figures = load(label, args, loader)
            figures["rebuild_seconds_by_table"] = rebuild(label)
            figures["rebuild_seconds"] = round(sum(figures["rebuild_seconds_by_table"].values()), 1)
            figures["peak_rss_mb"] = round(peak_rss_mb())
            # The machine is shared: its load average (1, 5, 15 min) by the end of the build.
            figures["machine_load_built"] = [round(x, 1) for x in os.getloadavg()]
            print(f"{label}: peak RSS {figures['peak_rss_mb']} MB, machine load "
                  f"{figures['machine_load_built']}")  # fmt: skip
        figures["results"] = time_reports(args.days, args.runs)
        db.session.remove()
        db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--days", type=int, default=261)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--runs", type=int, default=2, help="best of this many runs")
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL schema")
    parser.add_argument("--schema", help="time an already loaded PostgreSQL schema")
    parser.add_argument("--out", help="results file (default bench/results/reports-TIME.json)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    table: dict[str, dict] = {}
    if not args.no_pg:
        schema = args.schema or f"bench_reports_{os.getpid()}"
        engine = sa.create_engine(args.pg)
        if not args.schema:
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            print(f"PostgreSQL schema {schema}{' (kept)' if args.keep else ''}", flush=True)
        try:
            config = {
                "DATABASE_URL": args.pg,
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "connect_args": {"options": f"-csearch_path={schema}"}
                },
            }
            loader = None if args.schema else load_postgres
            table["PostgreSQL"] = {"schema": schema, **run("PostgreSQL", config, args, loader)}
        finally:
            if not (args.keep or args.schema):
                with engine.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/bench.db"
            config = {"DATABASE_URL": f"sqlite:///{path}"}
            table["SQLite"] = run("SQLite", config, args, lambda c: load_sqlite(path, c))
    print()
    names = list(table)
    print(f"| report | as | {' | '.join(f'{n} (ms)' for n in names)} |")
    print(f"|---|---|{'---:|' * len(names)}")
    first = table[names[0]]["results"]
    for i, (name, username, _) in enumerate(first):
        cells = " | ".join(f"{table[n]['results'][i][2] * 1000:.0f}" for n in names)
        print(f"| {name} | {username} | {cells} |")
    print("visits: " + ", ".join(f"{n} {table[n]['visits']}" for n in names))
    load = {"before": load_before, "after": os.getloadavg()[0]}
    print(f"machine load (1 min): {load['before']:.1f} -> {load['after']:.1f}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.out or ROOT / "bench" / "results" / f"reports-{stamp}.json")
    saved = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine_load_1min": load,
        **{
            n: {
                **{k: v for k, v in t.items() if k != "results"},
                "ms": {name: round(best * 1000, 1) for name, _, best in t["results"]},
            }
            for n, t in table.items()
        },
    }
    out.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
