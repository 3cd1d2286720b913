"""A supervisor's decision on a visit held for review (flagged `time_travel`)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..models.visits import VisitReview

DECISIONS = (VisitReview.ACCEPTED, VisitReview.REJECTED)


def review_state() -> ma.fields.Enum:
    """A visit's review, read-only (visit and exception lists carry it, so the lead screens
    show it without asking each held visit)."""
    return ma.fields.Enum(
        VisitReview,
        by_value=True,
        allow_none=True,
        metadata={"description": "null: never held; pending: held, out of the KPIs until decided"},
    )


class VisitReviewInSchema(ma.Schema):
    decision = ma.fields.Enum(
        VisitReview,
        by_value=True,
        required=True,
        validate=validate.OneOf(DECISIONS),
        metadata={"description": "accepted: the visit counts in the KPIs; rejected: it stays out"},
    )


class VisitReviewSchema(ma.Schema):
    visit_id = ma.fields.Integer(attribute="id")
    review = review_state()
    reviewed_by_id = ma.fields.Integer(allow_none=True)
    reviewed_at = ma.fields.AwareDateTime(allow_none=True)
