"""Route planning for Terminus: a small typed API over an OR-Tools routing solver.

    from backend.planning import load, solve, solution_to_dict
    problem = load("day.json")                  # or problem_from_dict({...})
    plan = solve(problem, seconds=5, seed=0)     # -> Solution (routes with schedules, dropped)
    solution_to_dict(plan, problem)              # the shared JSON format plus times and totals

This package imports nothing from the rest of ``backend``.
"""

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
