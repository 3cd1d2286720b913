"""The one place a change to a plan is recorded: its revision, its start-of-day baseline, and
the rule that a past day's plan no longer changes.

Every plan use case takes a `snapshot` before it changes the plan (refused for a past day) and
calls `record` after. `record` numbers the revision, notes what changed, and the first time a
published plan changes once its day has begun (or a plan is first published during its day)
keeps the stops it had then as the plan's baseline, which the KPIs count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..errors import ConflictError
from ..extensions import db
from ..models import (
    PlanBaselineStop,
    PlanRevision,
    PlanStatus,
    RevisionKind,
    RoutePlan,
    User,
    utcnow,
)
from . import audit
from .plan_building import zone
from .reports.ranges import today

Stops = tuple[tuple[int, bool], ...]  # (store id, locked) in plan order


@dataclass(frozen=True)
class Snapshot:
    """A plan before a change: its status, stops and totals."""

    status: PlanStatus | None = None
    stops: Stops = ()
    travel_seconds: int = 0
    distance_m: int = 0


def is_frozen(plan: RoutePlan) -> bool:
    """The plan's day is before the business today."""
    return plan.plan_date < today()


def refuse_past(day: date) -> None:
    """Raise the 409 every write to a plan of a day before today answers."""
    if day < today():
        raise ConflictError(
            f"The plan for {day.isoformat()} is in the past and can no longer change.",
            reason="plan_frozen",
            params={"date": day.isoformat()},
        )


def snapshot(plan: RoutePlan) -> Snapshot:
    """The plan as it is before a change; refused (409) when its day is past."""
    refuse_past(plan.plan_date)
    return state(plan)


def state(plan: RoutePlan) -> Snapshot:
    """The plan as it is now (the demo's history writes past days through this)."""
    return Snapshot(plan.status, _stops(plan), plan.travel_seconds or 0, plan.distance_m or 0)


def change(before: Snapshot, plan: RoutePlan) -> dict[str, int]:
    """After − before: travel seconds, metres and stops."""
    return {
        "travel_seconds": (plan.travel_seconds or 0) - before.travel_seconds,
        "distance_m": (plan.distance_m or 0) - before.distance_m,
        "stops": len(plan.stops) - len(before.stops),
    }


def record(
    plan: RoutePlan,
    by_id: int | None,
    kind: RevisionKind,
    before: Snapshot | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> PlanRevision:
    """Record the change `before` → now as the plan's next revision (a new plan: `before` None),
    and audit it. A revision given a past `at` (the demo's history) is not audited: nobody
    acts now."""
    live = at is None
    at = at or utcnow()
    during_day = at.astimezone(zone()).date() >= plan.plan_date
    was_published = before is not None and before.status is PlanStatus.PUBLISHED
    if during_day and not plan.baseline:
        if was_published:
            _keep_baseline(plan, before.stops)
        elif kind is RevisionKind.PUBLISHED:
            _keep_baseline(plan, _stops(plan))
    if during_day and was_published:
        plan.amended = True
    plan.revision = 1 if before is None else plan.revision + 1
    revision = PlanRevision(
        revision=plan.revision,
        at=at,
        by_id=by_id,
        kind=kind,
        reason=reason or None,
        changes=changes(before.stops if before else (), _stops(plan)),
        stops=len(plan.stops),
        travel_seconds=plan.travel_seconds or 0,
        distance_m=plan.distance_m or 0,
        during_day=during_day,
    )
    plan.revisions.append(revision)
    if live:
        _audit(plan, by_id, revision)
    return revision


def _audit(plan: RoutePlan, by_id: int | None, revision: PlanRevision) -> None:
    # A new plan is being stored (it has its first revision): added now so it has its id.
    db.session.add(plan)
    db.session.flush()
    detail = {
        "rep_id": plan.rep_id,
        "plan_date": plan.plan_date,
        "revision": revision.revision,
        "kind": revision.kind,
        "reason": revision.reason,
        "changes": revision.changes,
    }
    actor = db.session.get(User, by_id) if by_id is not None else None
    audit.record(
        audit.Action.PLAN_REVISED,
        actor=actor,
        subject_type="plan",
        subject_id=plan.id,
        detail=detail,
    )


def changes(before: Stops, after: Stops) -> dict[str, Any]:
    """Stores added, removed, locked and unlocked, and whether the kept ones changed order."""
    was, now = dict(before), dict(after)
    return {
        "added": [s for s, _ in after if s not in was],
        "removed": [s for s, _ in before if s not in now],
        "reordered": [s for s, _ in before if s in now] != [s for s, _ in after if s in was],
        "locked": [s for s, locked in after if locked and not was.get(s, False)],
        "unlocked": [s for s, locked in after if not locked and was.get(s, False)],
    }


def _stops(plan: RoutePlan) -> Stops:
    return tuple((s.store_id, bool(s.locked)) for s in plan.stops)


def _keep_baseline(plan: RoutePlan, stops: Stops) -> None:
    plan.baseline = [
        PlanBaselineStop(store_id=store_id, sequence=k)
        for k, (store_id, _) in enumerate(stops, start=1)
    ]
