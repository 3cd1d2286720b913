"""Visit cycles: frequency kept, workloads balanced, overdue stores first."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from statistics import pstdev

from backend.planning.cycles import CycleStore, assign_days

MONDAY = date(2026, 11, 2)
FREQUENCY = {"A": 7, "B": 14, "C": 28}
STORES_CSV = Path(__file__).resolve().parents[2] / "backend" / "demo" / "tokyo_stores.csv"


def working_days(weeks: int) -> list[date]:
    return [
        MONDAY + timedelta(days=k)
        for k in range(7 * weeks)
        if (MONDAY + timedelta(days=k)).weekday() < 5
    ]


def demo_stores(count: int, seed: int = 1) -> list[CycleStore]:
    rng = random.Random(seed)
    with STORES_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[:count]
    stores = []
    for row in rows:
        frequency = FREQUENCY[row["tier"]]
        last = MONDAY - timedelta(days=rng.randint(1, frequency))
        stores.append(
            CycleStore(
                row["code"],
                float(row["lat"]),
                float(row["lng"]),
                frequency,
                int(row["visit_minutes"]) * 60,
                last_visit=last,
            )
        )
    return stores


def test_every_store_is_visited_at_its_frequency_over_four_weeks():
    stores = demo_stores(40)
    days = working_days(4)
    plan = assign_days(stores, days, day_capacity_s=7 * 3600)
    assert plan.unplaced == []
    for store in stores:
        visits = plan.visits_of(store.id)
        assert visits, store.id
        # First visit no later than due (or within the first days if overdue).
        due = store.last_visit + timedelta(days=store.frequency_days)
        assert visits[0] <= max(due, days[0] + timedelta(days=2))
        for a, b in pairwise(visits):
            assert abs((b - a).days - store.frequency_days) <= 2, (store.id, visits)
        expected = len([d for d in range(28) if (d % store.frequency_days) == 0])
        assert len(visits) >= expected - 1


def test_workload_is_balanced_across_days():
    stores = demo_stores(40)
    plan = assign_days(stores, working_days(4), day_capacity_s=7 * 3600)
    loads = list(plan.seconds.values())
    mean = sum(loads) / len(loads)
    assert pstdev(loads) / mean < 0.2, loads
    assert max(loads) <= 7 * 3600


def test_overdue_stores_go_first():
    stores = demo_stores(30)
    late = CycleStore("LATE", 35.66, 139.77, 7, 900, last_visit=MONDAY - timedelta(days=20))
    plan = assign_days([*stores, late], working_days(2), day_capacity_s=7 * 3600)
    assert "LATE" in plan.overdue
    assert plan.visits_of("LATE")[0] <= MONDAY + timedelta(days=2)


def test_stores_are_only_planned_on_days_they_are_open():
    closed_monday = CycleStore("S", 35.66, 139.77, 7, 900, open_weekdays=frozenset({1, 2, 3, 4}))
    plan = assign_days([closed_monday], working_days(2), day_capacity_s=3600)
    assert all(d.weekday() != 0 for d in plan.visits_of("S"))
    never_open = CycleStore("N", 35.66, 139.77, 7, 900, open_weekdays=frozenset({6}))
    assert assign_days([never_open], working_days(1), 3600).unplaced == ["N"]


def test_days_are_geographically_compact():
    stores = demo_stores(40)
    days = working_days(1)
    compact = assign_days(stores, days, 7 * 3600, compactness_weight=0.3)
    loose = assign_days(stores, days, 7 * 3600, compactness_weight=0.0)

    def spread(plan):
        by_id = {s.id: s for s in stores}
        total = 0.0
        for ids in plan.days.values():
            if ids:
                lat = sum(by_id[i].lat for i in ids) / len(ids)
                lng = sum(by_id[i].lng for i in ids) / len(ids)
                total += sum(abs(by_id[i].lat - lat) + abs(by_id[i].lng - lng) for i in ids)
        return total

    assert spread(compact) < spread(loose)
