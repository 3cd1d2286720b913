"""Between the database and `backend.planning`: stores and reps in, planned stops out.

Times in a planning problem are seconds from the plan date's local midnight (organisation time
zone, config TIMEZONE). A visit must start and finish inside one of the store's opening windows for
that weekday, so each window's end is moved earlier by the visit duration.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from flask import current_app
from sqlalchemy import func, select

from ..clock import parse_clock
from ..errors import InvalidError
from ..extensions import db
from ..models import (
    ACCESS_METRES,
    DroppedReason,
    PlannedStop,
    RoutePlan,
    Store,
    Tier,
    TravelMode,
    User,
    Visit,
)
from ..planning.problem import Break, Location, Problem, Rep, Stop, Travel
from ..planning.solution import Route, Solution, make_solution
from ..planning.travel import Tables, build_tables
from . import road_travel
from .road_travel import RoadContext

HOME = "home"
HERE = "here"
DEFAULT_SHIFT = (time(8, 30), time(17, 30))
# What dropping a store costs, in seconds of travel the plan would accept to keep it.
TIER_PENALTY_S = {Tier.A: 7200, Tier.B: 3600, Tier.C: 1800}


def seconds_of(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def time_of(seconds: float) -> time:
    seconds = round(min(max(seconds, 0), 86399))
    return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_now() -> datetime:
    return datetime.now(zone())


def frequency_days(store: Store) -> int:
    """Days between visits: the store's override, else a prospect's (a store that never
    ordered: PROSPECT_VISIT_FREQUENCY_DAYS), else its tier's default."""
    if store.visit_frequency_days:
        return store.visit_frequency_days
    if store.last_order_on is None:
        return current_app.config["PROSPECT_VISIT_FREQUENCY_DAYS"]
    return current_app.config[f"VISIT_FREQUENCY_{store.tier.value}"]


def last_visit_dates(store_ids: Iterable[int]) -> dict[int, date]:
    """The latest local date each store was visited (any visit, planned or not)."""
    rows = db.session.execute(
        select(Visit.store_id, func.max(Visit.visit_date))
        .where(Visit.store_id.in_(list(store_ids)))
        .group_by(Visit.store_id)
    ).all()
    return {store_id: day for store_id, day in rows}


def windows_for(store: Store, day: date) -> list[tuple[int, int]]:
    """Visit-start windows on `day`: opening windows shortened by the visit duration."""
    return [(o, c) for weekday, o, c in _start_windows(store) if weekday == day.weekday()]


def open_weekdays(store: Store) -> frozenset[int]:
    """Weekdays with a window long enough for a visit."""
    return frozenset(weekday for weekday, _, _ in _start_windows(store))


def is_open(store: Store, day: date) -> bool:
    return day.weekday() in open_weekdays(store)


def _start_windows(store: Store) -> list[tuple[int, int, int]]:
    service = store.visit_minutes * 60
    return [
        (h.weekday, seconds_of(h.opens), seconds_of(h.closes) - service)
        for h in store.hours
        if seconds_of(h.closes) - service >= seconds_of(h.opens)
    ]


def store_window(store: Store, day: date, at: time | None) -> tuple[time, time] | None:
    """The store's opening window on `day` that `at` falls in, else its first one that day."""
    hours = sorted((h.opens, h.closes) for h in store.hours if h.weekday == day.weekday())
    inside = [w for w in hours if at is not None and w[0] <= at <= w[1]]
    return (inside or hours or [None])[0]


def drop_reason(store: Store, day: date, shift: tuple[float, float]) -> DroppedReason:
    """Why a store left out of a plan was: closed that day; open only outside the shift (every
    window's visits start before the shift does or end after it); else no room in the day."""
    windows = windows_for(store, day)
    if not windows:
        return DroppedReason.CLOSED
    service = store.visit_minutes * 60
    if all(c < shift[0] or o + service > shift[1] for o, c in windows):
        return DroppedReason.OUTSIDE_WINDOWS
    return DroppedReason.NO_ROOM


def drop_reasons(
    problem: Problem, stores: Iterable[Store], dropped: list[int]
) -> dict[int, DroppedReason]:
    """Why each of `dropped` (store ids among `stores`) was left out of the problem's rep-day:
    unreachable by the rep's mode, else as `drop_reason` says."""
    by_id = {s.id: s for s in stores}
    shift = problem.reps[0].shift
    unreachable = road_context(problem).unreachable
    return {
        i: DroppedReason.UNREACHABLE
        if i in unreachable
        else drop_reason(by_id[i], problem.date, shift)
        for i in dropped
    }


@dataclass(frozen=True)
class Start:
    """Where and when a rep's (remaining) day starts; defaults to home at shift start."""

    lat: float | None = None
    lng: float | None = None
    seconds: int | None = None
    break_taken: bool = False


def rep_shift(rep: User) -> tuple[int, int]:
    start, end = rep.shift_start or DEFAULT_SHIFT[0], rep.shift_end or DEFAULT_SHIFT[1]
    return seconds_of(start), seconds_of(end)


def build_problem(
    rep: User,
    day: date,
    stores: Sequence[Store],
    *,
    required: Iterable[int] = (),
    overdue_days: dict[int, int] | None = None,
    start: Start | None = None,
    locked: Sequence[int] = (),
    penalty_scale: float = 1.0,
) -> Problem:
    """The planning problem of one rep's day over `stores` (store ids become stop ids).

    Stores in `required` must be visited; the others carry a tier penalty, doubled once a store is
    overdue by a full cycle. `start` re-plans from a position and time; `locked` stores go first
    in that order.
    """
    if rep.home_lat is None or rep.home_lng is None:
        raise InvalidError(
            "The rep has no home location to start from.",
            {"json": {"rep_id": [f"Rep {rep.id} needs home_lat and home_lng."]}},
        )
    cfg = current_app.config
    shift = rep_shift(rep)
    locations = [_place(HOME, rep.home_lat, rep.home_lng)]
    first = HOME
    if start is not None and start.lat is not None:
        locations.append(_place(HERE, start.lat, start.lng))
        first = HERE
    if start is not None and start.seconds is not None:
        shift = (max(shift[0], start.seconds), max(shift[1], start.seconds))
    locations += [_place(f"L{s.id}", s.lat, s.lng) for s in stores]
    mode = road_travel.rep_mode(rep)
    locations, matrices, context = _travel(rep, mode, locations)
    stores = [s for s in stores if s.id not in context.unreachable]
    stops = _stops(day, stores, set(required), overdue_days or {}, penalty_scale)
    planned_rep = Rep(
        id=str(rep.id),
        start=first,
        end=HOME,
        shift=(float(shift[0]), float(shift[1])),
        break_=_lunch_break(shift, start is not None and start.break_taken),
        speed_kmh=None if mode is None else road_travel.straight_speed(mode),
        locked=tuple(str(i) for i in locked if i not in context.unreachable),
        mode=mode,
    )
    return Problem(
        locations=tuple(locations),
        reps=(planned_rep,),
        stops=stops,
        objective="duration",
        travel=Travel(float(cfg["PLAN_SPEED_KMH"]), float(cfg["PLAN_DETOUR_FACTOR"])),
        name=f"rep-{rep.id}-{day.isoformat()}",
        date=day,
        matrices=matrices,
        extras=context,
    )


def warm_road_matrix(rep: User, stores: Sequence[Store]) -> None:
    """Compute (and cache) the road matrix of the rep's home and all `stores`, so that each
    day's plan over a subset of them is cut from it without asking Valhalla again."""
    mode = road_travel.rep_mode(rep)
    net = road_travel.network() if mode is not None else None
    if net is not None and rep.home_lat is not None and stores:
        points = [(rep.home_lat, rep.home_lng), *((s.lat, s.lng) for s in stores)]
        road_travel.road_matrix(net, points, mode)


def _travel(
    rep: User, mode: str | None, locations: list[Location]
) -> tuple[list[Location], dict | None, RoadContext]:
    """On roads (a mode and tiles): the locations the mode reaches, their road matrix, and the
    context (road points; stores it cannot reach, why); else the locations as they are."""
    net = road_travel.network() if mode is not None else None
    if net is None:
        return locations, None, RoadContext(mode)
    anchors = tuple(k for k, x in enumerate(locations) if not x.id.startswith("L"))
    m = road_travel.road_matrix(net, [(x.lat, x.lng) for x in locations], mode, anchors)
    limit = current_app.config["ROAD_SNAP_METRES"]
    context = RoadContext(mode, "roads", net)
    keep = []
    for k, loc in enumerate(locations):
        reason = m.reasons.get(k)
        if reason is None and m.snap_m[k] > limit and loc.id.startswith("L"):
            reason = (
                f"The nearest road a {mode} may use is {m.snap_m[k]:.0f} m away "
                f"(more than {limit} m)."
            )
        if reason is not None and not loc.id.startswith("L"):
            where = "home" if loc.id == HOME else "position"
            raise InvalidError(
                f"The rep's {where} cannot be reached by {mode}: {reason}",
                {"json": {"travel_mode": [reason]}},
                reason="unreachable",
                params={"mode": mode},
            )
        if reason is not None:
            context.unreachable[int(loc.id[1:])] = reason
            continue
        keep.append(k)
        context.snapped[loc.id] = m.snapped[k]
        if m.snap_m[k] > ACCESS_METRES:
            lat, lng = m.snapped[k]
            context.access[loc.id] = (lat, lng, round(m.snap_m[k]))
    cut = np.ix_(keep, keep)
    matrices = {mode: {"duration": m.duration[cut], "distance": m.distance[cut]}}
    return [locations[k] for k in keep], matrices, context


def _place(location_id: str, lat, lng) -> Location:
    return Location(location_id, lat=float(lat), lng=float(lng))


def _stops(day, stores, required, overdue_days, penalty_scale) -> tuple[Stop, ...]:
    """One stop per store (its id as stop id); closed that day, it gets an empty window."""
    stops = []
    for store in stores:
        penalty = None
        if store.id not in required:
            base = TIER_PENALTY_S[store.tier]
            late = overdue_days.get(store.id, 0)
            cycle = frequency_days(store)
            penalty = penalty_scale * base * (1 + min(late, cycle) / cycle)
        windows = windows_for(store, day) or [(0, 0)]
        stops.append(
            Stop(
                id=str(store.id),
                location=f"L{store.id}",
                service=float(store.visit_minutes * 60),
                windows=tuple((float(a), float(b)) for a, b in windows),
                penalty=penalty,
                tier=store.tier.value,
            )
        )
    return tuple(stops)


def _lunch_break(shift: tuple[int, int], taken: bool) -> Break | None:
    """The configured break, inside the shift, unless taken or the shift starts after it."""
    cfg = current_app.config
    brk_start = seconds_of(parse_clock(cfg["PLAN_BREAK_START"]))
    brk_end = seconds_of(parse_clock(cfg["PLAN_BREAK_END"]))
    if brk_end <= shift[0] or taken or cfg["PLAN_BREAK_MINUTES"] <= 0:
        return None
    window = (float(max(brk_start, shift[0])), float(brk_end))
    return Break(window, float(cfg["PLAN_BREAK_MINUTES"] * 60))


def apply_solution(
    plan: RoutePlan,
    problem: Problem,
    solution: Solution,
    keep: int = 0,
    keep_dropped: bool = False,
) -> list[int]:
    """Write the rep's route into `plan` after its first `keep` stops; returns dropped store ids
    (with the stores the rep's mode cannot reach).

    On roads the schedule is the route's: each leg's time and street geometry come from one
    Valhalla route call over the day (the matrix only chose the order; its times can differ
    from the route's by a few seconds, and for bicycles by minutes), so the stops' ETAs are the
    times the rep's map shows. Dropped stores leave the plan, or with `keep_dropped` stay at its
    end without times (a re-plan shows what no longer fits today rather than silently losing it).
    """
    context = road_context(problem)
    route = next((r for r in solution.routes if r.rep == str(plan.rep_id)), None)
    tables = build_tables(problem)
    geometry: list[str | None] = []
    if route is not None and context.source == "roads":
        route, tables, geometry = _on_route_legs(problem, route, tables, context)
    index = problem.location_index
    kept = plan.stops[:keep]
    previous = index[problem.reps[0].start]
    by_store = {s.store_id: s for s in plan.stops}
    new_stops = list(kept)
    for k, visit in enumerate(route.visits if route else ()):
        store_id = int(visit.stop)
        here = index[f"L{store_id}"]
        stop = by_store.get(store_id) or PlannedStop(store_id=store_id)
        stop.arrival, stop.start, stop.departure = (
            time_of(visit.arrival),
            time_of(visit.start),
            time_of(visit.end),
        )
        stop.travel_seconds = round(tables.duration(0)[previous, here])
        stop.distance_m = round(tables.distance_of(0)[previous, here])
        stop.geometry = geometry[k] if geometry else None
        _set_access(stop, context.access.get(f"L{store_id}"))
        new_stops.append(stop)
        previous = here
    if route is not None:
        if keep == 0:
            plan.start_time = time_of(route.start_time)
        plan.end_time = time_of(route.end_time)
        plan.travel_seconds = sum(s.travel_seconds for s in kept) + round(route.travel)
        plan.distance_m = sum(s.distance_m for s in kept) + round(route.distance)
        plan.break_after = None if route.break_after is None else keep + route.break_after
        plan.return_geometry = geometry[-1] if geometry else None
    plan.travel_mode = None if context.mode is None else TravelMode(context.mode)
    plan.travel_source = context.source
    planned = {s.store_id for s in new_stops}
    dropped = [int(s.id) for s in problem.stops if int(s.id) not in planned]
    dropped += [i for i in context.unreachable if i not in planned]
    if keep_dropped:
        for store_id in dropped:
            stop = by_store.get(store_id) or PlannedStop(store_id=store_id)
            stop.arrival = stop.start = stop.departure = None
            stop.travel_seconds = stop.distance_m = 0
            stop.geometry = None
            _set_access(stop, None)
            new_stops.append(stop)
    for sequence, stop in enumerate(new_stops, start=1):
        stop.sequence = sequence
    plan.stops = new_stops
    return dropped


def road_context(problem: Problem) -> RoadContext:
    """How the problem's travel is measured (straight lines when it was built without one)."""
    extras = problem.extras
    return extras if isinstance(extras, RoadContext) else RoadContext(None)


def final_violations(problem: Problem, violations: Sequence[str]) -> Sequence[str]:
    """What the written schedule breaks: on roads, the route legs' schedule's findings."""
    found = road_context(problem).violations
    return violations if found is None else found


def _on_route_legs(problem: Problem, route: Route, tables: Tables, context: RoadContext):
    """The route re-timed on Valhalla's legs over it (one route call): its new schedule, the
    tables with those legs' times and lengths, and each leg's geometry (the last: back home).
    A leg Valhalla cannot route keeps the matrix's figures and has no geometry."""
    rep = problem.reps[0]
    index = problem.location_index
    places = [rep.start, *(f"L{int(v.stop)}" for v in route.visits), rep.end]
    by_id = {x.id: x for x in problem.locations}
    points = [(by_id[x].lat, by_id[x].lng) for x in places]
    legs = road_travel.route_legs(context, places, points)
    duration, distance = tables.duration(0).copy(), tables.distance_of(0).copy()
    for (a, b), leg in zip(itertools.pairwise(places), legs, strict=True):
        if leg is not None and a != b:
            duration[index[a], index[b]] = round(leg.duration)
            distance[index[a], index[b]] = round(leg.distance)
    timed = Tables(distance, (duration,))
    hint = {} if route.break_after is None else {rep.id: route.break_after}
    solution = make_solution(problem, {rep.id: list(route.stops)}, timed, hint)
    context.violations = list(solution.violations)
    return solution.routes[0], timed, [None if leg is None else leg.polyline for leg in legs]


def _set_access(stop: PlannedStop, access: tuple[float, float, int] | None) -> None:
    stop.access_lat, stop.access_lng, stop.access_m = access or (None, None, None)
