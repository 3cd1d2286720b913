"""The OR-Tools routing model of a planning problem, and one OR-Tools search over it.

Dropping an optional stop costs its penalty in the same (scaled) units as travel, so the search
trades a detour against a dropped stop exactly; a required stop gets a penalty larger than any
plan's cost, so it is dropped only when no plan can serve it (and the plan is then reported
infeasible).

Integer scaling: OR-Tools works in integers. When every time value (travel, service, windows,
shifts, break) is whole, time is used as is; otherwise it is scaled by ``FINE`` and rounded towards
feasibility (travel and service up, window ends down), so a plan feasible in the model is feasible
in real arithmetic. Costs (travel or distance, and penalties) likewise: as is when whole, else
scaled by ``FINE`` and rounded to nearest, which keeps the objective within ``FINE``-ths per leg.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from .nodes import Nodes, node_index
from .problem import Problem
from .travel import Tables

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
    """An OR-Tools routing model for one problem, numbered as ``nodes.Nodes``."""

    problem: Problem
    tables: Tables
    nodes: Nodes
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time_dim: pywrapcp.RoutingDimension
    time_scale: int
    cost_scale: int
    breaks: dict[int, object]


@dataclass(frozen=True)
class Found:
    """What one OR-Tools search found: routes {rep: stop ids}, break positions, objective."""

    routes: dict[str, list[str]]
    break_hints: dict[str, int]
    objective: float


def build_model(
    problem: Problem, tables: Tables, break_slack: dict[int, float] | None = None
) -> Model:
    """The routing model. Breaks: OR-Tools lets a break overlap the travel after a stop, where
    the schedule takes it whole before travelling on; ``break_slack`` lengthens a rep's break in
    the model to make up for that when a plan came out late."""
    nodes = node_index(problem, tables)
    starts = [nodes.start(v) for v in range(nodes.n_reps)]
    ends = [nodes.end(v) for v in range(nodes.n_reps)]
    manager = pywrapcp.RoutingIndexManager(len(nodes.location), nodes.n_reps, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    service = np.array([s.service for s in problem.stops] + [0.0] * (2 * nodes.n_reps))
    time_scale, cost_scale = (
        _time_scale(problem, tables, nodes, service),
        _cost_scale(problem, tables, nodes),
    )
    _arc_costs(routing, problem, tables, nodes, cost_scale)
    service_ticks = np.ceil(service * time_scale - 1e-9)
    time_dim = _time_dimension(routing, problem, tables, nodes, service_ticks, time_scale)
    _windows(manager, time_dim, problem, time_scale)
    breaks = _breaks(routing, time_dim, problem, service_ticks, time_scale, break_slack or {})
    _capacity(routing, problem)
    _max_stops(routing, problem)
    _drop_penalties(routing, manager, problem, tables, nodes, cost_scale)
    _locks(routing, manager, problem)
    return Model(problem, tables, nodes, manager, routing, time_dim, time_scale, cost_scale, breaks)


def _time_scale(problem: Problem, tables: Tables, nodes: Nodes, service: np.ndarray) -> int:
    reps, stops = problem.reps, problem.stops
    values = [service, [r.shift for r in reps]]
    values += [[w for s in stops for w in s.windows] or [0]]
    values += [[[*r.break_.window, r.break_.duration] for r in reps if r.break_] or [0]]
    used = np.unique(nodes.location)
    whole = all(_whole(x) for x in values) and all(
        _whole(nodes.durations(tables, g)[used]) for g in range(len(nodes.groups))
    )
    return 1 if whole else FINE


def _cost_tables(problem: Problem, tables: Tables, nodes: Nodes) -> list[np.ndarray]:
    if problem.objective == "distance":
        return [tables.distance]
    return [nodes.durations(tables, g) for g in range(len(nodes.groups))]


def _cost_scale(problem: Problem, tables: Tables, nodes: Nodes) -> int:
    penalties = [s.penalty for s in problem.stops if s.penalty is not None]
    cost_tables = _cost_tables(problem, tables, nodes)
    return 1 if _whole(penalties or [0]) and all(_whole(c) for c in cost_tables) else FINE


def _arc_costs(routing, problem: Problem, tables: Tables, nodes: Nodes, cost_scale: int) -> None:
    """One cost callback per distinct cost table (per speed group for travel time)."""
    callbacks: dict[int, int] = {}
    for g, members in enumerate(nodes.groups):
        table = nodes.costs(problem, tables, g)
        if id(table) not in callbacks:
            scaled = _ints(np.round(table[nodes.grid] * cost_scale))
            callbacks[id(table)] = routing.RegisterTransitMatrix(scaled)
        for v in members:
            routing.SetArcCostEvaluatorOfVehicle(callbacks[id(table)], v)


def _time_dimension(routing, problem, tables, nodes, service_ticks, time_scale):
    """Transit = service at the origin + travel, both rounded up; cumuls inside the shift."""
    per_group = []
    for g in range(len(nodes.groups)):
        travel = np.ceil(nodes.durations(tables, g)[nodes.grid] * time_scale - 1e-9)
        per_group.append(routing.RegisterTransitMatrix(_ints(travel + service_ticks[:, None])))
    transits = [per_group[nodes.group_of[v]] for v in range(nodes.n_reps)]
    horizon = _horizon(problem, time_scale)
    routing.AddDimensionWithVehicleTransits(transits, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for v, rep in enumerate(problem.reps):
        lo, hi = math.ceil(rep.shift[0] * time_scale), math.floor(rep.shift[1] * time_scale)
        time_dim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time_dim.CumulVar(routing.End(v)).SetRange(lo, hi)
    return time_dim


def _horizon(problem: Problem, time_scale: int) -> int:
    return math.ceil(max(r.shift[1] for r in problem.reps) * time_scale) + 1


def _windows(manager, time_dim, problem: Problem, time_scale: int) -> None:
    """Service starts inside one of a stop's windows (the gaps between them are removed)."""
    horizon = _horizon(problem, time_scale)
    for k, s in enumerate(problem.stops):
        if not s.windows:
            continue
        wins = sorted((math.ceil(a * time_scale), math.floor(b * time_scale)) for a, b in s.windows)
        # a window past the horizon (a bar opening after the shift ends) is cut to it or dropped
        wins = [(a, min(b, horizon)) for a, b in wins if a <= min(b, horizon)]
        wins = wins or [(horizon, horizon)]
        var = time_dim.CumulVar(manager.NodeToIndex(k))
        var.SetRange(wins[0][0], min(wins[-1][1], horizon))
        for (_, b), (a, _) in itertools.pairwise(wins):
            if b + 1 <= a - 1:
                var.RemoveInterval(b + 1, a - 1)


def _breaks(routing, time_dim, problem, service_ticks, time_scale, slack) -> dict[int, object]:
    """Breaks: whole, inside their window, between the end of one visit and the next."""
    solver = routing.solver()
    breaks = {}
    for v, rep in enumerate(problem.reps):
        if rep.break_ is None:
            continue
        (w0, w1), duration = rep.break_.window, rep.break_.duration + slack.get(v, 0.0)
        lo = math.ceil(max(w0, rep.shift[0]) * time_scale)
        hi = math.floor(w1 * time_scale)
        ticks = math.ceil(duration * time_scale)
        interval = solver.FixedDurationIntervalVar(lo, max(lo, hi), ticks, False, f"break-{rep.id}")
        solver.Add(interval.EndExpr() <= math.floor(rep.shift[1] * time_scale))
        time_dim.SetBreakIntervalsOfVehicle([interval], v, [int(x) for x in service_ticks])
        routing.AddIntervalToAssignment(interval)
        breaks[v] = interval
    return breaks


def _capacity(routing, problem: Problem) -> None:
    reps, stops = problem.reps, problem.stops
    if not (any(r.capacity is not None for r in reps) and any(s.demand for s in stops)):
        return
    demands = [s.demand for s in stops]
    capacities = [r.capacity for r in reps if r.capacity is not None]
    load_scale = 1 if _whole(demands) and _whole(capacities) else FINE
    demand = [math.ceil(d * load_scale - 1e-9) for d in demands] + [0] * (2 * len(reps))
    unbounded = int(sum(demand)) + 1
    limits = [
        unbounded if r.capacity is None else math.floor(r.capacity * load_scale + 1e-9)
        for r in reps
    ]
    callback = routing.RegisterUnaryTransitVector(demand)
    routing.AddDimensionWithVehicleCapacity(callback, 0, limits, True, "load")


def _max_stops(routing, problem: Problem) -> None:
    reps, n_stops = problem.reps, len(problem.stops)
    if all(r.max_stops is None for r in reps):
        return
    callback = routing.RegisterUnaryTransitVector([1] * n_stops + [0] * (2 * len(reps)))
    limits = [n_stops if r.max_stops is None else r.max_stops for r in reps]
    routing.AddDimensionWithVehicleCapacity(callback, 0, limits, True, "count")


def _drop_penalties(routing, manager, problem, tables, nodes: Nodes, cost_scale: int) -> None:
    """Dropping an optional stop costs its penalty; a required one far more than any route."""
    grid = nodes.grid
    cost_tables = _cost_tables(problem, tables, nodes)
    max_arc = max(float(np.max(c[grid])) if c.size else 0.0 for c in cost_tables) * cost_scale
    required = int(min(2**42, max(1e6, 4 * max_arc * len(nodes.location))))
    for k, s in enumerate(problem.stops):
        penalty = required if s.penalty is None else round(s.penalty * cost_scale)
        routing.AddDisjunction([manager.NodeToIndex(k)], penalty)


def _locks(routing, manager, problem: Problem) -> None:
    """Locked prefixes: the rep does these stops first, in this order."""
    solver = routing.solver()
    index = {s.id: k for k, s in enumerate(problem.stops)}
    for v, rep in enumerate(problem.reps):
        prev = routing.Start(v)
        for stop_id in rep.locked:
            idx = manager.NodeToIndex(index[stop_id])
            solver.Add(routing.NextVar(prev) == idx)
            prev = idx


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


def first_strategies(problem: Problem) -> list[int]:
    """First-solution strategies that fit the problem, best first."""
    if all(s.penalty is None for s in problem.stops):
        return [FS.PARALLEL_CHEAPEST_INSERTION, FS.SAVINGS, FS.LOCAL_CHEAPEST_INSERTION]
    return [FS.LOCAL_CHEAPEST_INSERTION, FS.PARALLEL_CHEAPEST_INSERTION, FS.PATH_CHEAPEST_ARC]


def extract(model: Model, assignment) -> Found:
    """Routes {rep: stop ids}, where OR-Tools put each break, and the objective."""
    routing, manager = model.routing, model.manager
    stops = model.problem.stops
    routes, hints = {}, {}
    for v, rep in enumerate(model.problem.reps):
        ids, cumuls = [], []
        idx = assignment.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(idx):
            ids.append(stops[manager.IndexToNode(idx)].id)
            cumuls.append(assignment.Value(model.time_dim.CumulVar(idx)))
            idx = assignment.Value(routing.NextVar(idx))
        routes[rep.id] = ids
        if v in model.breaks and ids:
            start = assignment.StartValue(model.breaks[v])
            hints[rep.id] = sum(1 for c in cumuls if c < start)
    return Found(routes, hints, assignment.ObjectiveValue() / model.cost_scale)


def run_ortools(
    problem: Problem,
    tables: Tables,
    seconds: float,
    solution_limit: int | None = None,
    initial: dict[str, list[str]] | None = None,
    break_slack: dict[int, float] | None = None,
) -> Found | None:
    """Build the model and search it for ``seconds`` (guided local search), from ``initial``
    when given; the other first-solution strategies are tried if the first finds nothing."""
    started = time.perf_counter()
    model = build_model(problem, tables, break_slack)
    strategies = first_strategies(problem)
    params = search_parameters(max(0.05, seconds), strategies[0], solution_limit=solution_limit)
    assignment = _solve_from(model, params, initial) if initial is not None else None
    if assignment is None:
        assignment = model.routing.SolveWithParameters(params)
    for other in [*strategies, FS.AUTOMATIC]:
        if assignment is not None:
            break
        left = max(0.05, seconds - (time.perf_counter() - started))
        assignment = model.routing.SolveWithParameters(search_parameters(left, other))
    return None if assignment is None else extract(model, assignment)


def _solve_from(model: Model, params, initial: dict[str, list[str]]):
    index = {s.id: k for k, s in enumerate(model.problem.stops)}
    routes = [
        [model.manager.NodeToIndex(index[x]) for x in initial.get(r.id, []) if x in index]
        for r in model.problem.reps
    ]
    model.routing.CloseModelWithParameters(params)
    start = model.routing.ReadAssignmentFromRoutes(routes, True)
    return None if start is None else model.routing.SolveFromAssignmentWithParameters(start, params)
