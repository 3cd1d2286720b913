"""Ruin-and-recreate improvement of a plan (SISR-style string removals, simulated annealing).

Works on the exact float schedule the scorer uses (earliest start, waiting allowed, every window),
so every accepted plan is feasible by construction. The search itself runs compiled
(``kernel.py``); this module turns a problem into the kernel's arrays, runs the kernel in chunks
against the clock (or a fixed number of iterations) and reads the best plan back.

Not used for reps with a break (the OR-Tools model handles those on its own).
"""

from __future__ import annotations

import math
import time

import numpy as np

from . import kernel
from .kernel import BIG, Data, State, Undo, Work
from .nodes import node_index
from .problem import Location, Problem, Rep, Stop
from .travel import Tables, build_tables

CHUNK_ITERATIONS = 1024  # work-bounded runs: the kernel is called this many steps at a time
CHUNK_SECONDS = 0.01  # time-bounded runs: about this long per kernel call
_WARM: dict[str, float] = {}  # how long this process took to make the kernel ready


def warm() -> float:
    """Make the kernel ready in this process: load it from numba's cache (about 0.3 s) or, on a
    fresh install, compile it (15-30 s) and write the cache. Returns the seconds it took (0 when
    it was ready). ``RuinRecreate`` calls it before the search's clock starts, so on a cached
    install a solve keeps its budget; ``python -m backend.planning --warm`` compiles ahead."""
    if "seconds" in _WARM:
        return 0.0
    _WARM["seconds"] = 0.0  # before the tiny run below, which makes a RuinRecreate too
    started = time.perf_counter()
    windows = ((0.0, 50.0), (60.0, 100.0))
    problem = Problem(
        (Location("a", x=0.0, y=0.0), Location("b", x=3.0, y=4.0)),
        (Rep("r", "a", "a", (0.0, 100.0)),),
        (Stop("s", "b", 1.0, windows), Stop("t", "b", 1.0, windows[:1], penalty=5.0)),
    )
    RuinRecreate(problem, build_tables(problem)).run([[]], 1.0, 2)
    _WARM["seconds"] = time.perf_counter() - started
    return _WARM["seconds"]


class RuinRecreate:
    """A problem as the kernel's arrays, and the search over it.

    Nodes are numbered as ``nodes.Nodes``; travel tables are indexed [speed group, from, to].
    """

    def __init__(self, problem: Problem, tables: Tables, seed: int = 0):
        warm()
        self.problem = problem
        nodes = node_index(problem, tables)
        self.n, self.n_reps = nodes.n_stops, nodes.n_reps
        grid, groups = nodes.grid, range(len(nodes.groups))
        travel = np.stack([nodes.durations(tables, g)[grid] for g in groups]).astype(float)
        cost = np.stack([nodes.costs(problem, tables, g)[grid] for g in groups]).astype(float)
        cost = travel if np.array_equal(cost, travel) else cost
        self.data = _data(problem, np.array(nodes.group_of, dtype=np.int64), travel, cost)
        self.rng = kernel.seed_state(seed)
        index = {s.id: i for i, s in enumerate(problem.stops)}
        self.locked_ids = [[index[x] for x in r.locked] for r in problem.reps]

    def state(self, routes: list[list[int]]) -> State:
        """The kernel's state for routes of stop indices, with schedules computed."""
        n, reps = self.n, self.n_reps
        s = State(
            np.zeros((reps, n + 2), dtype=np.int64),
            np.zeros(reps, dtype=np.int64),
            np.zeros((reps, n + 2)),
            np.zeros((reps, n + 2)),
            np.zeros(reps),
            np.zeros(reps),
            np.full(n, -1, dtype=np.int64),
        )
        for v, route in enumerate(routes):
            s.nodes[v, : len(route) + 2] = [n + 2 * v, *route, n + 2 * v + 1]
            s.m[v] = len(route) + 2
            s.where[list(route)] = v
            kernel.update_route(self.data, s, v)
        return s

    def routes(self, s: State) -> list[list[int]]:
        return [s.nodes[v, 1 : s.m[v] - 1].tolist() for v in range(self.n_reps)]

    def run(
        self,
        routes: list[list[int]],
        seconds: float,
        iterations: int | None = None,
        t_start: float = 2.0,
        t_end: float = 0.02,
        restart: float | None = 0.15,
    ):
        """Improve ``routes`` (stop indices per rep) for ``seconds`` or ``iterations``; returns
        the best routes and the number of iterations. Simulated annealing from ``t_start`` to
        ``t_end`` times the mean arc cost; back to the best plan after ``restart`` of the run
        without improvement."""
        d = self.data
        s = self.state(routes)
        if not all(kernel.feasible_route(d, s, v) for v in range(self.n_reps)):
            return [list(r) for r in routes], 0  # do not touch a plan we cannot reason about
        undo, work = self._scratch(s)
        left_out = np.flatnonzero(s.where < 0)
        order = left_out[np.argsort(-d.penalty[left_out], kind="stable")]
        kernel.insert_all(d, s, undo, order, len(order), 0.0, self.rng)
        kernel.forget(undo)
        best = self.state(self.routes(s))
        current = kernel.objective(d, s)
        hot, cold = _temperatures(s, t_start, t_end)
        f = np.array([current, current, 0.0, hot, cold])
        run = _Chunks(seconds, iterations)
        while (chunk := run.next()) is not None:
            kernel.search(d, s, undo, work, best, self.rng, f, *chunk, restart or 0.0)
        return self.routes(best), run.done

    def _scratch(self, s: State) -> tuple[Undo, Work]:
        n, reps = self.n, self.n_reps
        saved = State(*(np.copy(a) for a in s))
        touched, listed = np.zeros(reps, dtype=np.bool_), np.zeros(reps, dtype=np.int64)
        undo = Undo(saved, touched, listed, np.zeros(1, dtype=np.int64))
        work = Work(
            np.zeros(n, dtype=np.int64),
            np.zeros(n, dtype=np.bool_),
            np.zeros(reps, dtype=np.bool_),
            np.zeros(n),
        )
        return undo, work

    def routes_by_rep(self, routes: list[list[int]]) -> dict[str, list[str]]:
        """Stop indices per rep as {rep id: stop ids}."""
        stops = self.problem.stops
        return {r.id: [stops[c].id for c in routes[v]] for v, r in enumerate(self.problem.reps)}


def _data(problem: Problem, group: np.ndarray, travel: np.ndarray, cost: np.ndarray) -> Data:
    """The problem's arrays for the kernel."""
    stops, reps, n = problem.stops, problem.reps, len(problem.stops)
    k = max([len(s.windows) for s in stops] + [1])
    wopen, wclose = np.full((n, k), BIG), np.full((n, k), -BIG)
    for i, s in enumerate(stops):
        windows = sorted(s.windows) or [(-BIG, BIG)]
        for j, (a, b) in enumerate(windows):
            wopen[i, j], wclose[i, j] = a, b
    nwin = np.array([max(1, len(s.windows)) for s in stops], dtype=np.int64)
    max_cost = float(cost.max()) if cost.size else 1.0
    required = 1e3 * (max_cost + 1) * (n + 1)
    neighbours = np.zeros((n, 0), dtype=np.int64)
    if n:  # neighbours of each stop by cost (first group), nearest first, itself included
        c = cost[0][:n, :n]
        neighbours = np.argsort(c + c.T, axis=1, kind="stable")[:, : min(n, 60)]
    return Data(
        travel,
        cost,
        group,
        np.array([s.service for s in stops] + [0.0] * (2 * len(reps))),
        wopen,
        wclose,
        nwin,
        np.array([s.demand for s in stops], dtype=float),
        np.array([required if s.penalty is None else s.penalty for s in stops], dtype=float),
        np.array([r.shift[0] for r in reps], dtype=float),
        np.array([r.shift[1] for r in reps], dtype=float),
        np.array([math.inf if r.capacity is None else r.capacity for r in reps], dtype=float),
        np.array([n if r.max_stops is None else r.max_stops for r in reps], dtype=np.int64),
        np.array([len(r.locked) for r in reps], dtype=np.int64),
        np.ascontiguousarray(neighbours, dtype=np.int64),
        wclose.max(axis=1) - wopen.min(axis=1),
    )


def _temperatures(s: State, t_start: float, t_end: float) -> tuple[float, float]:
    """Start and end temperatures: ``t_start``/``t_end`` times the mean arc cost."""
    arcs = max(1, int(sum(m - 1 for m in s.m.tolist() if m > 2)))
    scale = max(1e-9, float(s.rcost.sum()) / arcs)
    return t_start * scale, t_end * scale


class _Chunks:
    """The kernel calls of a run: (steps, fraction at the first, fraction per step), by
    iterations when bounded by work, else against the clock."""

    def __init__(self, seconds: float, iterations: int | None):
        self.seconds, self.iterations = seconds, iterations
        self.started = time.perf_counter()
        self.deadline = self.started + seconds
        self.done = 0
        self.per_step: float | None = None
        self.last = self.started

    def next(self) -> tuple[int, float, float] | None:
        now = time.perf_counter()
        if self.iterations is not None:
            if self.done >= self.iterations:
                return None
            steps = min(CHUNK_ITERATIONS, self.iterations - self.done)
            self.done += steps
            return steps, (self.done - steps) / self.iterations, 1.0 / self.iterations
        if self.done:  # the last call's pace sets this one's length
            self.per_step = max(1e-7, (now - self.last) / self.last_steps)
        if now >= self.deadline:
            return None
        per_step = self.per_step or 0.0
        steps = 4 if not per_step else int(min(CHUNK_SECONDS, self.deadline - now) / per_step) + 1
        self.last, self.last_steps = now, steps
        self.done += steps
        return steps, (now - self.started) / max(1e-9, self.seconds), per_step / self.seconds
