"""Visit cycles: which working day each store is visited on, over a date range.

Each store is visited every `frequency_days` (its tier's frequency or an override). A store's
first visit in the range falls inside a window that follows from its last visit: an overdue store
must go first, a store never visited may go anywhere in its first cycle. Later visits keep the
cadence (first visit + k × frequency, moved to the nearest working day the store is open).

The first-visit day of each store is chosen greedily, most constrained stores first, to balance
the days' workloads (service time plus an estimate of travel per stop) and to keep each day's
stores close together (distance to the day's running centroid), so each day makes a tight route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

KM_PER_DEGREE = 111.195


@dataclass(frozen=True)
class CycleStore:
    id: str
    lat: float
    lng: float
    frequency_days: int
    service_s: float
    last_visit: date | None = None
    open_weekdays: frozenset[int] = frozenset(range(7))


@dataclass
class DayLoad:
    stores: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lat_sum: float = 0.0
    lng_sum: float = 0.0

    def add(self, store: CycleStore, work: float, sign: int = 1) -> None:
        """Add the store's visit to the day (``sign`` -1: take it off)."""
        if sign > 0:
            self.stores.append(store.id)
        else:
            self.stores.remove(store.id)
        self.seconds += sign * work
        self.lat_sum += sign * store.lat
        self.lng_sum += sign * store.lng

    def centroid(self) -> tuple[float, float] | None:
        n = len(self.stores)
        return (self.lat_sum / n, self.lng_sum / n) if n else None


@dataclass
class CyclePlan:
    days: dict[date, list[str]]
    seconds: dict[date, float]
    overdue: list[str]  # stores whose next visit was due before the range starts
    unplaced: list[str]  # stores with no working day they are open on in their window

    def visits_of(self, store_id: str) -> list[date]:
        return sorted(d for d, ids in self.days.items() if store_id in ids)


def due_date(store: CycleStore, start: date) -> date | None:
    """When the store's next visit is due; None if it has never been visited."""
    if store.last_visit is None:
        return None
    return store.last_visit + timedelta(days=store.frequency_days)


def assign_days(
    stores: list[CycleStore],
    days: list[date],
    day_capacity_s: float,
    travel_per_stop_s: float = 600.0,
    compactness_weight: float = 0.15,
    improvement_rounds: int = 3,
) -> CyclePlan:
    """Spread the stores' visits over the working `days` (sorted dates of the range)."""
    if not days:
        return CyclePlan({}, {}, [], [s.id for s in stores])
    days = sorted(days)
    loads = {d: DayLoad() for d in days}
    start = days[0]
    overdue = [s.id for s in stores if (due := due_date(s, start)) is not None and due < start]
    options = {store.id: _visit_day_options(store, days) for store in stores}
    unplaced = [s.id for s in stores if not options[s.id]]

    def order(s: CycleStore) -> tuple:
        due = due_date(s, start)
        return (due is None, due or start, s.frequency_days, -s.service_s, s.id)

    placeable = sorted((s for s in stores if options[s.id]), key=order)
    work = {s.id: s.service_s + travel_per_stop_s for s in placeable}
    # Loads are measured against the mean day, so balance matters whatever the volume.
    total = sum(work[s.id] * len(options[s.id][0]) for s in placeable)
    target = max(total / len(days), 1.0)
    chosen: dict[str, list[date]] = {}

    def place(store: CycleStore, sign: int) -> None:
        for d in chosen[store.id]:
            loads[d].add(store, work[store.id], sign)

    def best(store: CycleStore) -> list[date]:
        return min(
            options[store.id],
            key=lambda vd: _cost(
                store, vd, loads, work[store.id], target, day_capacity_s, compactness_weight
            ),
        )

    for store in placeable:
        chosen[store.id] = best(store)
        place(store, +1)
    for _ in range(improvement_rounds):  # re-insert each store where it now fits best
        for store in placeable:
            place(store, -1)
            chosen[store.id] = best(store)
            place(store, +1)
    return CyclePlan(
        days={d: load.stores for d, load in loads.items()},
        seconds={d: load.seconds for d, load in loads.items()},
        overdue=overdue,
        unplaced=unplaced,
    )


def _visit_day_options(store: CycleStore, days: list[date]) -> list[list[date]]:
    """Each possible set of visit days of the store, one per possible first visit."""
    return [
        visit_days
        for first in _first_day_candidates(store, days[0], days[-1])
        if (visit_days := _cadence(store, first, days))
    ]


def _first_day_candidates(store: CycleStore, start: date, end: date) -> list[date]:
    due = due_date(store, start)
    if due is None:  # never visited: anywhere in the first cycle
        last = start + timedelta(days=store.frequency_days - 1)
    elif due <= start:  # overdue or due today: as soon as possible
        last = start + timedelta(days=min(2, store.frequency_days - 1))
    else:  # due inside the range: on time or a little early, never late
        slack = max(1, store.frequency_days // 7)
        first = max(start, due - timedelta(days=slack))
        if first > end:
            return []
        return [first + timedelta(days=k) for k in range((min(due, end) - first).days + 1)]
    return [start + timedelta(days=k) for k in range((min(last, end) - start).days + 1)]


def _cadence(store: CycleStore, first: date, days: list[date]) -> list[date]:
    """The visit days from `first` on, every `frequency_days`, each on a working day it is open.

    Returns [] if the first visit itself has no such day within two days of `first`.
    """
    working = set(days)
    result: list[date] = []
    target = first
    while target <= days[-1]:
        day = _nearest_open(store, target, working)
        if day is None:
            if not result:
                return []
        elif day not in result:
            result.append(day)
        target += timedelta(days=store.frequency_days)
    return result


def _nearest_open(store: CycleStore, target: date, working: set[date]) -> date | None:
    for shift in (0, -1, -2, 1, 2):  # early rather than late
        day = target + timedelta(days=shift)
        if day in working and day.weekday() in store.open_weekdays:
            return day
    return None


def _cost(
    store: CycleStore,
    visit_days: list[date],
    loads: dict[date, DayLoad],
    work: float,
    target: float,
    capacity: float,
    compactness_weight: float,
) -> float:
    cost = 0.0
    for d in visit_days:
        load = loads[d]
        after = load.seconds + work
        # Convex in the load: fills light days first; a day over capacity costs a lot more.
        cost += (after / target) ** 2 - (load.seconds / target) ** 2
        if after > capacity:
            cost += 10.0 * (after - max(load.seconds, capacity)) / capacity
        centre = load.centroid()
        if centre is not None:
            dy = (store.lat - centre[0]) * KM_PER_DEGREE
            dx = (store.lng - centre[1]) * KM_PER_DEGREE * math.cos(math.radians(store.lat))
            cost += compactness_weight * math.hypot(dx, dy)
    return cost / len(visit_days)
