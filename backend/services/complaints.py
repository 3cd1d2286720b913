"""Complaints a store makes: taken at a visit by its rep or by a lead, worked to a resolution.

A complaint is open, in progress or resolved; resolving needs a resolution text and stamps who
and when; reopening clears the stamp and keeps the text. A complaint sent again with the same
uuid (an outbox retry) answers the first one.
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import ConflictError, InvalidError
from ..extensions import db
from ..models import Complaint, ComplaintStatus, Store, User, utcnow
from ..scoping import get_in_scope, scoped_select
from .paging import paginate
from .visits import VisitRef, visit_for_write


def record_at_visit(actor: User, ref: VisitRef, data: dict[str, Any]) -> tuple[Complaint, bool]:
    """The rep's complaint at their open visit, and whether it is new."""
    visit = visit_for_write(actor, ref)
    return _record(actor, str(data["uuid"]), visit.store_id, visit.id, data)


def record_by_lead(actor: User, data: dict[str, Any]) -> tuple[Complaint, bool]:
    """A lead's complaint for a store in scope (no visit), and whether it is new."""
    store = db.session.scalars(
        scoped_select(actor, Store).where(Store.id == data["store_id"])
    ).first()
    if store is None:
        raise InvalidError(
            "No such store.", {"json": {"store_id": ["No such store in your scope."]}}
        )
    key = str(data["uuid"]) if data.get("uuid") else str(uuid_lib.uuid4())
    return _record(actor, key, store.id, None, data)


def _record(
    actor: User, key: str, store_id: int, visit_id: int | None, data: dict[str, Any]
) -> tuple[Complaint, bool]:
    known = db.session.scalars(select(Complaint).where(Complaint.uuid == key)).first()
    if known is not None:
        if (known.store_id, known.visit_id, known.created_by_id) != (
            store_id,
            visit_id,
            actor.id,
        ):
            raise ConflictError(
                "That complaint uuid is already taken.",
                {"json": {"uuid": ["Already used for another complaint."]}},
                reason="uuid_taken",
            )
        return known, False
    complaint = Complaint(
        uuid=key,
        store_id=store_id,
        visit_id=visit_id,
        category=data["category"],
        text=data["text"],
        status=ComplaintStatus.OPEN,
        opened_at=utcnow(),
        created_by_id=actor.id,
    )
    db.session.add(complaint)
    db.session.flush()
    return complaint, True


def update_complaint(actor: User, complaint_id: int, changes: dict[str, Any]) -> Complaint:
    """A lead moves the status or writes the resolution."""
    complaint = get_in_scope(actor, Complaint, complaint_id)
    if "resolution" in changes:
        complaint.resolution = (changes["resolution"] or "").strip() or None
    status = changes.get("status", complaint.status)
    if status is ComplaintStatus.RESOLVED and not complaint.resolution:
        raise InvalidError(
            "Say how the complaint was resolved.",
            {"json": {"resolution": ["Required to resolve."]}},
            reason="resolution_required",
        )
    if status is ComplaintStatus.RESOLVED and complaint.status is not ComplaintStatus.RESOLVED:
        complaint.resolved_at, complaint.resolved_by_id = utcnow(), actor.id
    elif status is not ComplaintStatus.RESOLVED:
        complaint.resolved_at = complaint.resolved_by_id = None
    complaint.status = status
    db.session.flush()
    return complaint


def get_complaint(actor: User, complaint_id: int) -> Complaint:
    return get_in_scope(actor, Complaint, complaint_id)


def list_complaints(actor: User, args: dict[str, Any]) -> tuple[list[Complaint], int]:
    """One page of the complaints in scope, newest first."""
    stmt = scoped_select(actor, Complaint).options(
        selectinload(Complaint.created_by), selectinload(Complaint.resolved_by)
    )
    for name in ("status", "category", "store_id"):
        if name in args:
            stmt = stmt.where(getattr(Complaint, name) == args[name])
    if "team_id" in args:
        stmt = stmt.where(
            Complaint.store_id.in_(select(Store.id).where(Store.team_id == args["team_id"]))
        )
    stmt = stmt.order_by(Complaint.opened_at.desc(), Complaint.id.desc())
    return paginate(stmt, args["page"], args["per_page"])
