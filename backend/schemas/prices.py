"""Agreed prices and promotions of own products, and the price-deviation report."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import Channel, DeviationKind
from .common import NAME, Money, PageArgs, PageMetaSchema, page_schema, text
from .reports import ID, PeriodSchema, RangeArgs

MAX_PRICE = 10_000_000


def _price(**kwargs: Any) -> Money:
    metadata = {"example": "158.00", **kwargs.pop("metadata", {})}
    return Money(MAX_PRICE, metadata=metadata, **kwargs)


def _channel(description: str) -> ma.fields.Enum:
    return ma.fields.Enum(
        Channel, by_value=True, allow_none=True, metadata={"description": description}
    )


class AgreedPriceSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    product_id = ma.fields.Integer(required=True, validate=ID["validate"])
    product_name = ma.fields.Function(lambda p: p.product.name, dump_only=True)
    channel = _channel("One channel, or null for every channel (a channel's own price wins)")
    price = _price(required=True)
    valid_from = ma.fields.Date(required=True)
    valid_to = ma.fields.Date(allow_none=True, metadata={"description": "Inclusive; null: open"})

    @ma.validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        if (
            data.get("valid_from")
            and data.get("valid_to")
            and data["valid_to"] < data["valid_from"]
        ):
            raise ma.ValidationError("Must not be before valid_from.", "valid_to")


class AgreedPromotionSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = text(NAME, min_length=1, required=True)
    product_id = ma.fields.Integer(required=True, validate=ID["validate"])
    product_name = ma.fields.Function(lambda p: p.product.name, dump_only=True)
    channel = _channel("One channel, or null for every channel")
    store_id = ma.fields.Integer(
        allow_none=True, validate=ID["validate"], metadata={"description": "null: every store"}
    )
    promo_price = _price(
        allow_none=True,
        metadata={"description": "The lowest agreed price under it; null: no price floor"},
    )
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True, metadata={"description": "Inclusive"})

    @ma.validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ma.ValidationError("Must not be before starts_on.", "ends_on")


class AgreedPriceUpdateSchema(AgreedPriceSchema):
    """Loaded with `changes_schema`."""


class AgreedPromotionUpdateSchema(AgreedPromotionSchema):
    """Loaded with `changes_schema`."""


class AgreedPriceQueryArgs(PageArgs):
    product_id = ma.fields.Integer(**ID)
    channel = ma.fields.Enum(Channel, by_value=True)
    on = ma.fields.Date(metadata={"description": "In force on this day"})


class AgreedPromotionQueryArgs(AgreedPriceQueryArgs):
    store_id = ma.fields.Integer(**ID)


AgreedPricePageSchema = page_schema(AgreedPriceSchema, "AgreedPricePage")
AgreedPromotionPageSchema = page_schema(AgreedPromotionSchema, "AgreedPromotionPage")


class PriceDeviationArgs(RangeArgs, PageArgs):
    group_by = ma.fields.String(
        load_default="store", validate=validate.OneOf(("store", "channel", "week"))
    )
    channel = ma.fields.Enum(Channel, by_value=True)
    store_id = ma.fields.Integer(**ID)
    product_id = ma.fields.Integer(**ID)
    kind = ma.fields.Enum(DeviationKind, by_value=True)


class DeviationCountsSchema(ma.Schema):
    deviations = ma.fields.Integer()
    below_agreed = ma.fields.Integer()
    unagreed_special = ma.fields.Integer()
    visits = ma.fields.Integer(metadata={"description": "Visits with a deviation"})
    stores = ma.fields.Integer(metadata={"description": "Stores with a deviation"})
    amount = Money(
        dump_only=True,
        metadata={"description": "Σ (agreed price − shelf price) where the shelf is below it"},
    )


class DeviationGroupSchema(DeviationCountsSchema):
    key = ma.fields.String(metadata={"description": "Store id, channel or ISO week start"})
    name = ma.fields.String(metadata={"description": "Store name, channel or ISO week"})


class DeviationItemSchema(ma.Schema):
    id = ma.fields.Integer()
    visit_id = ma.fields.Integer()
    visit_date = ma.fields.Date()
    week = ma.fields.String(metadata={"example": "2026-W47"})
    store_id = ma.fields.Integer()
    store_name = ma.fields.String()
    channel = ma.fields.String()
    rep_id = ma.fields.Integer()
    rep_name = ma.fields.String()
    team_name = ma.fields.String(allow_none=True)
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    kind = ma.fields.String()
    shelf_price = Money(dump_only=True, allow_none=True)
    agreed_price = Money(dump_only=True, allow_none=True)
    amount = Money(dump_only=True)
    promotion_id = ma.fields.Integer(allow_none=True)
    promotion_name = ma.fields.String(allow_none=True)


class PriceDeviationReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    group_by = ma.fields.String()
    groups = ma.fields.List(ma.fields.Nested(DeviationGroupSchema))
    total = ma.fields.Nested(DeviationCountsSchema)
    items = ma.fields.List(
        ma.fields.Nested(DeviationItemSchema), metadata={"description": "Newest first, paged"}
    )
    meta = ma.fields.Nested(PageMetaSchema)
