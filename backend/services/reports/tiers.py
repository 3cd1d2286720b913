"""The tier-proposals report: every store's contribution and proposed tier (services/tiers.py),
ranked stores first, lapsed stores and prospects apart, with totals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app

from ...models import CustomerStatus, Tier, User
from .. import tiers
from . import ranges
from .common import begin_report


def tier_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    as_of = args.get("as_of") or ranges.today()
    found = tiers.proposals(actor, {**args, "as_of": as_of})
    first, last = tiers.period_of(as_of)
    apart = {status: [p for p in found if p.customer_status is status] for status in CustomerStatus}
    return {
        "as_of": as_of,
        "period": {"from": first, "to": last},
        "lapsed_after_days": current_app.config["LAPSED_AFTER_DAYS"],
        "shares": [{"tier": tier, "percent": percent} for tier, percent in tiers.tier_shares()],
        "total": {
            "stores": len(found),
            "ranked": sum(p.rank is not None for p in found),
            "lapsed": len(apart[CustomerStatus.LAPSED]),
            "prospects": len(apart[CustomerStatus.PROSPECT]),
            "changes": sum(p.changed for p in found),
            "order_value": sum((p.order_value for p in found), Decimal("0.00")),
            "proposed": {t.value: sum(p.proposed_tier is t for p in found) for t in Tier},
        },
        "proposals": apart[CustomerStatus.ACTIVE],
        "lapsed": apart[CustomerStatus.LAPSED],
        "prospects": apart[CustomerStatus.PROSPECT],
    }
