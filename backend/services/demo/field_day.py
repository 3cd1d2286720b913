"""A demo rep's working day on a published plan: the stops they reach in about the planned order,
the odd unplanned call, each checked in and out as `services.visits` does (the planned stop it
counts for, done_at, the local date, distances) with the integrity service's flags.

Times follow the plan (a rep early for a stop waits for its planned start), the travel between
stores at the planner's straight-line speed for the rep's travel mode, and a lunch break;
positions scatter around the store, now and then outside the geofence or with poor accuracy, as
the rep's profile says.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app

from ...extensions import db
from ...models import PlannedStop, RoutePlan, Store, User, Visit, VisitStatus
from .. import road_travel, visit_integrity, visits
from ..plan_building import DEFAULT_SHIFT, is_open, zone
from .profiles import DayForm, RepProfile

LUNCH_FROM, LUNCH_MINUTES = time(12, 0), 45
LAST_CHECK_IN = time(18, 30)
METRES_PER_DEGREE = 111_320


@dataclass(frozen=True)
class Call:
    """A store the rep goes to, and the planned stop it is (None: an unplanned visit)."""

    store: Store
    stop: PlannedStop | None


def calls_of(
    plan: RoutePlan, own: list[Store], profile: RepProfile, form: DayForm, rng: random.Random
) -> list[Call]:
    """The day's calls: planned stops kept (late ones are the likeliest to be missed), perhaps
    two taken out of order, and unplanned calls at other stores of the rep's."""
    stops = list(plan.stops)
    miss = 1 - form.completion
    kept = [s for k, s in enumerate(stops) if rng.random() >= miss * 2 * (k + 0.5) / len(stops)]
    if len(kept) > 1 and rng.random() < profile.swaps:
        k = rng.randrange(len(kept) - 1)
        kept[k], kept[k + 1] = kept[k + 1], kept[k]
    calls = [Call(s.store, s) for s in kept]
    on_plan = {s.store_id for s in stops}
    others = [s for s in own if s.id not in on_plan and is_open(s, plan.plan_date)]
    unplanned = sum(rng.random() < profile.unplanned / k for k in (1, 4))
    for _ in range(min(unplanned, len(others))):
        store = others.pop(rng.randrange(len(others)))
        calls.insert(rng.randint(0, len(calls)), Call(store, None))
    return calls


def work_day(
    rep: User,
    plan: RoutePlan,
    calls: list[Call],
    profile: RepProfile,
    form: DayForm,
    rng: random.Random,
    at_store: Callable[[Visit, datetime], None],
    may_leave_open: bool,
) -> list[Visit]:
    """Check the rep in and out of each call in turn; `at_store(visit, check_in)` records what
    the rep does there while the visit is open. With `may_leave_open`, the last visit may be
    left open (then closed by the end-of-day job)."""
    tz, day = zone(), plan.plan_date
    clock = datetime.combine(day, rep.shift_start or DEFAULT_SHIFT[0], tz)
    here = (rep.home_lat, rep.home_lng)
    lunch_due, done = True, []
    leave_open = may_leave_open and rng.random() < profile.left_open
    skew = timedelta(minutes=form.clock_ahead_minutes)
    for k, call in enumerate(calls):
        arrive = clock + timedelta(
            seconds=_travel_seconds(rep, here, call.store) * rng.uniform(0.9, 1.3)
        )
        if call.stop is not None and call.stop.start is not None:
            planned = datetime.combine(day, call.stop.start, tz)
            arrive = max(arrive, planned + timedelta(minutes=rng.gauss(0, 6)))
        if lunch_due and arrive.time() >= LUNCH_FROM:
            arrive, lunch_due = arrive + timedelta(minutes=LUNCH_MINUTES), False
        if arrive.time() > LAST_CHECK_IN:
            break
        short = rng.random() < profile.short
        minutes = (
            rng.uniform(1.5, 4) if short else call.store.visit_minutes * rng.uniform(0.75, 1.35)
        )
        leave = arrive + timedelta(minutes=minutes)
        late = form.synced_late and k == len(calls) - 1
        visit = _check_in(rep, call, arrive, skew, profile, rng, late)
        at_store(visit, arrive)
        if leave_open and k == len(calls) - 1:
            _left_open(visit)
        else:
            _check_out(visit, leave, skew, rng, late)
        done.append(visit)
        clock, here = leave, (call.store.lat, call.store.lng)
    return done


def _travel_seconds(rep: User, here: tuple[float, float], store: Store) -> float:
    """At the planner's straight-line speed of the rep's travel mode and its detour factor,
    over the straight (equirectangular) line."""
    speed = road_travel.straight_speed(road_travel.rep_mode(rep))
    north = (store.lat - here[0]) * METRES_PER_DEGREE
    east = (store.lng - here[1]) * METRES_PER_DEGREE * math.cos(math.radians(store.lat))
    metres = math.hypot(north, east)
    return metres * current_app.config["PLAN_DETOUR_FACTOR"] / (speed / 3.6)


@dataclass(frozen=True)
class Fix:
    lat: float
    lng: float
    accuracy_m: float
    odd: bool  # drawn off site or with poor accuracy


def _fix(store: Store, rng: random.Random, off_site: float, poor: float) -> Fix:
    """A GPS fix near the store: off site at `off_site` odds, poor accuracy at `poor` odds."""
    is_poor, is_off = rng.random() < poor, rng.random() < off_site
    accuracy = rng.uniform(110, 260) if is_poor else rng.uniform(4, 35)
    metres = rng.uniform(170, 650) if is_off else abs(rng.gauss(0, 22))
    bearing = rng.uniform(0, 2 * math.pi)
    north = metres * math.cos(bearing) / METRES_PER_DEGREE
    east = metres * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(store.lat)))
    return Fix(store.lat + north, store.lng + east, round(accuracy, 1), is_poor or is_off)


def _received(
    device_time: datetime, skew: timedelta, rng: random.Random, next_morning: bool = False
) -> datetime:
    """When the server heard of it: seconds later, or (one in ten) after a stretch offline, or
    (`next_morning`, a phone off overnight) when the rep starts the next day."""
    delay = rng.uniform(300, 2400) if rng.random() < 0.1 else rng.uniform(1, 25)
    if next_morning:
        day = visits.local_date(device_time) + timedelta(days=1)
        return datetime.combine(day, time(7, 40), zone()) + timedelta(seconds=delay * 60)
    return device_time - skew + timedelta(seconds=delay)


def _check_in(
    rep: User,
    call: Call,
    at: datetime,
    skew: timedelta,
    profile: RepProfile,
    rng: random.Random,
    late: bool,
) -> Visit:
    """The visit `visits.check_in` opens, with its integrity checks; those run only for a fix,
    clock or receipt that is off, since a fix near the store at walking pace raises no flag."""
    device_time, store, stop = at + skew, call.store, call.stop
    received = _received(device_time, skew, rng, late)
    fix = _fix(store, rng, profile.off_site, profile.poor_gps)
    visit = Visit(
        uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        rep_id=rep.id,
        team_id=rep.team_id,
        store=store,
        planned_stop_id=stop.id if stop is not None else None,
        planned=stop is not None,
        visit_date=visits.local_date(device_time),
        status=VisitStatus.OPEN,
        checked_in_at=device_time,
        checkin_received_at=received,
        checkin_lat=fix.lat,
        checkin_lng=fix.lng,
        checkin_accuracy_m=fix.accuracy_m,
        checkin_distance_m=visit_integrity.distance_m(fix.lat, fix.lng, store.lat, store.lng),
        successful=False,
        flags=[],
        created_at=received,
        updated_at=received,
    )
    if stop is not None:
        stop.done_at = device_time
    db.session.add(visit)
    if fix.odd or skew or late:
        db.session.flush()  # the integrity checks compare with the rep's stored visits
        visit_integrity.on_check_in(visit, received, _sent(received, skew))
    return visit


def _check_out(
    visit: Visit, leave: datetime, skew: timedelta, rng: random.Random, late: bool
) -> None:
    """What `visits.check_out` sets, and its integrity checks."""
    device_time = leave + skew
    received = _received(device_time, skew, rng, late)
    fix = _fix(visit.store, rng, 0.02, 0.02)
    visit.status = VisitStatus.CLOSED
    visit.checked_out_at, visit.checkout_received_at = device_time, received
    visit.checkout_lat, visit.checkout_lng = fix.lat, fix.lng
    visit.checkout_accuracy_m = fix.accuracy_m
    visit.checkout_distance_m = visit_integrity.distance_m(
        fix.lat, fix.lng, visit.store.lat, visit.store.lng
    )
    visit.note = _note(visit)
    visit.updated_at = received
    visit_integrity.on_check_out(visit, received, _sent(received, skew))


# What reps jot down at check-out, at about one visit in eight.
VISIT_NOTES = (
    "Manager away today; spoke to the deputy about the end-cap.",
    "Back room is full: they asked us to deliver smaller drops.",
    "New shelf layout next month, store will confirm the planogram.",
    "Cooler door is broken; our cans moved to the bottom shelf until it is fixed.",
    "Owner wants a tasting day for the new soda.",
    "Competitor staff were restocking when I arrived.",
)


def _note(visit: Visit) -> str | None:
    """The rep's note, from its own seed (the visit's other draws stay as they were)."""
    rng = random.Random(f"note/{visit.uuid}")
    return rng.choice(VISIT_NOTES) if rng.random() < 0.125 else None


def _left_open(visit: Visit) -> None:
    """Closed by the end-of-day job (`visits.close_left_open`) in the small hours."""
    closed = datetime.combine(visit.visit_date + timedelta(days=1), time(2, 0), zone())
    visit.status = VisitStatus.AUTO_CLOSED
    visit.checkout_received_at = visit.updated_at = closed
    visit_integrity.on_left_open(visit)


def _sent(received: datetime, skew: timedelta) -> datetime | None:
    """The device's send time (X-Device-Time) when its clock is off; else not needed."""
    return received + skew if skew else None
