"""The orders report, the suggested order of a store, and demand uplifts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import Channel
from .common import NAME, Money, PageArgs, page_schema, text
from .reports import ID, PeriodSchema, RangeArgs

GROUPS = ("product", "brand", "channel", "tier", "rep", "team")
MAX_FACTOR = Decimal("999.99")


def _amount(description: str, places: int = 2, **kwargs: Any) -> ma.fields.Decimal:
    """A decimal answered as a string (documented so: the OpenAPI type of a Decimal field is
    a number)."""
    metadata = {"type": "string", "format": "decimal", "description": description}
    return ma.fields.Decimal(places=places, as_string=True, metadata=metadata, **kwargs)


class OrderArgs(RangeArgs):
    group_by = ma.fields.String(load_default="product", validate=validate.OneOf(GROUPS))
    top = ma.fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "How many best sellers"},
    )


class OrderMetricsSchema(ma.Schema):
    orders = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Visits with an order; null by product or brand"},
    )
    lines = ma.fields.Integer(metadata={"description": "Order lines (one per product)"})
    units = ma.fields.Integer()
    value = _amount("Quantity × unit price when ordered")
    lines_per_order = _amount("lines ÷ orders", allow_none=True)
    drop_size = _amount("value ÷ orders: the value of a visit with an order", allow_none=True)


class OrderGroupSchema(OrderMetricsSchema):
    key = ma.fields.String(
        allow_none=True, metadata={"description": "Product, brand, rep or team id; channel; tier"}
    )
    name = ma.fields.String(allow_none=True)
    share_of_value = _amount("value ÷ total", places=4, allow_none=True)


class BestSellerSchema(ma.Schema):
    rank = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    brand_name = ma.fields.String()
    lines = ma.fields.Integer()
    units = ma.fields.Integer()
    value = _amount("Order value of the product")


class OrderReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    group_by = ma.fields.String()
    groups = ma.fields.List(ma.fields.Nested(OrderGroupSchema))
    total = ma.fields.Nested(OrderMetricsSchema)
    best_sellers = ma.fields.List(ma.fields.Nested(BestSellerSchema))


class SuggestedOrderArgs(ma.Schema):
    date = ma.fields.Date(metadata={"description": "The order day; default today"})


class SuggestionSchema(ma.Schema):
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    basis = ma.fields.String(
        metadata={"description": "history: from sell-through; no_history: the default par"}
    )
    daily_rate = _amount("Units sold per day (null: no_history)", allow_none=True)
    intervals = ma.fields.Integer(metadata={"description": "Stock-count intervals used"})
    days_observed = ma.fields.Integer()
    units_sold = ma.fields.Integer()
    next_visit_on = ma.fields.Date()
    cover_days = ma.fields.Integer(metadata={"description": "Days to the next visit + safety"})
    safety_days = ma.fields.Integer()
    uplift = _amount("Demand uplift factor (1.00: none)")
    uplift_reason = ma.fields.String(allow_none=True)
    target_units = ma.fields.Integer(
        metadata={"description": "⌈daily_rate × cover_days × uplift⌉ (no_history: par × uplift)"}
    )
    stock_now = ma.fields.Integer(
        allow_none=True, metadata={"description": "Shelf + back room at the latest count"}
    )
    suggested_qty = ma.fields.Integer(
        allow_none=True, metadata={"description": "max(0, target_units − stock_now)"}
    )
    explanation = ma.fields.String(metadata={"description": "The formula with these numbers"})


class SuggestedOrderSchema(ma.Schema):
    store_id = ma.fields.Integer()
    date = ma.fields.Date()
    next_visit_on = ma.fields.Date()
    cover_days = ma.fields.Integer()
    safety_days = ma.fields.Integer()
    lookback_days = ma.fields.Integer()
    default_par = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(SuggestionSchema))


class Factor(Money):
    """A positive factor with 2 decimals, at most 999.99."""

    def __init__(self, **kwargs: Any):
        metadata = {"maximum": float(MAX_FACTOR), "exclusiveMinimum": True}
        super().__init__(metadata={**metadata, **kwargs.pop("metadata", {})}, **kwargs)
        self.validators = [validate.Range(0, MAX_FACTOR, min_inclusive=False)]


class DemandUpliftSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    product_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "null: all our products"}, **ID
    )
    channel = ma.fields.Enum(
        Channel, by_value=True, allow_none=True, metadata={"description": "null: every channel"}
    )
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True, metadata={"description": "Inclusive"})
    factor = Factor(required=True, metadata={"example": "1.20"})
    reason = text(NAME, min_length=1, required=True)

    @ma.validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "starts_on" in data and "ends_on" in data and data["starts_on"] > data["ends_on"]:
            raise ma.ValidationError("Must not be after ends_on.", "starts_on")


class DemandUpliftUpdateSchema(DemandUpliftSchema):
    """Loaded with `changes_schema`."""


class DemandUpliftQueryArgs(PageArgs):
    product_id = ma.fields.Integer(**ID)
    channel = ma.fields.Enum(Channel, by_value=True)
    active_on = ma.fields.Date(metadata={"description": "In force on this day"})


DemandUpliftPageSchema = page_schema(DemandUpliftSchema, "DemandUpliftPage")
