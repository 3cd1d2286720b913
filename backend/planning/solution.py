"""Plans: routes with their schedule, JSON output, and scoring exactly as the benchmark scorer does.

The schedule is the earliest one: a rep leaves its start at ``shift[0]``, waits at a stop until one
of its windows opens, and takes the break (when it has one) after ``break_after`` stops, starting
it as soon as its window allows, at the place it is; then travels on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .problem import Problem
from .travel import Tables, build_tables

EPS = 1e-6


@dataclass(frozen=True)
class Visit:
    stop: str
    arrival: float
    start: float  # service start (after waiting for the window)
    end: float  # service end


@dataclass(frozen=True)
class Route:
    rep: str
    stops: tuple[str, ...]
    break_after: int | None = None
    visits: tuple[Visit, ...] = ()
    break_start: float | None = None
    break_end: float | None = None
    start_time: float = 0.0  # leaves the start place
    end_time: float = 0.0  # back at the end place
    travel: float = 0.0  # travel duration
    distance: float = 0.0
    service: float = 0.0
    wait: float = 0.0
    load: float = 0.0
    violations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Solution:
    routes: tuple[Route, ...]
    dropped: tuple[str, ...]
    objective: float = 0.0
    travel: float = 0.0
    distance: float = 0.0
    dropped_penalty: float = 0.0
    feasible: bool = True
    violations: tuple[str, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)

    def route(self, rep: str) -> Route | None:
        return next((r for r in self.routes if r.rep == rep), None)

    def better_than(self, other: Solution | None) -> bool:
        """Feasible beats infeasible, then the lower objective; a tie is not better."""
        if other is None:
            return True
        return (self.feasible, -self.objective) > (other.feasible, -other.objective)


def schedule_route(
    problem: Problem,
    tables: Tables,
    rep_index: int,
    stop_ids,
    break_after=None,
    _stops=None,
    _loc=None,
) -> Route:
    """The earliest schedule of one rep's route, with any constraint violations listed."""
    rep = problem.reps[rep_index]
    stop_ids = list(stop_ids)
    walk = _Walk(problem, tables, rep_index, _stops or {s.id: s for s in problem.stops})
    walk.loc = _loc or problem.location_index
    walk.here = walk.loc[rep.start]
    breaks = rep.break_ is not None and bool(stop_ids)
    if breaks and break_after is None:
        walk.violations.append(f"{rep.id}: no break_after given for the break")
    for k, sid in enumerate(stop_ids):
        if breaks and break_after == k:
            walk.take_break()
        walk.visit(sid)
    if breaks and break_after == len(stop_ids):
        walk.take_break()
    walk.go_to_end(bool(stop_ids))
    walk.check_limits(stop_ids)
    return Route(
        rep.id,
        tuple(stop_ids),
        break_after if breaks else None,
        tuple(walk.visits),
        walk.break_start,
        walk.break_end,
        float(rep.shift[0]),
        float(walk.t),
        float(walk.travel),
        float(walk.distance),
        float(walk.service),
        float(walk.wait),
        float(walk.load),
        tuple(walk.violations),
    )


class _Walk:
    """A rep walking their route in the earliest schedule: the clock, the place, the totals."""

    def __init__(self, problem: Problem, tables: Tables, rep_index: int, stops: dict):
        self.rep = problem.reps[rep_index]
        self.stops = stops
        self.duration, self.dist = tables.durations[rep_index], tables.distance_of(rep_index)
        self.t = self.rep.shift[0]
        self.travel = self.distance = self.service = self.wait = self.load = 0.0
        self.visits: list[Visit] = []
        self.violations: list[str] = []
        self.break_start = self.break_end = None

    def take_break(self) -> None:
        brk = self.rep.break_
        self.break_start = max(self.t, brk.window[0])
        if self.break_start > brk.window[1] + EPS:
            self.violations.append(
                f"{self.rep.id}: break starts at {self.break_start:.0f}, "
                f"after its window ends at {brk.window[1]:g}"
            )
        self.t = self.break_end = self.break_start + brk.duration

    def _move(self, there: int) -> None:
        self.travel += self.duration[self.here, there]
        self.distance += self.dist[self.here, there]
        self.t += self.duration[self.here, there]
        self.here = there

    def visit(self, sid: str) -> None:
        stop = self.stops.get(sid)
        if stop is None:
            self.violations.append(f"{self.rep.id}: unknown stop {sid!r}")
            return
        self._move(self.loc[stop.location])
        arrival = t = self.t
        windows = stop.windows or ((-math.inf, math.inf),)
        fit = [max(t, w0) for w0, w1 in windows if max(t, w0) <= w1 + EPS]
        if not fit:
            self.violations.append(
                f"{self.rep.id}: stop {sid} reached at {t:.0f}, outside its windows"
            )
            fit = [t]
        begin = min(fit)
        self.wait += begin - arrival
        self.t = begin + stop.service
        self.service += stop.service
        self.load += stop.demand
        self.visits.append(Visit(sid, float(arrival), float(begin), float(self.t)))

    def go_to_end(self, moved: bool) -> None:
        if moved:
            self._move(self.loc[self.rep.end])
        else:
            self.t = self.rep.shift[0]

    def check_limits(self, stop_ids: list[str]) -> None:
        rep, t = self.rep, self.t
        if t > rep.shift[1] + EPS:
            self.violations.append(
                f"{rep.id}: returns at {t:.0f}, after the shift ends at {rep.shift[1]:g}"
            )
        if rep.capacity is not None and self.load > rep.capacity + EPS:
            self.violations.append(f"{rep.id}: load {self.load:g} over capacity {rep.capacity:g}")
        if rep.max_stops is not None and len(stop_ids) > rep.max_stops:
            self.violations.append(
                f"{rep.id}: {len(stop_ids)} stops, over max_stops {rep.max_stops}"
            )
        if tuple(stop_ids[: len(rep.locked)]) != rep.locked:
            self.violations.append(
                f"{rep.id}: locked stops {list(rep.locked)} are not the route's start"
            )


def best_break_position(
    problem: Problem, tables: Tables, rep_index: int, stop_ids, hint: int | None = None
) -> Route:
    """Schedule a route choosing where the break goes: the hint when feasible, else the first
    feasible position that returns earliest."""
    rep = problem.reps[rep_index]
    stops = {s.id: s for s in problem.stops}
    loc = problem.location_index
    if rep.break_ is None or not stop_ids:
        return schedule_route(problem, tables, rep_index, stop_ids, None, stops, loc)
    if hint is not None:
        route = schedule_route(problem, tables, rep_index, stop_ids, hint, stops, loc)
        if not route.violations:
            return route
    best = None
    for k in range(len(stop_ids) + 1):
        route = schedule_route(problem, tables, rep_index, stop_ids, k, stops, loc)
        key = (len(route.violations), route.end_time)
        if best is None or key < best[0]:
            best = (key, route)
    return best[1]


def make_solution(
    problem: Problem,
    routes: dict[str, list[str]],
    tables: Tables | None = None,
    break_hints: dict[str, int] | None = None,
    stats=None,
) -> Solution:
    """Schedule and score the given routes ({rep id: stop ids}); other stops are dropped."""
    tables = tables or build_tables(problem)
    rep_index = {r.id: k for k, r in enumerate(problem.reps)}
    break_hints = break_hints or {}
    out: list[Route] = []
    seen: set[str] = set()
    violations: list[str] = []
    for rep_id, ids in routes.items():
        if rep_id not in rep_index:
            violations.append(f"unknown rep {rep_id!r}")
            continue
        route = best_break_position(
            problem, tables, rep_index[rep_id], ids, break_hints.get(rep_id)
        )
        for sid in ids:
            if sid in seen:
                violations.append(f"stop {sid} visited twice")
            seen.add(sid)
        violations.extend(route.violations)
        out.append(route)
    out.sort(key=lambda r: rep_index.get(r.rep, 0))
    dropped = tuple(s.id for s in problem.stops if s.id not in seen)
    penalty = 0.0
    stops = {s.id: s for s in problem.stops}
    for sid in dropped:
        if stops[sid].penalty is None:
            violations.append(f"required stop {sid} not visited")
        else:
            penalty += stops[sid].penalty
    travel = sum(r.travel for r in out)
    distance = sum(r.distance for r in out)
    base = distance if problem.objective == "distance" else travel
    return Solution(
        tuple(out),
        dropped,
        round(base + penalty, 3),
        round(travel, 3),
        round(distance, 3),
        round(penalty, 3),
        not violations,
        tuple(violations),
        dict(stats or {}),
    )


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(float(x), 3)


def solution_to_dict(solution: Solution, problem: Problem | None = None) -> dict[str, Any]:
    """The benchmark solution format (`bench/instances/README.md`) plus schedule and totals."""
    routes = []
    for r in solution.routes:
        d: dict[str, Any] = {"rep": r.rep, "stops": list(r.stops)}
        if r.break_after is not None:
            d["break_after"] = r.break_after
            d["break"] = {"start": _num(r.break_start), "end": _num(r.break_end)}
        d["visits"] = [
            {"stop": v.stop, "arrival": _num(v.arrival), "start": _num(v.start), "end": _num(v.end)}
            for v in r.visits
        ]
        d["start_time"] = _num(r.start_time)
        d["end_time"] = _num(r.end_time)
        d["totals"] = {
            "stops": len(r.stops),
            "travel": _num(r.travel),
            "distance": _num(r.distance),
            "service": _num(r.service),
            "wait": _num(r.wait),
            "load": _num(r.load),
            "duration": _num(r.end_time - r.start_time),
        }
        if r.violations:
            d["violations"] = list(r.violations)
        routes.append(d)
    out: dict[str, Any] = {"routes": routes, "dropped": list(solution.dropped)}
    if problem is not None and problem.name:
        out["name"] = problem.name
    out["objective"] = solution.objective
    out["travel"] = solution.travel
    out["distance"] = solution.distance
    out["dropped_penalty"] = solution.dropped_penalty
    out["feasible"] = solution.feasible
    if solution.violations:
        out["violations"] = list(solution.violations[:20])
    if solution.stats:
        out["stats"] = solution.stats
    return out


def solution_from_dict(problem: Problem, data: dict[str, Any]) -> Solution:
    """Re-schedule and score a solution in the benchmark format (e.g. another planner's)."""
    routes = {}
    hints = {}
    for r in data.get("routes", []):
        routes[r["rep"]] = list(r.get("stops", []))
        if r.get("break_after") is not None:
            hints[r["rep"]] = r["break_after"]
    return make_solution(problem, routes, break_hints=hints)
