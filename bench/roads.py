"""What road times are worth: the Helsinki demo's rep-days planned on straight lines and on
road times, both scored on road times, per travel mode; and the road matrix's build time.

    python -m bench.roads [--quick] [--days 5] [--sizes 100,500,1000] [--out FILE.json]

Builds the road tiles of `backend/demo/helsinki-centre.osm.pbf` and the Helsinki demo
organisation (`flask demo load --territory helsinki --organisation-only`) in a temporary folder
and SQLite file. The visit cycles spread each rep's stores over the next `--days` working days
(as the demo's weekly plans do). Each rep-day is then planned in every travel mode through the
app's plan path (`build_problem`, `solve` at the demo's fixed iteration count, so both plans
get the same search): once with ROAD_TILES "none" (the straight-line model at the mode's
speed, PLAN_SPEED_KMH_<MODE>) and once on the tiles (the mode's road matrix). Both routes —
home, the stops in the planned order, home — are scheduled on the mode's road matrix by the
app's own scheduler: travel minutes, the stops reached, what the schedule then breaks (a window
missed, the shift overrun: "late") and the stops the straight-line plan holds that the mode
cannot reach at all, or not from the stop before ("unreach", left out of its score). A rep-day
the app refuses on roads (the rep's home unreachable by the mode) is counted apart ("refused")
and left out of the means.

Then times the mode's road matrix (`RoadNetwork.matrix`, a new network each time, no cache) for
100, 500 and 1,000 points on the extract's streets. Prints the machine's load average with the
figures and saves everything as JSON under bench/results/roads-<UTC time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import select

from backend import create_app
from backend.errors import InvalidError
from backend.extensions import db
from backend.models import Role, Store, TravelMode, User
from backend.planning import road_tiles, roads
from backend.planning.problem import Problem
from backend.planning.solution import schedule_route
from backend.planning.solver import solve
from backend.planning.travel import build_tables
from backend.services import demo
from backend.services.demo import helsinki, routes
from backend.services.demo.osm_places import read_extract
from backend.services.plan_building import build_problem, local_now
from backend.services.team_planning import working_days

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"TIMEZONE": helsinki.TIMEZONE, "CURRENCY": helsinki.CURRENCY}


@dataclass
class Scored:
    travel_s: float
    stops: int  # reached
    late: int  # violations of the schedule on road times (windows missed, shift overrun)
    unreachable: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one day, matrices of 100 points")
    parser.add_argument("--days", type=int, default=5, help="working days planned per rep")
    parser.add_argument("--sizes", default="100,500,1000", help="matrix sizes, points")
    parser.add_argument("--out", help="results file (default bench/results/roads-TIME.json)")
    args = parser.parse_args()
    days, sizes = (1, [100]) if args.quick else (args.days, [int(n) for n in args.sizes.split(",")])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with tempfile.TemporaryDirectory(prefix="bench-roads-") as tmp:
        result = run(Path(tmp), days, sizes)
    result["started"] = stamp
    out = Path(args.out or ROOT / "bench" / "results" / f"roads-{stamp}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"saved {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


def run(tmp: Path, days: int, sizes: list[int]) -> dict[str, Any]:
    started = time.perf_counter()
    tiles = road_tiles.build_tiles(helsinki.PBF, tmp / "roads", progress=lambda line: None)
    build_s = time.perf_counter() - started
    print(f"tiles built in {build_s:.1f} s; load average {_load()}")
    app = create_app(
        {
            **SETTINGS,
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
            "PHOTO_DIR": str(tmp / "photos"),
            "ROAD_TILES": str(tiles),
            "PASSWORD_TIME_COST": 1,
            "PASSWORD_MEMORY_KIB": 8,
            "PASSWORD_PARALLELISM": 1,
        }
    )
    with app.app_context():
        upgrade()
        demo.load_demo(history=False, territory=demo.TERRITORIES["helsinki"])
        db.session.commit()
        rep_days = [_rep_day(app, tiles, *case) for case in _cases(days)]
    summary = _summary(rep_days)
    _print_summary(summary)
    matrices = _matrix_times(tiles, sizes)
    return {
        "load_average": _load(),
        "tiles_build_s": round(build_s, 2),
        "days_per_rep": days,
        "iterations": routes.PLAN_ITERATIONS,
        "modes": summary,
        "matrix_seconds": matrices,
        "rep_days": rep_days,
    }


def _cases(days: int):
    """(rep, day, stores, mode) for every rep, each of the next `days` working days and mode."""
    reps = db.session.scalars(select(User).where(User.role == Role.REP).order_by(User.username))
    start = local_now().date() + timedelta(days=1)
    week = working_days(start, start + timedelta(days=3 * days + 7))[:days]
    for rep in reps.all():
        stores = db.session.scalars(
            select(Store).where(Store.rep_id == rep.id, Store.active).order_by(Store.id)
        ).all()
        for day, chosen in routes.week_stores(rep, list(stores), week).items():
            for mode in roads.MODES:
                if chosen:
                    yield rep, day, chosen, mode


def _rep_day(app, tiles: Path, rep: User, day, stores: list[Store], mode: str) -> dict[str, Any]:
    """One rep-day in one mode: planned straight and on roads, both scored on roads."""
    rep.travel_mode = TravelMode(mode)
    app.config["ROAD_TILES"] = "none"
    straight = build_problem(rep, day, stores)
    app.config["ROAD_TILES"] = str(tiles)
    row = {"rep": rep.username, "day": day.isoformat(), "mode": mode, "stores": len(stores)}
    try:
        on_roads = build_problem(rep, day, stores)  # its matrix: the app's road times
    except InvalidError as exc:  # the rep's home judged unreachable: the app refuses the day
        return {**row, "refused": exc.message}
    tables = build_tables(on_roads)
    scores = {}
    for label, problem in (("straight", straight), ("roads", on_roads)):
        solution = solve(problem, routes.PLAN_SECONDS_CAP, iterations=routes.PLAN_ITERATIONS)
        scores[label] = _score(on_roads, tables, solution)
    return {
        **row,
        **{f"{k}_{field}": getattr(s, field) for k, s in scores.items()
           for field in ("travel_s", "stops", "late", "unreachable")},
    }  # fmt: skip


def _score(on_roads: Problem, tables, solution) -> Scored:
    """The solution's route in order, scheduled on road times by the app's own scheduler
    (`schedule_route`: the earliest schedule, waiting for windows, the break where the plan
    takes it): travel, stops, what that schedule breaks (a window missed, the shift overrun),
    and planned stops the mode cannot reach (left out)."""
    route = solution.routes[0] if solution.routes else None
    if route is None or not route.visits:
        return Scored(0.0, 0, 0, 0)
    order = _drivable(on_roads, [v.stop for v in route.visits])
    break_after = route.break_after
    if break_after is not None:
        break_after = sum(1 for v in route.visits[:break_after] if v.stop in order)
    driven = schedule_route(on_roads, tables, 0, order, break_after)
    unreachable = len(route.visits) - len(order)
    return Scored(round(driven.travel, 1), len(order), len(driven.violations), unreachable)


def _drivable(on_roads: Problem, stops: list[str]) -> list[str]:
    """`stops` in order without those the mode cannot reach: not in the road problem (no road
    to the store), or with no road leg from the stop before (a one-way trap)."""
    index, locations = on_roads.location_index, {s.id: s.location for s in on_roads.stops}
    duration = next(iter(on_roads.matrices.values()))["duration"]
    here, kept = index[on_roads.reps[0].start], []
    for stop in stops:
        there = index.get(locations.get(stop, ""))
        if there is not None and duration[here, there] < roads.UNREACHABLE_S:
            kept.append(stop)
            here = there
    return kept


def _summary(rep_days: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    summary = {}
    for mode in roads.MODES:
        refused = sum(1 for r in rep_days if r["mode"] == mode and "refused" in r)
        rows = [r for r in rep_days if r["mode"] == mode and "refused" not in r]
        if not rows:
            continue
        straight = mean(r["straight_travel_s"] for r in rows) / 60
        on_roads = mean(r["roads_travel_s"] for r in rows) / 60
        summary[mode] = {
            "days": len(rows),
            "straight_plan_min": round(straight, 1),
            "road_plan_min": round(on_roads, 1),
            "saving_pct": round(100 * (straight - on_roads) / straight, 1) if straight else 0.0,
            "stops_straight": round(mean(r["straight_stops"] for r in rows), 1),
            "stops_roads": round(mean(r["roads_stops"] for r in rows), 1),
            "late_straight": sum(r["straight_late"] for r in rows),
            "late_roads": sum(r["roads_late"] for r in rows),
            "unreachable_straight": sum(r["straight_unreachable"] for r in rows),
            "refused_on_roads": refused,
        }
    return summary


def _print_summary(summary: dict[str, dict[str, Any]]) -> None:
    print(f"\nrep-days planned straight and on roads, both scored on road times; load {_load()}")
    header = ("mode", "days", "straight min", "roads min", "saving %", "stops s/r", "late s/r",
              "unreach s", "refused")  # fmt: skip
    print("".join(f"{h:>14}" for h in header))
    for mode, s in summary.items():
        cells = (mode, s["days"], s["straight_plan_min"], s["road_plan_min"], s["saving_pct"],
                 f"{s['stops_straight']}/{s['stops_roads']}",
                 f"{s['late_straight']}/{s['late_roads']}", s["unreachable_straight"],
                 s["refused_on_roads"])  # fmt: skip
        print("".join(f"{c:>14}" for c in cells))


def _matrix_times(tiles: Path, sizes: list[int]) -> dict[str, dict[str, float]]:
    """Seconds to build each mode's matrix over `sizes` points on streets (no cache)."""
    nodes = sorted({p for street in read_extract(helsinki.PBF).streets for p in street.points})
    rng = random.Random(0)
    samples = {n: rng.sample(nodes, min(n, len(nodes))) for n in sizes}
    times: dict[str, dict[str, float]] = {}
    print(f"\nroad matrix build, seconds (cold, no cache); load {_load()}")
    print("".join(f"{h:>10}" for h in ("mode", *map(str, sizes))))
    for mode in roads.MODES:
        for n, points in samples.items():
            started = time.perf_counter()
            roads.RoadNetwork(tiles).matrix(points, mode)
            times.setdefault(mode, {})[str(n)] = round(time.perf_counter() - started, 2)
        print("".join(f"{c:>10}" for c in (mode, *times[mode].values())))
    return times


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
