"""Demand uplifts: admins set them, leads read them, the suggested order applies them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import or_, select

from ..errors import InvalidError
from ..extensions import db
from ..models import Brand, Channel, DemandUplift, Product, User
from ..scoping import get_in_scope, scoped_select
from .paging import paginate, where_equal

ONE = Decimal("1.00")


def list_uplifts(actor: User, args: dict[str, Any]) -> tuple[list[DemandUplift], int]:
    """Uplifts, filtered by product, channel and a day they are in force on; newest first."""
    stmt = where_equal(scoped_select(actor, DemandUplift), DemandUplift, args, ("product_id",))
    if "channel" in args:
        stmt = stmt.where(DemandUplift.channel == args["channel"])
    if "active_on" in args:
        day = args["active_on"]
        stmt = stmt.where(DemandUplift.starts_on <= day, DemandUplift.ends_on >= day)
    stmt = stmt.order_by(DemandUplift.starts_on.desc(), DemandUplift.id.desc())
    return paginate(stmt, args["page"], args["per_page"])


def get_uplift(actor: User, uplift_id: int) -> DemandUplift:
    return get_in_scope(actor, DemandUplift, uplift_id)


def create_uplift(data: dict[str, Any]) -> DemandUplift:
    _check(data)
    uplift = DemandUplift(**data)
    db.session.add(uplift)
    db.session.flush()
    return uplift


def update_uplift(actor: User, uplift_id: int, changes: dict[str, Any]) -> DemandUplift:
    uplift = get_in_scope(actor, DemandUplift, uplift_id)
    merged = {
        "product_id": uplift.product_id,
        "starts_on": uplift.starts_on,
        "ends_on": uplift.ends_on,
        **changes,
    }
    _check(merged)
    for key, value in changes.items():
        setattr(uplift, key, value)
    db.session.flush()
    return uplift


def delete_uplift(actor: User, uplift_id: int) -> None:
    db.session.delete(get_in_scope(actor, DemandUplift, uplift_id))
    db.session.flush()


def _check(data: dict[str, Any]) -> None:
    """The product (if any) is one of our own; the dates are in order."""
    if data.get("product_id") is not None:
        own = db.session.scalar(
            select(Brand.is_own).join(Product).where(Product.id == data["product_id"])
        )
        if not own:
            message = "No such product of our own." if own is None else "Not our own product."
            raise InvalidError(message, {"json": {"product_id": [message]}})
    if data["starts_on"] > data["ends_on"]:
        message = "Must not be after ends_on."
        raise InvalidError(message, {"json": {"starts_on": [message]}})


def factors(
    product_ids: Iterable[int], channel: Channel, first: date, last: date
) -> dict[int, tuple[Decimal, list[str]]]:
    """Per product, the product of the uplifts for it (or all products) in the channel (or all)
    whose dates overlap [first, last], rounded to 2 decimals, and their reasons (by start)."""
    ids = set(product_ids)
    stmt = (
        select(DemandUplift)
        .where(
            or_(DemandUplift.product_id.is_(None), DemandUplift.product_id.in_(ids)),
            or_(DemandUplift.channel.is_(None), DemandUplift.channel == channel),
            DemandUplift.starts_on <= last,
            DemandUplift.ends_on >= first,
        )
        .order_by(DemandUplift.starts_on, DemandUplift.id)
    )
    found = {pid: (ONE, []) for pid in ids}
    for uplift in db.session.scalars(stmt):
        for pid in ids if uplift.product_id is None else [uplift.product_id]:
            factor, reasons = found[pid]
            found[pid] = (factor * uplift.factor, [*reasons, uplift.reason])
    return {pid: (f.quantize(ONE, ROUND_HALF_UP), r) for pid, (f, r) in found.items()}
