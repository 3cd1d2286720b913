"""Store (terminal) request and response bodies."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import Channel, CustomerStatus, Tier
from ..services.customer_status import status_of
from .common import (
    CODE,
    NOTE,
    SHORT_NOTE,
    TITLE,
    BoundedList,
    Clock,
    PageArgs,
    page_schema,
    search_text,
    text,
)
from .store_file import StoreContactSchema

HOURS_WINDOWS = 14  # two per weekday
REASSIGN_MAX_STORES = 5000


class StoreHoursSchema(ma.Schema):
    weekday = ma.fields.Integer(
        required=True,
        validate=validate.Range(0, 6),
        metadata={"description": "0 = Monday … 6 = Sunday"},
    )
    opens = Clock(required=True, metadata={"example": "08:00"})
    closes = Clock(required=True, metadata={"example": "12:00"})

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["opens"] >= data["closes"]:
            raise ma.ValidationError("Must be after opens.", "closes")


def check_hours(hours: list[dict[str, Any]]) -> None:
    """At most two non-overlapping windows per weekday."""
    by_day: dict[int, list[dict[str, Any]]] = {}
    for window in hours:
        by_day.setdefault(window["weekday"], []).append(window)
    for day, windows in sorted(by_day.items()):
        if len(windows) > 2:
            raise ma.ValidationError(f"Weekday {day} has more than two windows.")
        windows.sort(key=lambda w: w["opens"])
        if len(windows) == 2 and windows[1]["opens"] < windows[0]["closes"]:
            raise ma.ValidationError(f"Weekday {day} has overlapping windows.")


class StoreSchema(ma.Schema):
    """A store as the API shows it."""

    id = ma.fields.Integer(dump_only=True)
    code = text(CODE, min_length=1, required=True)
    name = text(TITLE, min_length=1, required=True)
    channel = ma.fields.Enum(Channel, by_value=True, required=True)
    tier = ma.fields.Enum(Tier, by_value=True, required=True)
    address = text(SHORT_NOTE, load_default="")
    lat = ma.fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = ma.fields.Float(required=True, validate=validate.Range(-180, 180))
    visit_minutes = ma.fields.Integer(load_default=15, validate=validate.Range(1, 480))
    visit_frequency_days = ma.fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 365),
        metadata={"description": "Days between visits; null = the tier's default"},
    )
    notes = text(NOTE, allow_none=True)
    team_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "Defaults to the rep's or your team"}
    )
    rep_id = ma.fields.Integer(allow_none=True, metadata={"description": "Assigned rep"})
    active = ma.fields.Boolean(dump_only=True)
    hours = BoundedList(
        ma.fields.Nested(StoreHoursSchema),
        HOURS_WINDOWS,
        validate=check_hours,
        load_default=list,
        metadata={"description": "Opening or receiving windows; up to two per weekday"},
    )
    contacts = ma.fields.List(
        ma.fields.Nested(StoreContactSchema),
        dump_only=True,
        metadata={"description": "The primary contact first; kept at /api/stores/{id}/contacts"},
    )
    customer_status = ma.fields.Function(
        status_of,
        dump_only=True,
        metadata={
            "description": "prospect (never ordered), lapsed (latest order more than "
            "LAPSED_AFTER_DAYS days ago) or active",
            "type": "string",
            "enum": [s.value for s in CustomerStatus],
        },
    )
    first_order_on = ma.fields.Date(dump_only=True, allow_none=True)
    last_order_on = ma.fields.Date(dump_only=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class StoreListItemSchema(StoreSchema):
    distance_m = ma.fields.Integer(
        dump_only=True,
        metadata={"description": "Distance from the `near` point; only with near_lat/near_lng"},
    )


class StoreUpdateSchema(StoreSchema):
    """Fields to change (see `changes_schema`); `active: false` deactivates."""

    active = ma.fields.Boolean()


class StoreFilterArgs(ma.Schema):
    tier = ma.fields.Enum(Tier, by_value=True)
    channel = ma.fields.Enum(Channel, by_value=True)
    rep_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    active = ma.fields.Boolean(
        metadata={"description": "true or false; absent = both"},
    )
    q = search_text("Text contained in name, address or code (case-insensitive)")
    customer_status = ma.fields.Enum(
        CustomerStatus, by_value=True, metadata={"description": "Today's customer status"}
    )


class StoreQueryArgs(StoreFilterArgs, PageArgs):
    near_lat = ma.fields.Float(validate=validate.Range(-90, 90))
    near_lng = ma.fields.Float(validate=validate.Range(-180, 180))
    radius_m = ma.fields.Float(
        validate=validate.Range(min=1, max=200_000),
        metadata={"description": "With near_lat/near_lng: only stores within this distance"},
    )

    @ma.validates_schema
    def _near_complete(self, data: dict[str, Any], **kwargs: Any) -> None:
        given = {k for k in ("near_lat", "near_lng") if k in data}
        if given and len(given) < 2:
            raise ma.ValidationError("near_lat and near_lng go together.", "near_lat")
        if "radius_m" in data and not given:
            raise ma.ValidationError("radius_m needs near_lat and near_lng.", "radius_m")


StorePageSchema = page_schema(StoreListItemSchema, "StorePage")


class ReassignSchema(ma.Schema):
    store_ids = BoundedList(
        ma.fields.Integer(), REASSIGN_MAX_STORES, required=True, validate=validate.Length(min=1)
    )
    rep_id = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "New rep; null unassigns"}
    )
    dry_run = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Check and answer the figures without changing anything"},
    )


class RepLoadSchema(ma.Schema):
    """A rep's territory before and after the reassignment (active stores only)."""

    rep_id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True)
    stores_before = ma.fields.Integer(required=True)
    stores_after = ma.fields.Integer(required=True)
    weekly_visits_before = ma.fields.Float(
        required=True,
        metadata={"description": "Sum of 7 ÷ visit frequency (days) over the rep's stores"},
    )
    weekly_visits_after = ma.fields.Float(required=True)


class ReassignResultSchema(ma.Schema):
    reassigned = ma.fields.Integer(
        required=True, metadata={"description": "Stores moved (a dry run: that would move)"}
    )
    reps = ma.fields.List(
        ma.fields.Nested(RepLoadSchema),
        required=True,
        metadata={"description": "Every rep losing or gaining stores, by username"},
    )


class ImportArgs(ma.Schema):
    valid_only = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Import the valid rows even if other rows have errors"},
    )
    dry_run = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Check every row and answer the report (200, errors listed; "
            "created/updated count the valid rows) without importing anything"
        },
    )


class RowErrorSchema(ma.Schema):
    row = ma.fields.Integer(required=True, metadata={"description": "File row, header = 1"})
    column = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class ImportReportSchema(ma.Schema):
    rows = ma.fields.Integer(required=True, metadata={"description": "Data rows in the file"})
    created = ma.fields.Integer(required=True)
    updated = ma.fields.Integer(required=True)
    rejected = ma.fields.Integer(required=True)
    errors = ma.fields.List(ma.fields.Nested(RowErrorSchema), required=True)
