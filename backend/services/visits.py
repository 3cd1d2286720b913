"""Visits: check-in, check-out, the end-of-day close, listing and reading them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import defaultload, lazyload, selectinload

from ..errors import ConflictError, InvalidError, NotFoundError, PermissionDeniedError
from ..extensions import db
from ..models import (
    Order,
    PlannedStop,
    PlanStatus,
    RoutePlan,
    Store,
    User,
    Visit,
    VisitFlag,
    VisitStatus,
    utcnow,
)
from ..models.visits import VisitReview
from ..scoping import get_in_scope, scope_filter, scoped_select
from . import visit_integrity
from .paging import paginate
from .visit_integrity import local_date

VisitRef = int | str  # the server id, or the client-generated uuid


def check_in(
    actor: User, data: dict[str, Any], received_at: datetime, device_sent_at: datetime | None
) -> Visit:
    """Open a visit at a store; planned if the store is on the rep's published plan that day."""
    checked_in_at = data["device_time"]
    visit_date = local_date(checked_in_at)
    visit_uuid = str(data.get("uuid") or uuid.uuid4())
    if "uuid" in data and db.session.scalar(select(exists().where(Visit.uuid == visit_uuid))):
        # One answer whoever's visit holds the uuid: it names and hints at nothing of theirs.
        raise ConflictError(
            "This visit id cannot be used: check in again under a new one.",
            {"json": {"uuid": ["Cannot be used; generate a new one."]}},
            reason="uuid_unusable",
        )
    stop = _planned_stop(actor.id, data["store_id"], visit_date)
    store = stop.store if stop is not None else _store_in_scope(actor, data["store_id"])
    still_open = _close_earlier_days(actor, visit_date, received_at)
    if still_open is not None:
        raise ConflictError(
            f"Visit {still_open.id} at {still_open.store.name} is still open: check out first.",
            {"json": {"store_id": [f"Visit {still_open.id} is open."]}},
            reason="visit_still_open",
            params={"visit_id": still_open.id, "store": still_open.store.name},
        )
    visit = Visit(
        uuid=visit_uuid,
        rep_id=actor.id,
        team_id=actor.team_id,
        store=store,
        planned_stop_id=stop.id if stop is not None else None,
        planned=stop is not None,
        visit_date=visit_date,
        status=VisitStatus.OPEN,
        checked_in_at=checked_in_at,
        checkin_received_at=received_at,
        checkin_lat=data["lat"],
        checkin_lng=data["lng"],
        checkin_accuracy_m=data.get("accuracy_m"),
        checkin_distance_m=visit_integrity.distance_m(
            data["lat"], data["lng"], store.lat, store.lng
        ),
        successful=False,
        note=data.get("note"),
        flags=[],
    )
    if stop is not None:
        stop.done_at = checked_in_at
    db.session.add(visit)
    db.session.flush()
    visit_integrity.on_check_in(visit, received_at, device_sent_at)
    db.session.flush()
    return visit


def check_out(
    actor: User,
    ref: VisitRef,
    data: dict[str, Any],
    received_at: datetime,
    device_sent_at: datetime | None,
) -> Visit:
    """Close the rep's visit. A visit closed by the end-of-day job takes its real check-out."""
    visit = visit_for_write(actor, ref)
    if data["device_time"] < visit.checked_in_at:
        raise InvalidError(
            "Check-out before check-in.",
            {"json": {"device_time": ["Before the check-in."]}},
            reason="checkout_before_checkin",
        )
    visit.status = VisitStatus.CLOSED
    visit.checked_out_at = data["device_time"]
    visit.checkout_received_at = received_at
    if "lat" in data:
        visit.checkout_lat, visit.checkout_lng = data["lat"], data["lng"]
        visit.checkout_accuracy_m = data.get("accuracy_m")
        visit.checkout_distance_m = visit_integrity.distance_m(
            data["lat"], data["lng"], visit.store.lat, visit.store.lng
        )
    if data.get("note"):
        visit.note = "\n".join(filter(None, [visit.note, data["note"]]))
    visit_integrity.on_check_out(visit, received_at, device_sent_at)
    db.session.flush()
    return visit


def close_left_open(now: datetime | None = None) -> int:
    """Close every visit still open from an earlier local day (flagged `left_open`)."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Visit).where(Visit.status == VisitStatus.OPEN, Visit.visit_date < local_date(now))
    ).all()
    for visit in stale:
        _auto_close(visit, now)
    db.session.flush()
    return len(stale)


def _auto_close(visit: Visit, now: datetime) -> None:
    visit.status = VisitStatus.AUTO_CLOSED
    visit.checkout_received_at = now
    visit_integrity.on_left_open(visit)


def _close_earlier_days(actor: User, visit_date: date, now: datetime) -> Visit | None:
    """Close the rep's visits left open on earlier days; returns one still open that day."""
    still_open = None
    for visit in db.session.scalars(
        select(Visit).where(Visit.rep_id == actor.id, Visit.status == VisitStatus.OPEN)
    ):
        if visit.visit_date < visit_date:
            _auto_close(visit, now)
        else:
            still_open = visit
    db.session.flush()
    return still_open


def _planned_stop(rep_id: int, store_id: int, visit_date: date) -> PlannedStop | None:
    """The rep's published stop at the store that day, unless a visit already counted for it."""
    return db.session.scalars(
        select(PlannedStop)
        .join(RoutePlan, RoutePlan.id == PlannedStop.plan_id)
        .where(
            RoutePlan.rep_id == rep_id,
            RoutePlan.plan_date == visit_date,
            RoutePlan.status == PlanStatus.PUBLISHED,
            PlannedStop.store_id == store_id,
            ~exists().where(Visit.planned_stop_id == PlannedStop.id),
        )
    ).first()


def _store_in_scope(actor: User, store_id: int) -> Store:
    store = db.session.scalars(
        scoped_select(actor, Store).where(Store.id == store_id).options(lazyload(Store.hours))
    ).first()
    if store is None:
        raise InvalidError(
            "No such store.",
            {"json": {"store_id": ["No such store in your scope."]}},
            reason="no_such_store",
        )
    return store


def review_visit(actor: User, visit_id: int, decision: VisitReview) -> Visit:
    """A supervisor's (or admin's) decision on a visit held for review: accepted, it counts in
    the KPIs; rejected, it stays out. Deciding again replaces the decision."""
    visit = get_in_scope(actor, Visit, visit_id)
    if visit.review is None:
        raise ConflictError(
            f"Visit {visit.id} is not held for review.",
            reason="visit_not_held",
            params={"visit_id": visit.id},
        )
    visit.review, visit.reviewed_by_id, visit.reviewed_at = decision, actor.id, utcnow()
    db.session.flush()
    return visit


def visit_for_write(actor: User, ref: VisitRef) -> Visit:
    """The caller's own visit, still open to changes (open, or closed by the end-of-day job).

    Its store's opening hours are not loaded: no write reads them (one statement fewer)."""
    visit = find_visit(actor, ref, defaultload(Visit.store).lazyload(Store.hours))
    if visit.rep_id != actor.id:
        raise PermissionDeniedError("Only the visit's rep may change it.", reason="not_your_visit")
    if visit.status is VisitStatus.CLOSED:
        raise ConflictError(
            f"Visit {visit.id} is checked out; it can no longer change.",
            reason="visit_closed",
            params={"visit_id": visit.id},
        )
    return visit


def find_visit(actor: User, ref: VisitRef, *options: Any) -> Visit:
    """The visit in scope by id or uuid (404 otherwise), loaded with the loader `options`."""
    column = Visit.id if isinstance(ref, int) else Visit.uuid
    stmt = scoped_select(actor, Visit).where(column == ref).options(*options)
    visit = db.session.scalars(stmt).first()
    if visit is None:
        raise NotFoundError(f"Visit {ref} not found.")
    return visit


def visit_uuid(actor: User, ref: VisitRef) -> str:
    """The uuid of a visit in scope, or the reference itself if there is none (a uuid is its
    own answer: no query)."""
    if not isinstance(ref, int):
        return ref
    found = db.session.scalar(select(Visit.uuid).where(Visit.id == ref, scope_filter(actor, Visit)))
    return found or str(ref)


def get_visit(actor: User, visit_id: int) -> Visit:
    """One visit with everything recorded at it."""
    visit = db.session.scalars(
        scoped_select(actor, Visit)
        .where(Visit.id == visit_id)
        .options(
            selectinload(Visit.photos),
            selectinload(Visit.display_checks),
            selectinload(Visit.stock_counts),
            selectinload(Visit.near_expiry_items),
            selectinload(Visit.return_requests),
            selectinload(Visit.competitor_observations),
            selectinload(Visit.shelf_facings),
            selectinload(Visit.expiry_followups),
            selectinload(Visit.complaints),
            selectinload(Visit.order).selectinload(Order.lines),
        )
    ).first()
    if visit is None:
        raise NotFoundError(f"Visit {visit_id} not found.")
    return visit


def list_visits(actor: User, args: dict[str, Any]) -> tuple[list[Visit], int]:
    stmt = scoped_select(actor, Visit)
    for field in ("rep_id", "store_id", "team_id", "status", "planned", "successful"):
        if field in args:
            stmt = stmt.where(getattr(Visit, field) == args[field])
    if "date_from" in args:
        stmt = stmt.where(Visit.visit_date >= args["date_from"])
    if "date_to" in args:
        stmt = stmt.where(Visit.visit_date <= args["date_to"])
    if "flagged" in args:
        flagged = exists().where(VisitFlag.visit_id == Visit.id)
        stmt = stmt.where(flagged if args["flagged"] else ~flagged)
    if "flag" in args:
        stmt = stmt.where(
            exists().where(VisitFlag.visit_id == Visit.id, VisitFlag.kind == args["flag"])
        )
    return paginate(
        stmt.order_by(Visit.checked_in_at.desc(), Visit.id.desc()), args["page"], args["per_page"]
    )
