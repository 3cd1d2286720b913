"""The compiled core of the ruin-and-recreate (numba): schedules, insertion, string removal and
the annealing loop, on flat arrays that ``lns.RuinRecreate`` builds.

The arithmetic is the schedule of ``solution.py`` in the same float operations, in the same
order: earliest start with waiting, the first window that fits, latest feasible arrivals
backwards from the shift end, so an insertion accepted here keeps the route feasible.

Layout. ``Data`` (the problem, read only): nodes numbered as ``nodes.Nodes`` (stops, then each
rep's start and end); ``travel``/``cost`` [speed group, node, node]; windows padded to the most a
stop has (``nwin`` per stop, sorted). ``State`` (a plan): ``nodes[v, :m[v]]`` is rep ``v``'s route
from its start node to its end node; ``dep``/``lat`` its departures and latest service starts;
``where[c]`` the rep serving stop ``c`` or -1. ``Undo`` keeps the routes a step touched, to put
them back when the step is rejected. Random numbers come from a xorshift64* state of our own,
so a seed gives the same search whatever else runs in the process.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

EPS = 1e-6
BIG = 1e18

Data = namedtuple(
    "Data",
    "travel cost group service wopen wclose nwin demand penalty shift_start shift_end "
    "capacity max_stops locked neighbours width",
)
State = namedtuple("State", "nodes m dep lat rcost load where")
Undo = namedtuple("Undo", "state touched list count")
Work = namedtuple("Work", "removed flag ruined keys")

M12, M25, M27 = np.uint64(12), np.uint64(25), np.uint64(27)
MULT, M11 = np.uint64(2685821657736338717), np.uint64(11)


def seed_state(seed: int) -> np.ndarray:
    """A non-zero xorshift state from a seed (splitmix64)."""
    z = (seed * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) % 2**64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
    return np.array([(z ^ (z >> 31)) or 1], dtype=np.uint64)


@njit(cache=True)
def rand(rng) -> float:
    """Uniform in [0, 1)."""
    x = rng[0]
    x ^= x >> M12
    x ^= x << M25
    x ^= x >> M27
    rng[0] = x
    return float((x * MULT) >> M11) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def randint(rng, lo, hi) -> int:
    """Uniform whole number in [lo, hi)."""
    return lo + int(rand(rng) * (hi - lo))


# ---------------------------------------------------------------------- schedules
@njit(cache=True)
def departures(d, v, nodes, m, dep):
    """Departure from each node of a route in the earliest schedule (``dep[m - 1]`` unset)."""
    travel = d.travel[d.group[v]]
    t = d.shift_start[v]
    dep[0] = t
    prev = nodes[0]
    for i in range(1, m - 1):
        c = nodes[i]
        t += travel[prev, c]
        if d.nwin[c] == 1:
            if t < d.wopen[c, 0]:
                t = d.wopen[c, 0]
        else:
            for j in range(d.nwin[c]):
                s = t if t > d.wopen[c, j] else d.wopen[c, j]
                if s <= d.wclose[c, j] + EPS:
                    t = s
                    break
        t += d.service[c]
        dep[i] = t
        prev = c


@njit(cache=True)
def latest_arrivals(d, v, nodes, m, lat):
    """The latest service start at each node that keeps the rest of the route feasible."""
    travel = d.travel[d.group[v]]
    latest_next = d.shift_end[v]
    lat[m - 1] = latest_next
    nxt = nodes[m - 1]
    for i in range(m - 2, 0, -1):
        c = nodes[i]
        latest = latest_next - travel[c, nxt] - d.service[c]
        best = -BIG
        for j in range(d.nwin[c]):
            if d.wopen[c, j] <= latest + EPS:
                x = d.wclose[c, j] if d.wclose[c, j] < latest else latest
                if x > best:
                    best = x
        lat[i] = best
        latest_next = best
        nxt = c
    lat[0] = BIG


@njit(cache=True)
def update_route(d, s, v):
    """Departures, latest arrivals, cost and load of route ``v`` after a change."""
    nodes, m = s.nodes[v], s.m[v]
    departures(d, v, nodes, m, s.dep[v])
    latest_arrivals(d, v, nodes, m, s.lat[v])
    cost = d.cost[d.group[v]]
    total = load = 0.0
    if m > 2:
        for i in range(m - 1):
            total += cost[nodes[i], nodes[i + 1]]
        for i in range(1, m - 1):
            load += d.demand[nodes[i]]
    s.rcost[v] = total
    s.load[v] = load


@njit(cache=True)
def feasible_route(d, s, v) -> bool:
    """Capacity, stop count, every window and the shift end in the earliest schedule."""
    nodes, m = s.nodes[v], s.m[v]
    if s.load[v] > d.capacity[v] + EPS or m - 2 > d.max_stops[v]:
        return False
    travel = d.travel[d.group[v]]
    t = d.shift_start[v]
    for i in range(1, m):
        c = nodes[i]
        t += travel[nodes[i - 1], c]
        if i == m - 1:
            return t <= d.shift_end[v] + EPS
        start = BIG
        for j in range(d.nwin[c]):
            x = t if t > d.wopen[c, j] else d.wopen[c, j]
            if x <= d.wclose[c, j] + EPS and x < start:
                start = x
        if start == BIG:
            return False
        t = start + d.service[c]
    return True


@njit(cache=True)
def objective(d, s) -> float:
    total = 0.0
    for v in range(len(s.m)):
        total += s.rcost[v]
    for c in range(len(s.where)):
        if s.where[c] < 0:
            total += d.penalty[c]
    return total


# ---------------------------------------------------------------------- undo and copies
@njit(cache=True)
def copy_route(src, dst, v):
    m = src.m[v]
    dst.m[v] = m
    dst.nodes[v, :m] = src.nodes[v, :m]
    dst.dep[v, :m] = src.dep[v, :m]
    dst.lat[v, :m] = src.lat[v, :m]
    dst.rcost[v] = src.rcost[v]
    dst.load[v] = src.load[v]


@njit(cache=True)
def copy_state(src, dst):
    for v in range(len(src.m)):
        copy_route(src, dst, v)
    dst.where[:] = src.where


@njit(cache=True)
def touch(s, u, v):
    """Keep route ``v`` as it was before this step's first change to it."""
    if not u.touched[v]:
        u.touched[v] = True
        u.list[u.count[0]] = v
        u.count[0] += 1
        copy_route(s, u.state, v)


@njit(cache=True)
def forget(u):
    for k in range(u.count[0]):
        u.touched[u.list[k]] = False
    u.count[0] = 0


@njit(cache=True)
def undo(s, u):
    """Put back every route the step touched (and who serves their stops)."""
    n = u.count[0]
    for k in range(n):
        v = u.list[k]
        for i in range(1, s.m[v] - 1):
            s.where[s.nodes[v, i]] = -1
    for k in range(n):
        v = u.list[k]
        copy_route(u.state, s, v)
        for i in range(1, s.m[v] - 1):
            s.where[s.nodes[v, i]] = v
    forget(u)


# ---------------------------------------------------------------------- insertion
@njit(cache=True)
def window_start(d, c, arrival) -> float:
    """Service start at stop ``c`` arriving at ``arrival``: the first window that fits, or BIG."""
    for j in range(d.nwin[c]):
        x = arrival if arrival > d.wopen[c, j] else d.wopen[c, j]
        if x <= d.wclose[c, j] + EPS:
            return x
    return BIG


@njit(cache=True)
def best_insertion(d, s, c, blink, rng):
    """The cheapest feasible slot for stop ``c`` over all routes: (rep, node position after
    which it goes, cost delta); rep -1 when none. Each slot is skipped with chance ``blink``."""
    best_v, best_i, best = -1, -1, np.inf
    for v in range(len(s.m)):
        if s.load[v] + d.demand[c] > d.capacity[v] + EPS or s.m[v] - 2 >= d.max_stops[v]:
            continue
        g = d.group[v]
        travel, cost, nodes = d.travel[g], d.cost[g], s.nodes[v]
        for i in range(d.locked[v], s.m[v] - 1):
            if blink > 0 and rand(rng) < blink:
                continue
            prev, nxt = nodes[i], nodes[i + 1]
            start = window_start(d, c, s.dep[v, i] + travel[prev, c])
            if start == BIG or start + d.service[c] + travel[c, nxt] > s.lat[v, i + 1] + EPS:
                continue
            delta = cost[prev, c] + cost[c, nxt] - cost[prev, nxt]
            if delta < best:
                best_v, best_i, best = v, i, delta
    return best_v, best_i, best


@njit(cache=True)
def insert_at(d, s, u, c, v, i):
    """Put stop ``c`` on route ``v`` after node position ``i``."""
    touch(s, u, v)
    m = s.m[v]
    for k in range(m, i + 1, -1):
        s.nodes[v, k] = s.nodes[v, k - 1]
    s.nodes[v, i + 1] = c
    s.m[v] = m + 1
    s.where[c] = v
    update_route(d, s, v)


@njit(cache=True)
def insert_all(d, s, u, order, count, blink, rng):
    """Insert the stops of ``order[:count]`` one by one at their cheapest slot; a stop whose
    cheapest detour costs its penalty or more stays out."""
    for k in range(count):
        c = order[k]
        v, i, delta = best_insertion(d, s, c, blink, rng)
        if v >= 0 and delta < d.penalty[c]:
            insert_at(d, s, u, c, v, i)


# ---------------------------------------------------------------------- ruin
@njit(cache=True)
def ruin(d, s, u, w, rng, avg_remove, max_len) -> int:
    """SISR string removal around a random served stop: ``ks`` strings of neighbouring stops,
    one per route, and one string more once every route with free stops is cut (plans of one
    or two long routes), never a locked position; and some unserved neighbours picked up to
    be tried again. Returns how many stops ``w.removed`` holds."""
    free = total = served = 0
    for v in range(len(s.m)):
        length = s.m[v] - 2 - d.locked[v]
        served += s.m[v] - 2
        if length > 0:
            free += 1
            total += length
    if free == 0 or served == 0:
        return 0
    ls_max = max(1.0, min(max_len, total / free))
    ks = int(1 + rand(rng) * (4 * avg_remove / (1 + ls_max) - 1))
    k = randint(rng, 0, served)
    seed = -1
    for c in range(len(s.where)):
        if s.where[c] >= 0:
            if k == 0:
                seed = c
                break
            k -= 1
    count = ruined = 0
    for c in d.neighbours[seed]:
        if ruined >= ks:
            break
        v = s.where[c]
        if v < 0:
            if not w.flag[c] and rand(rng) < 0.5:
                w.removed[count] = c
                count += 1
                w.flag[c] = True
            continue
        if w.ruined[v] and ruined != free:  # one more string once every route is cut
            continue
        cuts = count
        count = cut_string(d, s, u, w, rng, c, v, ls_max, count)
        if count > cuts:
            ruined += 1
    for k in range(count):
        w.flag[w.removed[k]] = False
    for v in range(len(s.m)):
        w.ruined[v] = False
    return count


@njit(cache=True)
def cut_string(d, s, u, w, rng, c, v, ls_max, count) -> int:
    """Cut a random string through stop ``c`` out of route ``v`` (unless ``c`` is locked)."""
    lo, size = d.locked[v], s.m[v] - 2
    i = 0
    while s.nodes[v, i + 1] != c:
        i += 1
    if i < lo:
        return count
    length = int(1 + rand(rng) * min(size - lo, ls_max))
    first_min, first_max = max(lo, i - length + 1), min(i, size - length)
    first = randint(rng, first_min, first_max + 1)
    touch(s, u, v)
    nodes = s.nodes[v]
    for k in range(first, first + length):
        x = nodes[k + 1]
        s.where[x] = -1
        w.flag[x] = True
        w.removed[count] = x
        count += 1
    m = s.m[v]
    for k in range(first + 1, m - length):
        nodes[k] = nodes[k + length]
    s.m[v] = m - length
    update_route(d, s, v)
    w.ruined[v] = True
    return count


@njit(cache=True)
def order_removed(d, w, count, rng):
    """The order to put removed stops back: random, highest penalty, narrowest window or
    largest demand first."""
    removed = w.removed[:count]
    u = rand(rng)
    if u < 0.4:
        for i in range(count - 1, 0, -1):
            j = randint(rng, 0, i + 1)
            removed[i], removed[j] = removed[j], removed[i]
        return
    keys = w.keys[:count]
    for k in range(count):
        c = removed[k]
        keys[k] = -d.penalty[c] if u < 0.6 else d.width[c] if u < 0.8 else -d.demand[c]
    removed[:] = removed[np.argsort(keys, kind="mergesort")]


# ---------------------------------------------------------------------- search
@njit(cache=True)
def step(d, s, u, w, rng, current, temperature):
    """One ruin and recreate, accepted by simulated annealing or undone: (objective after it,
    whether anything was removed)."""
    forget(u)
    count = ruin(d, s, u, w, rng, 10.0, 10.0)
    if count == 0:
        return current, False
    order_removed(d, w, count, rng)
    insert_all(d, s, u, w.removed, count, 0.01, rng)
    value = objective(d, s)
    if value < current - temperature * np.log(rand(rng) + 1e-300):
        forget(u)
        return value, True
    undo(s, u)
    return current, True


@njit(cache=True)
def search(d, s, u, w, best, rng, f, n_iter, frac0, dfrac, restart):
    """``n_iter`` steps of the annealing; ``f`` = [current, best value, fraction of the search
    at the best, hot, cold temperature], updated. The fraction of step ``j`` is
    ``frac0 + j * dfrac``; after ``restart`` of the search without a better plan the search
    goes back to the best one."""
    current, best_value, best_frac, hot, cold = f[0], f[1], f[2], f[3], f[4]
    for j in range(n_iter):
        frac = frac0 + j * dfrac
        value, moved = step(d, s, u, w, rng, current, hot * (cold / hot) ** frac)
        if not moved:
            continue
        if value < best_value - 1e-9:
            copy_state(s, best)
            best_value, best_frac = value, frac
        current = value
        if restart > 0 and frac - best_frac > restart and current > best_value:
            copy_state(best, s)
            current, best_frac = best_value, frac
    f[0], f[1], f[2] = current, best_value, best_frac
