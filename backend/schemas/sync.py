"""The offline client's batch: queued operations in order, answered one by one."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import validate

from .common import SEARCH, BoundedList, text

OPERATIONS = (
    "check_in",
    "check_out",
    "photo",
    "display_checks",
    "stock_counts",
    "near_expiry_items",
    "return_requests",
    "competitor_observations",
    "order",
    "shelf_facings",
    "complaint",
    "expiry_followups",
)


class VisitRefField(ma.fields.Field):
    """A visit's server id (integer) or the uuid the client gave it at check-in."""

    default_error_messages = {"invalid": "A visit id (integer) or visit uuid."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | str:
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
            return value
        if isinstance(value, str):
            try:
                return str(uuid.UUID(value))
            except ValueError:
                pass
        raise self.make_error("invalid")


class SyncOperationSchema(ma.Schema):
    key = ma.fields.UUID(required=True, metadata={"description": "The operation's idempotency key"})
    op = ma.fields.String(required=True, validate=validate.OneOf(OPERATIONS))
    visit = VisitRefField(
        metadata={
            "description": "Target visit (all but check_in): id or uuid",
            "oneOf": [{"type": "integer"}, {"type": "string", "format": "uuid"}],
        }
    )
    body = ma.fields.Dict(
        load_default=dict,
        metadata={
            "description": "The body of the single endpoint: CheckIn, CheckOut, PhotoForm, "
            "DisplayChecks, StockCounts, NearExpiryItems, ReturnRequests, "
            "CompetitorObservations, Order, ShelfFacings, VisitComplaint or ExpiryFollowUps"
        },
    )
    file = text(
        SEARCH,
        min_length=1,
        metadata={"description": "photo, multipart batch: the name of the part with the image"},
    )
    file_base64 = ma.fields.String(
        metadata={
            "description": "photo, JSON batch: the image, base64-encoded (at most PHOTO_MAX_BYTES "
            "once decoded: a larger one is that item's 413)",
            "format": "byte",
        }
    )

    @ma.validates_schema
    def _targets(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["op"] == "check_in":
            if "visit" in data:
                raise ma.ValidationError("check_in creates the visit; give no visit.", "visit")
        elif "visit" not in data:
            raise ma.ValidationError("Required for this operation.", "visit")
        if data["op"] == "photo":
            if ("file" in data) == ("file_base64" in data):
                raise ma.ValidationError("Give file (multipart) or file_base64.", "file")
        elif "file" in data or "file_base64" in data:
            raise ma.ValidationError("Only a photo operation carries a file.", "file")


def _check_operations(value: list[dict[str, Any]]) -> None:
    """Runs once every operation is valid (the list's length was checked before reading any):
    at least one operation, and one key per operation."""
    if not value:
        raise ma.ValidationError(
            f"Send 1 to {current_app.config['SYNC_MAX_OPERATIONS']} operations."
        )
    keys = [op["key"] for op in value]
    if len(set(keys)) != len(keys):
        raise ma.ValidationError("Each operation needs its own key.")


class SyncBatchSchema(ma.Schema):
    sent_at = ma.fields.AwareDateTime(
        metadata={"description": "The device clock when sending: lets the server judge it"}
    )
    operations = BoundedList(
        ma.fields.Nested(SyncOperationSchema),
        "SYNC_MAX_OPERATIONS",
        required=True,
        validate=_check_operations,
    )


class SyncItemResultSchema(ma.Schema):
    key = ma.fields.UUID(required=True)
    op = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status it got"})
    replayed = ma.fields.Boolean(
        required=True, metadata={"description": "Answered from the key's first reply"}
    )
    body = ma.fields.Raw(
        required=True, metadata={"description": "The single endpoint's reply, or an error"}
    )


class SyncResultSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(SyncItemResultSchema), required=True)
    succeeded = ma.fields.Integer(required=True)
    failed = ma.fields.Integer(required=True)
