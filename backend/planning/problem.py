"""Planning problem model: dataclasses, JSON read/write and validation.

The JSON format (the benchmark instances' format, ``bench/instances/README.md``, plus extensions)::

    {"name": "...", "objective": "duration" | "distance", "date": "2026-12-07",
     "locations": [{"id": "H1", "lat": 35.68, "lng": 139.76}, {"id": "L1", "x": 40, "y": 50}],
     "matrix": {"duration": [[...]], "distance": [[...]]},       # optional, over locations
     "matrices": {"car": {"duration": [[...]], "distance": [[...]]}},  # optional, per mode
     "travel": {"speed_kmh": 20, "detour_factor": 1.3},          # used without a matrix
     "reps": [{"id": "r1", "start": "H1", "end": "H1", "shift": [30600, 63000],
               "capacity": 200, "max_stops": 12, "locked": ["S3"],
               "travel": {"mode": "walk", "speed_kmh": 4.5},
               "break": {"window": [41400, 48600], "duration": 2700}}],
     "stops": [{"id": "S1", "location": "L1", "service": 900, "windows": [[32400, 39600]],
                "demand": 10, "penalty": 3600, "tier": "A"}]}

Times are seconds from the day's midnight, or ``"HH:MM[:SS]"`` strings. A rep leaves ``start``
no earlier than ``shift[0]`` and is back at ``end`` by ``shift[1]``; service starts inside one of
a stop's windows (arriving early means waiting); a break is taken whole inside its window. The
objective is total travel (duration or distance) plus the ``penalty`` of every stop left out;
``"penalty": null`` means the stop must be visited. Everything but ``locations``, ``reps`` and
``stops`` is optional; ``date``, per-rep ``travel``, ``max_stops`` and ``locked`` (stop ids the
rep does first, in this order) are this planner's extensions; so is ``matrices``: one table pair
per travel mode (e.g. from a road network), used by the reps whose ``travel.mode`` names it
(the others use ``matrix`` or the straight-line ``travel`` model). Tables may be numpy arrays.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

OBJECTIVES = ("duration", "distance")
# default speeds (km/h) for a rep's travel mode, used when the rep gives a mode but no speed
MODE_SPEEDS = {
    "walk": 4.5,
    "foot": 4.5,
    "bicycle": 12.0,
    "scooter": 20.0,
    "car": 20.0,
    "transit": 15.0,
}
_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")


class ProblemError(ValueError):
    """An invalid problem; the message starts with the path of the bad field."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path


@dataclass(frozen=True)
class Location:
    id: str
    lat: float | None = None
    lng: float | None = None
    x: float | None = None
    y: float | None = None

    @property
    def geographic(self) -> bool:
        return self.lat is not None


@dataclass(frozen=True)
class Travel:
    """Travel model used when no matrix is given (the benchmark format's defaults)."""

    speed_kmh: float = 20.0
    detour_factor: float = 1.3


@dataclass(frozen=True)
class Break:
    window: tuple[float, float]
    duration: float


@dataclass(frozen=True)
class Rep:
    id: str
    start: str
    end: str
    shift: tuple[float, float]
    capacity: float | None = None
    break_: Break | None = None
    max_stops: int | None = None
    speed_kmh: float | None = None  # overrides the problem's travel speed for this rep
    locked: tuple[str, ...] = ()
    mode: str | None = None  # travel mode (informative once speed_kmh is set)


@dataclass(frozen=True)
class Stop:
    id: str
    location: str
    service: float = 0.0
    windows: tuple[tuple[float, float], ...] = ()
    demand: float = 0.0
    penalty: float | None = None  # None = must be visited
    tier: str | None = None


@dataclass(frozen=True)
class Problem:
    locations: tuple[Location, ...]
    reps: tuple[Rep, ...]
    stops: tuple[Stop, ...]
    objective: str = "duration"
    travel: Travel = field(default_factory=Travel)
    matrix: dict[str, Any] | None = None  # {"duration": [[...]], "distance": [[...]]}
    name: str = ""
    date: dt.date | None = None
    matrices: dict[str, dict[str, Any]] | None = None  # {mode: {"duration", "distance"}}
    # What the caller keeps with the problem (the app: its road context); never read here.
    extras: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        validate(self)

    @property
    def location_index(self) -> dict[str, int]:
        return {loc.id: k for k, loc in enumerate(self.locations)}

    def with_reps(self, reps) -> Problem:
        return replace(self, reps=tuple(reps))

    def with_stops(self, stops) -> Problem:
        return replace(self, stops=tuple(stops))


def parse_time(value: Any, path: str) -> float:
    """Seconds from midnight from a number or an ``"HH:MM"``/``"HH:MM:SS"`` string."""
    if isinstance(value, bool):
        raise ProblemError(path, f"expected a time, got {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ProblemError(path, f"time must be finite, got {value!r}")
        return float(value)
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m and int(m.group(1)) <= 48:
            h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            return float(h * 3600 + mi * 60 + s)
    raise ProblemError(path, f"expected seconds or 'HH:MM[:SS]', got {value!r}")


def _interval(value: Any, path: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ProblemError(path, f"expected [start, end], got {value!r}")
    a, b = parse_time(value[0], f"{path}[0]"), parse_time(value[1], f"{path}[1]")
    if a > b:
        raise ProblemError(path, "start after end")
    return a, b


def _number(d: dict, key: str, path: str, default=None, minimum: float | None = 0.0):
    value = d.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ProblemError(f"{path}.{key}", f"expected a number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ProblemError(f"{path}.{key}", f"must be >= {minimum:g}, got {value!r}")
    return value


def _text(d: dict, key: str, path: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{path}.{key}", f"expected a non-empty string, got {value!r}")
    return value


def _object(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise ProblemError(path, f"expected an object, got {type(value).__name__}")
    return value


def _list(d: dict, key: str, path: str, required: bool = True) -> list:
    value = d.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise ProblemError(f"{path}{key}", f"expected a list, got {type(value).__name__}")
    return value


def _travel(d: dict, path: str, base: Travel | None = None) -> Travel:
    base = base or Travel()
    speed = _number(d, "speed_kmh", path, base.speed_kmh)
    if speed <= 0:
        raise ProblemError(f"{path}.speed_kmh", "must be positive")
    detour = _number(d, "detour_factor", path, base.detour_factor)
    return Travel(float(speed), float(detour))


def _location(d: Any, path: str) -> Location:
    d = _object(d, path)
    loc_id = _text(d, "id", path)
    if "lat" in d or "lng" in d:
        lat = _number(d, "lat", path, minimum=-90.0)
        lng = _number(d, "lng", path, minimum=-180.0)
        if lat is None or lng is None or lat > 90 or lng > 180:
            raise ProblemError(path, "needs valid 'lat' and 'lng'")
        return Location(loc_id, lat=float(lat), lng=float(lng))
    x, y = _number(d, "x", path, minimum=None), _number(d, "y", path, minimum=None)
    if x is None or y is None:
        raise ProblemError(path, "needs 'lat'/'lng' or 'x'/'y'")
    return Location(loc_id, x=float(x), y=float(y))


def _rep(d: Any, path: str) -> Rep:
    d = _object(d, path)
    brk = None
    if d.get("break") is not None:
        b = _object(d["break"], f"{path}.break")
        brk = Break(
            _interval(b.get("window"), f"{path}.break.window"),
            float(_number(b, "duration", f"{path}.break", 0)),
        )
    speed = mode = None
    if d.get("travel") is not None:
        t = _object(d["travel"], f"{path}.travel")
        mode = t.get("mode")
        if mode is not None and mode not in MODE_SPEEDS:
            raise ProblemError(
                f"{path}.travel.mode", f"expected one of {sorted(MODE_SPEEDS)}, got {mode!r}"
            )
        if t.get("speed_kmh") is not None:
            speed = _travel(t, f"{path}.travel").speed_kmh
        elif mode is not None:
            speed = MODE_SPEEDS[mode]
    max_stops = _number(d, "max_stops", path)
    if max_stops is not None and int(max_stops) != max_stops:
        raise ProblemError(f"{path}.max_stops", "must be a whole number")
    locked = _list(d, "locked", f"{path}.", required=False)
    if not all(isinstance(s, str) for s in locked):
        raise ProblemError(f"{path}.locked", "expected a list of stop ids")
    return Rep(
        id=_text(d, "id", path),
        start=_text(d, "start", path),
        end=d.get("end") or _text(d, "start", path),
        shift=_interval(d.get("shift"), f"{path}.shift"),
        capacity=_number(d, "capacity", path),
        break_=brk,
        max_stops=None if max_stops is None else int(max_stops),
        speed_kmh=speed,
        locked=tuple(locked),
        mode=mode,
    )


def _stop(d: Any, path: str) -> Stop:
    d = _object(d, path)
    windows = tuple(
        _interval(w, f"{path}.windows[{k}]")
        for k, w in enumerate(_list(d, "windows", f"{path}.", required=False))
    )
    ordered = sorted(windows)
    for k in range(1, len(ordered)):
        if ordered[k][0] <= ordered[k - 1][1]:
            raise ProblemError(f"{path}.windows", "windows overlap")
    tier = d.get("tier")
    return Stop(
        id=_text(d, "id", path),
        location=_text(d, "location", path),
        service=float(_number(d, "service", path, 0)),
        windows=windows,
        demand=float(_number(d, "demand", path, 0)),
        penalty=_number(d, "penalty", path),
        tier=None if tier is None else str(tier),
    )


def problem_from_dict(data: Any) -> Problem:
    """Build and validate a Problem from the JSON structure; raises ProblemError."""
    data = _object(data, "problem")
    objective = data.get("objective", "duration")
    if objective not in OBJECTIVES:
        raise ProblemError("objective", f"expected one of {OBJECTIVES}, got {objective!r}")
    date = data.get("date")
    if date is not None:
        try:
            date = dt.date.fromisoformat(date)
        except (TypeError, ValueError):
            raise ProblemError("date", f"expected an ISO date, got {date!r}") from None
    travel = _travel(_object(data.get("travel", {}), "travel"), "travel")
    matrix = data.get("matrix") or None
    matrices = _object(data.get("matrices") or {}, "matrices") or None
    return Problem(
        locations=tuple(
            _location(x, f"locations[{k}]") for k, x in enumerate(_list(data, "locations", ""))
        ),
        reps=tuple(_rep(x, f"reps[{k}]") for k, x in enumerate(_list(data, "reps", ""))),
        stops=tuple(_stop(x, f"stops[{k}]") for k, x in enumerate(_list(data, "stops", ""))),
        objective=objective,
        travel=travel,
        matrix=matrix,
        matrices=matrices,
        name=str(data.get("name", "")),
        date=date,
    )


def validate(problem: Problem) -> None:
    """Cross-field checks: ids, references, matrix shape, locks; raises ProblemError."""
    n = len(problem.locations)
    if n == 0:
        raise ProblemError("locations", "at least one location is needed")
    index = {}
    for k, loc in enumerate(problem.locations):
        if loc.id in index:
            raise ProblemError(f"locations[{k}].id", f"duplicate id {loc.id!r}")
        index[loc.id] = k
    if len({loc.geographic for loc in problem.locations}) > 1 and problem.matrix is None:
        raise ProblemError("locations", "mixes lat/lng and x/y coordinates")
    if problem.matrix is not None:
        _check_matrix(problem.matrix, n)
    for mode, table in (problem.matrices or {}).items():
        if mode not in MODE_SPEEDS:
            raise ProblemError(f"matrices.{mode}", f"expected a mode of {sorted(MODE_SPEEDS)}")
        _check_matrix(table, n, f"matrices.{mode}")
    stop_ids: dict[str, int] = {}
    for k, stop in enumerate(problem.stops):
        if stop.id in stop_ids:
            raise ProblemError(f"stops[{k}].id", f"duplicate id {stop.id!r}")
        stop_ids[stop.id] = k
        if stop.location not in index:
            raise ProblemError(f"stops[{k}].location", f"unknown location {stop.location!r}")
    if not problem.reps:
        raise ProblemError("reps", "at least one rep is needed")
    rep_ids: set[str] = set()
    locked: set[str] = set()
    for k, rep in enumerate(problem.reps):
        path = f"reps[{k}]"
        if rep.id in rep_ids:
            raise ProblemError(f"{path}.id", f"duplicate id {rep.id!r}")
        rep_ids.add(rep.id)
        for key in ("start", "end"):
            if getattr(rep, key) not in index:
                raise ProblemError(f"{path}.{key}", f"unknown location {getattr(rep, key)!r}")
        if rep.break_ is not None and rep.break_.duration > rep.shift[1] - rep.shift[0]:
            raise ProblemError(f"{path}.break.duration", "longer than the shift")
        for j, sid in enumerate(rep.locked):
            if sid not in stop_ids:
                raise ProblemError(f"{path}.locked[{j}]", f"unknown stop {sid!r}")
            if sid in locked:
                raise ProblemError(f"{path}.locked[{j}]", f"stop {sid!r} locked twice")
            locked.add(sid)


def _check_matrix(matrix: Any, n: int, where: str = "matrix") -> None:
    if not isinstance(matrix, dict) or "duration" not in matrix:
        raise ProblemError(where, "expected an object with a 'duration' table")
    for key in ("duration", "distance"):
        table = matrix.get(key)
        if table is None:
            continue
        path = f"{where}.{key}"
        if isinstance(table, np.ndarray):
            if table.shape != (n, n):
                raise ProblemError(path, f"expected a {n} x {n} table, got {table.shape}")
            if table.dtype.kind in "iuf" and np.all(np.isfinite(table)) and np.all(table >= 0):
                continue
            table = table.tolist()  # the loop below finds the bad entry
        if not isinstance(table, list) or len(table) != n:
            raise ProblemError(path, f"expected {n} rows (one per location)")
        for i, row in enumerate(table):
            if not isinstance(row, list) or len(row) != n:
                raise ProblemError(f"{path}[{i}]", f"expected {n} values")
        values = np.asarray(table)  # fast path; the loop below finds the bad entry
        if values.dtype.kind in "iuf" and np.all(np.isfinite(values)) and np.all(values >= 0):
            continue
        for i, row in enumerate(table):
            for j, x in enumerate(row):
                if (
                    isinstance(x, bool)
                    or not isinstance(x, int | float)
                    or not (math.isfinite(x) and x >= 0)
                ):
                    raise ProblemError(
                        f"{path}[{i}][{j}]", f"expected a finite number >= 0, got {x!r}"
                    )


def load(path: str | Path) -> Problem:
    """Read a problem JSON file; raises ProblemError (also for unreadable JSON)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ProblemError(str(path), f"cannot read JSON: {exc}") from None
    return problem_from_dict(data)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The JSON structure of a problem (times as seconds)."""

    def loc(x: Location):
        if x.geographic:
            return {"id": x.id, "lat": x.lat, "lng": x.lng}
        return {"id": x.id, "x": x.x, "y": x.y}

    def rep(r: Rep):
        d: dict[str, Any] = {"id": r.id, "start": r.start, "end": r.end, "shift": list(r.shift)}
        if r.capacity is not None:
            d["capacity"] = r.capacity
        if r.break_ is not None:
            d["break"] = {"window": list(r.break_.window), "duration": r.break_.duration}
        if r.max_stops is not None:
            d["max_stops"] = r.max_stops
        if r.speed_kmh is not None or r.mode is not None:
            d["travel"] = {"speed_kmh": r.speed_kmh}
            if r.mode is not None:
                d["travel"]["mode"] = r.mode
        if r.locked:
            d["locked"] = list(r.locked)
        return d

    def stop(s: Stop):
        d: dict[str, Any] = {
            "id": s.id,
            "location": s.location,
            "service": s.service,
            "windows": [list(w) for w in s.windows],
            "penalty": s.penalty,
        }
        if s.demand:
            d["demand"] = s.demand
        if s.tier is not None:
            d["tier"] = s.tier
        return d

    out: dict[str, Any] = {"name": problem.name, "objective": problem.objective}
    if problem.date is not None:
        out["date"] = problem.date.isoformat()
    out["travel"] = {
        "speed_kmh": problem.travel.speed_kmh,
        "detour_factor": problem.travel.detour_factor,
    }
    out["locations"] = [loc(x) for x in problem.locations]
    if problem.matrix is not None:
        out["matrix"] = problem.matrix
    if problem.matrices:
        out["matrices"] = {
            mode: {k: np.asarray(v).tolist() for k, v in table.items()}
            for mode, table in problem.matrices.items()
        }
    out["reps"] = [rep(r) for r in problem.reps]
    out["stops"] = [stop(s) for s in problem.stops]
    return out


def dump(problem: Problem, path: str | Path) -> None:
    """Write a problem as JSON."""
    Path(path).write_text(json.dumps(problem_to_dict(problem)))
