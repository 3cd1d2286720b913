"""Benchmark the team planning job on the demo: one team (4 reps, ~150 stores), one day and
one week, from the POST that starts it to the job's last route.

    python -m bench.team_planning [--team "Tokyo East"] [--seconds 2] [--pg URL] [--no-sqlite]
                                  [--seed 12] [--out bench/results/NAME.json]

Loads the demo with its four weeks of history (`flask demo load`: last visits drive the visit
cycles) into a temporary SQLite file and, with --pg, into a scratch schema of that PostgreSQL
database (dropped at the end). Then, as the team's supervisor through the API, plans the next
working day after the business today, then the Monday-to-Friday week after that day, each as a
POST /api/planning-jobs run by the in-process job runner (`seconds` of solver time per rep-day,
default the app's PLAN_SECONDS_REP). Times each from the POST to the job's end, and prints and
saves the reps, days, stores, plans, dropped stores, seconds and the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from backend import create_app
from backend.extensions import db
from backend.job_runner import wait_for_local_jobs
from backend.models import Role, Store, Team, User
from backend.services import demo
from backend.services.reports.ranges import today
from backend.services.team_planning import working_days
from backend.writes import execute

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("database", "case", "reps", "days", "stores", "plans", "dropped", "seconds", "load")


def ranges() -> dict[str, tuple[date, date]]:
    """The next working day after the business today, and the working week after that day."""
    day = working_days(today() + timedelta(days=1), today() + timedelta(days=8))[0]
    monday = day + timedelta(days=7 - day.weekday())
    return {"day": (day, day), "week": (monday, monday + timedelta(days=4))}


def team_figures(team_name: str) -> tuple[int, str, int, int]:
    """The team's id, its supervisor's username, its active reps and their active stores."""
    team = db.session.scalars(sa.select(Team).where(Team.name == team_name)).one()
    users = db.session.scalars(sa.select(User).where(User.team_id == team.id, User.active)).all()
    supervisor = next(u.username for u in users if u.role is Role.SUPERVISOR)
    reps = [u.id for u in users if u.role is Role.REP]
    stores = db.session.scalar(
        sa.select(sa.func.count()).where(Store.rep_id.in_(reps), Store.active)
    )
    return team.id, supervisor, len(reps), stores


def plan(client: Any, headers: dict, body: dict) -> tuple[dict, float]:
    """POST the planning job and wait for it: the finished job and the seconds it took."""
    started = time.perf_counter()
    response = client.post("/api/planning-jobs", json=body, headers=headers)
    assert response.status_code == 202, response.json
    wait_for_local_jobs(client.application)
    seconds = time.perf_counter() - started
    job = client.get(f"/api/jobs/{response.json['id']}", headers=headers).json
    assert job["status"] == "succeeded", job
    return job, seconds


def run(label: str, config: dict[str, Any], args: argparse.Namespace) -> list[dict]:
    from flask_migrate import upgrade

    app = create_app({**config, "SECRET_KEY": "bench", "LOGIN_RATE_LIMIT": "1000 per minute"})
    rows = []
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        execute(lambda: demo.load_demo(args.seed))
        print(f"{label}: demo loaded in {time.perf_counter() - started:.0f} s", flush=True)
        team_id, supervisor, reps, stores = team_figures(args.team)
        client = app.test_client()
        login = {"username": supervisor, "password": demo.DEMO_PASSWORD}
        token = client.post("/api/auth/login", json=login).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
        for case, (first, last) in ranges().items():
            body = {"team_id": team_id, "date_from": first.isoformat(),
                    "date_to": last.isoformat(), "seconds": args.seconds}  # fmt: skip
            body = {k: v for k, v in body.items() if v is not None}
            job, seconds = plan(client, headers, body)
            result = job["result"]
            row = {
                "database": label, "case": case, "reps": reps,
                "days": len(working_days(first, last)), "stores": stores,
                "plans": len(result["plans"]),
                "dropped": sum(len(p["dropped_store_ids"]) for p in result["plans"]),
                "seconds": round(seconds, 2), "load": round(os.getloadavg()[0], 1),
                "from": first.isoformat(), "to": last.isoformat(),
                "stops": sum(p["stops"] for p in result["plans"]),
                "unplaced": len(result["unplaced"]),
            }  # fmt: skip
            rows.append(row)
            print("  " + "  ".join(f"{row[c]!s:>8}" for c in COLUMNS), flush=True)
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--team", default="Tokyo East")
    parser.add_argument(
        "--seconds", type=float, help="solver seconds per rep-day (PLAN_SECONDS_REP)"
    )
    parser.add_argument("--pg", help="also on this PostgreSQL database (a scratch schema)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
    parser.add_argument(
        "--out", help="results file (default bench/results/team_planning-TIME.json)"
    )
    args = parser.parse_args()
    print("  " + "  ".join(f"{c:>8}" for c in COLUMNS), flush=True)
    rows = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            rows += run("SQLite", {"DATABASE_URL": f"sqlite:///{tmp}/bench.db"}, args)
    if args.pg:
        rows += run_postgres(args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.out or ROOT / "bench" / "results" / f"team_planning-{stamp}.json")
    saved = {"args": {k: str(v) for k, v in vars(args).items()}, "rows": rows}
    out.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"saved {out}")


def run_postgres(args: argparse.Namespace) -> list[dict]:
    schema = f"bench_team_planning_{os.getpid()}"
    engine = sa.create_engine(args.pg)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        options = {"connect_args": {"options": f"-csearch_path={schema}"}}
        return run(
            "PostgreSQL", {"DATABASE_URL": args.pg, "SQLALCHEMY_ENGINE_OPTIONS": options}, args
        )
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


if __name__ == "__main__":
    main()
