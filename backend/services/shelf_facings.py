"""Competitor facings at a visit: one count per competitor brand and category of ours, written
whole (PUT semantics, like the other records of a visit)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ..errors import InvalidError
from ..extensions import db
from ..models import Brand, Product, ShelfFacing, User
from .visits import VisitRef, visit_for_write


def own_categories() -> set[str]:
    """The categories of our own products: those a share of shelf is measured in."""
    own = select(Product.category).join(Brand, Brand.id == Product.brand_id)
    return set(db.session.scalars(own.where(Brand.is_own.is_(True)).distinct()))


def replace_facings(actor: User, ref: VisitRef, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Replace the visit's competitor facings with `items`."""
    visit = visit_for_write(actor, ref)
    _check(items)
    db.session.execute(delete(ShelfFacing).where(ShelfFacing.visit_id == visit.id))
    rows = [ShelfFacing(visit_id=visit.id, **item) for item in items]
    db.session.add_all(rows)
    db.session.flush()
    return {"items": rows}


def _check(items: list[dict[str, Any]]) -> None:
    """Each brand a known competitor's, each category one of ours: else a 422 naming the items."""
    ids = {item["brand_id"] for item in items}
    brands = {b.id: b for b in db.session.scalars(select(Brand).where(Brand.id.in_(ids)))}
    categories = own_categories()
    errors: dict[int, dict[str, list[str]]] = {}
    for i, item in enumerate(items):
        brand = brands.get(item["brand_id"])
        if brand is None:
            errors.setdefault(i, {})["brand_id"] = ["No such brand."]
        elif brand.is_own:
            errors.setdefault(i, {})["brand_id"] = ["That is our own brand, not a competitor."]
        if item["category"] not in categories:
            errors.setdefault(i, {})["category"] = ["Not a category of our products."]
    if errors:
        raise InvalidError(
            "Some facings name an unknown or own brand, or a category not ours.",
            {"json": {"items": errors}},
        )
