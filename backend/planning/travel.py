"""Travel matrices between locations, computed exactly as the benchmark scorer
(`bench/instances/evaluate.py`) does."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Location, Problem, Travel

EARTH_RADIUS_M = 6371008.8


def haversine_matrix(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """Great-circle distances in metres between all pairs of points (degrees in).

    The same operations in the same order as the benchmark scorer's scalar formula (so the
    rounded matrices match it exactly), done in place to keep large matrices fast.
    """
    la, ln = np.radians(lat), np.radians(lng)
    h = la[None, :] - la[:, None]
    h /= 2
    np.sin(h, out=h)
    np.square(h, out=h)
    t = ln[None, :] - ln[:, None]
    t /= 2
    np.sin(t, out=t)
    np.square(t, out=t)
    c = np.cos(la)
    cc = np.multiply.outer(c, c)
    cc *= t
    h += cc
    np.clip(h, 0.0, 1.0, out=h)
    np.sqrt(h, out=h)
    np.arcsin(h, out=h)
    h *= 2 * EARTH_RADIUS_M
    return h


def _round_half_even(a: np.ndarray) -> np.ndarray:
    return np.round(a)  # numpy rounds half to even, as Python's round() does


@dataclass(frozen=True)
class Tables:
    """Distance matrix and one duration matrix per rep (reps with equal speed, or of the same
    mode with a mode matrix, share one array). ``distances``: each rep's distance table when
    they differ (mode matrices); ``distance`` is the first rep's."""

    distance: np.ndarray
    durations: tuple[np.ndarray, ...]
    distances: tuple[np.ndarray, ...] = ()

    def duration(self, rep: int) -> np.ndarray:
        return self.durations[rep]

    def distance_of(self, rep: int) -> np.ndarray:
        return self.distances[rep] if self.distances else self.distance


def location_matrices(
    locations: tuple[Location, ...], travel: Travel, speeds=()
) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Distance and {speed_kmh: duration} matrices from coordinates (no matrix given).

    Geographic: haversine x detour rounded to whole metres; duration = unrounded distance / speed
    rounded to whole seconds. Planar: Euclidean, unrounded, duration = distance.
    """
    speeds = {travel.speed_kmh, *speeds}
    if locations[0].geographic:
        lat = np.fromiter((x.lat for x in locations), float, len(locations))
        lng = np.fromiter((x.lng for x in locations), float, len(locations))
        raw = haversine_matrix(lat, lng)
        raw *= travel.detour_factor
        durations = {}
        for s in speeds:
            d = raw / (s / 3.6)
            np.round(d, out=d)  # half to even, as Python's round()
            durations[s] = d
        np.round(raw, out=raw)
        return raw, durations
    xs = np.fromiter((x.x for x in locations), float, len(locations))
    ys = np.fromiter((x.y for x in locations), float, len(locations))
    dist = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :])
    return dist, {s: dist * (travel.speed_kmh / s) for s in speeds}


def build_tables(problem: Problem) -> Tables:
    """Travel tables over ``problem.locations`` with per-rep speed overrides applied; a rep
    whose mode has a table in ``problem.matrices`` uses that mode's tables (one array per mode)."""
    matrices = problem.matrices or {}
    by_mode = {
        mode: (np.asarray(table["duration"], dtype=float), _distance(table))
        for mode, table in matrices.items()
        if any(r.mode == mode for r in problem.reps)
    }
    straight = [r for r in problem.reps if r.mode not in by_mode]
    if not straight:
        first = by_mode[problem.reps[0].mode]
        return _tables(problem, by_mode, first[1], {})
    speeds = {r.speed_kmh for r in straight if r.speed_kmh is not None}
    if problem.matrix is not None:
        base = np.asarray(problem.matrix["duration"], dtype=float)
        dist = np.asarray(problem.matrix.get("distance", problem.matrix["duration"]), dtype=float)
        by_speed = {problem.travel.speed_kmh: base}
        for s in speeds - set(by_speed):
            if "distance" in problem.matrix:
                by_speed[s] = _round_half_even(dist / (s / 3.6))
            else:  # scale the given durations by the speed ratio
                by_speed[s] = _round_half_even(base * (problem.travel.speed_kmh / s))
    else:
        dist, by_speed = location_matrices(problem.locations, problem.travel, speeds)
    return _tables(problem, by_mode, dist, by_speed)


def _distance(table: dict) -> np.ndarray:
    return np.asarray(table.get("distance", table["duration"]), dtype=float)


def _tables(problem: Problem, by_mode: dict, dist: np.ndarray, by_speed: dict) -> Tables:
    """Each rep's tables: its mode's, else the straight-line (or `matrix`) ones at its speed."""
    durations, distances = [], []
    for r in problem.reps:
        if r.mode in by_mode:
            durations.append(by_mode[r.mode][0])
            distances.append(by_mode[r.mode][1])
        else:
            durations.append(
                by_speed[problem.travel.speed_kmh if r.speed_kmh is None else r.speed_kmh]
            )
            distances.append(dist)
    first = distances[0]
    mixed = any(d is not first for d in distances)
    return Tables(first, tuple(durations), tuple(distances) if mixed else ())
