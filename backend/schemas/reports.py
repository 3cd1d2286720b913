"""Report arguments (periods, groupings, filters) and the report documents."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import Channel, FlagKind, ReviewStatus
from .common import COMMENT, BoundedList, PageArgs, PageMetaSchema, text
from .visit_reviews import review_state

MAX_DAYS = 366
ID = {"validate": validate.Range(min=1, max=2**31 - 1)}


class RangeArgs(ma.Schema):
    period = ma.fields.String(
        load_default="day",
        validate=validate.OneOf(("day", "week", "month", "custom")),
        metadata={"description": "day, ISO week (Monday-Sunday) or month of `date`; custom range"},
    )
    date = ma.fields.Date(metadata={"description": "A day in the period; default today"})
    date_from = ma.fields.Date(metadata={"description": "First day (period=custom)"})
    date_to = ma.fields.Date(metadata={"description": "Last day, inclusive (period=custom)"})
    rep_id = ma.fields.Integer(**ID)
    team_id = ma.fields.Integer(**ID)
    area_id = ma.fields.Integer(**ID)

    @ma.validates_schema
    def _custom_range(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("period") != "custom":
            return
        first, last = data.get("date_from"), data.get("date_to")
        if first is None or last is None:
            raise ma.ValidationError("Required with period=custom.", "date_from")
        if first > last:
            raise ma.ValidationError("Must not be after date_to.", "date_from")
        if (last - first).days >= MAX_DAYS:
            raise ma.ValidationError(f"At most {MAX_DAYS} days.", "date_to")


class KpiArgs(RangeArgs):
    group_by = ma.fields.String(
        load_default="rep", validate=validate.OneOf(("rep", "team", "area"))
    )


class ExceptionArgs(RangeArgs, PageArgs):
    kind = BoundedList(
        ma.fields.Enum(FlagKind, by_value=True),
        len(FlagKind),
        metadata={"description": "Flag kinds (repeat the parameter for several)"},
    )
    sort = ma.fields.String(
        load_default="-created_at",
        validate=validate.OneOf(
            [
                f"{sign}{key}"
                for key in ("created_at", "visit_date", "kind", "rep", "store")
                for sign in ("", "-")
            ]
        ),
        metadata={"description": "Column, `-` prefix for descending"},
    )


class PhotoArgs(RangeArgs, PageArgs):
    status = ma.fields.String(validate=validate.OneOf(("pending", "approved", "rejected")))


class CompetitorArgs(RangeArgs):
    brand_id = ma.fields.Integer(**ID)
    channel = ma.fields.Enum(Channel, by_value=True)


class DisplayArgs(RangeArgs):
    group_by = ma.fields.String(
        load_default="team", validate=validate.OneOf(("team", "channel", "tier", "week"))
    )


class ExpiryArgs(ma.Schema):
    as_of = ma.fields.Date(metadata={"description": "Reference day; default today"})
    group_by = ma.fields.String(
        load_default="product",
        validate=validate.OneOf(("product", "store", "team", "action")),
        metadata={"description": "action: what the rep did about it (name `none`: nothing said)"},
    )
    expired_from = ma.fields.Date(
        metadata={"description": "First day of the expired-on-shelf count; default as_of - 29"}
    )
    rep_id = ma.fields.Integer(**ID)
    team_id = ma.fields.Integer(**ID)
    area_id = ma.fields.Integer(**ID)


class RateSchema(ma.Schema):
    numerator = ma.fields.Integer(required=True)
    denominator = ma.fields.Integer(required=True)
    rate = ma.fields.Float(
        required=True, allow_none=True, metadata={"description": "null when denominator is 0"}
    )


class DurationSchema(ma.Schema):
    total_seconds = ma.fields.Integer()
    count = ma.fields.Integer(metadata={"description": "Visits (or legs) measured"})
    average_seconds = ma.fields.Integer(allow_none=True)


class PhotoCountsSchema(ma.Schema):
    total = ma.fields.Integer()
    approved = ma.fields.Integer()
    rejected = ma.fields.Integer()
    pending = ma.fields.Integer()


class PeriodSchema(ma.Schema):
    first = ma.fields.Date(data_key="from", attribute="from")
    last = ma.fields.Date(data_key="to", attribute="to")


class AmendmentsSchema(ma.Schema):
    added = ma.fields.Integer(metadata={"description": "Stops added after the day began"})
    removed = ma.fields.Integer(metadata={"description": "Stops removed after the day began"})


class KpiSchema(ma.Schema):
    planned_stops = ma.fields.Integer(
        metadata={"description": "Stops of the published plans as they stood when the day began"}
    )
    planned_visited = ma.fields.Integer()
    missed_stops = ma.fields.Integer()
    visits = ma.fields.Integer(metadata={"description": "All visits, planned or not"})
    on_route_visits = ma.fields.Integer()
    unplanned_visits = ma.fields.Integer(metadata={"description": "Store not on that day's plan"})
    off_route_orders = ma.fields.Integer(metadata={"description": "Orders at unplanned visits"})
    completion_rate = ma.fields.Nested(RateSchema)
    success_rate = ma.fields.Nested(RateSchema)
    sequence_adherence = ma.fields.Nested(
        RateSchema, metadata={"description": "Visited stops checked into in planned position"}
    )
    time_in_store = ma.fields.Nested(DurationSchema)
    travel = ma.fields.Nested(DurationSchema)
    coverage = ma.fields.Nested(RateSchema, allow_none=True)
    frequency_adherence = ma.fields.Nested(RateSchema, allow_none=True)
    photos = ma.fields.Nested(PhotoCountsSchema)
    amendments = ma.fields.Nested(AmendmentsSchema)


class KpiGroupSchema(KpiSchema):
    id = ma.fields.Integer(metadata={"description": "Rep, team or area id"})
    name = ma.fields.String()


class KpiDaySchema(KpiSchema):
    date = ma.fields.Date()


class KpiReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    group_by = ma.fields.String()
    groups = ma.fields.List(ma.fields.Nested(KpiGroupSchema))
    total = ma.fields.Nested(KpiSchema)
    trend = ma.fields.List(ma.fields.Nested(KpiDaySchema))


class VisitRefSchema(ma.Schema):
    visit_id = ma.fields.Integer()
    visit_path = ma.fields.String(metadata={"description": "API path of the visit"})
    visit_date = ma.fields.Date()
    rep_id = ma.fields.Integer()
    rep_name = ma.fields.String()
    team_id = ma.fields.Integer(allow_none=True)
    store_id = ma.fields.Integer()
    store_name = ma.fields.String()


class ExceptionItemSchema(VisitRefSchema):
    id = ma.fields.Integer()
    kind = ma.fields.Enum(FlagKind, by_value=True)
    message = ma.fields.String()
    photo_id = ma.fields.Integer(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    review = review_state()


class ExceptionReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    counts = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={"description": "Flags of each kind over all pages"},
    )
    items = ma.fields.List(ma.fields.Nested(ExceptionItemSchema))
    meta = ma.fields.Nested(PageMetaSchema)


class PhotoItemSchema(VisitRefSchema):
    photo_id = ma.fields.Integer()
    kind = ma.fields.String()
    image_path = ma.fields.String()
    status = ma.fields.String(metadata={"description": "pending, approved or rejected"})
    comment = ma.fields.String(allow_none=True)
    reviewer_name = ma.fields.String(allow_none=True)
    reviewed_at = ma.fields.AwareDateTime(allow_none=True)
    image_deleted_at = ma.fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "When retention deleted the image files; null while kept"},
    )


class PhotoReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    items = ma.fields.List(ma.fields.Nested(PhotoItemSchema))
    meta = ma.fields.Nested(PageMetaSchema)


def _money(description: str = "") -> ma.fields.Float:
    return ma.fields.Float(allow_none=True, metadata={"description": description or "Amount"})


class PriceStatsSchema(ma.Schema):
    count = ma.fields.Integer()
    min = _money()
    median = _money("Middle price; mean of the two middle prices for an even count")
    max = _money()


class CompetitorPriceSchema(ma.Schema):
    brand = ma.fields.String()
    product = ma.fields.String()
    channel = ma.fields.String()
    week = ma.fields.String(metadata={"example": "2026-W47"})
    week_start = ma.fields.Date()
    regular = ma.fields.Nested(PriceStatsSchema)
    promo = ma.fields.Nested(PriceStatsSchema)


class SeenSchema(ma.Schema):
    brand = ma.fields.String()
    product = ma.fields.String()
    observations = ma.fields.Integer()
    stores = ma.fields.Integer()
    first_seen = ma.fields.Date()
    last_seen = ma.fields.Date()


class PromotionSchema(SeenSchema):
    channel = ma.fields.String()
    promo_type = ma.fields.String()
    lowest_promo_price = _money()


class CompetitorReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    prices = ma.fields.List(ma.fields.Nested(CompetitorPriceSchema))
    promotions = ma.fields.List(ma.fields.Nested(PromotionSchema))
    new_products = ma.fields.List(ma.fields.Nested(SeenSchema))


class DisplaySchema(ma.Schema):
    checks = ma.fields.Integer(metadata={"description": "Display checks of own products"})
    eye_level_share = ma.fields.Nested(RateSchema)
    out_of_stock_rate = ma.fields.Nested(RateSchema)
    fifo_issue_rate = ma.fields.Nested(RateSchema)
    price_tag_issue_rate = ma.fields.Nested(RateSchema)
    cleanliness_issue_rate = ma.fields.Nested(RateSchema)
    share_of_shelf = ma.fields.Nested(
        RateSchema,
        metadata={
            "description": "Own facings ÷ all facings: own and competitor products checked, "
            "and competitor brands' facings per category"
        },
    )
    eye_level_share_of_shelf = ma.fields.Nested(
        RateSchema, metadata={"description": "Own facings at eye level ÷ all at eye level"}
    )
    perfect_store_score = ma.fields.Nested(RateSchema)


class DisplayGroupSchema(DisplaySchema):
    group = ma.fields.String(
        metadata={"description": "Team name, channel, tier or ISO week (2026-W49)"}
    )


class DisplayReportSchema(ma.Schema):
    period = ma.fields.Nested(PeriodSchema)
    group_by = ma.fields.String()
    weights = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    groups = ma.fields.List(ma.fields.Nested(DisplayGroupSchema))
    total = ma.fields.Nested(DisplaySchema)


class ExposureSchema(ma.Schema):
    quantity = ma.fields.Integer()
    value = _money("Quantity × product unit price")


class ExpirySchema(ma.Schema):
    within_7_days = ma.fields.Nested(ExposureSchema)
    within_30_days = ma.fields.Nested(ExposureSchema)
    expired_on_shelf = ma.fields.Nested(
        ExposureSchema,
        metadata={"description": "Follow-ups (expired_from..as_of) that found it expired there"},
    )


class ExpiryGroupSchema(ExpirySchema):
    id = ma.fields.Integer(allow_none=True, metadata={"description": "null for action"})
    name = ma.fields.String()


class ExpiryReportSchema(ma.Schema):
    as_of = ma.fields.Date()
    expired_from = ma.fields.Date()
    group_by = ma.fields.String()
    groups = ma.fields.List(ma.fields.Nested(ExpiryGroupSchema))
    total = ma.fields.Nested(ExpirySchema)


class PhotoReviewInSchema(ma.Schema):
    status = ma.fields.Enum(ReviewStatus, by_value=True, required=True)
    comment = text(COMMENT, allow_none=True)

    @ma.validates_schema
    def _reason(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("status") == ReviewStatus.REJECTED and not (data.get("comment") or "").strip():
            raise ma.ValidationError("Say why the photo is rejected.", "comment")


class PhotoReviewSchema(ma.Schema):
    photo_id = ma.fields.Integer()
    status = ma.fields.Enum(ReviewStatus, by_value=True)
    comment = ma.fields.String(allow_none=True)
    reviewer_id = ma.fields.Integer()
    reviewed_at = ma.fields.AwareDateTime()
