"""Returns (the lead's queue and decisions), near-expiry follow-ups, and the returns report."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import ExpiryAction, ExpiryOutcome, ReturnStatus
from .common import SHORT_NOTE, BoundedList, Money, PageArgs, page_schema, text
from .reports import ID, PeriodSchema, RangeArgs
from .visits import COUNT, MAX_ITEMS, RETURN_REASONS


class ReturnDecisionSchema(ma.Schema):
    status = ma.fields.Enum(
        ReturnStatus,
        by_value=True,
        required=True,
        metadata={
            "description": "requested → approved | rejected; approved → collected; "
            "collected → credited (any other move: 409)"
        },
    )
    note = text(SHORT_NOTE, allow_none=True, metadata={"description": "Why, for the rep"})


class ReturnItemSchema(ma.Schema):
    id = ma.fields.Integer()
    visit_id = ma.fields.Integer()
    visit_date = ma.fields.Date(metadata={"description": "When it was requested (local date)"})
    requested_at = ma.fields.AwareDateTime(metadata={"description": "The visit's check-in"})
    store_id = ma.fields.Integer()
    store_name = ma.fields.String()
    rep_id = ma.fields.Integer()
    rep_name = ma.fields.String()
    team_id = ma.fields.Integer(allow_none=True)
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    quantity = ma.fields.Integer()
    value = Money(allow_none=True, metadata={"description": "Quantity × the list price"})
    reason = ma.fields.String(metadata={"description": ", ".join(RETURN_REASONS)})
    note = ma.fields.String(allow_none=True)
    status = ma.fields.Enum(ReturnStatus, by_value=True)
    status_note = ma.fields.String(allow_none=True)
    decided_by_id = ma.fields.Integer(allow_none=True)
    decided_by_name = ma.fields.String(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    status_changed_at = ma.fields.AwareDateTime(allow_none=True)
    pending_days = ma.fields.Integer(
        allow_none=True, metadata={"description": "Days since requested, while requested"}
    )


class ReturnQueryArgs(PageArgs):
    status = ma.fields.Enum(ReturnStatus, by_value=True)
    team_id = ma.fields.Integer(**ID)
    store_id = ma.fields.Integer(**ID)
    rep_id = ma.fields.Integer(**ID)
    date_from = ma.fields.Date(metadata={"description": "Requested on or after (visit date)"})
    date_to = ma.fields.Date(metadata={"description": "Requested on or before (visit date)"})


ReturnPageSchema = page_schema(ReturnItemSchema, "ReturnPage")


class ExpiryFollowUpSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    near_expiry_id = ma.fields.Integer(
        required=True, metadata={"description": "An item noted at an earlier visit to the store"}
    )
    outcome = ma.fields.Enum(ExpiryOutcome, by_value=True, required=True)
    quantity = ma.fields.Integer(
        allow_none=True,
        validate=COUNT,
        metadata={"description": "What is left (still_on_shelf) or expired there"},
    )


def _unique_items(items: list[dict[str, Any]]) -> None:
    ids = [item["near_expiry_id"] for item in items]
    if len(ids) != len(set(ids)):
        raise ma.ValidationError("An item is followed up once per visit.")


ExpiryFollowUpsSchema = ma.Schema.from_dict(
    {
        "items": BoundedList(
            ma.fields.Nested(ExpiryFollowUpSchema), MAX_ITEMS, required=True, validate=_unique_items
        )
    },
    name="ExpiryFollowUps",
)


class OpenExpiryItemSchema(ma.Schema):
    near_expiry_id = ma.fields.Integer()
    product_id = ma.fields.Integer()
    product_name = ma.fields.String()
    quantity = ma.fields.Integer(
        metadata={"description": "Left at the latest follow-up, else the quantity noted"}
    )
    expiry_date = ma.fields.Date()
    action = ma.fields.Enum(ExpiryAction, by_value=True, allow_none=True)
    recorded_on = ma.fields.Date(metadata={"description": "The visit date it was noted"})
    last_outcome = ma.fields.Enum(
        ExpiryOutcome,
        by_value=True,
        allow_none=True,
        metadata={"description": "null (never followed up) or still_on_shelf"},
    )


class OpenExpiryArgs(ma.Schema):
    date = ma.fields.Date(metadata={"description": "As of the start of this day; default today"})


RETURN_GROUPS = ("status", "reason", "product", "store", "team")


class ReturnsReportArgs(RangeArgs):
    group_by = ma.fields.String(load_default="status", validate=validate.OneOf(RETURN_GROUPS))
    store_id = ma.fields.Integer(**ID)


class PendingSchema(ma.Schema):
    count = ma.fields.Integer()
    quantity = ma.fields.Integer()
    oldest_days = ma.fields.Integer(allow_none=True)
    mean_days = ma.fields.Float(allow_none=True, metadata={"description": "One decimal"})


class ReturnsSchema(ma.Schema):
    count = ma.fields.Integer()
    quantity = ma.fields.Integer()
    value = ma.fields.Float(metadata={"description": "Quantity × list price"})
    pending = ma.fields.Nested(
        PendingSchema, metadata={"description": "Still requested: days since requested"}
    )


class ReturnsGroupSchema(ReturnsSchema):
    id = ma.fields.Integer(allow_none=True, metadata={"description": "null for status, reason"})
    name = ma.fields.String()


class ReturnsReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    as_of = ma.fields.Date(metadata={"description": "The day pending ages are counted to"})
    group_by = ma.fields.String()
    groups = ma.fields.List(ma.fields.Nested(ReturnsGroupSchema))
    total = ma.fields.Nested(ReturnsSchema)
