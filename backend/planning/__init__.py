"""Route planning for Terminus: a small typed API over an OR-Tools routing solver.

    from backend.planning import load, solve, solution_to_dict
    problem = load("day.json")                    # or problem_from_dict({...}) from the app
    plan = solve(problem, seconds=5, seed=0)       # -> Solution (routes with schedules, dropped)
    plan = solve(problem, params=SolveParams.from_file("config/planner.toml"))
    solution_to_dict(plan, problem)                # the benchmark JSON format plus times, totals

Modules: ``problem`` (data model, JSON in/out, validation with field paths), ``travel`` (matrices),
``params`` (``SolveParams``), ``solver`` (``solve``: the search as named phases), ``model`` (the
OR-Tools routing model), ``nodes`` (node numbering and speed groups), ``lns`` (ruin-and-recreate
improvement) and ``kernel`` (its compiled core, numba), ``parallel`` (independent searches in
forked processes), ``solution`` (schedules, scoring like the benchmark scorer, JSON out),
``replan`` (rest-of-day problems), ``cycles`` (visit days over a period), ``__main__`` (CLI,
``--warm`` compiles the kernel ahead). This package imports nothing from the rest of ``backend``.

For the app (visit cycles, plans):
- one rep or a team: a Problem with one or several ``Rep``; each ``Stop`` is required
  (``penalty=None``) or optional with a penalty in objective units (seconds of travel for the
  default ``"duration"`` objective) -- e.g. higher for A stores or overdue ones;
- a supervisor's locked positions: ``Rep.locked`` (stop ids the rep does first, in order);
- re-plan the rest of a day: ``replan_problem(problem, rep, done=..., now=..., position=...,
  locked=...)`` then ``solve(rest, seconds=0.8, initial=previous_plan)``;
- reproducible plans: ``solve(..., seed=s, iterations=n)`` bounds the search by work, not time.
"""

from .params import SolveParams
from .problem import (
    Break,
    Location,
    Problem,
    ProblemError,
    Rep,
    Stop,
    Travel,
    dump,
    load,
    parse_time,
    problem_from_dict,
    problem_to_dict,
)
from .replan import replan_problem
from .solution import (
    Route,
    Solution,
    Visit,
    make_solution,
    solution_from_dict,
    solution_to_dict,
)
from .solver import solve
from .travel import Tables, build_tables, haversine_matrix

__all__ = [
    "Break",
    "Location",
    "Problem",
    "ProblemError",
    "Rep",
    "Route",
    "Solution",
    "SolveParams",
    "Stop",
    "Tables",
    "Travel",
    "Visit",
    "build_tables",
    "dump",
    "haversine_matrix",
    "load",
    "make_solution",
    "parse_time",
    "problem_from_dict",
    "problem_to_dict",
    "replan_problem",
    "solution_from_dict",
    "solution_to_dict",
    "solve",
]
