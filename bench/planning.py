"""Benchmark the route planner against PyVRP and VROOM on the benchmark instances.

    python -m bench.planning [--seconds S | --budgets day=5,team=30,region=60,solomon=10,...]
                             [--only PATTERN|GROUP ...] [--solvers ours,pyvrp,vroom] [--seed N]
                             [--instances bench/instances] [--out bench/results/NAME.json]

Every plan is scored by the benchmark scorer ``bench/instances/evaluate.py`` (loaded at bench
time only; the app never reads it). The table shows, per instance and solver: feasibility,
objective, the ratio to the better of the two peers (PyVRP, VROOM; < 1 is better), the gap to the
Solomon best known distance-only solution, and wall time. Instance groups (each with its budget):
the field kinds day/team/region, solomon (C1/R1/RC1), solomon2 (the long-route classes
C2/R2/RC2) and long (the generated long-route set, bench/instances/long/). Results are saved
as JSON under bench/results/.

Peers get the same wall-clock budget. Their models: integer travel and time (scaled by 1000 and
rounded up for time when the data is fractional, as ours), optional stops with their penalty as
PyVRP's prize and as VROOM's priority (VROOM has no drop penalties; it maximises priority first).
Neither peer is given breaks or multiple windows (no benchmark instance has them).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import fnmatch
import importlib.util
import json
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

from backend.planning import (
    Problem,
    SolveParams,
    build_tables,
    load,
    solution_to_dict,
    solve,
)

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = ROOT / "bench" / "instances"
DEFAULT_BUDGETS = {
    "day": 5.0,
    "team": 30.0,
    "region": 60.0,
    "solomon": 10.0,
    "solomon2": 10.0,
    "long": 10.0,
}
FIELD_KINDS = ("day", "team", "region")
SCALE = 1000


def load_evaluator(instances: Path):
    spec = importlib.util.spec_from_file_location("bench_evaluate", instances / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.evaluate


def solomon_class(name: str) -> str | None:
    """C1, R1, RC1, C2, R2 or RC2 for a Solomon instance name (C101 -> C1), else None."""
    match = re.fullmatch(r"(RC|C|R)([12])\d\d", name)
    return match.group(1) + match.group(2) if match else None


def instance_kind(path: Path) -> str:
    if path.parent.name == "solomon":
        return "solomon2" if (solomon_class(path.stem) or "").endswith("2") else "solomon"
    if path.parent.name == "long":
        return "long"
    for kind in ("day", "team", "region"):
        if f"-{kind}-" in path.name:
            return kind
    return "other"


def _whole(a) -> bool:
    a = np.asarray(a, dtype=float)
    return bool(np.all(a == np.round(a)))


class PeerData:
    """Integer node-level tables for the peers: node 0.. = rep depots (start, end), then stops."""

    def __init__(self, problem: Problem):
        tables = build_tables(problem)
        self.problem = problem
        loc = problem.location_index
        self.nodes = [loc[x] for r in problem.reps for x in (r.start, r.end)]
        self.nodes += [loc[s.location] for s in problem.stops]
        ix = np.ix_(self.nodes, self.nodes)
        dur = tables.durations[0][ix]
        cost = (tables.distance if problem.objective == "distance" else tables.durations[0])[ix]
        times = [dur, [s.service for s in problem.stops], [r.shift for r in problem.reps]]
        self.time_scale = 1 if all(_whole(t) for t in times) else SCALE
        self.cost_scale = 1 if _whole(cost) else SCALE
        self.duration = np.ceil(dur * self.time_scale - 1e-9).astype(np.int64)
        self.cost = np.round(cost * self.cost_scale).astype(np.int64)

    def t(self, x: float, up: bool = True) -> int:
        """A time in the peers' integer units, rounded up (or down for window ends)."""
        scaled = x * self.time_scale
        return int(math.ceil(scaled - 1e-9) if up else math.floor(scaled + 1e-9))


def run_pyvrp(problem: Problem, seconds: float, seed: int) -> dict:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    data = PeerData(problem)
    m = pyvrp.Model()
    n_reps = len(problem.reps)
    locs = [m.add_location(x=0, y=0) for _ in data.nodes]
    depots = [m.add_depot(locs[k]) for k in range(2 * n_reps)]
    has_cap = any(r.capacity is not None for r in problem.reps)
    clients = []
    for s in problem.stops:
        w0, w1 = (
            (min(w[0] for w in s.windows), max(w[1] for w in s.windows)) if s.windows else (0, None)
        )
        kw = {"service_duration": data.t(s.service), "tw_early": data.t(w0)}
        if w1 is not None:
            kw["tw_late"] = data.t(w1, up=False)
        if has_cap:
            kw["delivery"] = [int(s.demand)]
        if s.penalty is None:
            clients.append(m.add_client(locs[2 * n_reps + len(clients)], required=True, **kw))
        else:
            clients.append(
                m.add_client(
                    locs[2 * n_reps + len(clients)],
                    required=False,
                    prize=round(s.penalty * data.cost_scale),
                    **kw,
                )
            )
    for v, r in enumerate(problem.reps):
        kw = {}
        if has_cap:
            kw["capacity"] = [int(r.capacity) if r.capacity is not None else 10**9]
        m.add_vehicle_type(
            num_available=1,
            start_depot=depots[2 * v],
            end_depot=depots[2 * v + 1],
            tw_early=data.t(r.shift[0]),
            tw_late=data.t(r.shift[1], up=False),
            **kw,
        )
    for i, a in enumerate(locs):
        for j, b in enumerate(locs):
            m.add_edge(a, b, distance=int(data.cost[i, j]), duration=int(data.duration[i, j]))
    result = m.solve(stop=MaxRuntime(seconds), seed=seed, display=False)
    routes = []
    for route in result.best.routes():
        v = route.vehicle_type()
        stops = [problem.stops[c.idx].id for c in route if c.is_client()]
        routes.append({"rep": problem.reps[v].id, "stops": stops})
    return {"routes": routes}


def run_vroom(problem: Problem, seconds: float, seed: int) -> dict:
    import vroom

    data = PeerData(problem)
    n_reps = len(problem.reps)
    inp = vroom.Input()
    inp.set_durations_matrix(profile="car", matrix_input=data.duration)
    inp.set_costs_matrix(profile="car", matrix_input=data.cost)
    has_cap = any(r.capacity is not None for r in problem.reps)
    for v, r in enumerate(problem.reps):
        kw = {}
        if has_cap:
            kw["capacity"] = [int(r.capacity) if r.capacity is not None else 10**9]
        inp.add_vehicle(
            vroom.Vehicle(
                v,
                start=2 * v,
                end=2 * v + 1,
                time_window=vroom.TimeWindow(data.t(r.shift[0]), data.t(r.shift[1], up=False)),
                **kw,
            )
        )
    pens = [s.penalty for s in problem.stops if s.penalty is not None]
    top = max(pens) if pens else 1
    for k, s in enumerate(problem.stops):
        kw = {}
        if s.windows:
            kw["time_windows"] = [
                vroom.TimeWindow(data.t(a), data.t(b, up=False)) for a, b in sorted(s.windows)
            ]
        if has_cap:
            kw["delivery"] = [int(s.demand)]
        priority = 100 if s.penalty is None else max(1, round(100 * s.penalty / top))
        inp.add_job(
            vroom.Job(
                k,
                location=2 * n_reps + k,
                default_service=data.t(s.service),
                priority=priority,
                **kw,
            )
        )
    sol = inp.solve(exploration_level=5, nb_threads=2, timeout=dt.timedelta(seconds=seconds))
    routes: dict[int, list[str]] = {}
    frame = sol.routes
    for _, row in frame.iterrows():
        if row["type"] == "job":
            routes.setdefault(int(row["vehicle_id"]), []).append(problem.stops[int(row["id"])].id)
    return {"routes": [{"rep": problem.reps[v].id, "stops": ids} for v, ids in routes.items()]}


OURS = {"workers": 1}


def run_ours(problem: Problem, seconds: float, seed: int) -> dict:
    params = SolveParams(seconds=seconds, seed=seed, workers=OURS["workers"])
    return solution_to_dict(solve(problem, params=params), problem)


SOLVERS = {"ours": run_ours, "pyvrp": run_pyvrp, "vroom": run_vroom}


def latency_checks(instances: Path, evaluate) -> list[str]:
    """Wall times the issue sets limits on: a 60-stop day and a re-plan (<= 1 s each), and a
    1000-location matrix (<= 0.2 s)."""
    from backend.planning import problem_from_dict, replan_problem

    lines = []
    day_path = instances / "field" / "tokyo-day-s1.json"
    raw = json.loads(day_path.read_text())
    t0 = time.perf_counter()
    problem = load(day_path)
    plan = solve(problem, 0.9)
    wall = time.perf_counter() - t0
    score = evaluate(raw, solution_to_dict(plan, problem))
    lines.append(
        f"latency: 60-stop day, load+solve at 0.9 s budget: {wall:.3f} s wall, "
        f"feasible {score['feasible']}, objective {score['objective']}"
    )
    route = plan.routes[0]
    done = list(route.stops[:4])
    here = next(s.location for s in problem.stops if s.id == done[-1])
    t0 = time.perf_counter()
    rest = replan_problem(
        problem, route.rep, done=done, now=route.visits[3].end + 900, position=here
    )
    again = solve(rest, 0.8, initial=plan)
    wall = time.perf_counter() - t0
    lines.append(
        f"latency: re-plan after 4 done stops (15 min late): {wall:.3f} s wall, "
        f"feasible {again.feasible}, {len(again.routes[0].stops)} stops left planned"
    )
    region = json.loads((instances / "field" / "tokyo-region-s1.json").read_text())
    region.pop("matrix", None)
    big = problem_from_dict(region)
    build_tables(big)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        build_tables(big)
        times.append(time.perf_counter() - t0)
    lines.append(
        f"latency: {len(big.locations)}-location matrix: median "
        f"{sorted(times)[2]:.3f} s, max {max(times):.3f} s"
    )
    return lines


def bks_table(instances: Path) -> dict[str, float]:
    path = instances / "solomon" / "bks.csv"
    if not path.exists():
        return {}
    with path.open() as f:
        return {row["instance"]: float(row["min_distance"]) for row in csv.DictReader(f)}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def summary_lines(rows: list[dict], solvers: list[str]) -> list[str]:
    """Per solver: feasible count, mean gap to the best known (C1/R1/RC1 as before, then the
    long-route classes C2/R2/RC2, then by class), the worst field ratio; then ours ÷ PyVRP on
    the long-route groups, per instance and mean."""
    summary = []
    for name in solvers:
        mine = [r for r in rows if r["solver"] == name]
        line = f"{name}: feasible {sum(r['feasible'] for r in mine)}/{len(mine)}"
        for kind, label in (("solomon", "Solomon"), ("solomon2", "Solomon C2/R2/RC2")):
            gaps = [
                r["gap_bks_pct"] for r in mine if r["kind"] == kind and r["gap_bks_pct"] is not None
            ]
            if gaps:
                line += f", {label} mean gap {_mean(gaps):.2f}% over {len(gaps)}"
        ratios = [
            r["ratio_to_peer"] for r in mine if r["ratio_to_peer"] and r["kind"] in FIELD_KINDS
        ]
        if ratios:
            line += f", field ratio to better peer max {max(ratios):.4f}"
        summary.append(line)
        by_class: dict[str, list[float]] = {}
        for r in mine:
            if r["gap_bks_pct"] is not None:
                by_class.setdefault(solomon_class(r["instance"]), []).append(r["gap_bks_pct"])
        if by_class:
            parts = [f"{c} {_mean(g):.2f}% ({len(g)})" for c, g in sorted(by_class.items())]
            summary.append(f"{name}: gap BKS by class: " + ", ".join(parts))
    if "ours" in solvers and "pyvrp" in solvers:
        objective = {(r["instance"], r["solver"]): r for r in rows if r["feasible"]}
        for kind in ("solomon2", "long"):
            names = [r["instance"] for r in rows if r["solver"] == "ours" and r["kind"] == kind]
            pairs = [
                (n, objective[(n, "ours")]["objective"] / objective[(n, "pyvrp")]["objective"])
                for n in names
                if (n, "ours") in objective and (n, "pyvrp") in objective
            ]
            if pairs:
                each = ", ".join(f"{n} {q:.4f}" for n, q in pairs)
                summary.append(
                    f"ours/pyvrp ({kind}): mean {_mean([q for _, q in pairs]):.4f} over "
                    f"{len(pairs)} of {len(names)} (both feasible): {each}"
                )
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--instances", type=Path, default=INSTANCES, help="benchmark instances")
    ap.add_argument("--seconds", type=float, help="one budget for every instance")
    ap.add_argument(
        "--budgets",
        default="",
        help="per group, e.g. day=5,team=30,region=60,solomon=10,solomon2=10,long=10 "
        "(the defaults)",
    )
    ap.add_argument(
        "--only",
        nargs="*",
        default=[],
        help="instance name patterns (fnmatch) or group names (day, team, region, solomon, "
        "solomon2, long)",
    )
    ap.add_argument("--solvers", default="ours,pyvrp,vroom")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes our planner may use (independent searches, best kept)",
    )
    ap.add_argument("--out", type=Path)
    ap.add_argument(
        "--latency",
        action="store_true",
        help="only the latency checks: 60-stop day in 1 s, re-plan, 1000-location matrix",
    )
    ap.add_argument(
        "--peers-from",
        type=Path,
        help="reuse PyVRP/VROOM rows of an earlier results file (same budgets) "
        "instead of running them again",
    )
    args = ap.parse_args(argv)

    if args.latency:
        for line in latency_checks(args.instances, load_evaluator(args.instances)):
            print(line)
        return 0
    budgets = dict(DEFAULT_BUDGETS)
    OURS["workers"] = args.workers
    for part in filter(None, args.budgets.split(",")):
        k, v = part.split("=")
        budgets[k] = float(v)
    evaluate = load_evaluator(args.instances)
    bks = bks_table(args.instances)
    paths = sorted(args.instances.glob("field/*.json"))
    paths += sorted(args.instances.glob("solomon/*.json"))
    paths += sorted(args.instances.glob("long/*.json"))
    if args.only:
        paths = [
            p
            for p in paths
            if any(fnmatch.fnmatch(p.stem, pat) or pat == instance_kind(p) for pat in args.only)
        ]
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    reused: dict[tuple[str, str], dict] = {}
    if args.peers_from:
        for row in json.loads(args.peers_from.read_text())["rows"]:
            if row["solver"] != "ours":
                reused[(row["instance"], row["solver"])] = row
        solvers += [p for p in ("pyvrp", "vroom") if p not in solvers]

    load_start = os.getloadavg()
    rows = []
    header = (
        f"{'instance':<20} {'solver':<6} {'feas':<5} {'objective':>12} {'vs peer':>8} "
        f"{'gap BKS':>8} {'dropped':>7} {'wall s':>7}"
    )
    print(header, flush=True)
    for path in paths:
        raw = json.loads(path.read_text())
        problem = load(path)
        kind = instance_kind(path)
        seconds = args.seconds or budgets.get(kind, 10.0)
        results = {}
        for name in solvers:
            old = reused.get((path.stem, name))
            if old is not None and old["budget"] == seconds:
                results[name] = (
                    {
                        "feasible": old["feasible"],
                        "objective": old["objective"],
                        "dropped": old["dropped"],
                        "violations": old["violations"],
                    },
                    old["wall"],
                )
                continue
            t0 = time.perf_counter()
            try:
                plan = SOLVERS[name](problem, seconds, args.seed)
                wall = time.perf_counter() - t0
                score = evaluate(raw, plan)
            except Exception as exc:  # a peer failing must not stop the bench
                wall = time.perf_counter() - t0
                score = {
                    "feasible": False,
                    "objective": math.inf,
                    "violations": [repr(exc)],
                    "dropped": None,
                }
            results[name] = (score, wall)
        peers = [
            results[p][0]["objective"]
            for p in ("pyvrp", "vroom")
            if p in results and results[p][0]["feasible"]
        ]
        best_peer = min(peers) if peers else None
        for name, (score, wall) in results.items():
            obj = score["objective"]
            ratio = obj / best_peer if best_peer and score["feasible"] else None
            gap = (
                (obj / bks[path.stem] - 1) * 100 if path.stem in bks and score["feasible"] else None
            )
            row = {
                "instance": path.stem,
                "kind": kind,
                "solver": name,
                "budget": seconds,
                "feasible": score["feasible"],
                "objective": obj,
                "ratio_to_peer": ratio,
                "gap_bks_pct": gap,
                "dropped": score.get("dropped"),
                "wall": round(wall, 2),
                "violations": score.get("violations", [])[:3],
            }
            rows.append(row)
            print(
                f"{path.stem:<20} {name:<6} {score['feasible']!s:<5} {obj:>12.2f} "
                f"{'' if ratio is None else f'{ratio:.4f}':>8} "
                f"{'' if gap is None else f'{gap:.2f}%':>8} {score.get('dropped')!s:>7} "
                f"{wall:>7.2f}",
                flush=True,
            )

    summary = summary_lines(rows, solvers)
    load_end = os.getloadavg()
    loads = [" ".join(f"{x:.2f}" for x in la) for la in (load_start, load_end)]
    summary.append(f"load average (1, 5, 15 min): start {loads[0]}, end {loads[1]}")
    if not args.only:
        summary += latency_checks(args.instances, evaluate)
    print("\n".join(summary))
    out = args.out or ROOT / "bench" / "results" / (
        f"planning-{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S')}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "budgets": budgets,
                "seconds": args.seconds,
                "seed": args.seed,
                "rows": rows,
                "summary": summary,
            },
            indent=1,
        )
    )
    print(f"saved {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
