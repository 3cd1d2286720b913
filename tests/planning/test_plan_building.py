"""plan_building.build_problem makes the Problem itself: the same one the JSON reader makes."""

from datetime import date, time

from backend.models import Store, StoreHours, Tier, User
from backend.planning import problem_from_dict, problem_to_dict
from backend.services.plan_building import HERE, HOME, Start, build_problem

MONDAY = date(2026, 12, 7)


def _store(store_id: int, tier: Tier, **fields) -> Store:
    store = Store(id=store_id, code=f"s{store_id}", name=f"Store {store_id}", tier=tier,
                  lat=35.66 + store_id / 1000, lng=139.77, visit_minutes=20, **fields)  # fmt: skip
    store.hours = [
        StoreHours(weekday=0, opens=time(9), closes=time(12)),
        StoreHours(weekday=0, opens=time(13), closes=time(18)),
    ]
    return store


def test_built_problem_equals_its_json_form_read_back(app):
    rep = User(id=7, username="rep", home_lat=35.65, home_lng=139.75)
    stores = [_store(1, Tier.A), _store(2, Tier.B), _store(3, Tier.C, visit_frequency_days=10)]
    with app.app_context():
        problem = build_problem(
            rep,
            MONDAY,
            stores,
            required=[2],
            overdue_days={3: 20},
            start=Start(lat=35.7, lng=139.8, seconds=36000),
            locked=[1],
        )
        plain = build_problem(rep, MONDAY, stores[:1])
    assert problem_from_dict(problem_to_dict(problem)) == problem
    assert problem_from_dict(problem_to_dict(plain)) == plain
    (planned,) = problem.reps
    assert (planned.start, planned.end, planned.locked) == (HERE, HOME, ("1",))
    assert planned.shift[0] == 36000 and plain.reps[0].start == HOME
    by_id = {s.id: s for s in problem.stops}
    assert by_id["2"].penalty is None
    assert by_id["1"].penalty == 7200  # tier A, not overdue
    assert by_id["3"].penalty == 1800 * 2  # overdue by a full cycle: doubled
    assert by_id["1"].windows == ((32400.0, 42000.0), (46800.0, 63600.0))  # less the visit
    assert problem.date == MONDAY and problem.name == f"rep-7-{MONDAY.isoformat()}"


def test_a_store_closed_that_day_gets_an_empty_window(app):
    rep = User(id=8, username="rep8", home_lat=35.65, home_lng=139.75)
    with app.app_context():
        problem = build_problem(rep, date(2026, 12, 8), [_store(4, Tier.B)])  # a Tuesday
    assert problem.stops[0].windows == ((0.0, 0.0),)
