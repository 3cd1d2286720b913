"""Near-expiry items and what became of them at later visits to the store.

An item is open while it has no follow-up or its latest follow-up says `still_on_shelf`, and
its expiry date + FOLLOW_UP_DAYS has not passed; a later note of the same product and expiry
date at the store supersedes it (the stock is one, noted again). "Latest" and "earlier" are by
check-in time; the open list of a day is as of that day's start: items and follow-ups from
visits on earlier days, so it stays put while the rep answers it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Subquery, and_, delete, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..errors import InvalidError
from ..extensions import db
from ..models import ExpiryFollowUp, ExpiryOutcome, NearExpiry, Product, Store, User, Visit
from ..scoping import get_in_scope
from .matched_records import match_rows
from .reports import ranges
from .visits import VisitRef, visit_for_write

FOLLOW_UP_DAYS = 30


def replace_near_expiry(visit: Visit, items: list[dict[str, Any]]) -> list[NearExpiry]:
    """Replace the visit's near-expiry items, keeping the rows (and ids) of the product and
    expiry dates sent again, so follow-ups made at later visits stay attached to them."""

    def update(row: NearExpiry, item: dict[str, Any]) -> None:
        row.quantity, row.action = item["quantity"], item.get("action")

    return match_rows(NearExpiry, visit, items, ("product_id", "expiry_date"), update)


def replace_followups(actor: User, ref: VisitRef, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Set the outcomes recorded at the caller's visit (the list replaces the previous one).

    Each item must be a near-expiry item of an earlier visit to the same store (422)."""
    visit = visit_for_write(actor, ref)
    ids = {item["near_expiry_id"] for item in items}
    earlier = (
        select(NearExpiry.id)
        .join(Visit, Visit.id == NearExpiry.visit_id)
        .where(
            NearExpiry.id.in_(ids),
            Visit.store_id == visit.store_id,
            Visit.id != visit.id,
            Visit.checked_in_at < visit.checked_in_at,
        )
    )
    known = set(db.session.scalars(earlier))
    errors = {
        i: {"near_expiry_id": ["Not a near-expiry item of an earlier visit to this store."]}
        for i, item in enumerate(items)
        if item["near_expiry_id"] not in known
    }
    if errors:
        raise InvalidError(
            "Follow up items noted at earlier visits to this store.", {"json": {"items": errors}}
        )
    db.session.execute(delete(ExpiryFollowUp).where(ExpiryFollowUp.visit_id == visit.id))
    rows = [ExpiryFollowUp(visit_id=visit.id, **item) for item in items]
    db.session.add_all(rows)
    db.session.flush()
    return {"items": rows}


def open_items(actor: User, store_id: int, on: date | None = None) -> list[dict[str, Any]]:
    """The store's open near-expiry items as of the start of `on` (default today)."""
    store = get_in_scope(actor, Store, store_id)
    on = on or ranges.today()
    latest = _latest_followups(store.id, on)
    later = aliased(NearExpiry)
    later_visit = aliased(Visit)
    superseded = exists().where(
        later.product_id == NearExpiry.product_id,
        later.expiry_date == NearExpiry.expiry_date,
        later.visit_id == later_visit.id,
        later_visit.store_id == store.id,
        later_visit.visit_date < on,
        later_visit.checked_in_at > Visit.checked_in_at,
    )
    stmt = (
        select(
            NearExpiry.id.label("near_expiry_id"),
            NearExpiry.product_id,
            Product.name.label("product_name"),
            func.coalesce(latest.c.quantity, NearExpiry.quantity).label("quantity"),
            NearExpiry.expiry_date,
            NearExpiry.action,
            Visit.visit_date.label("recorded_on"),
            latest.c.outcome.label("last_outcome"),
        )
        .join(Visit, Visit.id == NearExpiry.visit_id)
        .join(Product, Product.id == NearExpiry.product_id)
        .outerjoin(latest, and_(latest.c.near_expiry_id == NearExpiry.id, latest.c.newest == 1))
        .where(
            Visit.store_id == store.id,
            Visit.visit_date < on,
            NearExpiry.expiry_date >= on - timedelta(days=FOLLOW_UP_DAYS),
            or_(latest.c.outcome.is_(None), latest.c.outcome == ExpiryOutcome.STILL_ON_SHELF),
            ~superseded,
        )
        .order_by(NearExpiry.expiry_date, NearExpiry.id)
    )
    return [dict(row._mapping) for row in db.session.execute(stmt)]


def _latest_followups(store_id: int, on: date) -> Subquery:
    newest = func.row_number().over(
        partition_by=ExpiryFollowUp.near_expiry_id,
        order_by=(Visit.checked_in_at.desc(), ExpiryFollowUp.id.desc()),
    )
    return (
        select(
            ExpiryFollowUp.near_expiry_id,
            ExpiryFollowUp.outcome,
            ExpiryFollowUp.quantity,
            newest.label("newest"),
        )
        .join(Visit, Visit.id == ExpiryFollowUp.visit_id)
        .where(Visit.store_id == store_id, Visit.visit_date < on)
        .subquery("latest_followups")
    )
