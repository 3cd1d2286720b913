"""Ruin-and-recreate improvement of a plan (SISR-style string removals, simulated annealing).

Works on the exact float schedule the scorer uses (earliest start, waiting allowed, every window),
so every accepted plan is feasible by construction. Insertion is evaluated for all positions of
all routes at once with numpy, using each route's departure times and latest feasible arrivals.

Not used for reps with a break (the OR-Tools model handles those on its own).
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from .nodes import node_index
from .problem import Problem
from .travel import Tables

EPS = 1e-6
BIG = 1e18


class RuinRecreate:
    """The search state: each rep's route (stop indices), where each stop is, what is left out.

    Nodes are numbered as ``nodes.Nodes``. Travel tables are indexed [speed group, from, to];
    an insertion *slot* is an arc of a route (node, next node) a stop may go between.
    """

    def __init__(self, problem: Problem, tables: Tables, seed: int = 0):
        self.problem = problem
        nodes = node_index(problem, tables)
        self.n, self.n_reps = nodes.n_stops, nodes.n_reps
        self.group = np.array(nodes.group_of, dtype=np.int64)
        grid, groups = nodes.grid, range(len(nodes.groups))
        self.travel_time = np.stack([nodes.durations(tables, g)[grid] for g in groups])
        self.arc_cost = np.stack([nodes.costs(problem, tables, g)[grid] for g in groups])
        self.single = len(nodes.groups) == 1
        self._set_windows(problem.stops)
        self._set_stops_and_reps(problem)
        self.rng = np.random.default_rng(seed)
        self._set_fast_tables()

    def _set_windows(self, stops) -> None:
        """Window opens and closes per stop, padded to the most windows any stop has."""
        n = self.n
        k = max([len(s.windows) for s in stops] + [1])
        self.window_open = np.full((n, k), BIG)
        self.window_close = np.full((n, k), -BIG)
        for i, s in enumerate(stops):
            if not s.windows:
                self.window_open[i, 0], self.window_close[i, 0] = -BIG, BIG
            for j, (a, b) in enumerate(sorted(s.windows)):
                self.window_open[i, j], self.window_close[i, j] = a, b
        self.windows = [sorted(s.windows) or [(-BIG, BIG)] for s in stops]

    def _set_stops_and_reps(self, problem: Problem) -> None:
        stops, reps, n = problem.stops, problem.reps, self.n
        self.service = np.array([s.service for s in stops] + [0.0] * (2 * self.n_reps))
        self.demand = np.array([s.demand for s in stops])
        max_cost = float(self.arc_cost.max()) if self.arc_cost.size else 1.0
        self.required_penalty = 1e3 * (max_cost + 1) * (n + 1)
        self.penalty = np.array(
            [self.required_penalty if s.penalty is None else s.penalty for s in stops]
        )
        self.shift_start = np.array([r.shift[0] for r in reps], dtype=float)
        self.shift_end = np.array([r.shift[1] for r in reps], dtype=float)
        self.capacity = np.array([math.inf if r.capacity is None else r.capacity for r in reps])
        self.max_stops = np.array([n if r.max_stops is None else r.max_stops for r in reps])
        self.unbounded = bool(np.all(np.isinf(self.capacity)) and np.all(self.max_stops >= n))
        self.all_ok = np.ones(self.n_reps, dtype=bool)
        index = {s.id: i for i, s in enumerate(stops)}
        self.locked = [len(r.locked) for r in reps]
        self.locked_ids = [[index[x] for x in r.locked] for r in reps]
        if n:  # neighbours of each stop by cost (first group), nearest first, itself included
            cost = self.arc_cost[0][:n, :n]
            self.neighbours = np.argsort(cost + cost.T, axis=1, kind="stable")[:, : min(n, 60)]

    def _set_fast_tables(self) -> None:
        """Plain lists for the schedule loops (scalar look-ups are much faster than numpy's),
        and transposed tables for row gathers in the insertion (cache friendly)."""
        groups = range(len(self.arc_cost))
        self.travel_rows = [t.tolist() for t in self.travel_time]
        self.cost_rows = [
            self.travel_rows[g]
            if np.array_equal(self.arc_cost[g], self.travel_time[g])
            else self.arc_cost[g].tolist()
            for g in groups
        ]
        self.cost_is_time = all(self.cost_rows[g] is self.travel_rows[g] for g in groups)
        self.travel_time_in = np.ascontiguousarray(self.travel_time.transpose(0, 2, 1))
        self.arc_cost_in = (
            self.travel_time_in
            if self.cost_is_time
            else np.ascontiguousarray(self.arc_cost.transpose(0, 2, 1))
        )
        self.service_list = self.service.tolist()
        self.demand_list = self.demand.tolist()
        self.shift_start_list = self.shift_start.tolist()
        self.shift_end_list = self.shift_end.tolist()

    # ------------------------------------------------------------------ route data
    def _departures(self, v: int, nodes: list[int]) -> list[float]:
        """Departure from each node of a route in the earliest schedule."""
        travel = self.travel_rows[self.group[v]]
        service, windows = self.service_list, self.windows
        dep = [0.0] * len(nodes)
        t = dep[0] = self.shift_start_list[v]
        prev = nodes[0]
        for i in range(1, len(nodes) - 1):
            c = nodes[i]
            t += travel[prev][c]
            w = windows[c]
            if len(w) == 1:
                if t < w[0][0]:
                    t = w[0][0]
            else:
                for w0, w1 in w:
                    s = t if t > w0 else w0
                    if s <= w1 + EPS:
                        t = s
                        break
            t += service[c]
            dep[i] = t
            prev = c
        return dep

    def _latest_arrivals(self, v: int, nodes: list[int]) -> list[float]:
        """The latest time service may start at each node and the route still be feasible."""
        travel = self.travel_rows[self.group[v]]
        service, windows = self.service_list, self.windows
        m = len(nodes)
        lat = [0.0] * m
        latest_next = lat[m - 1] = self.shift_end_list[v]
        nxt = nodes[-1]
        for i in range(m - 2, 0, -1):
            c = nodes[i]
            latest = latest_next - travel[c][nxt] - service[c]
            best = -BIG
            for w0, w1 in windows[c]:
                if w0 <= latest + EPS:
                    x = w1 if w1 < latest else latest
                    if x > best:
                        best = x
            lat[i] = latest_next = best
            nxt = c
        lat[0] = BIG
        return lat

    def _route_data(self, v: int, route: list[int]):
        """Nodes, departures, latest arrivals, cost, load and the route's insertion slots."""
        first = self.n + 2 * v
        nodes = [first, *route, first + 1]
        m = len(nodes)
        dep, lat = self._departures(v, nodes), self._latest_arrivals(v, nodes)
        cost_row = self.cost_rows[self.group[v]]
        arcs = [cost_row[a][b] for a, b in itertools.pairwise(nodes)]
        if route:
            cost = sum(arcs)
            demand = self.demand_list
            load = sum(demand[c] for c in route)
        else:
            cost = load = 0.0
        lo = self.locked[v]
        slots = np.array(
            (
                nodes[lo:-1],
                nodes[lo + 1 :],
                dep[lo:-1],
                lat[lo + 1 :],
                [v] * (m - 1 - lo),
                range(lo, m - 1),
                arcs[lo:],
            ),
            dtype=float,
        )
        return nodes, dep, lat, cost, load, slots

    def _rebuild(self):
        flat = np.concatenate([d[5] for d in self.data], axis=1)
        ints = flat[[0, 1, 4, 5]].astype(np.int64)
        self.slot_prev, self.slot_next, self.slot_rep, self.slot_pos = ints
        self.slot_departure = flat[2]
        self.slot_latest = flat[3]
        self.slot_arc = flat[6]
        if not self.single:
            self.slot_group = self.group[self.slot_rep]
        self.dirty = False

    def _set_route(self, v: int, route: list[int]):
        self.touched.add(v)
        self.routes[v] = route
        self.data[v] = self._route_data(v, route)
        self.loads[v] = self.data[v][4]
        self.counts[v] = len(route)
        self.dirty = True

    # ------------------------------------------------------------------ objective
    def objective(self) -> float:
        cost = sum(d[3] for d in self.data)
        return cost + float(self.penalty[list(self.unassigned)].sum()) if self.unassigned else cost

    def feasible_route(self, v: int) -> bool:
        nodes, _, _, _, load, _ = self.data[v]
        if load > self.capacity[v] + EPS or len(nodes) - 2 > self.max_stops[v]:
            return False
        # the earliest schedule must meet each stop's window and the shift end
        travel = self.travel_time[self.group[v]]
        t = self.shift_start[v]
        for i in range(1, len(nodes)):
            c = nodes[i]
            t += travel[nodes[i - 1], c]
            if i == len(nodes) - 1:
                return t <= self.shift_end[v] + EPS
            ok = [max(t, w0) for w0, w1 in self.windows[c] if max(t, w0) <= w1 + EPS]
            if not ok:
                return False
            t = min(ok) + self.service[c]
        return True

    # ------------------------------------------------------------------ insertion
    def _insert_cost(self, c: int, blink: float):
        prev, nxt = self.slot_prev, self.slot_next
        if self.single:  # row gathers (cache friendly) from the matrix and its transpose
            t_in, t_out = self.travel_time_in[0][c][prev], self.travel_time[0][c][nxt]
            if self.cost_is_time:
                delta = t_in + t_out - self.slot_arc
            else:
                delta = self.arc_cost_in[0][c][prev] + self.arc_cost[0][c][nxt] - self.slot_arc
        else:
            g = self.slot_group
            t_in, t_out = self.travel_time[g, prev, c], self.travel_time[g, c, nxt]
            delta = self.arc_cost[g, prev, c] + self.arc_cost[g, c, nxt] - self.slot_arc
        arr = self.slot_departure + t_in
        w0, w1 = self.window_open[c], self.window_close[c]
        if len(w0) == 1:
            start = np.maximum(arr, w0[0])
            ok = start <= w1[0] + EPS
        else:
            cand = np.maximum(arr[:, None], w0[None, :])
            fits = cand <= w1[None, :] + EPS
            cand = np.where(fits, cand, np.inf)
            start = cand.min(axis=1)
            ok = np.isfinite(start)
        ok &= start + self.service[c] + t_out <= self.slot_latest + EPS
        if not self.unbounded:
            ok &= self.load_ok(c)[self.slot_rep]
        if blink > 0:
            ok &= self.rng.random(len(ok)) >= blink
        if not ok.any():
            return None, math.inf
        delta = np.where(ok, delta, np.inf)
        k = int(np.argmin(delta))
        return k, float(delta[k])

    def load_ok(self, c: int) -> np.ndarray:
        if self.unbounded:
            return self.all_ok
        return (self.loads + self.demand[c] <= self.capacity + EPS) & (self.counts < self.max_stops)

    def insert_all(self, customers, blink: float = 0.01):
        for c in customers:
            if self.dirty:
                self._rebuild()
            k, delta = self._insert_cost(c, blink)
            if k is None or delta >= self.penalty[c]:
                self.unassigned.add(c)
                continue
            v, pos = int(self.slot_rep[k]), int(self.slot_pos[k])
            route = list(self.routes[v])
            route.insert(pos, c)
            self._set_route(v, route)
            self.where[c] = v
            self.unassigned.discard(c)

    # ------------------------------------------------------------------ ruin
    def ruin(self, avg_remove: float = 10.0, max_len: int = 10) -> list[int]:
        assigned = np.flatnonzero(self.where >= 0)
        free = [v for v in range(self.n_reps) if len(self.routes[v]) > self.locked[v]]
        removed: list[int] = []
        if len(assigned) == 0 or not free:
            return removed
        avg_len = sum(len(self.routes[v]) - self.locked[v] for v in free) / len(free)
        ls_max = max(1.0, min(max_len, avg_len))
        ks_max = 4 * avg_remove / (1 + ls_max) - 1
        ks = int(self.rng.uniform(1, ks_max + 1))
        seed = int(assigned[int(self.rng.integers(len(assigned)))])
        ruined: set[int] = set()
        for c in self.neighbours[seed]:
            c = int(c)
            if len(ruined) >= ks:
                break
            v = self.where[c]
            if v < 0:
                if c in self.unassigned and self.rng.random() < 0.5:
                    removed.append(c)
                continue
            if v in ruined:
                continue
            route = self.routes[v]
            lo = self.locked[v]
            i = route.index(c)
            if i < lo:
                continue
            free_len = len(route) - lo
            lmax = min(free_len, ls_max)
            length = int(self.rng.uniform(1, lmax + 1))
            first_min = max(lo, i - length + 1)
            first_max = min(i, len(route) - length)
            first = int(self.rng.integers(first_min, first_max + 1))
            cut = route[first : first + length]
            for x in cut:
                self.where[x] = -1
            removed.extend(cut)
            self._set_route(v, route[:first] + route[first + length :])
            ruined.add(v)
        return removed

    # ------------------------------------------------------------------ search
    def load_routes(self, routes: list[list[int]]):
        self.touched: set[int] = set()
        self.routes = [list(r) for r in routes]
        self.where = np.full(self.n, -1, dtype=np.int64)
        for v, r in enumerate(self.routes):
            for c in r:
                self.where[c] = v
        self.unassigned = {c for c in range(self.n) if self.where[c] < 0}
        self.data = [self._route_data(v, r) for v, r in enumerate(self.routes)]
        self._sync()

    def _sync(self):
        self.loads = np.array([d[4] for d in self.data])
        self.counts = np.array([len(r) for r in self.routes])
        self.dirty = True

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
        if not self._start(routes):
            return self.routes, 0  # do not touch a plan we cannot reason about
        current = self.objective()
        best = _Best(current, self)
        hot, cold = self._temperatures(t_start, t_end)
        clock = _Clock(seconds, iterations)
        while (frac := clock.next()) is not None:
            temperature = hot * (cold / hot) ** frac
            value = self._step(current, temperature)
            if value is None:  # nothing to remove
                continue
            if value < best.value - 1e-9:
                best = _Best(value, self, frac)
            current = value
            if restart and frac - best.frac > restart and current > best.value:
                # stuck away from the best plan for a while: go back to it
                self._restore([list(r) for r in best.routes], list(best.data), set(best.unassigned))
                current, best.frac = best.value, frac
        return best.routes, clock.done

    def _start(self, routes: list[list[int]]) -> bool:
        """Load the routes and insert what is left out, highest penalty first; False when a
        route is not feasible to begin with."""
        self.load_routes(routes)
        if not all(self.feasible_route(v) for v in range(self.n_reps)):
            return False
        self.insert_all(sorted(self.unassigned, key=lambda c: -self.penalty[c]), blink=0.0)
        return True

    def _temperatures(self, t_start: float, t_end: float) -> tuple[float, float]:
        arcs = max(1, sum(len(r) + 1 for r in self.routes if r))
        scale = max(1e-9, sum(d[3] for d in self.data) / arcs)
        return t_start * scale, t_end * scale

    def _step(self, current: float, temperature: float) -> float | None:
        """One ruin and recreate, accepted or undone: the objective after it (None when
        nothing could be removed)."""
        self.touched = set()
        saved = [list(r) for r in self.routes], list(self.data), set(self.unassigned)
        removed = self.ruin()
        if not removed:
            return None
        self.insert_all(self._order(removed))
        value = self.objective()
        if value < current - temperature * math.log(self.rng.random() + 1e-300):
            return value
        self._undo(*saved)
        return current

    def _undo(self, routes, data, unassigned) -> None:
        for v in self.touched:
            for c in self.routes[v]:
                self.where[c] = -1
        for v in self.touched:
            for c in routes[v]:
                self.where[c] = v
        self.routes, self.data, self.unassigned = routes, data, unassigned
        self._sync()

    def routes_by_rep(self, routes: list[list[int]]) -> dict[str, list[str]]:
        """Stop indices per rep as {rep id: stop ids}."""
        stops = self.problem.stops
        return {r.id: [stops[c].id for c in routes[v]] for v, r in enumerate(self.problem.reps)}

    def _restore(self, routes, data, unassigned):
        self.routes = routes
        self.data = data
        self.unassigned = unassigned
        self.where[:] = -1
        for v, r in enumerate(self.routes):
            for c in r:
                self.where[c] = v
        self._sync()

    def _order(self, removed: list[int]) -> list[int]:
        u = self.rng.random()
        removed = list(dict.fromkeys(removed))
        if u < 0.4:
            self.rng.shuffle(removed)
            return removed
        if u < 0.6:
            return sorted(removed, key=lambda c: -self.penalty[c])
        if u < 0.8:
            return sorted(
                removed, key=lambda c: float(self.window_close[c].max() - self.window_open[c].min())
            )
        return sorted(removed, key=lambda c: -self.demand[c])


class _Best:
    """A copy of the search state's best plan so far."""

    def __init__(self, value: float, state: RuinRecreate, frac: float = 0.0):
        self.value, self.frac = value, frac
        self.routes = [list(r) for r in state.routes]
        self.data, self.unassigned = list(state.data), set(state.unassigned)


class _Clock:
    """How far the search is, by iterations when bounded by work, else by wall time."""

    def __init__(self, seconds: float, iterations: int | None):
        self.seconds, self.iterations = seconds, iterations
        self.started = time.perf_counter()
        self.deadline = self.started + seconds
        self.done = 0

    def next(self) -> float | None:
        """The fraction of the search behind us, counting one more iteration; None at the end."""
        if self.iterations is not None:
            if self.done >= self.iterations:
                return None
            frac = self.done / max(1, self.iterations)
        else:
            now = time.perf_counter()
            if now >= self.deadline:
                return None
            frac = (now - self.started) / max(1e-9, self.seconds)
        self.done += 1
        return frac
