"""The store's file: contacts and complaints, and the complaints report."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import ComplaintCategory, ComplaintStatus, ContactRole
from .common import CODE, NAME, NOTE, SHORT_NOTE, PageArgs, page_schema, text
from .reports import ID, PeriodSchema, RangeArgs

EMAIL = 254
OPEN_LIST_MAX = 1000


class StoreContactSchema(ma.Schema):
    """A person at the store; the primary contact is the one to call first."""

    id = ma.fields.Integer(dump_only=True)
    store_id = ma.fields.Integer(dump_only=True)
    name = text(NAME, min_length=1, required=True)
    role = ma.fields.Enum(ContactRole, by_value=True, required=True)
    phone = text(CODE, allow_none=True)
    email = ma.fields.Email(allow_none=True, validate=validate.Length(max=EMAIL))
    note = text(SHORT_NOTE, allow_none=True)
    is_primary = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Make this the primary contact (the store's first contact is "
            "primary whatever is sent; another becomes primary only by setting this on it)"
        },
    )
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class StoreContactUpdateSchema(StoreContactSchema):
    """Fields to change (see `changes_schema`)."""

    is_primary = ma.fields.Boolean(
        metadata={"description": "true makes it the primary contact; false on it answers 409"}
    )


def _text(**kwargs: Any) -> ma.fields.String:
    return text(NOTE, min_length=1, required=True, **kwargs)


class VisitComplaintSchema(ma.Schema):
    """A complaint the store makes to the rep at a visit."""

    uuid = ma.fields.UUID(
        required=True,
        metadata={"description": "Client-generated id; sending it again answers the same one"},
    )
    category = ma.fields.Enum(ComplaintCategory, by_value=True, required=True)
    text = _text()


class LeadComplaintSchema(ma.Schema):
    """A complaint a lead takes down (by phone, in a meeting)."""

    uuid = ma.fields.UUID(
        metadata={"description": "Optional client id; sending it again answers the same one"}
    )
    store_id = ma.fields.Integer(required=True, **ID)
    category = ma.fields.Enum(ComplaintCategory, by_value=True, required=True)
    text = _text()


class ComplaintUpdateSchema(ma.Schema):
    status = ma.fields.Enum(
        ComplaintStatus,
        by_value=True,
        metadata={"description": "resolved needs a resolution (sent now or already there)"},
    )
    resolution = text(NOTE, allow_none=True)


class ComplaintSchema(ma.Schema):
    id = ma.fields.Integer()
    uuid = ma.fields.String()
    store_id = ma.fields.Integer()
    store_name = ma.fields.Function(lambda c: c.store.name)
    team_id = ma.fields.Function(
        lambda c: c.store.team_id, metadata={"description": "The store's team"}
    )
    visit_id = ma.fields.Integer(allow_none=True, metadata={"description": "Recorded at"})
    category = ma.fields.Enum(ComplaintCategory, by_value=True)
    text = ma.fields.String()
    status = ma.fields.Enum(ComplaintStatus, by_value=True)
    resolution = ma.fields.String(allow_none=True)
    opened_at = ma.fields.AwareDateTime()
    resolved_at = ma.fields.AwareDateTime(allow_none=True)
    created_by_id = ma.fields.Integer()
    created_by_name = ma.fields.Function(lambda c: c.created_by.full_name)
    resolved_by_id = ma.fields.Integer(allow_none=True)
    resolved_by_name = ma.fields.Function(
        lambda c: c.resolved_by.full_name if c.resolved_by else None, allow_none=True
    )


class ComplaintQueryArgs(PageArgs):
    status = ma.fields.Enum(ComplaintStatus, by_value=True)
    category = ma.fields.Enum(ComplaintCategory, by_value=True)
    store_id = ma.fields.Integer(**ID)
    team_id = ma.fields.Integer(**ID, metadata={"description": "The store's team"})


ComplaintPageSchema = page_schema(ComplaintSchema, "ComplaintPage")


class ComplaintReportArgs(RangeArgs):
    group_by = ma.fields.String(
        load_default="category", validate=validate.OneOf(("category", "team"))
    )


class ResolveTimesSchema(ma.Schema):
    opened = ma.fields.Integer(metadata={"description": "Complaints opened in the period"})
    resolved = ma.fields.Integer(metadata={"description": "Complaints resolved in the period"})
    open_now = ma.fields.Integer(metadata={"description": "Open or in progress now"})
    mean_hours_to_resolve = ma.fields.Float(
        allow_none=True, metadata={"description": "Over those resolved in the period"}
    )
    median_hours_to_resolve = ma.fields.Float(allow_none=True)


class ComplaintGroupSchema(ResolveTimesSchema):
    key = ma.fields.String(
        allow_none=True, metadata={"description": "The category, or the team id (null: none)"}
    )
    name = ma.fields.String(
        allow_none=True, metadata={"description": "The category, or the team's name"}
    )


class OpenComplaintSchema(ma.Schema):
    id = ma.fields.Integer()
    store_id = ma.fields.Integer()
    store_name = ma.fields.String()
    team_id = ma.fields.Integer(allow_none=True)
    team_name = ma.fields.String(allow_none=True)
    category = ma.fields.String()
    status = ma.fields.String()
    text = ma.fields.String()
    opened_at = ma.fields.AwareDateTime()
    age_days = ma.fields.Float(metadata={"description": "From opened to now, one decimal"})


class ComplaintReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    group_by = ma.fields.String()
    groups = ma.fields.List(ma.fields.Nested(ComplaintGroupSchema))
    total = ma.fields.Nested(ResolveTimesSchema)
    open = ma.fields.List(
        ma.fields.Nested(OpenComplaintSchema),
        metadata={
            "description": f"Open or in-progress complaints in scope, oldest first (at most "
            f"{OPEN_LIST_MAX})"
        },
    )
