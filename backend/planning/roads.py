"""Road-network travel from an embedded Valhalla: matrices and legs per travel mode over tiles
built by `road_tiles` (``build_tiles``).

    net = RoadNetwork("instance/roads")
    m = net.matrix([(60.17, 24.94), (60.16, 24.95)], "car")   # seconds, metres (float arrays)
    legs = net.legs([(60.17, 24.94), (60.16, 24.95), (60.17, 24.94)], "foot")  # polyline6 shapes

Every point is first snapped (Valhalla's ``locate``) to the nearest edge the mode may use (with
Valhalla's minimum reachability, so never onto a tiny island); matrices and routes then run
between the snapped points, so both see the same edges. Valhalla's matrix may miss pairs a route
finds: those pairs are routed one by one, a point no route reaches is reported unreachable (with
a reason), and a pair still missing goes through the nearest intermediate point; a missing pair
never becomes 0 s. One Actor per process, used under a lock (Valhalla's actor is not
thread-safe; gunicorn threads and the in-process job thread share it).
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .road_tiles import (
    CONFIG_FILE,
    COSTING,
    MODES,
    RoadsUnavailable,
    tiles_version,
    valhalla_module,
)

# What a pair no route connects costs: a week, so no plan ever uses it.
UNREACHABLE_S = 7 * 86400.0
UNREACHABLE_M = 10_000_000.0
# Route calls spent filling pairs the matrix missed: one per point of the matrix, at most this
# many (about 6 ms each); the pairs left go through an intermediate point.
ROUTE_FILLS_MAX = 200
# A point no route leaves or reaches (its nearest edge is a one-way into a pedestrian zone, or
# leaves the extract) tries the other edges within this radius, the nearest few.
RESNAP_RADIUS_M = 100
RESNAP_TRIES = 4

Point = tuple[float, float]  # (lat, lng) in degrees


@dataclass(frozen=True)
class RoadMatrix:
    """Travel between points for one mode. ``duration`` (s) and ``distance`` (m) are float
    arrays; rows and columns of ``unreachable`` points hold UNREACHABLE_S / UNREACHABLE_M.
    ``snapped[i]`` is the road point used for point i (None: none found), ``snap_m[i]`` its
    distance from the point, ``reasons[i]`` why an unreachable point is."""

    duration: np.ndarray
    distance: np.ndarray
    snapped: list[Point | None]
    unreachable: list[int]
    snap_m: list[float] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Leg:
    duration: float  # seconds
    distance: float  # metres
    polyline: str  # Valhalla's shape: encoded polyline, precision 6


@dataclass(frozen=True)
class Snap:
    point: Point | None  # the road point the mode uses (None: no usable road near)
    metres: float  # from the input point to it (inf when none)


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle metres between two (lat, lng) points."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(h)))


class RoadNetwork:
    """The tiles of one build, queried through one Valhalla Actor per process."""

    def __init__(self, tiles_dir: str | Path):
        self.tiles_dir = Path(tiles_dir)
        self.config = self.tiles_dir / CONFIG_FILE
        version = tiles_version(self.tiles_dir)
        if version is None or not self.config.is_file():
            raise RoadsUnavailable(
                f"No routing tiles in {self.tiles_dir}: run `flask roads build PBF`."
            )
        self.version = version
        self._valhalla = valhalla_module()
        self._lock = threading.Lock()
        self._actor = None
        self._pid = None

    def _call(self, action: str, request: dict) -> dict | list:
        """One Actor call under the lock; a new Actor after a fork (not shared with a parent)."""
        with self._lock:
            if self._actor is None or self._pid != os.getpid():
                self._actor = self._valhalla.Actor(str(self.config))
                self._pid = os.getpid()
            return getattr(self._actor, action)(request)

    def snap(self, points: Sequence[Point], mode: str) -> list[Snap]:
        """The nearest point of each the mode may use (Valhalla's locate)."""
        if not points:
            return []
        found = self._call(
            "locate",
            {"locations": [_loc(p) for p in points], "costing": _costing(mode)},
        )
        snaps = []
        for p, item in zip(points, found, strict=True):
            edges = item.get("edges") or []
            if not edges:
                snaps.append(Snap(None, math.inf))
                continue
            q = (edges[0]["correlated_lat"], edges[0]["correlated_lon"])
            snaps.append(Snap(q, haversine_m(p, q)))
        return snaps

    def block(
        self, sources: Sequence[Point], targets: Sequence[Point], mode: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """Seconds and metres from each source to each target (road points); NaN = none found."""
        dur = np.full((len(sources), len(targets)), np.nan)
        dist = dur.copy()
        if not sources or not targets:
            return dur, dist
        answer = self._call(
            "matrix",
            {
                "sources": [_loc(p) for p in sources],
                "targets": [_loc(p) for p in targets],
                "costing": _costing(mode),
            },
        )
        for i, row in enumerate(answer["sources_to_targets"]):
            for j, cell in enumerate(row):
                if cell.get("time") is not None:
                    dur[i, j] = float(cell["time"])
                    dist[i, j] = float(cell["distance"]) * 1000.0
        return dur, dist

    def route(self, points: Sequence[Point], mode: str) -> list[Leg]:
        """One route call through `points` (road points) in order: a leg between each pair."""
        answer = self._call(
            "route",
            {
                "locations": [_loc(p) for p in points],
                "costing": _costing(mode),
                "directions_type": "none",
            },
        )
        return [
            Leg(
                float(leg["summary"]["time"]),
                float(leg["summary"]["length"]) * 1000.0,
                leg["shape"],
            )
            for leg in answer["trip"]["legs"]
        ]

    def matrix(
        self, points: Sequence[Point], mode: str, anchors: Sequence[int] = (0,)
    ) -> RoadMatrix:
        """Travel between all `points` by `mode`: snapped, matrix, missing pairs completed;
        a point no route joins to the `anchors` (e.g. the rep's home) both ways is unreachable."""
        snaps = self.snap(points, mode)
        ok = [k for k, s in enumerate(snaps) if s.point is not None]
        road = [snaps[k].point for k in ok]
        dur = np.full((len(points), len(points)), np.nan)
        dist = dur.copy()
        sub_dur, sub_dist = self.block(road, road, mode)
        dur[np.ix_(ok, ok)], dist[np.ix_(ok, ok)] = sub_dur, sub_dist
        return self.complete(snaps, dur, dist, mode, anchors, points)

    def complete(
        self,
        snaps: Sequence[Snap],
        dur: np.ndarray,
        dist: np.ndarray,
        mode: str,
        anchors: Sequence[int] = (0,),
        points: Sequence[Point] | None = None,
    ) -> RoadMatrix:
        """A RoadMatrix from raw tables (NaN = missing). A point the tables do not join to the
        anchors both ways is checked with a route to (or from) an anchor, then from its other
        road points near `points` (re-snapped: its row and column asked again); unreachable
        when none is found. Other missing pairs are routed one by one (one call per point,
        ROUTE_FILLS_MAX in all); what is left goes through the best intermediate points."""
        dur, dist, snaps = dur.copy(), dist.copy(), list(snaps)
        n = len(snaps)
        np.fill_diagonal(dur, 0.0)
        np.fill_diagonal(dist, 0.0)
        reasons = {k: _no_road(mode) for k, s in enumerate(snaps) if s.point is None}
        anchors = [a for a in anchors if a not in reasons]
        if anchors:
            routed: dict[tuple[int, int], Leg] = {}
            self._join_to_anchors(snaps, dur, dist, reasons, anchors, mode, points, routed)
            moved = sorted({k for pair in routed for k in pair if k not in anchors})
            self.fill_rows(snaps, moved, dur, dist, mode)
            for (i, j), leg in routed.items():
                if np.isnan(dur[i, j]):
                    dur[i, j], dist[i, j] = max(leg.duration, 1.0), leg.distance
            self._route_missing(snaps, dur, dist, mode, set(reasons))
        live = [k for k in range(n) if k not in reasons]
        _through_intermediates(dur, dist, live)
        dead = sorted(reasons)
        dur[dead, :] = dur[:, dead] = UNREACHABLE_S
        dist[dead, :] = dist[:, dead] = UNREACHABLE_M
        still = np.isnan(dur)
        dur[still], dist[still] = UNREACHABLE_S, UNREACHABLE_M
        np.fill_diagonal(dur, 0.0)
        np.fill_diagonal(dist, 0.0)
        return RoadMatrix(
            dur,
            dist,
            [s.point for s in snaps],
            dead,
            [s.metres for s in snaps],
            reasons,
        )

    def fill_rows(self, snaps, new: list[int], dur, dist, mode: str) -> None:
        """The rows and columns of the `new` points, between road points (two matrix calls)."""
        road = [k for k, s in enumerate(snaps) if s.point is not None]
        fresh = [k for k in new if snaps[k].point is not None]
        if not fresh or not road:
            return
        src, dst = [snaps[k].point for k in fresh], [snaps[k].point for k in road]
        dur[np.ix_(fresh, road)], dist[np.ix_(fresh, road)] = self.block(src, dst, mode)
        dur[np.ix_(road, fresh)], dist[np.ix_(road, fresh)] = self.block(dst, src, mode)

    def _join_to_anchors(self, snaps, dur, dist, reasons, anchors, mode, points, routed) -> None:
        """Mark unreachable the points no path of known pairs joins to the anchors (both ways),
        unless a route from (or to) the first anchor serves them. When that fails for every
        other point while they join one another, the anchor is the one cut off (a home in a
        one-way trap), not all of them."""
        for forward in (True, False):
            known = ~np.isnan(dur if forward else dur.T)  # forward: i to j; else j to i
            failed = self._route_unjoined(
                snaps, dur, dist, known, reasons, anchors, forward, mode, points, routed
            )
            others = [k for k, s in enumerate(snaps) if s.point is not None and k not in anchors]
            among = known[np.ix_(others, others)] & ~np.eye(len(others), dtype=bool)
            if len(others) >= 2 and set(others) <= set(failed) and among.any():
                for k in others:
                    del reasons[k]
                for a in anchors:
                    reasons[a] = _cut_off(mode, "from" if forward else "to")
                return

    def _route_unjoined(
        self, snaps, dur, dist, known, reasons, anchors, forward, mode, points, routed
    ):
        """Route from the first anchor to each point not joined to the anchors (or back), one
        at a time (a point joined by a route may join others), else from another of its road
        points (`routed` keeps those routes); returns the points no route serves."""
        hub, failed = anchors[0], []
        while True:
            joined = _joined(known, anchors, reasons)
            todo = [k for k in range(len(snaps)) if not joined[k] and k not in reasons]
            if not todo:
                return failed
            for k in todo:
                i, j = (hub, k) if forward else (k, hub)
                try:
                    (leg,) = self.route([snaps[i].point, snaps[j].point], mode)
                except RuntimeError:
                    escape = None if points is None else self._escape(points[k], snaps, hub, mode)
                    if escape is None:
                        reasons[k] = _cut_off(mode, "to" if forward else "from")
                        failed.append(k)
                        continue
                    snaps[k], there, back = escape
                    # what was known of k was of its old road point
                    dur[k, :] = dur[:, k] = dist[k, :] = dist[:, k] = np.nan
                    dur[k, k] = dist[k, k] = 0.0
                    known[k, :] = known[:, k] = False
                    routed[(hub, k)], routed[(k, hub)] = there, back
                    leg = there if forward else back
                dur[i, j], dist[i, j] = max(leg.duration, 1.0), leg.distance
                known[hub, k] = True
                break
            else:
                return failed

    def _escape(self, point: Point, snaps, hub: int, mode: str):
        """Another road point near `point` with routes from and to the hub's: (its Snap, the
        leg there, the leg back), or None."""
        found = self._call(
            "locate",
            {"locations": [{**_loc(point), "radius": RESNAP_RADIUS_M}], "costing": _costing(mode)},
        )
        edges = found[0].get("edges") or []
        near = {(e["correlated_lat"], e["correlated_lon"]) for e in edges}
        near -= {s.point for s in snaps}
        for q in sorted(near, key=lambda q: haversine_m(point, q))[:RESNAP_TRIES]:
            try:
                (there,) = self.route([snaps[hub].point, q], mode)
                (back,) = self.route([q, snaps[hub].point], mode)
            except RuntimeError:
                continue
            return Snap(q, haversine_m(point, q)), there, back
        return None

    def _route_missing(self, snaps, dur, dist, mode: str, skip: set[int]) -> None:
        """Route the missing pairs of points that have a road point, the pairs of the points
        missing least first, within the budget."""
        missing = np.isnan(dur)
        for k in skip:
            missing[k, :] = missing[:, k] = False
        pairs = np.argwhere(missing)
        if not len(pairs):
            return
        per_point = missing.sum(axis=0) + missing.sum(axis=1)
        order = np.argsort(per_point[pairs[:, 0]] + per_point[pairs[:, 1]], kind="stable")
        budget = min(len(snaps), ROUTE_FILLS_MAX)
        for i, j in pairs[order][:budget]:
            try:
                (leg,) = self.route([snaps[i].point, snaps[j].point], mode)
            except RuntimeError:
                continue
            dur[i, j], dist[i, j] = max(leg.duration, 1.0), leg.distance

    def legs(
        self, points: Sequence[Point], mode: str, road: Sequence[Point | None] | None = None
    ) -> list[Leg | None]:
        """The legs of a day through `points` in order (start, stops..., end), between their
        road points (`road`, e.g. `RoadMatrix.snapped`; else snapped as in `matrix`): one route
        call; when Valhalla finds no path for the whole list, a call per leg, and None for a leg
        no route serves (or whose end has no road near)."""
        road = list(road) if road is not None else [s.point for s in self.snap(points, mode)]
        if len(road) < 2:
            return []
        if all(p is not None for p in road):
            try:
                return list(self.route(road, mode))
            except RuntimeError:
                pass
        legs: list[Leg | None] = []
        for a, b in itertools.pairwise(road):
            try:
                legs += self.route([a, b], mode) if a is not None and b is not None else [None]
            except RuntimeError:
                legs.append(None)
        return legs


def decode_polyline(text: str, precision: int = 6) -> list[Point]:
    """The (lat, lng) points of an encoded polyline (Valhalla's shapes: precision 6)."""
    points, values, shift, result = [], [0, 0], 0, 0
    axis = 0
    for ch in text:
        b = ord(ch) - 63
        result |= (b & 0x1F) << shift
        shift += 5
        if b >= 0x20:
            continue
        values[axis] += ~(result >> 1) if result & 1 else result >> 1
        shift = result = 0
        axis = 1 - axis
        if axis == 0:
            points.append((values[0] / 10**precision, values[1] / 10**precision))
    return points


def _loc(p: Point) -> dict:
    return {"lat": float(p[0]), "lon": float(p[1])}


def _costing(mode: str) -> str:
    if mode not in COSTING:
        raise ValueError(f"travel mode must be one of {MODES}, got {mode!r}")
    return COSTING[mode]


def _no_road(mode: str) -> str:
    return f"No road a {mode} may use near it."


def _cut_off(mode: str, way: str) -> str:
    return f"No {mode} route {way} it (a one-way street or a pedestrian zone in the way)."


def _joined(known: np.ndarray, anchors: list[int], reasons: dict[int, str]) -> np.ndarray:
    """Which points a path of known pairs (known[i, j]: i to j) reaches from the anchors,
    through points not yet judged unreachable."""
    seen = np.zeros(len(known), dtype=bool)
    seen[anchors] = True
    frontier = list(anchors)
    blocked = np.zeros(len(known), dtype=bool)
    blocked[list(reasons)] = True
    while frontier:
        nxt = np.flatnonzero(known[frontier].any(axis=0) & ~seen & ~blocked)
        seen[nxt] = True
        frontier = list(nxt)
    return seen


def _through_intermediates(dur: np.ndarray, dist: np.ndarray, live: list[int]) -> None:
    """Fill pairs among `live` still missing with the best two-step path through another live
    point, repeated while it fills any (a point joined to the home by a path of several steps
    gets all its pairs: each round doubles the steps a path may have)."""
    if len(live) < 3:
        return
    sub_d, sub_m = dur[np.ix_(live, live)], dist[np.ix_(live, live)]
    while True:
        holes = np.argwhere(np.isnan(sub_d))
        before = len(holes)
        for i, j in holes:
            via = sub_d[i, :] + sub_d[:, j]
            if np.all(np.isnan(via)):
                continue
            k = int(np.nanargmin(via))
            sub_d[i, j], sub_m[i, j] = via[k], sub_m[i, k] + sub_m[k, j]
        if not before or np.isnan(sub_d).sum() == before:
            break
    dur[np.ix_(live, live)], dist[np.ix_(live, live)] = sub_d, sub_m
