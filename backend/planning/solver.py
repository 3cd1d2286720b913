"""The OR-Tools routing model of a planning problem, and the search around it.

Search (``solve``): OR-Tools builds a first plan (a first-solution strategy that fits the
problem: parallel cheapest insertion when every stop is required, local cheapest insertion when
stops are optional; the seed rotates through the alternatives) and improves it with guided local
search for a share of the budget; then ruin-and-recreate with simulated annealing (``lns.py``),
which is far stronger per second, takes the rest. Reps with a break stay with OR-Tools (its break
intervals); their plans are checked against the scorer's break rule and re-solved with a longer
modelled break when late. ``workers`` > 1 runs independent searches in forked processes.

Dropping an optional stop costs its penalty in the same (scaled) units as travel, so the search
trades a detour against a dropped stop exactly; a required stop gets a penalty larger than any
plan's cost, so it is dropped only when no plan can serve it (and the plan is then reported
infeasible).

Integer scaling: OR-Tools works in integers. When every time value (travel, service, windows,
shifts, break) is whole, time is used as is; otherwise it is scaled by ``FINE`` and rounded towards
feasibility (travel and service up, window ends down), so a plan feasible in the model is feasible
in the scorer's real arithmetic. Costs (travel or distance, and penalties) likewise: as is when
whole, else scaled by ``FINE`` and rounded to nearest, which keeps the objective within
``FINE``-ths per leg.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .lns import RuinRecreate
from .problem import Problem
from .solution import Solution, make_solution
from .travel import Tables, build_tables

FINE = 10_000
FS = routing_enums_pb2.FirstSolutionStrategy
LSM = routing_enums_pb2.LocalSearchMetaheuristic


def _whole(values) -> bool:
    a = np.asarray(values, dtype=float)
    return bool(np.all(np.isfinite(a)) and np.all(a == np.round(a)))


def _ints(a: np.ndarray) -> list[list[int]]:
    return a.astype(np.int64).tolist()


@dataclass
class Model:
    """An OR-Tools routing model for one problem; nodes are stops, then each rep's start and end."""

    problem: Problem
    tables: Tables
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time_dim: pywrapcp.RoutingDimension
    time_scale: int
    cost_scale: int
    breaks: dict[int, object]

    @property
    def n_stops(self) -> int:
        return len(self.problem.stops)


def build_model(
    problem: Problem, tables: Tables | None = None, break_slack: dict[int, float] | None = None
) -> Model:
    """The routing model. Breaks: OR-Tools lets a break overlap the travel after a stop, where
    the scorer takes it whole before travelling on; ``break_slack`` lengthens a rep's break in
    the model to make up for that when a plan came out late."""
    tables = tables or build_tables(problem)
    break_slack = break_slack or {}
    stops, reps = problem.stops, problem.reps
    n_stops, n_reps = len(stops), len(reps)
    loc = problem.location_index
    node_loc = np.array(
        [loc[s.location] for s in stops] + [loc[x] for r in reps for x in (r.start, r.end)],
        dtype=np.int64,
    )
    starts = [n_stops + 2 * v for v in range(n_reps)]
    ends = [n_stops + 2 * v + 1 for v in range(n_reps)]
    manager = pywrapcp.RoutingIndexManager(len(node_loc), n_reps, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    ix = np.ix_(node_loc, node_loc)
    service = np.array([s.service for s in stops] + [0.0] * (2 * n_reps))

    # ---- scales
    time_values = [service, [r.shift for r in reps]]
    time_values += [[w for s in stops for w in s.windows] or [0]]
    time_values += [[[*r.break_.window, r.break_.duration] for r in reps if r.break_] or [0]]
    groups: dict[int, list[int]] = {}
    for v in range(n_reps):
        groups.setdefault(id(tables.durations[v]), []).append(v)
    whole_time = all(_whole(x) for x in time_values) and all(
        _whole(tables.durations[vs[0]][np.unique(node_loc)]) for vs in groups.values()
    )
    ts = 1 if whole_time else FINE
    base_cost = tables.distance if problem.objective == "distance" else None
    pens = [s.penalty for s in stops if s.penalty is not None]
    cost_tables = (
        [base_cost]
        if base_cost is not None
        else [tables.durations[vs[0]] for vs in groups.values()]
    )
    whole_cost = _whole(pens or [0]) and all(_whole(c) for c in cost_tables)
    cs = 1 if whole_cost else FINE

    # ---- arc costs (per speed group when the objective is travel time)
    cost_cb: dict[int, int] = {}
    for key, vs in groups.items():
        table = base_cost if base_cost is not None else tables.durations[vs[0]]
        if base_cost is not None and cost_cb:
            cb = next(iter(cost_cb.values()))
        else:
            cb = routing.RegisterTransitMatrix(_ints(np.round(table[ix] * cs)))
        cost_cb[key] = cb
        for v in vs:
            routing.SetArcCostEvaluatorOfVehicle(cb, v)

    # ---- time: transit = service at the origin + travel, both rounded up
    svc = np.ceil(service * ts - 1e-9)
    time_cb, travel_cb = [], {}
    for v in range(n_reps):
        key = id(tables.durations[v])
        if key not in travel_cb:
            travel = np.ceil(tables.durations[v][ix] * ts - 1e-9)
            travel_cb[key] = (routing.RegisterTransitMatrix(_ints(travel + svc[:, None])), travel)
        time_cb.append(travel_cb[key][0])
    horizon = math.ceil(max(r.shift[1] for r in reps) * ts) + 1
    routing.AddDimensionWithVehicleTransits(time_cb, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for v, rep in enumerate(reps):
        lo, hi = math.ceil(rep.shift[0] * ts), math.floor(rep.shift[1] * ts)
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
    for k, s in enumerate(stops):
        if not s.windows:
            continue
        wins = sorted((math.ceil(a * ts), math.floor(b * ts)) for a, b in s.windows)
        wins = [w for w in wins if w[0] <= w[1]] or [(horizon, horizon)]
        var = time_dim.CumulVar(manager.NodeToIndex(k))
        var.SetRange(wins[0][0], min(wins[-1][1], horizon))
        for (_, b), (a, _) in itertools.pairwise(wins):
            if b + 1 <= a - 1:
                var.RemoveInterval(b + 1, a - 1)

    # ---- breaks: whole, inside their window, between the end of one visit and the next
    solver = routing.solver()
    breaks = {}
    for v, rep in enumerate(reps):
        if rep.break_ is None:
            continue
        (w0, w1), d = rep.break_.window, rep.break_.duration
        d += break_slack.get(v, 0.0)
        lo = math.ceil(max(w0, rep.shift[0]) * ts)
        hi = math.floor(w1 * ts)
        dur = math.ceil(d * ts)
        interval = solver.FixedDurationIntervalVar(lo, max(lo, hi), dur, False, f"break-{rep.id}")
        solver.Add(interval.EndExpr() <= math.floor(rep.shift[1] * ts))
        time_dim.SetBreakIntervalsOfVehicle([interval], v, [int(x) for x in svc])
        routing.AddIntervalToAssignment(interval)
        breaks[v] = interval

    # ---- capacity
    if any(r.capacity is not None for r in reps) and any(s.demand for s in stops):
        demands = [s.demand for s in stops]
        caps = [r.capacity for r in reps if r.capacity is not None]
        qs = 1 if _whole(demands) and _whole(caps) else FINE
        demand = [math.ceil(d * qs - 1e-9) for d in demands] + [0] * (2 * n_reps)
        big = int(sum(demand)) + 1
        cb = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(
            cb,
            0,
            [big if r.capacity is None else math.floor(r.capacity * qs + 1e-9) for r in reps],
            True,
            "load",
        )

    # ---- max stops per rep
    if any(r.max_stops is not None for r in reps):
        cb = routing.RegisterUnaryTransitVector([1] * n_stops + [0] * (2 * n_reps))
        routing.AddDimensionWithVehicleCapacity(
            cb, 0, [n_stops if r.max_stops is None else r.max_stops for r in reps], True, "count"
        )

    # ---- optional stops: dropping one costs its penalty; required ones cost far more than
    # any route could, so they are only dropped when no plan can serve them (then reported)
    max_arc = max(float(np.max(c[ix])) if c.size else 0.0 for c in cost_tables) * cs
    required = int(min(2**42, max(1e6, 4 * max_arc * (n_stops + 2 * n_reps))))
    for k, s in enumerate(stops):
        pen = required if s.penalty is None else round(s.penalty * cs)
        routing.AddDisjunction([manager.NodeToIndex(k)], pen)

    # ---- locked prefixes: the rep does these stops first, in this order
    sid = {s.id: k for k, s in enumerate(stops)}
    for v, rep in enumerate(reps):
        prev = routing.Start(v)
        for stop_id in rep.locked:
            idx = manager.NodeToIndex(sid[stop_id])
            solver.Add(routing.NextVar(prev) == idx)
            prev = idx
    return Model(problem, tables, manager, routing, time_dim, ts, cs, breaks)


def search_parameters(
    seconds: float,
    first: int = FS.AUTOMATIC,
    meta: int = LSM.GUIDED_LOCAL_SEARCH,
    solution_limit: int | None = None,
):
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first
    params.local_search_metaheuristic = meta
    params.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    if solution_limit:
        params.solution_limit = solution_limit
    return params


def extract(model: Model, assignment) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Routes {rep: stop ids} and where OR-Tools put each break."""
    routing, manager = model.routing, model.manager
    stops, reps = model.problem.stops, model.problem.reps
    routes, hints = {}, {}
    for v, rep in enumerate(reps):
        idx = routing.Start(v)
        ids, cumuls = [], []
        idx = assignment.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            ids.append(stops[manager.IndexToNode(idx)].id)
            cumuls.append(assignment.Value(model.time_dim.CumulVar(idx)))
            idx = assignment.Value(routing.NextVar(idx))
        routes[rep.id] = ids
        if v in model.breaks and ids:
            start = assignment.StartValue(model.breaks[v])
            hints[rep.id] = sum(1 for c in cumuls if c < start)
    return routes, hints


def _first_strategies(problem: Problem) -> list[int]:
    """First-solution strategies that fit the problem, best first."""
    if all(s.penalty is None for s in problem.stops):
        return [FS.PARALLEL_CHEAPEST_INSERTION, FS.SAVINGS, FS.LOCAL_CHEAPEST_INSERTION]
    return [FS.LOCAL_CHEAPEST_INSERTION, FS.PARALLEL_CHEAPEST_INSERTION, FS.PATH_CHEAPEST_ARC]


def _ortools(problem, tables, seconds, first, limit, initial, strategies, break_slack=None):
    """Build and solve the OR-Tools model; (routes, break hints, objective) or None."""
    t0 = time.perf_counter()
    model = build_model(problem, tables, break_slack)
    routing = model.routing
    params = search_parameters(max(0.05, seconds), first, solution_limit=limit)
    assignment = None
    if initial is not None:
        sid = {s.id: k for k, s in enumerate(problem.stops)}
        routes = [
            [model.manager.NodeToIndex(sid[x]) for x in initial.get(r.id, []) if x in sid]
            for r in problem.reps
        ]
        routing.CloseModelWithParameters(params)
        start = routing.ReadAssignmentFromRoutes(routes, True)
        if start is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start, params)
    if assignment is None:
        assignment = routing.SolveWithParameters(params)
    for other in [*strategies, FS.AUTOMATIC]:
        if assignment is not None:
            break
        left = max(0.05, seconds - (time.perf_counter() - t0))
        assignment = routing.SolveWithParameters(search_parameters(left, other))
    if assignment is None:
        return None
    routes, hints = extract(model, assignment)
    return routes, hints, assignment.ObjectiveValue() / model.cost_scale, bool(model.breaks)


def solve(
    problem: Problem,
    seconds: float = 5.0,
    seed: int = 0,
    *,
    tables: Tables | None = None,
    initial: dict[str, list[str]] | Solution | None = None,
    iterations: int | None = None,
    ortools_share: float | None = None,
    workers: int = 1,
    start: str = "auto",
    polish_share: float | None = None,
) -> Solution:
    """Plan routes for all reps within about ``seconds`` of wall time.

    Two phases: OR-Tools (first solution + guided local search) for ``ortools_share`` of the
    budget, then ruin-and-recreate with simulated annealing (``lns.py``) for the rest. Problems
    with breaks stay in OR-Tools for the whole budget. When every stop is optional (and no
    break, no ``initial``), ruin-and-recreate builds its own start and takes the whole budget;
    OR-Tools remains the fallback.

    ``initial``: a previous plan ({rep id: stop ids} or a Solution) to start from (re-planning).
    ``iterations``: bound the search by work instead of time: OR-Tools stops after a fixed
    number of solutions and the ruin-and-recreate after ``iterations`` moves, so the plan
    depends only on the input and ``seed`` (``seconds`` then only caps the time). Without it
    the search runs for the time budget, which is the same plan on small problems but may differ
    from run to run on large ones, with machine load.
    ``ortools_share``: default 0.1 when every stop is required, 0.03 otherwise (prize
    collecting gains little from OR-Tools' local search and much from ruin-and-recreate).
    ``start``: "ortools", "greedy" (ruin-and-recreate's own construction, whole budget to it),
    or "auto": greedy when every stop is optional and there are more than 100 stops.
    ``polish_share``: the last share of the budget goes to OR-Tools' guided local search from
    the best plan (default 0.1 for up to 200 stops when some are optional, else 0).
    ``workers``: > 1 runs that many independent searches (seeds ``seed * workers + k``) in
    forked processes, one per core, and keeps the best plan.
    """
    t0 = time.perf_counter()
    tables = tables or build_tables(problem)
    if workers > 1 and problem.stops and seconds >= 0.5:
        return _solve_parallel(
            problem, seconds, seed, tables, initial, iterations, ortools_share, workers, t0, start
        )
    if ortools_share is None:
        ortools_share = 0.1 if all(s.penalty is None for s in problem.stops) else 0.03
    if not problem.stops:
        return make_solution(problem, {r.id: [] for r in problem.reps}, tables)
    if isinstance(initial, Solution):
        initial = {r.rep: list(r.stops) for r in initial.routes}
    strategies = _first_strategies(problem)
    first = strategies[0]  # the seed varies the ruin-and-recreate, not this (best by bench)
    has_breaks = any(r.break_ is not None for r in problem.reps)
    share = 1.0 if has_breaks else ortools_share
    limit = None if iterations is None else max(50, iterations // 20)

    def left():
        return seconds - (time.perf_counter() - t0) - 0.05

    prize = all(s.penalty is not None for s in problem.stops)
    all_required = all(s.penalty is None for s in problem.stops)
    greedy = start == "greedy" or (start == "auto" and prize and len(problem.stops) > 100)
    if greedy and not has_breaks and initial is None:
        # every stop optional: ruin-and-recreate from its own greedy construction (highest
        # penalty first) beats starting from OR-Tools' plan, which anchors it (see bench/README)
        rr = RuinRecreate(problem, tables, seed)
        best, its = rr.run([list(x) for x in rr.locked_ids], max(0.0, left()), iterations)
        routes = {r.id: [problem.stops[c].id for c in best[v]] for v, r in enumerate(problem.reps)}
        solution = make_solution(problem, routes, tables)
        if solution.feasible:
            stats = {
                "seed": seed,
                "start": "greedy",
                "lns_iterations": its,
                "seconds": round(time.perf_counter() - t0, 3),
            }
            return replace(solution, stats=stats)
    found = _ortools(problem, tables, left() * share, first, limit, initial, strategies)
    if found is None:
        return make_solution(
            problem,
            {r.id: list(r.locked) for r in problem.reps},
            tables,
            stats={"status": "no solution"},
        )
    routes, hints, objective, _ = found
    solution = make_solution(problem, routes, tables, hints)
    slack: dict[int, float] = {}
    for attempt in range(3):  # a break the scorer would take later than OR-Tools assumed
        late = [
            v
            for v, r in enumerate(problem.reps)
            if r.break_ is not None
            and solution.route(r.id) is not None
            and solution.route(r.id).violations
        ]
        if not late or left() < 0.1:
            break
        for v in late:
            dur = tables.durations[v]
            loc = problem.location_index
            ids = [loc[problem.reps[v].start]] + [
                loc[s.location] for s in problem.stops if s.id in routes[problem.reps[v].id]
            ]
            legs = dur[np.ix_(ids, ids)]
            slack[v] = float(legs.max()) * (attempt + 1)
        again = _ortools(problem, tables, left() / 2, first, limit, routes, strategies, slack)
        if again is None:
            break
        candidate = make_solution(problem, again[0], tables, again[1])
        if (candidate.feasible, -candidate.objective) > (solution.feasible, -solution.objective):
            routes, hints, objective, _ = again
            solution = candidate
    stats = {
        "seed": seed,
        "start": "ortools",
        "first_solution": FS.Value.Name(first),
        "ortools_objective": objective,
    }
    if not has_breaks and (left() > 0.02 or iterations is not None):
        sid = {s.id: k for k, s in enumerate(problem.stops)}
        rr = RuinRecreate(problem, tables, seed)
        start_routes = [[sid[x] for x in routes[r.id]] for r in problem.reps]
        if polish_share is None:  # small problems with optional stops (a rep's day)
            polish_share = 0.1 if not all_required and len(problem.stops) <= 200 else 0.0
        polish = polish_share * seconds if iterations is None else 0.0
        best, its = rr.run(start_routes, max(0.0, left() - polish), iterations)
        routes = {r.id: [problem.stops[c].id for c in best[v]] for v, r in enumerate(problem.reps)}
        stats["lns_iterations"] = its
        solution = make_solution(problem, routes, tables, hints)
        if polish and left() > 0.05:
            # OR-Tools' guided local search from the best plan: its exchange and relocation
            # neighbourhoods sometimes find what ruin-and-recreate misses
            again = _ortools(problem, tables, left(), first, None, routes, strategies)
            if again is not None:
                candidate = make_solution(problem, again[0], tables, again[1])
                if (candidate.feasible, -candidate.objective) > (
                    solution.feasible,
                    -solution.objective,
                ):
                    solution, stats["polished"] = candidate, True
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    return replace(solution, stats=stats)


_SHARED: dict = {}


def _worker(k: int):
    args = _SHARED["args"]
    problem, seconds, seed, tables, initial, iterations, share, workers, start = args
    sol = solve(
        problem,
        seconds,
        seed * workers + k,
        tables=tables,
        initial=initial,
        iterations=iterations,
        ortools_share=share,
        start=start,
    )
    return {r.rep: list(r.stops) for r in sol.routes}, sol.stats


def _solve_parallel(problem, seconds, seed, tables, initial, iterations, share, workers, t0, start):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if isinstance(initial, Solution):
        initial = {r.rep: list(r.stops) for r in initial.routes}
    budget = seconds - (time.perf_counter() - t0) - 0.15  # fork, pickling the plans back
    _SHARED["args"] = (problem, budget, seed, tables, initial, iterations, share, workers, start)
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            results = list(pool.map(_worker, range(workers)))
    finally:
        _SHARED.clear()
    best = None
    for k, (routes, stats) in enumerate(results):
        sol = make_solution(problem, routes, tables)
        key = (sol.feasible, -sol.objective)
        if best is None or key > best[0]:
            best = (key, sol, k, stats)
    _, sol, k, stats = best
    stats = {
        **stats,
        "workers": workers,
        "best_worker": k,
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return replace(sol, stats=stats)
