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
    """Distance matrix and one duration matrix per rep (reps with equal speed share it)."""

    distance: np.ndarray
    durations: tuple[np.ndarray, ...]

    def duration(self, rep: int) -> np.ndarray:
        return self.durations[rep]


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
    """Travel tables over ``problem.locations`` with per-rep speed overrides applied."""
    speeds = {r.speed_kmh for r in problem.reps if r.speed_kmh is not None}
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
    durations = tuple(
        by_speed[r.speed_kmh if r.speed_kmh is not None else problem.travel.speed_kmh]
        for r in problem.reps
    )
    return Tables(dist, durations)
