"""Tier proposals (customer classes from contribution): arguments, report and accept bodies."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..models import Channel, CustomerStatus, Tier
from .common import BoundedList, Money
from .reports import ID, PeriodSchema

ACCEPT_MAX_STORES = 20000


class TierProposalArgs(ma.Schema):
    as_of = ma.fields.Date(metadata={"description": "Last day of the period; default today"})
    rep_id = ma.fields.Integer(**ID)
    team_id = ma.fields.Integer(**ID)
    area_id = ma.fields.Integer(**ID)
    channel = ma.fields.Enum(
        Channel, by_value=True, metadata={"description": "Rank the stores of this channel only"}
    )


class TierAcceptSchema(TierProposalArgs):
    store_ids = BoundedList(
        ma.fields.Integer(**ID),
        ACCEPT_MAX_STORES,
        validate=validate.Length(min=1),
        metadata={"description": "Stores whose proposal to apply; absent = every proposal"},
    )


class TierShareSchema(ma.Schema):
    tier = ma.fields.Enum(Tier, by_value=True)
    percent = ma.fields.Integer(metadata={"description": "Share of the ranked stores"})


class TierProposalSchema(ma.Schema):
    """One store: its orders over the period, status on `as_of` and proposed tier."""

    store_id = ma.fields.Integer(attribute="store.id")
    store_code = ma.fields.String(attribute="store.code")
    store_name = ma.fields.String(attribute="store.name")
    channel = ma.fields.Enum(Channel, by_value=True, attribute="store.channel")
    team_id = ma.fields.Integer(attribute="store.team_id", allow_none=True)
    rep_id = ma.fields.Integer(attribute="store.rep_id", allow_none=True)
    customer_status = ma.fields.Enum(CustomerStatus, by_value=True)
    rank = ma.fields.Integer(
        allow_none=True, metadata={"description": "By order value; null for stores listed apart"}
    )
    orders = ma.fields.Integer(metadata={"description": "Orders in the period"})
    order_value = Money(metadata={"description": "Σ quantity × unit price in the period"})
    last_order_on = ma.fields.Date(allow_none=True)
    current_tier = ma.fields.Enum(Tier, by_value=True, attribute="store.tier")
    proposed_tier = ma.fields.Enum(
        Tier, by_value=True, allow_none=True, metadata={"description": "null for prospects"}
    )
    changed = ma.fields.Boolean(metadata={"description": "The proposal differs from the tier"})


class ProposedCountsSchema(ma.Schema):
    A = ma.fields.Integer()
    B = ma.fields.Integer()
    C = ma.fields.Integer()


class TierTotalSchema(ma.Schema):
    stores = ma.fields.Integer()
    ranked = ma.fields.Integer(metadata={"description": "Active stores with orders, ranked"})
    lapsed = ma.fields.Integer()
    prospects = ma.fields.Integer()
    changes = ma.fields.Integer(metadata={"description": "Proposals that differ from the tier"})
    order_value = Money()
    proposed = ma.fields.Nested(ProposedCountsSchema)


class TierReportSchema(ma.Schema):
    as_of = ma.fields.Date()
    period = ma.fields.Nested(PeriodSchema)
    lapsed_after_days = ma.fields.Integer()
    shares = ma.fields.List(ma.fields.Nested(TierShareSchema))
    total = ma.fields.Nested(TierTotalSchema)
    proposals = ma.fields.List(
        ma.fields.Nested(TierProposalSchema),
        metadata={"description": "Active stores: ranked by order value, then any without orders"},
    )
    lapsed = ma.fields.List(ma.fields.Nested(TierProposalSchema))
    prospects = ma.fields.List(ma.fields.Nested(TierProposalSchema))


class TierAcceptResultSchema(ma.Schema):
    changed = ma.fields.Integer(required=True, metadata={"description": "Stores given a new tier"})
    store_ids = ma.fields.List(ma.fields.Integer(), required=True)
