"""Benchmark the reports over a year of data: 200 reps, about a million visits with records.

    python -m bench.reports [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                            [--no-pg] [--sqlite] [--reps 200] [--days 261] [--seed 5]
                            [--keep | --schema NAME] [--out FILE]

Builds the data in a scratch PostgreSQL schema (created in --pg's database, dropped at the end;
loaded with COPY) and, with --sqlite, in a temporary SQLite file (executemany), migrated with
the project's migrations. COPY and executemany bypass the app, so the report tables of rep-days
are then rebuilt (`rep_days.refresh`, as `flask reports rebuild` does; its time is printed).
Then times every report as an admin over the whole year (and the KPIs for a supervisor over a
month), best of two runs, prints a table and saves it in bench/results/reports-TIME.json.

Data (`report_data`): 20 teams of 10 reps in 4 areas, 60 stores per rep, about 1 M visits over
261 working days with what reps record. Goal: every report ≤ 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from backend import create_app
from backend.extensions import db
from backend.models import User
from backend.services.customer_status import note_orders
from backend.services.reports import rep_days
from bench.report_data import COLUMNS, ORDER, YEAR_START, generate, setup_org

ROOT = Path(__file__).resolve().parent.parent


def load_postgres(chunks: Iterator[dict[str, list[tuple]]]) -> int:
    raw = db.engine.raw_connection()
    total = 0
    try:
        cursor = raw.cursor()
        for chunk in chunks:
            for table in ORDER:
                columns = ", ".join(COLUMNS[table].split())
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in chunk[table]:
                        copy.write_row(row)
            total += len(chunk["visits"])
            raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
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


def load_sqlite(path: str, chunks: Iterator[dict[str, list[tuple]]]) -> int:
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
        returns,
        tiers,
    )

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


def run(label: str, config: dict[str, Any], args: argparse.Namespace, loader) -> dict:
    from flask_migrate import upgrade

    app = create_app({**config, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade()  # a kept schema from an older revision is brought up to date too
        rebuild = None
        if loader is None:
            visits = db.session.scalar(sa.text("SELECT count(*) FROM visits"))
        else:
            started = time.perf_counter()
            org = setup_org(args.reps, 60)
            visits = loader(generate(org, args.days, args.seed))
            note_orders(sid for stores in org["stores"].values() for sid in stores)
            db.session.commit()
            print(f"{label}: {visits} visits loaded in {time.perf_counter() - started:.0f} s")
            # COPY bypassed the app, which keeps the report tables current on every write.
            started = time.perf_counter()
            rep_days.refresh(db.session.connection(), rep_days.everything)
            db.session.commit()
            for rollup in rep_days.ROLLUPS:
                db.session.execute(sa.text(f"ANALYZE {rollup.TABLE.__tablename__}"))
            db.session.commit()
            rebuild = time.perf_counter() - started
            print(f"{label}: report tables of rep-days rebuilt in {rebuild:.1f} s")
        results = time_reports(args.days, args.runs)
        db.session.remove()
        db.engine.dispose()
    return {"visits": visits, "results": results, "rebuild_seconds": rebuild}


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
        try:
            config = {
                "DATABASE_URL": args.pg,
                "SQLALCHEMY_ENGINE_OPTIONS": {
                    "connect_args": {"options": f"-csearch_path={schema}"}
                },
            }
            loader = None if args.schema else load_postgres
            table["PostgreSQL"] = run("PostgreSQL", config, args, loader)
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
                "visits": t["visits"],
                "rebuild_seconds": t.get("rebuild_seconds"),
                "ms": {name: round(best * 1000, 1) for name, _, best in t["results"]},
            }
            for n, t in table.items()
        },
    }
    out.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
