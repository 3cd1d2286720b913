"""Visit request and response bodies: check-in, check-out, records, list and detail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import (
    ExpiryAction,
    ExpiryOutcome,
    FlagKind,
    ReturnReason,
    ReturnStatus,
    VisitStatus,
)
from ..models.visits import EYE_LEVEL_SHELF, SHELF_LEVELS
from .common import NOTE, SHORT_NOTE, TITLE, BoundedList, Money, PageArgs, page_schema, text
from .photos import PhotoSchema
from .shelf import ShelfFacingSchema
from .store_file import ComplaintSchema
from .visit_reviews import review_state

QUANTITY = validate.Range(1, 1_000_000)
COUNT = validate.Range(0, 1_000_000)
MAX_ITEMS = 500
MAX_MONEY = 10_000_000


def _money(**kwargs: Any) -> Money:
    return Money(MAX_MONEY, metadata={"example": "158.00"}, **kwargs)


class _Position(ma.Schema):
    device_time = ma.fields.AwareDateTime(
        required=True,
        metadata={"description": "When it happened, by the device's clock (ISO 8601 with offset)"},
    )
    lat = ma.fields.Float(validate=validate.Range(-90, 90))
    lng = ma.fields.Float(validate=validate.Range(-180, 180))
    accuracy_m = ma.fields.Float(
        allow_none=True,
        validate=validate.Range(0, 100_000),
        metadata={"description": "GPS accuracy radius, metres"},
    )
    note = text(NOTE, allow_none=True)

    @ma.validates_schema
    def _lat_lng_together(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("lat" in data) != ("lng" in data):
            raise ma.ValidationError("lat and lng go together.", "lat")


class CheckInSchema(_Position):
    uuid = ma.fields.UUID(
        metadata={"description": "Client-generated visit id, to refer to it before it is synced"}
    )
    store_id = ma.fields.Integer(required=True)
    lat = ma.fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = ma.fields.Float(required=True, validate=validate.Range(-180, 180))


class CheckOutSchema(_Position):
    """Position optional (GPS may be unavailable when leaving)."""


class FlagSchema(ma.Schema):
    kind = ma.fields.Enum(FlagKind, by_value=True)
    message = ma.fields.String()
    photo_id = ma.fields.Integer(allow_none=True)
    detail = ma.fields.Dict()
    created_at = ma.fields.AwareDateTime()


def _rounded(attr: str) -> ma.fields.Function:
    return ma.fields.Function(
        lambda v: None if getattr(v, attr) is None else round(getattr(v, attr), 1),
        dump_only=True,
    )


class VisitSchema(ma.Schema):
    id = ma.fields.Integer()
    uuid = ma.fields.String()
    rep_id = ma.fields.Integer()
    rep_name = ma.fields.Function(lambda v: v.rep.full_name)
    team_id = ma.fields.Integer(allow_none=True)
    store_id = ma.fields.Integer()
    store_name = ma.fields.Function(lambda v: v.store.name)
    planned = ma.fields.Boolean(metadata={"description": "On the rep's published plan that day"})
    planned_stop_id = ma.fields.Integer(allow_none=True)
    visit_date = ma.fields.Date(metadata={"description": "Local date of the check-in"})
    status = ma.fields.Enum(VisitStatus, by_value=True)
    checked_in_at = ma.fields.AwareDateTime(metadata={"description": "Device time"})
    checkin_received_at = ma.fields.AwareDateTime(metadata={"description": "Server time"})
    checkin_lat = ma.fields.Float()
    checkin_lng = ma.fields.Float()
    checkin_accuracy_m = ma.fields.Float(allow_none=True)
    checkin_distance_m = _rounded("checkin_distance_m")
    checked_out_at = ma.fields.AwareDateTime(allow_none=True)
    checkout_received_at = ma.fields.AwareDateTime(allow_none=True)
    checkout_lat = ma.fields.Float(allow_none=True)
    checkout_lng = ma.fields.Float(allow_none=True)
    checkout_accuracy_m = ma.fields.Float(allow_none=True)
    checkout_distance_m = _rounded("checkout_distance_m")
    duration_minutes = ma.fields.Float(allow_none=True)
    inside_geofence = ma.fields.Function(
        lambda v: not any(f.kind is FlagKind.OUTSIDE_GEOFENCE for f in v.flags)
    )
    successful = ma.fields.Boolean(metadata={"description": "An order was taken"})
    review = review_state()
    note = ma.fields.String(allow_none=True)
    flags = ma.fields.List(ma.fields.Nested(FlagSchema))
    created_at = ma.fields.AwareDateTime()


def _unique_products(items: list[dict[str, Any]]) -> None:
    seen: set[int] = set()
    for item in items:
        if item["product_id"] in seen:
            raise ma.ValidationError(f"Product {item['product_id']} is listed twice.")
        seen.add(item["product_id"])


def item_list(
    item: type[ma.Schema], name: str, *, unique_products: bool = False
) -> type[ma.Schema]:
    """`{items: [...]}`: the whole set of one kind of record of a visit (PUT replaces it)."""
    validators: list[Callable[[Any], Any]] = [_unique_products] if unique_products else []
    return ma.Schema.from_dict(
        {
            "items": BoundedList(
                ma.fields.Nested(item), MAX_ITEMS, required=True, validate=validators
            )
        },
        name=name,
    )


SHELF_HEIGHTS = ", ".join(f"{level} = {name}" for level, name in SHELF_LEVELS.items())


class DisplayCheckSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    product_id = ma.fields.Integer(required=True)
    on_shelf = ma.fields.Boolean(
        required=True, metadata={"description": "On the shelf (only then facings > 0)"}
    )
    facings = ma.fields.Integer(load_default=0, validate=validate.Range(0, 999))
    shelf_level = ma.fields.Integer(
        allow_none=True,
        validate=validate.OneOf(tuple(SHELF_LEVELS)),
        metadata={"description": f"Shelf height: {SHELF_HEIGHTS}"},
    )
    eye_level = ma.fields.Boolean(
        dump_only=True,
        metadata={"description": f"Derived: shelf_level = {EYE_LEVEL_SHELF} (send shelf_level)"},
    )
    fifo_ok = ma.fields.Boolean(allow_none=True, metadata={"description": "First in, first out"})
    out_of_stock = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Out of stock (never with on_shelf; neither: not stocked here)"},
    )
    price_tag_present = ma.fields.Boolean(allow_none=True)
    price_tag_correct = ma.fields.Boolean(allow_none=True)
    shelf_clean = ma.fields.Boolean(allow_none=True)
    pop_present = ma.fields.Boolean(allow_none=True, metadata={"description": "POP material"})
    promo_display = ma.fields.Boolean(allow_none=True)
    shelf_price = Money(
        MAX_MONEY,
        allow_none=True,
        metadata={"example": "158.00", "description": "The own product's shelf price"},
    )
    special_price = ma.fields.Boolean(
        allow_none=True, metadata={"description": "The shelf shows a special (promotional) price"}
    )
    note = text(SHORT_NOTE, allow_none=True)

    @ma.pre_load
    def _no_eye_level(self, data: Any, **kwargs: Any) -> Any:
        # The old separate question: refuse it rather than drop the rep's answer.
        if isinstance(data, dict) and "eye_level" in data:
            raise ma.ValidationError(
                f"Send shelf_level instead ({EYE_LEVEL_SHELF} = eye level): eye_level is derived.",
                "eye_level",
            )
        return data

    @ma.validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("on_shelf") and data.get("out_of_stock"):
            raise ma.ValidationError(
                "A product on the shelf is not out of stock: send one of them.", "out_of_stock"
            )
        if not data.get("on_shelf", True) and data.get("facings", 0) > 0:
            raise ma.ValidationError("A product not on the shelf has no facings.", "facings")
        if data.get("price_tag_correct") and data.get("price_tag_present") is False:
            raise ma.ValidationError("No price tag cannot be correct.", "price_tag_correct")


class StockCountSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    product_id = ma.fields.Integer(required=True)
    shelf_qty = ma.fields.Integer(required=True, validate=COUNT)
    backroom_qty = ma.fields.Integer(load_default=0, validate=COUNT)
    suggested_order_qty = ma.fields.Integer(allow_none=True, validate=COUNT)


class NearExpirySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    product_id = ma.fields.Integer(required=True)
    quantity = ma.fields.Integer(required=True, validate=QUANTITY)
    expiry_date = ma.fields.Date(required=True)
    action = ma.fields.Enum(
        ExpiryAction,
        by_value=True,
        allow_none=True,
        metadata={"description": "What the rep did about it (a later visit follows it up)"},
    )


RETURN_REASONS = tuple(reason.value for reason in ReturnReason)  # "other": old clients
PROMO_TYPES = ("discount", "shock_price", "bundle", "gift", "display", "sampling", "other")


class ReturnRequestSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    product_id = ma.fields.Integer(required=True)
    quantity = ma.fields.Integer(required=True, validate=QUANTITY)
    reason = ma.fields.String(required=True, validate=validate.OneOf(RETURN_REASONS))
    note = text(SHORT_NOTE, allow_none=True)
    status = ma.fields.Enum(
        ReturnStatus,
        by_value=True,
        dump_only=True,
        metadata={"description": "Moved by a lead (PATCH /api/returns/{id}); a re-sync keeps it"},
    )
    status_note = ma.fields.String(dump_only=True, allow_none=True)
    decided_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)


class CompetitorObservationSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    brand_id = ma.fields.Integer(required=True, metadata={"description": "A competitor brand"})
    product_id = ma.fields.Integer(allow_none=True, metadata={"description": "Of that brand"})
    product_name = text(
        TITLE,
        min_length=1,
        allow_none=True,
        metadata={"description": "A product not in the catalogue"},
    )
    regular_price = _money(allow_none=True)
    promo_price = _money(allow_none=True)
    promo_type = ma.fields.String(allow_none=True, validate=validate.OneOf(PROMO_TYPES))
    new_product = ma.fields.Boolean(load_default=False)
    display_notes = text(NOTE, allow_none=True)
    photo_id = ma.fields.Integer(allow_none=True, metadata={"description": "A photo of this visit"})

    @ma.validates_schema
    def _product_named(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("product_id") is None and not data.get("product_name"):
            raise ma.ValidationError("Give product_id or product_name.", "product_id")
        if data.get("promo_price") is not None and data.get("promo_type") is None:
            raise ma.ValidationError("Say what kind of promotion.", "promo_type")


class OrderLineSchema(ma.Schema):
    product_id = ma.fields.Integer(required=True)
    quantity = ma.fields.Integer(required=True, validate=QUANTITY)
    unit_price = _money(dump_only=True)
    amount = _money(dump_only=True)


class OrderSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True, allow_none=True)
    lines = BoundedList(
        ma.fields.Nested(OrderLineSchema),
        MAX_ITEMS,
        required=True,
        validate=_unique_products,
        metadata={"description": "An empty list withdraws the order"},
    )
    note = text(SHORT_NOTE, allow_none=True)
    total = _money(dump_only=True)


DisplayChecksSchema = item_list(DisplayCheckSchema, "DisplayChecks", unique_products=True)
StockCountsSchema = item_list(StockCountSchema, "StockCounts", unique_products=True)
NearExpiryListSchema = item_list(NearExpirySchema, "NearExpiryItems")
ReturnRequestsSchema = item_list(ReturnRequestSchema, "ReturnRequests")
CompetitorObservationsSchema = item_list(CompetitorObservationSchema, "CompetitorObservations")


class ExpiryFollowUpDetailSchema(ma.Schema):
    """What had become, by this visit, of a near-expiry item noted at an earlier one."""

    id = ma.fields.Integer()
    near_expiry_id = ma.fields.Integer()
    product_id = ma.fields.Integer(attribute="near_expiry.product_id")
    noted_quantity = ma.fields.Integer(
        attribute="near_expiry.quantity", metadata={"description": "As noted at the earlier visit"}
    )
    expiry_date = ma.fields.Date(attribute="near_expiry.expiry_date")
    action = ma.fields.Enum(
        ExpiryAction, by_value=True, attribute="near_expiry.action", allow_none=True
    )
    outcome = ma.fields.Enum(ExpiryOutcome, by_value=True)
    quantity = ma.fields.Integer(
        allow_none=True, metadata={"description": "What is left (still_on_shelf) or expired"}
    )


class VisitDetailSchema(VisitSchema):
    photos = ma.fields.List(ma.fields.Nested(PhotoSchema))
    display_checks = ma.fields.List(ma.fields.Nested(DisplayCheckSchema))
    stock_counts = ma.fields.List(ma.fields.Nested(StockCountSchema))
    near_expiry_items = ma.fields.List(ma.fields.Nested(NearExpirySchema))
    return_requests = ma.fields.List(ma.fields.Nested(ReturnRequestSchema))
    competitor_observations = ma.fields.List(ma.fields.Nested(CompetitorObservationSchema))
    shelf_facings = ma.fields.List(ma.fields.Nested(ShelfFacingSchema))
    expiry_followups = ma.fields.List(
        ma.fields.Nested(ExpiryFollowUpDetailSchema),
        metadata={"description": "Earlier visits' near-expiry items followed up at this one"},
    )
    complaints = ma.fields.List(
        ma.fields.Nested(ComplaintSchema), metadata={"description": "Recorded at this visit"}
    )
    order = ma.fields.Nested(OrderSchema, allow_none=True)


class VisitQueryArgs(PageArgs):
    rep_id = ma.fields.Integer()
    store_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    date_from = ma.fields.Date(metadata={"description": "Local visit date, inclusive"})
    date_to = ma.fields.Date(metadata={"description": "Local visit date, inclusive"})
    status = ma.fields.Enum(VisitStatus, by_value=True)
    planned = ma.fields.Boolean()
    successful = ma.fields.Boolean()
    flagged = ma.fields.Boolean(metadata={"description": "true: only visits with flags"})
    flag = ma.fields.Enum(FlagKind, by_value=True, metadata={"description": "Visits with it"})


VisitPageSchema = page_schema(VisitSchema, "VisitPage")
