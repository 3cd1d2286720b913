"""Route plans: create (optimised), review, edit, lock, re-optimise, publish, re-plan the day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..errors import ConflictError, InvalidError
from ..extensions import db
from ..models import PlannedStop, PlanStatus, RoutePlan, Store, User, utcnow
from ..planning.solution import make_solution
from ..planning.solver import solve
from ..scoping import get_in_scope, scoped_select
from .paging import paginate, where_equal
from .plan_building import (
    Start,
    apply_solution,
    build_problem,
    frequency_days,
    is_open,
    last_visit_dates,
    local_now,
    seconds_of,
)
from .stores import rep_in_scope


@dataclass
class PlanOutcome:
    """A plan and what the planner could not fit (store ids) or found wrong (messages)."""

    plan: RoutePlan
    dropped: list[int] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def list_plans(actor: User, args: dict[str, Any]) -> tuple[list[RoutePlan], int]:
    stmt = scoped_select(actor, RoutePlan)
    stmt = where_equal(stmt, RoutePlan, args, ("rep_id", "team_id", "status"))
    if "date_from" in args:
        stmt = stmt.where(RoutePlan.plan_date >= args["date_from"])
    if "date_to" in args:
        stmt = stmt.where(RoutePlan.plan_date <= args["date_to"])
    stmt = stmt.order_by(RoutePlan.plan_date.desc(), RoutePlan.rep_id)
    return paginate(stmt, args["page"], args["per_page"])


def get_plan(actor: User, plan_id: int) -> RoutePlan:
    return get_in_scope(actor, RoutePlan, plan_id)


def due_stores(rep: User, day: date) -> tuple[list[Store], dict[int, int]]:
    """The rep's active stores open on `day` whose visit is due by then (or never made).

    Returns the stores and, for the overdue ones, by how many days.
    """
    stores = [
        s
        for s in db.session.scalars(select(Store).where(Store.rep_id == rep.id, Store.active))
        if is_open(s, day)
    ]
    last = last_visit_dates(s.id for s in stores)
    due, overdue = [], {}
    for store in stores:
        if store.id not in last:
            due.append(store)
            continue
        late = (day - (last[store.id] + timedelta(days=frequency_days(store)))).days
        if late >= 0:
            due.append(store)
            overdue[store.id] = late
    return due, overdue


def create_plan(
    actor: User,
    rep_id: int,
    day: date,
    store_ids: list[int] | None = None,
    seconds: float | None = None,
) -> PlanOutcome:
    """Plan a rep's day as a draft: the given stores (all required), or the stores due that day."""
    rep = rep_in_scope(actor, rep_id)
    existing = db.session.scalars(
        select(RoutePlan).where(RoutePlan.rep_id == rep.id, RoutePlan.plan_date == day)
    ).first()
    if existing is not None:
        raise ConflictError(
            f"Rep {rep.id} already has a plan for {day.isoformat()} (plan {existing.id}).",
            {"json": {"plan_id": [existing.id]}},
        )
    if store_ids is None:
        stores, overdue = due_stores(rep, day)
        required: list[int] = []
    else:
        stores, overdue, required = _stores_in_scope(actor, store_ids), {}, store_ids
    plan = new_draft(rep, day, actor.id)
    outcome = optimise_into(plan, rep, day, stores, required, overdue, seconds)
    db.session.add(plan)
    db.session.flush()
    return outcome


def new_draft(rep: User, day: date, created_by_id: int) -> RoutePlan:
    """An empty draft plan of `rep` for `day`, in the rep's current team."""
    return RoutePlan(
        rep_id=rep.id,
        team_id=rep.team_id,
        plan_date=day,
        status=PlanStatus.DRAFT,
        created_by_id=created_by_id,
    )


def optimise_into(
    plan: RoutePlan,
    rep: User,
    day: date,
    stores: list[Store],
    required: list[int],
    overdue: dict[int, int],
    seconds: float | None = None,
) -> PlanOutcome:
    """Solve the rep's day over `stores` and write the route into `plan` (caller commits)."""
    problem = build_problem(rep, day, stores, required=required, overdue_days=overdue)
    solution = solve(problem, seconds=seconds or current_app.config["PLAN_SECONDS_REP"])
    dropped = apply_solution(plan, problem, solution)
    return PlanOutcome(plan, dropped, list(solution.violations))


def edit_plan(actor: User, plan_id: int, stops: list[dict[str, Any]]) -> PlanOutcome:
    """Replace the plan's stops with this ordered list (reorder, add, remove, lock), re-timed."""
    plan = get_in_scope(actor, RoutePlan, plan_id)
    ids = [s["store_id"] for s in stops]
    if len(set(ids)) != len(ids):
        raise InvalidError("A store appears twice.", {"json": {"stops": ["Duplicate store_id."]}})
    stores = {s.id: s for s in _stores_in_scope(actor, ids)}
    current = {s.store_id: s for s in plan.stops}
    new = []
    for sequence, item in enumerate(stops, start=1):
        stop = current.get(item["store_id"]) or PlannedStop(store_id=item["store_id"])
        stop.locked = item.get("locked", stop.locked or False)
        stop.sequence = sequence
        new.append(stop)
    plan.stops = new
    outcome = _retime(plan, [stores[i] for i in ids])
    plan.revision += 1
    db.session.flush()
    return outcome


def optimise_plan(actor: User, plan_id: int, seconds: float | None = None) -> PlanOutcome:
    """Re-optimise the order of the plan's stops; locked stops keep their position.

    The stops between two locked stops (or the day's start/end) are reordered among themselves,
    so a locked stop stays at its sequence number with the same stores before and after it.
    """
    plan = get_in_scope(actor, RoutePlan, plan_id)
    rep = db.session.get(User, plan.rep_id)
    stops = list(plan.stops)
    budget = seconds or current_app.config["PLAN_SECONDS_REP"]
    segments, current = [], []
    for stop in stops:
        if stop.locked:
            segments.append((current, stop))
            current = []
        else:
            current.append(stop)
    segments.append((current, None))
    order: list[PlannedStop] = []
    for free, anchor in segments:
        if len(free) > 1:
            free = _best_order(rep, plan.plan_date, order, free, anchor, budget / len(segments))
        order.extend(free)
        if anchor is not None:
            order.append(anchor)
    plan.stops = order
    outcome = _retime(plan, [s.store for s in order])
    plan.revision += 1
    db.session.flush()
    return outcome


def _best_order(
    rep: User,
    day: date,
    before: list[PlannedStop],
    free: list[PlannedStop],
    anchor: PlannedStop | None,
    seconds: float,
) -> list[PlannedStop]:
    """The best order of `free` after `before`, ending at `anchor`'s store (or home)."""
    prefix = [s.store for s in before]
    stores = [*prefix, *(s.store for s in free)]
    if anchor is not None:
        stores.append(anchor.store)
    problem = build_problem(
        rep, day, stores, required=[s.id for s in stores], locked=[s.id for s in prefix]
    )
    solution = solve(problem, seconds=max(0.2, seconds))
    route = solution.routes[0].stops if solution.routes else ()
    position = {int(stop_id): k for k, stop_id in enumerate(route)}
    if not solution.feasible or any(s.store_id not in position for s in free):
        return free  # keep the supervisor's order rather than make it worse
    if anchor is not None and any(position[s.store_id] > position[anchor.store_id] for s in free):
        return free
    return sorted(free, key=lambda s: position[s.store_id])


def _retime(plan: RoutePlan, stores: list[Store]) -> PlanOutcome:
    """Recompute ETAs and totals for the plan's current order without reordering it."""
    rep = db.session.get(User, plan.rep_id)
    problem = build_problem(rep, plan.plan_date, stores, required=[s.id for s in stores])
    solution = make_solution(problem, {str(rep.id): [str(s.id) for s in stores]})
    apply_solution(plan, problem, solution)
    return PlanOutcome(plan, [], list(solution.violations))


def publish_plan(actor: User, plan_id: int) -> RoutePlan:
    plan = get_in_scope(actor, RoutePlan, plan_id)
    if plan.status is PlanStatus.PUBLISHED:
        raise ConflictError("The plan is already published.")
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = utcnow()
    plan.revision += 1
    db.session.flush()
    return plan


def delete_plan(actor: User, plan_id: int) -> None:
    plan = get_in_scope(actor, RoutePlan, plan_id)
    if plan.status is PlanStatus.PUBLISHED:
        raise ConflictError("A published plan cannot be deleted; edit it instead.")
    db.session.delete(plan)
    db.session.flush()


def replan_rest_of_day(
    actor: User,
    plan_id: int,
    lat: float,
    lng: float,
    at_seconds: int | None = None,
    done_store_ids: list[int] | None = None,
    break_taken: bool = False,
) -> PlanOutcome:
    """Re-optimise the stops not yet done from where the rep is now; done stops stay first.

    Stops that no longer fit the shift stay at the end of the plan without times.
    """
    plan = get_in_scope(actor, RoutePlan, plan_id)
    rep = db.session.get(User, plan.rep_id)
    done_ids = set(done_store_ids or ()) | {s.store_id for s in plan.stops if s.done_at}
    unknown = done_ids - {s.store_id for s in plan.stops}
    if unknown:
        raise InvalidError(
            "Some done stores are not on this plan.",
            {"json": {"done_store_ids": [f"Not on the plan: {sorted(unknown)}"]}},
        )
    if at_seconds is None:
        now = local_now()
        at_seconds = seconds_of(now.time()) if now.date() == plan.plan_date else None
    done = [s for s in plan.stops if s.store_id in done_ids]
    remaining = [s for s in plan.stops if s.store_id not in done_ids]
    plan.stops = done + remaining
    problem = build_problem(
        rep,
        plan.plan_date,
        [s.store for s in remaining],
        start=Start(lat, lng, at_seconds, break_taken),
        penalty_scale=current_app.config["REPLAN_PENALTY_SCALE"],
    )
    solution = solve(problem, seconds=current_app.config["REPLAN_SECONDS"])
    dropped = apply_solution(plan, problem, solution, keep=len(done), keep_dropped=True)
    plan.revision += 1
    db.session.flush()
    return PlanOutcome(plan, dropped, list(solution.violations))


def _stores_in_scope(actor: User, store_ids: list[int]) -> list[Store]:
    found = {
        s.id: s
        for s in db.session.scalars(
            scoped_select(actor, Store).where(Store.id.in_(store_ids), Store.active)
        )
    }
    missing = [i for i in store_ids if i not in found]
    if missing:
        raise InvalidError(
            "Unknown or inactive stores.", {"json": {"store_ids": [f"Not found: {missing}"]}}
        )
    return [found[i] for i in store_ids]
