"""Independent searches in forked processes, one per core; the best plan is kept.

Worker ``k`` runs ``solve`` with every option of the caller's ``SolveParams`` except its seed
(``seed * workers + k``), its budget (what is left, less the cost of forking and of pickling the
plans back) and ``workers`` (1).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from .params import SolveParams
from .problem import Problem
from .solution import Solution, make_solution
from .travel import Tables

FORK_SECONDS = 0.15
_SHARED: dict = {}  # the workers' inputs, inherited through fork rather than pickled


def solve_parallel(
    solve: Callable[..., Solution],
    problem: Problem,
    params: SolveParams,
    tables: Tables,
    initial: dict[str, list[str]] | None,
    started: float,
) -> Solution:
    budget = max(0.05, params.seconds - (time.perf_counter() - started) - FORK_SECONDS)
    _SHARED.update(problem=problem, params=params.override(seconds=budget), tables=tables)
    _SHARED.update(initial=initial, solve=solve)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(params.workers, mp_context=context) as pool:
            results = list(pool.map(_worker, range(params.workers)))
    finally:
        _SHARED.clear()
    best = None
    for k, (routes, stats) in enumerate(results):
        solution = make_solution(problem, routes, tables)
        if best is None or solution.better_than(best[0]):
            best = (solution, k, stats)
    solution, k, stats = best
    stats = {
        **stats,
        "workers": params.workers,
        "best_worker": k,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return replace(solution, stats=stats)


def _worker(k: int):
    params: SolveParams = _SHARED["params"]
    worker_params = params.override(seed=params.seed * params.workers + k, workers=1)
    solution = _SHARED["solve"](
        _SHARED["problem"],
        params=worker_params,
        tables=_SHARED["tables"],
        initial=_SHARED["initial"],
    )
    return {r.rep: list(r.stops) for r in solution.routes}, solution.stats
