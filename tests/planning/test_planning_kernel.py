"""The compiled ruin-and-recreate kernel against the Python schedule (``solution.py``): the same
departures and feasibility on random routes, the cheapest feasible insertion found by brute
force, feasible and deterministic searches."""

import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from backend.planning import build_tables, make_solution, problem_from_dict, solve
from backend.planning.kernel import best_insertion, feasible_route
from backend.planning.lns import RuinRecreate
from backend.planning.solution import schedule_route

ROOT = Path(__file__).resolve().parents[2]


def random_problem(seed: int, n: int = 14, locked: bool = False, objective: str = "duration"):
    """Planar stops with one or two windows, demands, some optional; three reps, one faster
    (a second speed group), capacities and a stop limit."""
    rng = random.Random(seed)
    locations = [{"id": "D", "x": 50, "y": 50}, {"id": "E", "x": 60, "y": 40}]
    locations += [
        {"id": f"L{i}", "x": rng.uniform(0, 100), "y": rng.uniform(0, 100)} for i in range(n)
    ]
    stops = []
    for i in range(n):
        a = rng.uniform(0, 300)
        windows = [[a, a + rng.uniform(20, 150)]]
        if rng.random() < 0.4:
            b = windows[0][1] + rng.uniform(10, 100)
            windows.append([b, b + rng.uniform(20, 100)])
        penalty = None if rng.random() < 0.5 else rng.uniform(20, 200)
        stops.append(
            {
                "id": f"S{i}",
                "location": f"L{i}",
                "service": rng.uniform(0, 15),
                "windows": windows if rng.random() < 0.9 else [],
                "demand": rng.randint(1, 5),
                "penalty": penalty,
            }
        )
    reps = [
        {"id": "r0", "start": "D", "end": "D", "shift": [0, 600], "capacity": 25},
        {"id": "r1", "start": "D", "end": "E", "shift": [20, 500], "speed_kmh": 25},
        {"id": "r2", "start": "E", "end": "D", "shift": [0, 700], "max_stops": 4},
    ]
    if locked:  # the locked stops fit any time, so the start is feasible
        reps[0]["locked"] = ["S0", "S1"]
        stops[0]["windows"] = stops[1]["windows"] = []
    data = {"name": "k", "objective": objective, "locations": locations, "reps": reps}
    return problem_from_dict({**data, "stops": stops, "travel": {"speed_kmh": 15}})


def random_routes(rng: random.Random, n: int, reps: int) -> list[list[int]]:
    order = list(range(n))
    rng.shuffle(order)
    routes = [[] for _ in range(reps)]
    for c in order[: rng.randint(0, n)]:
        routes[rng.randrange(reps)].append(c)
    return routes


@pytest.mark.parametrize("seed", range(8))
def test_schedule_and_feasibility_match_the_python_schedule(seed):
    problem = random_problem(seed)
    tables = build_tables(problem)
    lns = RuinRecreate(problem, tables)
    rng = random.Random(seed)
    for _ in range(40):
        routes = random_routes(rng, len(problem.stops), len(problem.reps))
        s = lns.state(routes)
        for v, route in enumerate(routes):
            ids = [problem.stops[c].id for c in route]
            python = schedule_route(problem, tables, v, ids)
            ends = [visit.end for visit in python.visits]
            assert s.dep[v, 1 : len(route) + 1].tolist() == ends
            assert feasible_route(lns.data, s, v) == (not python.violations)
            assert s.load[v] == python.load


def brute_force_insertion(problem, tables, lns, routes, c):
    """The cheapest slot whose route the Python schedule finds feasible: (delta, rep, pos)."""
    best = None
    for v, route in enumerate(routes):
        nodes = [lns.n + 2 * v, *route, lns.n + 2 * v + 1]
        cost = lns.data.cost[lns.data.group[v]]
        for i in range(len(problem.reps[v].locked), len(route) + 1):
            ids = [problem.stops[x].id for x in [*route[:i], c, *route[i:]]]
            if schedule_route(problem, tables, v, ids).violations:
                continue
            a, b = nodes[i], nodes[i + 1]
            delta = cost[a, c] + cost[c, b] - cost[a, b]
            if best is None or delta < best[0] - 1e-9:
                best = (delta, v, i)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_cheapest_insertion_is_the_brute_force_one(seed):
    problem = random_problem(
        seed, locked=seed % 2 == 1, objective=("duration", "distance")[seed % 3 == 0]
    )
    tables = build_tables(problem)
    lns = RuinRecreate(problem, tables, seed)
    start = [list(x) for x in lns.locked_ids]
    routes, _ = lns.run(start, 5.0, 30)
    rng = random.Random(seed)
    for _ in range(10):
        trimmed = [
            [c for c in r if c in r[: len(problem.reps[v].locked)] or rng.random() < 0.7]
            for v, r in enumerate(routes)
        ]
        s = lns.state(trimmed)
        for c in range(len(problem.stops)):
            if s.where[c] >= 0:
                continue
            v, i, delta = best_insertion(lns.data, s, c, 0.0, lns.rng)
            expected = brute_force_insertion(problem, tables, lns, trimmed, c)
            if expected is None:
                assert v == -1
                continue
            assert v >= 0 and delta == pytest.approx(expected[0], abs=1e-9)
            route = trimmed[v]
            ids = [problem.stops[x].id for x in [*route[:i], c, *route[i:]]]
            assert not schedule_route(problem, tables, v, ids).violations


@pytest.mark.parametrize("seed", range(4))
def test_search_keeps_plans_feasible_and_locked_stops_first(seed):
    problem = random_problem(seed, n=30, locked=True)
    tables = build_tables(problem)
    lns = RuinRecreate(problem, tables, seed)
    start = [list(x) for x in lns.locked_ids]
    routes, done = lns.run(start, 5.0, 2000)
    assert done == 2000
    served = [c for r in routes for c in r]
    assert len(served) == len(set(served))
    assert routes[0][:2] == [0, 1]
    plan = make_solution(problem, lns.routes_by_rep(routes), tables)
    assert all(not r.violations for r in plan.routes)  # (a required stop may fit nowhere)
    before = make_solution(problem, lns.routes_by_rep(start), tables)
    assert plan.objective < before.objective


def test_work_bounded_search_is_deterministic_per_seed():
    problem = random_problem(3, n=40)
    tables = build_tables(problem)
    runs = [
        RuinRecreate(problem, tables, seed).run([[], [], []], 5.0, 3000)[0] for seed in (5, 5, 6)
    ]
    assert runs[0] == runs[1]
    a, b = (solve(problem, 30, seed=9, iterations=400) for _ in range(2))
    assert [r.stops for r in a.routes] == [r.stops for r in b.routes]
    assert a.objective == b.objective


def test_time_bounded_search_keeps_its_budget():
    problem = random_problem(4, n=60)
    lns = RuinRecreate(problem, build_tables(problem), 1)
    t = time.perf_counter()
    _, done = lns.run([[], [], []], 0.3)
    wall = time.perf_counter() - t
    assert done > 100 and wall < 0.45


def test_warm_command_makes_the_kernel_ready():
    out = subprocess.run(
        [sys.executable, "-m", "backend.planning", "--warm"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("search kernel ready in ")
    assert np.isfinite(float(out.stdout.split()[-2]))
