"""Competitor facings at a visit: request and response bodies."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from .common import LABEL, BoundedList, text

FACINGS = validate.Range(0, 999)
MAX_ITEMS = 200


class ShelfFacingSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    brand_id = ma.fields.Integer(required=True, metadata={"description": "A competitor brand"})
    brand_name = ma.fields.Function(lambda f: f.brand.name, dump_only=True)
    category = text(
        LABEL,
        min_length=1,
        required=True,
        metadata={"description": "One of our own products' categories (see GET /api/products)"},
    )
    facings = ma.fields.Integer(required=True, validate=FACINGS)
    eye_level_facings = ma.fields.Integer(
        allow_none=True,
        validate=FACINGS,
        metadata={"description": "Of `facings`, those at eye level; null: not counted"},
    )

    @ma.validates_schema
    def _eye_level_within(self, data: dict[str, Any], **kwargs: Any) -> None:
        eye = data.get("eye_level_facings")
        if eye is not None and eye > data.get("facings", 0):
            raise ma.ValidationError(
                "Eye-level facings cannot exceed the brand's facings.", "eye_level_facings"
            )


def _one_per_brand_and_category(items: list[dict[str, Any]]) -> None:
    seen: set[tuple[int, str]] = set()
    for item in items:
        pair = (item["brand_id"], item["category"])
        if pair in seen:
            raise ma.ValidationError(
                f"Brand {pair[0]} in category {pair[1]!r} is listed twice: send one count."
            )
        seen.add(pair)


class ShelfFacingsSchema(ma.Schema):
    """The whole set of a visit's competitor facings (PUT replaces it)."""

    items = BoundedList(
        ma.fields.Nested(ShelfFacingSchema),
        MAX_ITEMS,
        required=True,
        validate=_one_per_brand_and_category,
    )
