"""What a rep records at a visit. Each kind is written whole (PUT semantics): the list sent
replaces the visit's previous list of that kind, so a repeated write changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select

from ..errors import InvalidError
from ..extensions import db
from ..models import (
    Brand,
    CompetitorObservation,
    DisplayCheck,
    NearExpiry,
    Order,
    OrderLine,
    Photo,
    Product,
    ReturnRequest,
    StockCount,
    User,
)
from . import expiry_followups, price_deviations, returns
from .customer_status import note_orders
from .visits import VisitRef, visit_for_write

RECORD_MODELS = {
    "display_checks": DisplayCheck,
    "stock_counts": StockCount,
    "near_expiry_items": NearExpiry,
    "return_requests": ReturnRequest,
    "competitor_observations": CompetitorObservation,
}
# Kinds whose rows others refer to (a lead's decision, a later visit's follow-up): matched to
# the items sent and updated in place, not deleted and inserted (see those modules).
MATCHED_KINDS = {
    "return_requests": returns.replace_returns,
    "near_expiry_items": expiry_followups.replace_near_expiry,
}


def _field_errors(
    items: Sequence[dict[str, Any]], field: str, bad: set[Any], message: str, where: str = "items"
) -> None:
    errors = {i: {field: [message]} for i, item in enumerate(items) if item.get(field) in bad}
    if errors:
        raise InvalidError(message, {"json": {where: errors}})


def _check_products(items: Sequence[dict[str, Any]], where: str = "items") -> dict[int, Product]:
    ids = {item["product_id"] for item in items if item.get("product_id") is not None}
    found = {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))}
    _field_errors(items, "product_id", ids - set(found), "No such product.", where)
    return found


def replace_records(
    actor: User, ref: VisitRef, kind: str, items: list[dict[str, Any]]
) -> dict[str, list[Any]]:
    """Replace the visit's records of `kind` with `items`."""
    visit = visit_for_write(actor, ref)
    model = RECORD_MODELS[kind]
    products = _check_products(items)
    if model is CompetitorObservation:
        _check_competitors(visit.id, items, products)
    if kind in MATCHED_KINDS:
        return {"items": MATCHED_KINDS[kind](visit, items)}
    db.session.execute(delete(model).where(model.visit_id == visit.id))
    rows = [model(visit_id=visit.id, **item) for item in items]
    db.session.add_all(rows)
    db.session.flush()
    if model is DisplayCheck:
        price_deviations.recompute(visit)
    return {"items": rows}


def _check_competitors(
    visit_id: int, items: list[dict[str, Any]], products: dict[int, Product]
) -> None:
    brand_ids = {item["brand_id"] for item in items}
    brands = {b.id: b for b in db.session.scalars(select(Brand).where(Brand.id.in_(brand_ids)))}
    _field_errors(items, "brand_id", brand_ids - set(brands), "No such brand.")
    own = {b.id for b in brands.values() if b.is_own}
    _field_errors(items, "brand_id", own, "That is our own brand, not a competitor.")
    wrong = {
        item["product_id"]
        for item in items
        if item.get("product_id") in products
        and products[item["product_id"]].brand_id != item["brand_id"]
    }
    _field_errors(items, "product_id", wrong, "The product is not of that brand.")
    photo_ids = {item["photo_id"] for item in items if item.get("photo_id") is not None}
    known = set(
        db.session.scalars(
            select(Photo.id).where(Photo.id.in_(photo_ids), Photo.visit_id == visit_id)
        )
    )
    _field_errors(items, "photo_id", photo_ids - known, "No such photo at this visit.")


def put_order(actor: User, ref: VisitRef, data: dict[str, Any]) -> Order | None:
    """Set the visit's order; no lines withdraws it. An order makes the visit successful."""
    visit = visit_for_write(actor, ref)
    lines = data["lines"]
    products = _check_products(lines, where="lines")
    old_orders = select(Order.id).where(Order.visit_id == visit.id)
    db.session.execute(delete(OrderLine).where(OrderLine.order_id.in_(old_orders)))
    db.session.execute(delete(Order).where(Order.visit_id == visit.id))
    order = None
    if lines:
        order = Order(visit_id=visit.id, note=data.get("note"))
        order.lines = [
            OrderLine(
                product_id=line["product_id"],
                quantity=line["quantity"],
                unit_price=products[line["product_id"]].unit_price,
            )
            for line in lines
        ]
        db.session.add(order)
    visit.successful = order is not None
    db.session.flush()
    note_orders([visit.store_id])
    return order
