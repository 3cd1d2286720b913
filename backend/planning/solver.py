"""``solve``: the search that plans a problem's routes, as named phases.

1. start: ruin-and-recreate's own greedy construction when every stop is optional and the problem
   is large (it beats OR-Tools' plan as a start there), else
2. OR-Tools: a first plan (a first-solution strategy that fits the problem) improved by guided
   local search for a share of the budget (the whole budget when a rep has a break);
3. break repair: a plan whose break the schedule takes later than OR-Tools assumed (it lets a
   break overlap travel) is solved again with a longer modelled break;
4. LNS: ruin-and-recreate with simulated annealing (``lns.py``, compiled in ``kernel.py``), far
   stronger per second, takes the rest of the budget (not for reps with a break: their plans
   stay with OR-Tools);
5. polish: the last share goes to OR-Tools' guided local search from the best plan.

``workers`` > 1 runs independent searches in forked processes (``parallel.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .lns import RuinRecreate, warm
from .model import FS, first_strategies, run_ortools
from .parallel import solve_parallel
from .params import SolveParams
from .problem import Problem
from .solution import Solution, make_solution
from .travel import Tables, build_tables


def solve(
    problem: Problem,
    seconds: float | None = None,
    seed: int | None = None,
    *,
    params: SolveParams | None = None,
    tables: Tables | None = None,
    initial: dict[str, list[str]] | Solution | None = None,
    **options: Any,
) -> Solution:
    """Plan routes for all reps within about ``params.seconds`` of wall time.

    ``seconds``, ``seed`` and keyword ``options`` (any ``SolveParams`` field: ``iterations``,
    ``ortools_share``, ``polish_share``, ``start``, ``workers``) override ``params``.
    ``initial``: a previous plan ({rep id: stop ids} or a Solution) to start from (re-planning).
    With ``iterations`` the search is bounded by work instead of time: OR-Tools stops after a
    fixed number of solutions and the ruin-and-recreate after ``iterations`` moves, so the plan
    depends only on the input and the seed (``seconds`` then only caps the time). Without it the
    search runs for the time budget: the same plan on small problems, but on large ones it may
    differ from run to run, with machine load.
    """
    started = time.perf_counter()
    given = {"seconds": seconds, "seed": seed}
    params = (params or SolveParams()).override(
        **{k: v for k, v in given.items() if v is not None}, **options
    )
    tables = tables or build_tables(problem)
    if isinstance(initial, Solution):
        initial = {r.rep: list(r.stops) for r in initial.routes}
    if not problem.stops:
        return make_solution(problem, {r.id: [] for r in problem.reps}, tables)
    if params.workers > 1 and params.seconds >= 0.5:
        warm()  # once here rather than in every forked worker, against each one's budget
        return solve_parallel(solve, problem, params, tables, initial, started)
    search = Search(problem, tables, params, started)
    if search.greedy_start(initial):
        plan = greedy_phase(search)
        if plan is not None:
            return plan
    plan = ortools_phase(search, initial)
    if plan is None:
        routes = {r.id: list(r.locked) for r in problem.reps}
        return make_solution(problem, routes, tables, stats={"status": "no solution"})
    plan = break_repair_phase(search, plan)
    if not search.has_breaks and (search.left() > 0.02 or params.iterations is not None):
        plan = lns_phase(search, plan)
        plan = polish_phase(search, plan)
    return search.finish(plan)


@dataclass
class Search:
    """One search's inputs and clock, shared by its phases."""

    problem: Problem
    tables: Tables
    params: SolveParams
    started: float

    @property
    def has_breaks(self) -> bool:
        return any(r.break_ is not None for r in self.problem.reps)

    @property
    def all_required(self) -> bool:
        return all(s.penalty is None for s in self.problem.stops)

    @property
    def solution_limit(self) -> int | None:
        """OR-Tools' bound on solutions when the search is bounded by work."""
        iterations = self.params.iterations
        return None if iterations is None else max(50, iterations // 20)

    @property
    def ortools_share(self) -> float:
        if self.has_breaks:
            return 1.0
        if self.params.ortools_share is not None:
            return self.params.ortools_share
        # prize collecting gains little from OR-Tools' local search, much from ruin-and-recreate
        return 0.1 if self.all_required else 0.03

    @property
    def polish_seconds(self) -> float:
        share = self.params.polish_share
        if share is None:  # small problems with optional stops (a rep's day)
            share = 0.1 if not self.all_required and len(self.problem.stops) <= 200 else 0.0
        return share * self.params.seconds if self.params.iterations is None else 0.0

    def greedy_start(self, initial) -> bool:
        start, stops = self.params.start, self.problem.stops
        all_optional = all(s.penalty is not None for s in stops)
        greedy = start == "greedy" or (start == "auto" and all_optional and len(stops) > 100)
        return greedy and not self.has_breaks and initial is None

    def left(self) -> float:
        return self.params.seconds - (time.perf_counter() - self.started) - 0.05

    def plan(self, routes, break_hints=None, stats=None) -> Plan:
        solution = make_solution(self.problem, routes, self.tables, break_hints)
        return Plan(routes, break_hints or {}, solution, stats or {})

    def finish(self, plan: Plan) -> Solution:
        stats = {**plan.stats, "seconds": round(time.perf_counter() - self.started, 3)}
        return replace(plan.solution, stats=stats)


@dataclass
class Plan:
    """The best plan of a search so far: routes {rep: stop ids}, where the breaks go (OR-Tools'
    positions), the scored solution and the stats the phases add."""

    routes: dict[str, list[str]]
    break_hints: dict[str, int]
    solution: Solution
    stats: dict[str, Any] = field(default_factory=dict)


def greedy_phase(search: Search) -> Solution | None:
    """Every stop optional: ruin-and-recreate from its own construction (highest penalty
    first), the whole budget to it; None when its plan is not feasible."""
    problem = search.problem
    lns = RuinRecreate(problem, search.tables, search.params.seed)
    start = [list(x) for x in lns.locked_ids]
    best, iterations = lns.run(start, max(0.0, search.left()), search.params.iterations)
    stats = {"seed": search.params.seed, "start": "greedy", "lns_iterations": iterations}
    plan = search.plan(lns.routes_by_rep(best), stats=stats)
    return search.finish(plan) if plan.solution.feasible else None


def ortools_phase(search: Search, initial: dict[str, list[str]] | None) -> Plan | None:
    """OR-Tools' first plan and guided local search for its share of the budget."""
    seconds = search.left() * search.ortools_share
    found = run_ortools(search.problem, search.tables, seconds, search.solution_limit, initial)
    if found is None:
        return None
    stats = {
        "seed": search.params.seed,
        "start": "ortools",
        "first_solution": FS.Value.Name(first_strategies(search.problem)[0]),
        "ortools_objective": found.objective,
    }
    return search.plan(found.routes, found.break_hints, stats)


def break_repair_phase(search: Search, plan: Plan, attempts: int = 3) -> Plan:
    """Re-solve with each late rep's break lengthened by its longest leg (x attempt)."""
    problem, tables = search.problem, search.tables
    slack: dict[int, float] = {}
    for attempt in range(attempts):
        late = [
            v
            for v, r in enumerate(problem.reps)
            if r.break_ is not None
            and plan.solution.route(r.id) is not None
            and plan.solution.route(r.id).violations
        ]
        if not late or search.left() < 0.1:
            break
        for v in late:
            slack[v] = _longest_leg(problem, tables, v, plan.routes) * (attempt + 1)
        again = run_ortools(
            problem, tables, search.left() / 2, search.solution_limit, plan.routes, slack
        )
        if again is None:
            break
        candidate = search.plan(
            again.routes, again.break_hints, {**plan.stats, "ortools_objective": again.objective}
        )
        if candidate.solution.better_than(plan.solution):
            plan = candidate
    return plan


def _longest_leg(problem: Problem, tables: Tables, v: int, routes: dict[str, list[str]]) -> float:
    """The longest travel between any two places of rep ``v``'s start and route."""
    loc, rep = problem.location_index, problem.reps[v]
    on_route = set(routes[rep.id])
    places = [loc[rep.start]] + [loc[s.location] for s in problem.stops if s.id in on_route]
    return float(tables.durations[v][np.ix_(places, places)].max())


def lns_phase(search: Search, plan: Plan) -> Plan:
    """Ruin-and-recreate from the plan until the polish's share of the budget is left."""
    problem = search.problem
    lns = RuinRecreate(problem, search.tables, search.params.seed)
    index = {s.id: k for k, s in enumerate(problem.stops)}
    start = [[index[x] for x in plan.routes[r.id]] for r in problem.reps]
    seconds = max(0.0, search.left() - search.polish_seconds)
    best, iterations = lns.run(start, seconds, search.params.iterations)
    stats = {**plan.stats, "lns_iterations": iterations}
    return search.plan(lns.routes_by_rep(best), plan.break_hints, stats)


def polish_phase(search: Search, plan: Plan) -> Plan:
    """OR-Tools' guided local search from the best plan: its exchange and relocation
    neighbourhoods sometimes find what ruin-and-recreate misses."""
    if not search.polish_seconds or search.left() <= 0.05:
        return plan
    again = run_ortools(search.problem, search.tables, search.left(), None, plan.routes)
    if again is None:
        return plan
    candidate = search.plan(again.routes, again.break_hints, {**plan.stats, "polished": True})
    return candidate if candidate.solution.better_than(plan.solution) else plan
