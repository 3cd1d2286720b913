"""SolveParams: validated options, TOML loading, keyword overrides in solve(), forwarding."""

import time
from pathlib import Path

import pytest

from backend.planning import SolveParams, problem_from_dict, solve
from backend.planning import parallel as parallel_module
from backend.planning.solution import make_solution
from tests.planning.planning_helpers import line_problem

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "options",
    [
        {"seconds": 0},
        {"seconds": -1.0},
        {"seconds": float("inf")},
        {"seconds": "5"},
        {"seed": -1},
        {"seed": 1.5},
        {"workers": 0},
        {"workers": True},
        {"iterations": 0},
        {"ortools_share": 1.5},
        {"polish_share": -0.1},
        {"start": "random"},
    ],
)
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError):
        SolveParams(**options)


def test_override_validates_and_refuses_unknown_names():
    params = SolveParams(seconds=2, seed=3)
    assert params.override(iterations=10) == SolveParams(seconds=2, seed=3, iterations=10)
    with pytest.raises(ValueError):
        params.override(workers=0)
    with pytest.raises(TypeError):
        params.override(budget=1)


def test_repository_planner_toml_holds_the_defaults():
    assert SolveParams.from_file(ROOT / "config" / "planner.toml") == SolveParams()


def test_from_file_reads_the_planner_table_and_refuses_unknown_keys(tmp_path):
    path = tmp_path / "planner.toml"
    path.write_text('[planner]\nseconds = 1.5\niterations = 40\nstart = "greedy"\n')
    assert SolveParams.from_file(path) == SolveParams(seconds=1.5, iterations=40, start="greedy")
    path.write_text("[planner]\nsecond = 1\n")
    with pytest.raises(ValueError, match="second"):
        SolveParams.from_file(path)
    path.write_text("[other]\nseconds = 1\n")
    with pytest.raises(ValueError, match=r"\[planner\]"):
        SolveParams.from_file(path)


def test_keyword_overrides_on_top_of_params_give_the_same_plan():
    problem = problem_from_dict(line_problem([(1, 5), (4, 2), (7, 7), (2, 9), (8, 1)]))
    by_keywords = solve(problem, seconds=10, seed=2, iterations=50)
    by_params = solve(problem, params=SolveParams(seconds=10, seed=2, iterations=50))
    mixed = solve(problem, 10, params=SolveParams(seconds=99, seed=2), iterations=50)
    plans = {tuple(s.routes[0].stops) for s in (by_keywords, by_params, mixed)}
    assert len(plans) == 1 and by_keywords.stats["seed"] == 2


def test_parallel_workers_get_every_option(monkeypatch):
    problem = problem_from_dict(line_problem([(1, 0), (2, 0)], stops={1: {"penalty": 5}}))
    seen = []

    def fake_solve(problem, *, params, tables, initial):
        seen.append(params)
        routes = {r.id: [s.id for s in problem.stops] for r in problem.reps}
        return make_solution(problem, routes, tables, stats={"seed": params.seed})

    # run the workers in this process: what each would be called with is what matters here
    monkeypatch.setattr(parallel_module, "ProcessPoolExecutor", _InProcessPool)
    params = SolveParams(seconds=2, seed=3, polish_share=0.4, ortools_share=0.2, workers=2)
    tables, started = _tables(problem), time.perf_counter()
    sol = parallel_module.solve_parallel(fake_solve, problem, params, tables, None, started)
    assert [p.seed for p in seen] == [6, 7]
    assert all(p.polish_share == 0.4 and p.ortools_share == 0.2 for p in seen)
    assert all(p.workers == 1 and p.start == "auto" for p in seen)
    assert sol.stats["workers"] == 2 and sol.stats["best_worker"] == 0


def _tables(problem):
    from backend.planning import build_tables

    return build_tables(problem)


class _InProcessPool:
    def __init__(self, workers, mp_context=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, fn, items):
        return [fn(k) for k in items]
