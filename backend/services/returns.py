"""Return requests: the rep asks at a visit, a lead moves the request through its states.

Re-sync rule: a rep's PUT of the visit's returns replaces only what is still `requested`. Each
item sent is matched, in order, to an existing row of the same product and reason: a
`requested` row takes the item's quantity and note (its id stays, so a lead's queue keeps
pointing at it); a row a lead has moved on (approved, rejected, collected, credited) stays as
it is and the item is taken as that row. Unmatched items become new `requested` rows;
unmatched `requested` rows are withdrawn; unmatched decided rows are kept. A re-sync never
loses a lead's decision.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from ..errors import ConflictError, NotFoundError
from ..extensions import db
from ..models import (
    RETURN_TRANSITIONS,
    Product,
    ReturnRequest,
    ReturnStatus,
    Store,
    User,
    Visit,
    utcnow,
)
from ..scoping import get_in_scope, scope_filter
from .matched_records import match_rows
from .paging import paginate
from .reports import ranges


def replace_returns(visit: Visit, items: list[dict[str, Any]]) -> list[ReturnRequest]:
    """Apply a rep's list of returns to the visit under the re-sync rule (module docstring)."""

    def update(row: ReturnRequest, item: dict[str, Any]) -> None:
        if row.status is ReturnStatus.REQUESTED:
            row.quantity, row.note = item["quantity"], item.get("note")

    return match_rows(
        ReturnRequest, visit, items, ("product_id", "reason"), update,
        keep=lambda row: row.status is not ReturnStatus.REQUESTED,
    )  # fmt: skip


def decide_return(actor: User, return_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """A lead's move of a return in scope (`RETURN_TRANSITIONS`); any other move is a 409.

    Approving or rejecting records who decided and when; every move stamps
    `status_changed_at` and replaces `status_note` with the note sent."""
    row = get_in_scope(actor, ReturnRequest, return_id)
    new = data["status"]
    if new not in RETURN_TRANSITIONS[row.status]:
        raise ConflictError(
            f"A return {row.status.value} cannot become {new.value}.",
            reason="return_transition",
            params={"from": row.status.value, "to": new.value},
        )
    now = utcnow()
    if row.status is ReturnStatus.REQUESTED:
        row.decided_by_id, row.decided_at = actor.id, now
    row.status, row.status_note, row.status_changed_at = new, data.get("note"), now
    db.session.flush()
    return _queue_item(actor, row.id)


def list_returns(actor: User, args: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The returns in scope (a rep: their own), oldest request first: the lead's queue."""
    stmt = _queue(actor)
    for name, column in (
        ("status", ReturnRequest.status),
        ("team_id", Visit.team_id),
        ("store_id", Visit.store_id),
        ("rep_id", Visit.rep_id),
    ):
        if name in args:
            stmt = stmt.where(column == args[name])
    if "date_from" in args:
        stmt = stmt.where(Visit.visit_date >= args["date_from"])
    if "date_to" in args:
        stmt = stmt.where(Visit.visit_date <= args["date_to"])
    stmt = stmt.order_by(Visit.visit_date, ReturnRequest.id)
    rows, total = paginate(stmt, args["page"], args["per_page"])
    today = ranges.today()
    return [_item(row, today) for row in rows], total


_DECIDER = aliased(User, name="decider")


def _queue(actor: User) -> Select[Any]:
    rep = aliased(User, name="rep")
    return (
        select(
            ReturnRequest,
            Visit.visit_date,
            Visit.checked_in_at,
            Visit.store_id,
            Store.name.label("store_name"),
            Visit.rep_id,
            rep.full_name.label("rep_name"),
            Visit.team_id,
            Product.name.label("product_name"),
            Product.unit_price,
            _DECIDER.full_name.label("decided_by_name"),
        )
        .join(Visit, Visit.id == ReturnRequest.visit_id)
        .join(Store, Store.id == Visit.store_id)
        .join(rep, rep.id == Visit.rep_id)
        .join(Product, Product.id == ReturnRequest.product_id)
        .outerjoin(_DECIDER, _DECIDER.id == ReturnRequest.decided_by_id)
        .where(scope_filter(actor, Visit))
    )


def _queue_item(actor: User, return_id: int) -> dict[str, Any]:
    row = db.session.execute(_queue(actor).where(ReturnRequest.id == return_id)).first()
    if row is None:
        raise NotFoundError(f"ReturnRequest {return_id} not found.")
    return _item(row, ranges.today())


def _item(row: Any, today: date) -> dict[str, Any]:
    request: ReturnRequest = row[0]
    pending = request.status is ReturnStatus.REQUESTED
    return {
        "id": request.id,
        "visit_id": request.visit_id,
        "visit_date": row.visit_date,
        "requested_at": row.checked_in_at,
        "store_id": row.store_id,
        "store_name": row.store_name,
        "rep_id": row.rep_id,
        "rep_name": row.rep_name,
        "team_id": row.team_id,
        "product_id": request.product_id,
        "product_name": row.product_name,
        "quantity": request.quantity,
        "value": request.quantity * row.unit_price if row.unit_price is not None else None,
        "reason": request.reason,
        "note": request.note,
        "status": request.status,
        "status_note": request.status_note,
        "decided_by_id": request.decided_by_id,
        "decided_by_name": row.decided_by_name,
        "decided_at": request.decided_at,
        "status_changed_at": request.status_changed_at,
        "pending_days": (today - row.visit_date).days if pending else None,
    }
