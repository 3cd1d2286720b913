"""Changing a plan: edit its stops (reorder, add, remove, lock), re-optimise around what is
locked, move a stop to a teammate's plan, re-plan the rest of the day. Each is recorded as a
revision (`plan_history`) and keeps what its solve found on the plan (`plans.settle`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app

from ..errors import ConflictError, InvalidError
from ..extensions import db
from ..models import PlannedStop, RevisionKind, RoutePlan, Store, User
from ..planning.solution import make_solution
from ..planning.solver import solve
from . import plan_history
from .plan_building import (
    Start,
    apply_solution,
    build_problem,
    final_violations,
    local_now,
    road_context,
    seconds_of,
)
from .plan_history import Snapshot
from .plans import PlanOutcome, plan_to_change, settle, stores_in_scope


def edit_plan(
    actor: User, plan_id: int, stops: list[dict[str, Any]], reason: str | None = None
) -> PlanOutcome:
    """Replace the plan's stops with this ordered list (reorder, add, remove, lock), re-timed."""
    plan, before = plan_to_change(actor, plan_id)
    ids = [s["store_id"] for s in stops]
    if len(set(ids)) != len(ids):
        raise InvalidError("A store appears twice.", {"json": {"stops": ["Duplicate store_id."]}})
    stores = {s.id: s for s in stores_in_scope(actor, ids)}
    current = {s.store_id: s for s in plan.stops}
    new = []
    for sequence, item in enumerate(stops, start=1):
        stop = current.get(item["store_id"]) or PlannedStop(store_id=item["store_id"])
        stop.locked = item.get("locked", stop.locked or False)
        stop.sequence = sequence
        new.append(stop)
    plan.stops = new
    outcome = retime(plan, [stores[i] for i in ids], before)
    plan_history.record(plan, actor.id, RevisionKind.EDITED, before, reason)
    db.session.flush()
    return outcome


def optimise_plan(
    actor: User, plan_id: int, seconds: float | None = None, reason: str | None = None
) -> PlanOutcome:
    """Re-optimise the order of the plan's stops; locked stops keep their position.

    The stops between two locked stops (or the day's start/end) are reordered among themselves,
    so a locked stop stays at its sequence number with the same stores before and after it.
    """
    plan, before = plan_to_change(actor, plan_id)
    rep = db.session.get(User, plan.rep_id)
    budget = seconds or current_app.config["PLAN_SECONDS_REP"]
    segments, current = [], []
    for stop in plan.stops:
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
    outcome = retime(plan, [s.store for s in order], before)
    plan_history.record(plan, actor.id, RevisionKind.OPTIMISED, before, reason)
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


def retime(plan: RoutePlan, stores: list[Store], before: Snapshot) -> PlanOutcome:
    """Recompute ETAs and totals for the plan's current order (`stores`) without reordering."""
    rep = db.session.get(User, plan.rep_id)
    problem = build_problem(rep, plan.plan_date, stores, required=[s.id for s in stores])
    context = road_context(problem)
    ids = [str(s.id) for s in stores if s.id not in context.unreachable]
    solution = make_solution(problem, {str(rep.id): ids})
    # A store the rep's mode cannot reach stays where the supervisor put it, last, untimed.
    apply_solution(plan, problem, solution, keep_dropped=True)
    names = {s.id: s.name for s in stores}
    cannot = [
        f"{rep.id}: {names[i]} cannot be reached by {context.mode}. {why}"
        for i, why in context.unreachable.items()
    ]
    return settle(plan, before, [*final_violations(problem, solution.violations), *cannot])


def move_stop(
    actor: User,
    plan_id: int,
    store_id: int,
    to_plan_id: int,
    position: int | None = None,
    locked: bool = False,
    reason: str | None = None,
) -> tuple[PlanOutcome, PlanOutcome]:
    """Move a stop to another rep's plan of the same day and team; both are re-timed and both
    record a revision. Without `position` the stop goes where it adds the least time."""
    source, before_from = plan_to_change(actor, plan_id)
    target, before_to = plan_to_change(actor, to_plan_id)
    _check_move(source, target)
    stop = next((s for s in source.stops if s.store_id == store_id), None)
    if stop is None:
        raise InvalidError("The store is not on this plan.", {"json": {"store_id": ["Not here."]}})
    if stop.done_at is not None:
        raise ConflictError("A visited stop cannot move to another plan.")
    if any(s.store_id == store_id for s in target.stops):
        raise ConflictError("The store is already on the other plan.")
    source.stops = [s for s in source.stops if s is not stop]
    moved = retime(source, [s.store for s in source.stops], before_from)
    plan_history.record(source, actor.id, RevisionKind.MOVED_OUT, before_from, reason)
    order = [s.store for s in target.stops]
    at = best_position(target, order, stop.store) if position is None else position - 1
    order.insert(min(max(at, 0), len(order)), stop.store)
    by_store = {s.store_id: s for s in target.stops}
    by_store[store_id] = PlannedStop(store_id=store_id, store=stop.store, locked=locked)
    target.stops = [by_store[s.id] for s in order]
    received = retime(target, order, before_to)
    plan_history.record(target, actor.id, RevisionKind.MOVED_IN, before_to, reason)
    db.session.flush()
    return moved, received


def _check_move(source: RoutePlan, target: RoutePlan) -> None:
    if source.id == target.id:
        raise InvalidError(
            "A stop moves to another plan.", {"json": {"to_plan_id": ["Same plan."]}}
        )
    if source.plan_date != target.plan_date or source.team_id != target.team_id:
        raise InvalidError(
            "Both plans must be of the same day and team.",
            {"json": {"to_plan_id": ["Another day or team."]}},
        )


def best_position(plan: RoutePlan, order: list[Store], store: Store, first: int = 0) -> int:
    """Where in `order` (from index `first` on) `store` fits best: fewest broken rules, then
    the earliest return."""
    rep = db.session.get(User, plan.rep_id)
    stores = [*order, store]
    problem = build_problem(rep, plan.plan_date, stores, required=[s.id for s in stores])
    ids = [str(s.id) for s in order]

    def cost(k: int) -> tuple[int, float]:
        solution = make_solution(problem, {str(rep.id): [*ids[:k], str(store.id), *ids[k:]]})
        route = solution.routes[0]
        return len(solution.violations), route.end_time + route.travel

    return min(range(min(first, len(order)), len(order) + 1), key=cost)


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
    plan, before = plan_to_change(actor, plan_id)
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
    stores = [s.store for s in remaining]
    problem = build_problem(
        rep,
        plan.plan_date,
        stores,
        start=Start(lat, lng, at_seconds, break_taken),
        penalty_scale=current_app.config["REPLAN_PENALTY_SCALE"],
    )
    solution = solve(problem, seconds=current_app.config["REPLAN_SECONDS"])
    dropped = apply_solution(plan, problem, solution, keep=len(done), keep_dropped=True)
    outcome = settle(plan, before, solution.violations, (problem, stores, dropped))
    plan_history.record(plan, actor.id, RevisionKind.REPLANNED, before)
    db.session.flush()
    return outcome
