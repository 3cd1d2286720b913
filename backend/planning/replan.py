"""Re-planning the rest of a day: done stops fixed (removed), the rep restarts from where it is."""

from __future__ import annotations

from dataclasses import replace

from .problem import Break, Location, Problem, ProblemError, Rep, parse_time

CURRENT = "@current"


def replan_problem(
    problem: Problem,
    rep: str,
    *,
    done=(),
    now=None,
    position=None,
    locked=(),
    other_reps: bool = False,
    break_taken: bool = False,
) -> Problem:
    """The problem that is left for ``rep`` at time ``now`` standing at ``position``.

    - ``done``: stop ids already visited (by anyone); they leave the problem.
    - ``now``: seconds or "HH:MM"; the rep's shift starts then (default: unchanged).
    - ``position``: a location id, or ``(lat, lng)`` / ``{"lat", "lng"}`` (a location
      ``@current`` is added); default: the rep's start.
    - ``locked``: stop ids the rep must do next, in this order (e.g. the one in progress).
    - ``other_reps``: keep the other reps (re-plan the team); by default only ``rep`` plans.
    - ``break_taken``: the break is done (or no longer wanted); a break whose window has passed
      is dropped too.
    """
    index = {r.id: k for k, r in enumerate(problem.reps)}
    if rep not in index:
        raise ProblemError("rep", f"unknown rep {rep!r}")
    r = problem.reps[index[rep]]
    stop_ids = {s.id for s in problem.stops}
    for k, sid in enumerate(done):
        if sid not in stop_ids:
            raise ProblemError(f"done[{k}]", f"unknown stop {sid!r}")
    done = set(done)
    for k, sid in enumerate(locked):
        if sid not in stop_ids or sid in done:
            raise ProblemError(f"locked[{k}]", f"unknown or done stop {sid!r}")
    locations, start = _start_place(problem, position, r.start)
    shift, brk = _rest_of_shift(r, now, break_taken)
    new_rep = replace(r, start=start, shift=shift, break_=brk, locked=tuple(locked))
    reps = [
        new_rep if x.id == rep else replace(x, locked=tuple(s for s in x.locked if s not in done))
        for x in problem.reps
    ]
    if not other_reps:
        reps = [new_rep]
    stops = tuple(s for s in problem.stops if s.id not in done)
    return replace(problem, locations=locations, reps=tuple(reps), stops=stops)


def _start_place(problem: Problem, position, default: str) -> tuple[tuple[Location, ...], str]:
    """The locations and the start place id: ``position`` as a location id, or a GPS point
    added as the location ``@current``."""
    locations = problem.locations
    if position is None:
        return locations, default
    if isinstance(position, str):
        if position not in problem.location_index:
            raise ProblemError("position", f"unknown location {position!r}")
        return locations, position
    if isinstance(position, dict):
        lat, lng = position.get("lat"), position.get("lng")
    else:
        lat, lng = position
    if not locations[0].geographic:
        raise ProblemError("position", "planar problem needs a location id")
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ProblemError("position", f"expected lat/lng, got {position!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ProblemError("position", f"lat/lng out of range: {position!r}")
    if problem.matrix is not None:
        raise ProblemError("position", "a given matrix needs a location id")
    here = Location(CURRENT, lat=lat, lng=lng)
    return (*(x for x in locations if x.id != CURRENT), here), CURRENT


def _rest_of_shift(rep: Rep, now, break_taken: bool) -> tuple[tuple[float, float], Break | None]:
    """The shift from ``now`` on, and the break still to take in it (None when taken or past)."""
    shift = rep.shift
    if now is not None:
        t = parse_time(now, "now")
        if t > shift[1]:
            raise ProblemError("now", "after the end of the shift")
        shift = (max(shift[0], t), shift[1])
    brk = rep.break_
    if brk is not None and (break_taken or brk.window[1] < shift[0]):
        brk = None
    elif brk is not None and brk.window[0] < shift[0]:
        brk = replace(brk, window=(shift[0], brk.window[1]))
    return shift, brk
