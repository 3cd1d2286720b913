"""Demo: what reps did about near-expiry stock, what the next visit found, and the leads'
decisions on returns. Runs after the days' records are written; each item draws from its own
seeded stream, so the same seed and day give the same demo, and a top-up leaves what it holds.

Items noted on a past day are followed up at the store's next visit on a past day (today's
visits are the reps' to make: today's open list is real); returns requested more than
DECIDED_AFTER_DAYS before today have moved on, the recent ones wait in the supervisor's queue.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select

from ...extensions import db
from ...models import (
    RETURN_TRANSITIONS,
    ExpiryAction,
    ExpiryFollowUp,
    ExpiryOutcome,
    NearExpiry,
    ReturnRequest,
    ReturnStatus,
    Role,
    User,
    Visit,
    utcnow,
)

DECIDED_AFTER_DAYS = 3
ACTIONS = (None, *ExpiryAction)
ACTION_WEIGHTS = (20, 35, 20, 15, 10)
# The final state of a decided return, by weight (the path to it is walked, each step stamped).
FINAL = {
    ReturnStatus.APPROVED: 30,
    ReturnStatus.REJECTED: 15,
    ReturnStatus.COLLECTED: 25,
    ReturnStatus.CREDITED: 30,
}


def add(seed: int, past: list[date], today: date) -> None:
    if not past:
        return
    _follow_up(seed, past[-1])
    _decide(seed, today)
    db.session.flush()


def _follow_up(seed: int, last_day: date) -> None:
    visits = db.session.execute(
        select(Visit.id, Visit.store_id, Visit.checked_in_at, Visit.visit_date)
        .where(Visit.visit_date <= last_day)
        .order_by(Visit.checked_in_at, Visit.id)
    ).all()
    by_store: dict[int, list[tuple[datetime, int, date]]] = defaultdict(list)
    for visit_id, store_id, at, day in visits:
        by_store[store_id].append((at, visit_id, day))
    followed = exists().where(ExpiryFollowUp.near_expiry_id == NearExpiry.id)
    items = db.session.execute(
        select(NearExpiry, Visit.store_id, Visit.checked_in_at)
        .join(Visit, Visit.id == NearExpiry.visit_id)
        .where(Visit.visit_date <= last_day, ~followed)
        .order_by(NearExpiry.id)
    ).all()
    for item, store_id, at in items:
        rng = random.Random(f"{seed}/near-expiry/{item.id}")
        if item.action is None:
            item.action = rng.choices(ACTIONS, ACTION_WEIGHTS)[0]
        later = by_store[store_id]
        index = bisect.bisect_right(later, (at, item.visit_id, date.max))
        if index < len(later):
            _, visit_id, day = later[index]
            db.session.add(_outcome(rng, item, visit_id, day))


def _outcome(rng: random.Random, item: NearExpiry, visit_id: int, day: date) -> ExpiryFollowUp:
    """What the next visit found: stock past its date may have expired on the shelf."""
    if item.action is ExpiryAction.RETURN_REQUESTED:
        outcome = ExpiryOutcome.RETURNED
    elif item.action is ExpiryAction.REMOVED:
        outcome = ExpiryOutcome.REMOVED
    elif day > item.expiry_date:
        outcome = rng.choices((ExpiryOutcome.SOLD, ExpiryOutcome.EXPIRED_ON_SHELF), (60, 40))[0]
    else:
        outcome = rng.choices((ExpiryOutcome.SOLD, ExpiryOutcome.STILL_ON_SHELF), (65, 35))[0]
    quantity = None
    if outcome in (ExpiryOutcome.STILL_ON_SHELF, ExpiryOutcome.EXPIRED_ON_SHELF):
        quantity = rng.randint(1, item.quantity)
    return ExpiryFollowUp(
        visit_id=visit_id, near_expiry_id=item.id, outcome=outcome, quantity=quantity
    )


def _decide(seed: int, today: date) -> None:
    leads = {
        team_id: user_id
        for user_id, team_id in db.session.execute(
            select(User.id, User.team_id).where(User.role == Role.SUPERVISOR).order_by(User.id)
        )
    }
    waiting = db.session.execute(
        select(ReturnRequest, Visit.team_id, Visit.checked_in_at)
        .join(Visit, Visit.id == ReturnRequest.visit_id)
        .where(
            ReturnRequest.status == ReturnStatus.REQUESTED,
            Visit.visit_date < today - timedelta(days=DECIDED_AFTER_DAYS),
        )
        .order_by(ReturnRequest.id)
    ).all()
    for request, team_id, at in waiting:
        rng = random.Random(f"{seed}/return/{request.id}")
        final = rng.choices(tuple(FINAL), tuple(FINAL.values()))[0]
        request.decided_by_id = leads.get(team_id)
        request.decided_at = at + timedelta(hours=rng.randint(18, 30))
        moment = request.decided_at
        while request.status is not final:
            request.status = next(
                s for s in _path_to(final) if s in RETURN_TRANSITIONS[request.status]
            )
            request.status_changed_at = min(moment, utcnow())
            moment += timedelta(days=rng.randint(1, 3))
        if final is ReturnStatus.REJECTED:
            request.status_note = "Not returnable: sold as seen."


def _path_to(final: ReturnStatus) -> tuple[ReturnStatus, ...]:
    if final is ReturnStatus.REJECTED:
        return (ReturnStatus.REJECTED,)
    steps = (ReturnStatus.APPROVED, ReturnStatus.COLLECTED, ReturnStatus.CREDITED)
    return steps[: steps.index(final) + 1]
