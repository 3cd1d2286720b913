"""Route plans: list and read, create (optimised), publish (one rep's or a team's), delete.

Edits, re-optimising, moving a stop and re-planning the day: `plan_edits`; stores to add:
`plan_candidates`. Every change is recorded through `plan_history`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..errors import ConflictError, InvalidError
from ..extensions import db
from ..models import (
    DroppedStore,
    PlanRevision,
    PlanStatus,
    RevisionKind,
    RoutePlan,
    Store,
    Team,
    User,
    utcnow,
)
from ..planning.problem import Problem
from ..planning.solver import solve
from ..scoping import get_in_scope, ids_in_scope, scoped_select
from . import plan_history, plan_violations
from .paging import paginate, where_equal
from .plan_building import (
    apply_solution,
    build_problem,
    drop_reasons,
    final_violations,
    frequency_days,
    is_open,
    last_visit_dates,
    road_context,
)
from .plan_history import Snapshot
from .reports.ranges import today
from .stores import rep_in_scope

NO_CHANGE = {"travel_seconds": 0, "distance_m": 0, "stops": 0}


@dataclass
class PlanOutcome:
    """A plan just computed: what this solve could not fit (store ids), what it found wrong
    (messages) and the change in totals (after - before; none for a new plan)."""

    plan: RoutePlan
    dropped: list[int] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    change: dict[str, int] = field(default_factory=lambda: dict(NO_CHANGE))


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


def plan_to_change(actor: User, plan_id: int) -> tuple[RoutePlan, Snapshot]:
    """The plan in the actor's scope and how it is now; 409 when its day is past."""
    plan = get_in_scope(actor, RoutePlan, plan_id)
    return plan, plan_history.snapshot(plan)


def revisions(actor: User, plan_id: int) -> list[PlanRevision]:
    """The plan's revisions, oldest first."""
    return list(get_in_scope(actor, RoutePlan, plan_id).revisions)


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
    if day < today():
        raise ConflictError(
            f"{day.isoformat()} is in the past: no plan can be made for it.",
            {"json": {"plan_date": ["Must be today or later."]}},
            reason="plan_frozen",
            params={"date": day.isoformat()},
        )
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
        stores, overdue, required = stores_in_scope(actor, store_ids), {}, store_ids
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
    """Solve the rep's day over `stores` and write the route into `plan` (caller commits).

    Recorded as the plan's creation by its creator (a plan already saved: re-optimised)."""
    before = None if plan.id is None else plan_history.snapshot(plan)
    problem = build_problem(rep, day, stores, required=required, overdue_days=overdue)
    solution = solve(problem, seconds=seconds or current_app.config["PLAN_SECONDS_REP"])
    dropped = apply_solution(plan, problem, solution)
    outcome = settle(plan, before, solution.violations, (problem, stores, dropped))
    kind = RevisionKind.CREATED if before is None else RevisionKind.OPTIMISED
    plan_history.record(plan, plan.created_by_id, kind, before)
    return outcome


def settle(
    plan: RoutePlan,
    before: Snapshot | None,
    violations: Sequence[str],
    dropped: tuple[Problem, Iterable[Store], list[int]] | None = None,
) -> PlanOutcome:
    """Keep on the plan what its solve found (violations; dropped stores and why) and answer
    it with the change. Without `dropped` (a retime), the stores dropped earlier and still off
    the plan stay dropped."""
    on_plan = {s.store_id for s in plan.stops}
    # New stops may not have their store loaded yet; the session holds the solved stores.
    names = {str(s.store_id): db.session.get(Store, s.store_id).name for s in plan.stops}
    if dropped is not None:
        violations = final_violations(dropped[0], violations)
    violations = plan_violations.describe(violations, names)
    plan.violations = violations
    if dropped is None:
        old = [d for d in plan.dropped if d.store_id not in on_plan]
        reasons = {d.store_id: d.reason for d in old}
        details = {d.store_id: d.detail for d in old}
    else:
        reasons = drop_reasons(*dropped)
        details = road_context(dropped[0]).unreachable
    rows = {d.store_id: d for d in plan.dropped}  # reused: (plan, store) is unique
    plan.dropped = [rows.get(i) or DroppedStore(store_id=i) for i in reasons]
    for row in plan.dropped:
        row.reason = reasons[row.store_id]
        row.detail = details.get(row.store_id)
    change = NO_CHANGE if before is None else plan_history.change(before, plan)
    return PlanOutcome(plan, list(dropped[2]) if dropped else [], list(violations), dict(change))


def publish_plan(actor: User, plan_id: int, reason: str | None = None) -> RoutePlan:
    plan, before = plan_to_change(actor, plan_id)
    if plan.status is PlanStatus.PUBLISHED:
        raise ConflictError("The plan is already published.")
    _publish(actor, plan, before, reason)
    db.session.flush()
    return plan


def publish_team(actor: User, team_id: int, day: date) -> dict[str, list[int]]:
    """Publish every draft of the team's reps for `day`; lists those published and those that
    already were."""
    if not ids_in_scope(actor, Team, {team_id}):
        raise InvalidError("No such team.", {"json": {"team_id": ["No such team in your scope."]}})
    plan_history.refuse_past(day)
    found = db.session.scalars(
        scoped_select(actor, RoutePlan)
        .where(RoutePlan.team_id == team_id, RoutePlan.plan_date == day)
        .order_by(RoutePlan.rep_id)
    ).all()
    result: dict[str, list[int]] = {"published": [], "already": []}
    for plan in found:
        if plan.status is PlanStatus.PUBLISHED:
            result["already"].append(plan.id)
        else:
            _publish(actor, plan, plan_history.snapshot(plan), None)
            result["published"].append(plan.id)
    db.session.flush()
    return result


def _publish(actor: User, plan: RoutePlan, before: Snapshot, reason: str | None) -> None:
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = utcnow()
    plan_history.record(plan, actor.id, RevisionKind.PUBLISHED, before, reason)


def delete_plan(actor: User, plan_id: int) -> None:
    plan, _ = plan_to_change(actor, plan_id)
    if plan.status is PlanStatus.PUBLISHED:
        raise ConflictError("A published plan cannot be deleted; edit it instead.")
    db.session.delete(plan)
    db.session.flush()


def stores_in_scope(actor: User, store_ids: list[int]) -> list[Store]:
    """The active stores of `store_ids` in the actor's scope, in that order (422 if any is not)."""
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
