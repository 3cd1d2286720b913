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

from .problem import Problem
from .travel import Tables

EPS = 1e-6
BIG = 1e18


class RuinRecreate:
    def __init__(self, problem: Problem, tables: Tables, seed: int = 0):
        self.problem = problem
        stops, reps = problem.stops, problem.reps
        self.n = n = len(stops)
        self.n_reps = len(reps)
        loc = problem.location_index
        node_loc = np.array(
            [loc[s.location] for s in stops] + [loc[x] for r in reps for x in (r.start, r.end)],
            dtype=np.int64,
        )
        ix = np.ix_(node_loc, node_loc)
        keys: dict[int, int] = {}
        self.group = np.zeros(self.n_reps, dtype=np.int64)
        times, costs = [], []
        for v in range(self.n_reps):
            key = id(tables.durations[v])
            if key not in keys:
                keys[key] = len(times)
                times.append(tables.durations[v][ix])
                base = tables.distance if problem.objective == "distance" else tables.durations[v]
                costs.append(base[ix])
            self.group[v] = keys[key]
        self.T = np.stack(times)
        self.C = np.stack(costs)
        self.single = len(times) == 1
        self.service = np.array([s.service for s in stops] + [0.0] * (2 * self.n_reps))
        k = max([len(s.windows) for s in stops] + [1])
        self.W0 = np.full((n, k), BIG)
        self.W1 = np.full((n, k), -BIG)
        for i, s in enumerate(stops):
            if not s.windows:
                self.W0[i, 0], self.W1[i, 0] = -BIG, BIG
            for j, (a, b) in enumerate(sorted(s.windows)):
                self.W0[i, j], self.W1[i, j] = a, b
        self.windows = [sorted(s.windows) or [(-BIG, BIG)] for s in stops]
        self.demand = np.array([s.demand for s in stops])
        max_cost = float(self.C.max()) if self.C.size else 1.0
        self.required_penalty = 1e3 * (max_cost + 1) * (n + 1)
        self.penalty = np.array(
            [self.required_penalty if s.penalty is None else s.penalty for s in stops]
        )
        self.shift0 = np.array([r.shift[0] for r in reps], dtype=float)
        self.shift1 = np.array([r.shift[1] for r in reps], dtype=float)
        self.capacity = np.array([math.inf if r.capacity is None else r.capacity for r in reps])
        self.max_stops = np.array([n if r.max_stops is None else r.max_stops for r in reps])
        self.unbounded = bool(np.all(np.isinf(self.capacity)) and np.all(self.max_stops >= n))
        self.all_ok = np.ones(self.n_reps, dtype=bool)
        sid = {s.id: i for i, s in enumerate(stops)}
        self.locked = [len(r.locked) for r in reps]
        self.locked_ids = [[sid[x] for x in r.locked] for r in reps]
        # neighbours of each stop by cost (first group), nearest first, itself included
        m = min(n, 60)
        if n:
            c = self.C[0][:n, :n]
            self.neighbours = np.argsort(c + c.T, axis=1, kind="stable")[:, :m]
        self.rng = np.random.default_rng(seed)
        # plain lists: scalar look-ups in the schedule loops are much faster than numpy's
        self.Tl = [t.tolist() for t in self.T]
        self.Cl = [
            self.Tl[k] if np.array_equal(self.C[k], self.T[k]) else self.C[k].tolist()
            for k in range(len(self.C))
        ]
        self.svc_l = self.service.tolist()
        self.C_is_T = all(self.Cl[k] is self.Tl[k] for k in range(len(self.C)))
        self.TT = np.ascontiguousarray(self.T.transpose(0, 2, 1))
        self.CT = self.TT if self.C_is_T else np.ascontiguousarray(self.C.transpose(0, 2, 1))
        self.demand_l = self.demand.tolist()
        self.shift0_l = self.shift0.tolist()
        self.shift1_l = self.shift1.tolist()

    # ------------------------------------------------------------------ route data
    def _route_data(self, v: int, route: list[int]):
        """Departure times (earliest schedule) and latest feasible arrivals along a route."""
        g = self.group[v]
        T = self.Tl[g]
        svc = self.svc_l
        wins = self.windows
        first = self.n + 2 * v
        nodes = [first, *route, first + 1]
        m = len(nodes)
        dep = [0.0] * m
        t = self.shift0_l[v]
        dep[0] = t
        prev = first
        for i in range(1, m - 1):
            c = nodes[i]
            t += T[prev][c]
            w = wins[c]
            if len(w) == 1:
                if t < w[0][0]:
                    t = w[0][0]
            else:
                for w0, w1 in w:
                    s = t if t > w0 else w0
                    if s <= w1 + EPS:
                        t = s
                        break
            t += svc[c]
            dep[i] = t
            prev = c
        lat = [0.0] * m
        L = self.shift1_l[v]
        lat[m - 1] = L
        nxt = first + 1
        for i in range(m - 2, 0, -1):
            c = nodes[i]
            latest = L - T[c][nxt] - svc[c]
            best = -BIG
            for w0, w1 in wins[c]:
                if w0 <= latest + EPS:
                    x = w1 if w1 < latest else latest
                    if x > best:
                        best = x
            lat[i] = best
            L = best
            nxt = c
        lat[0] = BIG
        C = self.Cl[g]
        arcs = [C[a][b] for a, b in itertools.pairwise(nodes)]
        if route:
            cost = sum(arcs)
            dem = self.demand_l
            load = sum(dem[c] for c in route)
        else:
            cost = load = 0.0
        lo = self.locked[v]
        flat = np.array(
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
        return nodes, dep, lat, cost, load, flat

    def _rebuild(self):
        flat = np.concatenate([d[5] for d in self.data], axis=1)
        ints = flat[[0, 1, 4, 5]].astype(np.int64)
        self.P_prev, self.P_next, self.P_rep, self.P_pos = ints
        self.P_dep = flat[2]
        self.P_lat = flat[3]
        self.P_arc = flat[6]
        if not self.single:
            self.P_g = self.group[self.P_rep]
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
        T = self.T[self.group[v]]
        t = self.shift0[v]
        for i in range(1, len(nodes)):
            c = nodes[i]
            t += T[nodes[i - 1], c]
            if i == len(nodes) - 1:
                return t <= self.shift1[v] + EPS
            ok = [max(t, w0) for w0, w1 in self.windows[c] if max(t, w0) <= w1 + EPS]
            if not ok:
                return False
            t = min(ok) + self.service[c]
        return True

    # ------------------------------------------------------------------ insertion
    def _insert_cost(self, c: int, blink: float):
        prev, nxt = self.P_prev, self.P_next
        if self.single:  # row gathers (cache friendly) from the matrix and its transpose
            t_in, t_out = self.TT[0][c][prev], self.T[0][c][nxt]
            if self.C_is_T:
                delta = t_in + t_out - self.P_arc
            else:
                delta = self.CT[0][c][prev] + self.C[0][c][nxt] - self.P_arc
        else:
            g = self.P_g
            t_in, t_out = self.T[g, prev, c], self.T[g, c, nxt]
            delta = self.C[g, prev, c] + self.C[g, c, nxt] - self.P_arc
        arr = self.P_dep + t_in
        w0, w1 = self.W0[c], self.W1[c]
        if len(w0) == 1:
            start = np.maximum(arr, w0[0])
            ok = start <= w1[0] + EPS
        else:
            cand = np.maximum(arr[:, None], w0[None, :])
            fits = cand <= w1[None, :] + EPS
            cand = np.where(fits, cand, np.inf)
            start = cand.min(axis=1)
            ok = np.isfinite(start)
        ok &= start + self.service[c] + t_out <= self.P_lat + EPS
        if not self.unbounded:
            ok &= self.load_ok(c)[self.P_rep]
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
            v, pos = int(self.P_rep[k]), int(self.P_pos[k])
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
        """Improve ``routes`` (stop indices per rep) for ``seconds`` or ``iterations``."""
        self.load_routes(routes)
        for v in range(self.n_reps):
            if not self.feasible_route(v):
                return self.routes, 0  # do not touch a plan we cannot reason about
        self.insert_all(sorted(self.unassigned, key=lambda c: -self.penalty[c]), blink=0.0)
        current = self.objective()
        best, best_routes = current, [list(r) for r in self.routes]
        best_data, best_unassigned, best_frac = list(self.data), set(self.unassigned), 0.0
        arcs = max(1, sum(len(r) + 1 for r in self.routes if r))
        scale = max(1e-9, sum(d[3] for d in self.data) / arcs)
        t0, t1 = t_start * scale, t_end * scale
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()
        it = 0
        while True:
            if iterations is not None:
                if it >= iterations:
                    break
                frac = it / max(1, iterations)
            else:
                now = time.perf_counter()
                if now >= deadline:
                    break
                frac = (now - start) / max(1e-9, seconds)
            it += 1
            temp = t0 * (t1 / t0) ** frac
            self.touched = set()
            saved_routes = [list(r) for r in self.routes]
            saved_data = list(self.data)
            saved_unassigned = set(self.unassigned)
            removed = self.ruin()
            if not removed:
                continue
            order = self._order(removed)
            self.insert_all(order)
            value = self.objective()
            if value < current - temp * math.log(self.rng.random() + 1e-300):
                current = value
                if value < best - 1e-9:
                    best, best_routes = value, [list(r) for r in self.routes]
                    best_data, best_unassigned = list(self.data), set(self.unassigned)
                    best_frac = frac
            else:
                for v in self.touched:
                    for c in self.routes[v]:
                        self.where[c] = -1
                for v in self.touched:
                    for c in saved_routes[v]:
                        self.where[c] = v
                self.routes, self.data, self.unassigned = saved_routes, saved_data, saved_unassigned
                self._sync()
            if restart and frac - best_frac > restart and current > best:
                # stuck away from the best plan for a while: go back to it
                self._restore([list(r) for r in best_routes], list(best_data), set(best_unassigned))
                current, best_frac = best, frac
        return best_routes, it

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
            return sorted(removed, key=lambda c: float(self.W1[c].max() - self.W0[c].min()))
        return sorted(removed, key=lambda c: -self.demand[c])
