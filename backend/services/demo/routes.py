"""The demo's route plans, made as a supervisor makes them: a week at a time, the visit cycles
spread the rep's stores over the week's days (`team_planning`), and each day's stores are
ordered and timed by the planner (`plan_building`, `planning.solver`), then published the
evening before, each with its revisions (created, then published). Today's plan is filled up
to a full day with the stores due soonest, so the demo's rep always has a real route to walk;
one rep's supervisor adds a store to it in the morning, so today's history shows an amendment.

The solver is bounded by work (`iterations`), not time, so the same stores give the same plan
on any machine and under any load; a rep's day takes it about 20 ms.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import PlannedStop, PlanStatus, RevisionKind, RoutePlan, Store, User, utcnow
from ...planning.solver import solve
from .. import plan_history
from ..plan_building import (
    apply_solution,
    build_problem,
    frequency_days,
    is_open,
    last_visit_dates,
    zone,
)
from ..plan_edits import best_position, retime
from ..plans import new_draft, settle
from ..reports.ranges import today
from ..team_planning import cycle_plan

PLAN_ITERATIONS = 200
# Only a ceiling: the iteration bound ends the search long before it.
PLAN_SECONDS_CAP = 30.0
PUBLISHED_AT = time(17, 30)
TODAY_STOPS = 12
# Today, this rep's supervisor adds a store to the published plan at this time (or now, if
# earlier), for this reason.
AMENDED_REP, AMENDED_AT = "rep-1", time(10, 30)
AMENDMENT_REASON = "The shop called: a promotion display to check today"


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
    dropped = apply_solution(plan, problem, solution)
    settle(plan, None, solution.violations, (problem, stores, dropped))
    published = datetime.combine(day - timedelta(days=1), PUBLISHED_AT, zone())
    created = published - timedelta(minutes=20)
    plan_history.record(plan, supervisor.id, RevisionKind.CREATED, at=created)
    drafted = plan_history.state(plan)
    plan.created_at = created
    plan.updated_at = plan.published_at = published
    plan.status = PlanStatus.PUBLISHED
    plan_history.record(plan, supervisor.id, RevisionKind.PUBLISHED, drafted, at=published)
    db.session.add(plan)
    if rep.username == AMENDED_REP and day == today():
        _amend(plan, supervisor)
    return plan


def _amend(plan: RoutePlan, supervisor: User) -> None:
    """The supervisor adds one of the rep's stores open today and not on the plan (the first by
    id) where it fits best after the stops due to start before the amendment's time: a
    revision during the day."""
    at = min(datetime.combine(plan.plan_date, AMENDED_AT, zone()), utcnow())
    on_plan = {s.store_id for s in plan.stops}
    spare = [
        s
        for s in db.session.scalars(
            select(Store).where(Store.rep_id == plan.rep_id, Store.active).order_by(Store.id)
        )
        if s.id not in on_plan and is_open(s, plan.plan_date)
    ]
    if not spare:
        return
    before = plan_history.state(plan)
    local = at.astimezone(zone()).time()
    started = sum(1 for s in plan.stops if s.start is not None and s.start < local)
    order = [s.store for s in plan.stops]
    place = best_position(plan, order, spare[0], started)
    stops = list(plan.stops)
    stops.insert(place, PlannedStop(store_id=spare[0].id, store=spare[0]))
    plan.stops = stops
    retime(plan, [s.store for s in stops], before)
    plan.updated_at = at
    plan_history.record(plan, supervisor.id, RevisionKind.EDITED, before, AMENDMENT_REASON, at)
