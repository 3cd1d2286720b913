"""The app's road network: which tiles (setting ROAD_TILES), each rep's travel mode, and travel
matrices cached per (tiles version, mode, ordered points).

The cache is files under ``<ROAD_CACHE_DIR>/<version>/<mode>/`` (default: ``road-cache`` in the
instance folder; one ``.npz`` per point list): gunicorn's workers, the job thread and `flask
worker` on the host share them without a table or a migration, a write is one atomic rename,
and a rebuild of the tiles (a new version) starts a new folder while the old one's files are
removed. The key holds every coordinate, so a moved store misses. A miss first looks among the
newest entries for one holding all but a few of the points (a re-plan adds the rep's position,
an edit one store, a day of a team job is a subset of the rep's stores): only the new points'
rows and columns are asked of Valhalla.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from flask import current_app

from ..config import ConfigError
from ..models import User
from ..planning.road_tiles import tiles_version
from ..planning.roads import (
    MODES,
    UNREACHABLE_S,
    Leg,
    Point,
    RoadMatrix,
    RoadNetwork,
    RoadsUnavailable,
    Snap,
)

log = logging.getLogger(__name__)
CACHE_FOLDER = "road-cache"
KEEP_ENTRIES = 256  # newest cache files kept per mode
SEARCH_ENTRIES = 64  # newest entries looked through for a partial hit
MEMORY_ENTRIES = 32  # per process, read back from files

_lock = threading.Lock()
_networks: dict[Path, RoadNetwork] = {}
_memory: OrderedDict[str, RoadMatrix] = OrderedDict()  # by cache file
_points_of: dict[Path, np.ndarray] = {}


@dataclass
class RoadContext:
    """How a plan's travel is measured, kept with its problem (`Problem.extras`): the mode
    (None: straight lines at the plan speed), "roads" or "straight", and on roads the network,
    each location's road point and the stores the mode cannot reach (store id: why)."""

    mode: str | None
    source: str = "straight"
    network: RoadNetwork | None = None
    snapped: dict[str, Point | None] = field(default_factory=dict)
    access: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    unreachable: dict[int, str] = field(default_factory=dict)
    # Set when the plan was timed on the route's legs: what that schedule breaks.
    violations: list[str] | None = None


def tiles_dir() -> Path | None:
    """Where the tiles are looked for: the setting's path, else ``<instance>/roads``; None for
    "none"."""
    setting = str(current_app.config.get("ROAD_TILES", "")).strip()
    if setting.lower() == "none":
        return None
    return Path(setting) if setting else Path(current_app.instance_path) / "roads"


def network() -> RoadNetwork | None:
    """This process's road network (one Actor, reopened when the tiles are rebuilt), or None:
    straight lines (no tiles there, or the roads extra is not installed)."""
    path = tiles_dir()
    if path is None:
        return None
    version = tiles_version(path)
    if version is None:
        return None
    with _lock:
        current = _networks.get(path)
        if current is None or current.version != version:
            try:
                current = _networks[path] = RoadNetwork(path)
            except RoadsUnavailable as exc:
                log.warning("road travel off: %s", exc)
                return None
        return current


def rep_mode(rep: User) -> str | None:
    """The rep's travel mode, else the organisation's (PLAN_TRAVEL_MODE; "" = none)."""
    if rep.travel_mode is not None:
        return rep.travel_mode.value
    mode = str(current_app.config.get("PLAN_TRAVEL_MODE", "")).strip()
    if mode and mode not in MODES:
        raise ConfigError(f"PLAN_TRAVEL_MODE: expected one of {MODES} or '', got {mode!r}")
    return mode or None


def straight_speed(mode: str | None) -> float:
    """Straight-line speed (km/h) of a mode: its PLAN_SPEED_KMH_<MODE>, else PLAN_SPEED_KMH."""
    cfg = current_app.config
    return float(cfg[f"PLAN_SPEED_KMH_{mode.upper()}"] if mode else cfg["PLAN_SPEED_KMH"])


def _key(version: str, mode: str, points: list[Point], anchors: tuple[int, ...]) -> str:
    text = ";".join(f"{lat:.6f},{lng:.6f}" for lat, lng in points)
    return hashlib.sha256(f"{version}|{mode}|{anchors}|{text}".encode()).hexdigest()[:32]


def cache_root() -> Path:
    """The cache's folder: ROAD_CACHE_DIR, else ``road-cache`` in the instance folder."""
    configured = current_app.config.get("ROAD_CACHE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / CACHE_FOLDER


def _folder(version: str, mode: str) -> Path:
    return cache_root() / version / mode


def road_matrix(
    net: RoadNetwork, points: list[Point], mode: str, anchors: tuple[int, ...] = (0,)
) -> RoadMatrix:
    """Travel between `points` by `mode`, from the cache or from Valhalla (then cached); the
    `anchors` (the rep's home, position) are what the other points must join to be reachable."""
    folder = _folder(net.version, mode)
    path = folder / f"{_key(net.version, mode, points, anchors)}.npz"
    key = str(path)
    with _lock:
        if key in _memory:
            _memory.move_to_end(key)
            return _memory[key]
    found = _read(path)
    if found is None:
        found = _compute(net, folder, points, mode, anchors)
        _write(folder, path, points, found)
    with _lock:
        _memory[key] = found
        while len(_memory) > MEMORY_ENTRIES:
            _memory.popitem(last=False)
    return found


def _compute(net, folder: Path, points: list[Point], mode: str, anchors) -> RoadMatrix:
    """A new matrix: the new points' rows and columns beside the best cached entry, else all."""
    base = _best_entry(folder, points)
    if base is None:
        return net.matrix(points, mode, anchors)
    entry, index = base
    known = [k for k, i in enumerate(index) if i >= 0]
    new = [k for k, i in enumerate(index) if i < 0]
    n = len(points)
    dur, dist = np.full((n, n), np.nan), np.full((n, n), np.nan)
    old = [index[k] for k in known]
    cut = np.ix_(old, old)
    dur[np.ix_(known, known)], dist[np.ix_(known, known)] = (
        entry.duration[cut],
        entry.distance[cut],
    )
    dur[dur >= UNREACHABLE_S] = np.nan  # judged again among these points
    snaps: list[Snap | None] = [None] * n
    for k in known:
        snaps[k] = Snap(entry.snapped[index[k]], entry.snap_m[index[k]])
    for k, snap in zip(new, net.snap([points[k] for k in new], mode), strict=True):
        snaps[k] = snap
    net.fill_rows(snaps, new, dur, dist, mode)
    return net.complete(snaps, dur, dist, mode, anchors, points)


def _best_entry(folder: Path, points: list[Point]) -> tuple[RoadMatrix, list[int]] | None:
    """The newest cached entry holding the most of `points`, with each point's index in it
    (-1: not there), when it lacks at most a quarter of them (at least 3 may be new)."""
    try:
        files = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    wanted = [f"{lat:.6f},{lng:.6f}" for lat, lng in points]
    best = None
    for path in files[:SEARCH_ENTRIES]:
        have = _entry_points(path)
        if have is None:
            continue
        where = {f"{lat:.6f},{lng:.6f}": i for i, (lat, lng) in enumerate(have)}
        index = [where.get(w, -1) for w in wanted]
        hits = sum(i >= 0 for i in index)
        if best is None or hits > best[0]:
            best = (hits, path, index)
    if best is None or len(points) - best[0] > max(3, len(points) // 4):
        return None
    entry = _read(best[1])
    return None if entry is None else (entry, best[2])


def _entry_points(path: Path) -> np.ndarray | None:
    with _lock:
        if path in _points_of:
            return _points_of[path]
    try:
        with np.load(path) as data:
            points = data["points"]
    except (OSError, ValueError, KeyError):
        return None
    with _lock:
        _points_of[path] = points
    return points


def _read(path: Path) -> RoadMatrix | None:
    try:
        with np.load(path) as data:
            snapped = [
                None if np.isnan(lat) else (float(lat), float(lng)) for lat, lng in data["snapped"]
            ]
            reasons = {int(k): str(r) for k, r in enumerate(data["reasons"]) if r}
            return RoadMatrix(
                data["duration"],
                data["distance"],
                snapped,
                sorted(reasons),
                [float(x) for x in data["snap_m"]],
                reasons,
            )
    except (OSError, ValueError, KeyError):
        return None


def _write(folder: Path, path: Path, points: list[Point], m: RoadMatrix) -> None:
    """Save an entry (atomically), drop other tile versions' folders and the oldest entries."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{path.stem}.{os.getpid()}.{threading.get_ident()}.npz"
    np.savez(
        tmp,
        points=np.asarray(points, dtype=float).reshape(-1, 2),
        duration=m.duration,
        distance=m.distance,
        snapped=np.array([s if s else (np.nan, np.nan) for s in m.snapped], dtype=float),
        snap_m=np.asarray(m.snap_m, dtype=float),
        reasons=np.array([m.reasons.get(k, "") for k in range(len(points))], dtype=str),
    )
    os.replace(tmp, path)
    _prune(folder)


def _prune(folder: Path) -> None:
    versions = folder.parent.parent
    for other in versions.iterdir():
        if other != folder.parent and other.is_dir():
            for old in other.rglob("*.npz"):
                old.unlink(missing_ok=True)
    files = sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_ENTRIES:]:
        old.unlink(missing_ok=True)


def cache_entries() -> int:
    """Cached matrices on disk (all versions)."""
    return sum(1 for _ in cache_root().rglob("*.npz"))


def route_legs(ctx: RoadContext, places: list[str], points: list[Point]) -> list[Leg | None]:
    """The legs through `points` (the locations `places`), from their road points in the
    context, on its network (all None when it answers nothing, or not a leg per pair)."""
    want = max(0, len(points) - 1)
    try:
        legs = ctx.network.legs(points, ctx.mode, [ctx.snapped.get(x) for x in places])
    except RuntimeError as exc:
        log.warning("no route legs (%s): %s", ctx.mode, exc)
        return [None] * want
    return legs if len(legs) == want else [None] * want
