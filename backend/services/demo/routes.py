"""The demo's route plans, made as a supervisor makes them: a week at a time, the visit cycles
spread the rep's stores over the week's days (`team_planning`), and each day's stores are
ordered and timed by the planner (`plan_building`, `planning.solver`), then published the
evening before. Today's plan is filled up to a full day with the stores due soonest, so the
demo's rep always has a real route to walk.

The solver is bounded by work (`iterations`), not time, so the same stores give the same plan
on any machine and under any load; a rep's day takes it about 20 ms.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from ...extensions import db
from ...models import PlanStatus, RoutePlan, Store, User
from ...planning.solver import solve
from ..plan_building import (
    apply_solution,
    build_problem,
    frequency_days,
    is_open,
    last_visit_dates,
    zone,
)
from ..plans import new_draft
from ..team_planning import cycle_plan

PLAN_ITERATIONS = 200
# Only a ceiling: the iteration bound ends the search long before it.
PLAN_SECONDS_CAP = 30.0
PUBLISHED_AT = time(17, 30)
TODAY_STOPS = 12


def week_stores(rep: User, stores: list[Store], days: list[date]) -> dict[date, list[Store]]:
    """The stores the visit cycles give each of `days` (one week), from the last visits so far."""
    by_id = {s.id: s for s in stores}
    cycle = cycle_plan(rep, stores, days)
    return {day: [by_id[int(i)] for i in cycle.days.get(day, [])] for day in days}


def filled(day: date, chosen: list[Store], stores: list[Store]) -> list[Store]:
    """`chosen`, and then the other stores open on `day` by their next due date (overdue
    first), up to `TODAY_STOPS`."""
    last = last_visit_dates(s.id for s in stores)
    ids = {s.id for s in chosen}
    others = [s for s in stores if s.id not in ids and is_open(s, day)]

    def due(store: Store) -> date:
        seen = last.get(store.id)
        return date.min if seen is None else seen + timedelta(days=frequency_days(store))

    others.sort(key=lambda s: (due(s), s.id))
    return chosen + others[: max(0, TODAY_STOPS - len(chosen))]


def publish(rep: User, day: date, stores: list[Store], supervisor: User) -> RoutePlan:
    """The rep's plan for `day` over `stores`, as the planner makes it, published (added)."""
    plan = new_draft(rep, day, supervisor.id)
    problem = build_problem(rep, day, stores)
    solution = solve(problem, seconds=PLAN_SECONDS_CAP, iterations=PLAN_ITERATIONS)
    apply_solution(plan, problem, solution)
    published = datetime.combine(day - timedelta(days=1), PUBLISHED_AT, zone())
    plan.created_at = published - timedelta(minutes=20)
    plan.updated_at = plan.published_at = published
    plan.status = PlanStatus.PUBLISHED
    plan.revision = 2  # created, then published
    db.session.add(plan)
    return plan
