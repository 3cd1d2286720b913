"""Tiers from contribution: each store's proposed tier from its orders, and accepting proposals.

Over the TIER_PERIOD_DAYS days ending on `as_of` (inclusive), every active store in scope gets
its order value (Σ quantity × the line's unit price) and orders count. On `as_of` a store is a
prospect when it had never ordered, lapsed when its latest order is more than LAPSED_AFTER_DAYS
days old, else active. The active stores with orders in the period are ranked by value (ties:
more orders first, then the lower id); with TIER_SHARES "A=20,B=30" the first round(20 % × n)
of the n ranked are proposed A, up to round(50 % × n) B (shares are cumulated before rounding,
halves up), the rest C. Lapsed stores are proposed C; prospects get no proposal (no orders to
judge by), and both are listed apart from the ranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import Row, Subquery, case, func, select

from ..errors import InvalidError, NotFoundError
from ..extensions import db
from ..models import CustomerStatus, RepDayStoreOrders, Store, Team, Tier, User
from ..scoping import scope_filter
from .reports import ranges
from .reports.common import check_filters
from .reports.sql import money


@dataclass
class Proposal:
    """One store's contribution over the period and its proposed tier; `store` holds the
    columns the report shows (STORE_COLUMNS), not the entity, so 12,000 stores load quickly."""

    store: Row[Any]
    orders: int
    order_value: Decimal
    last_order_on: date | None
    customer_status: CustomerStatus
    rank: int | None = None
    proposed_tier: Tier | None = None

    @property
    def changed(self) -> bool:
        return self.proposed_tier is not None and self.proposed_tier is not self.store.tier


# What a proposal shows of its store, and what ranking and status need.
STORE_COLUMNS = (
    Store.id,
    Store.code,
    Store.name,
    Store.channel,
    Store.tier,
    Store.team_id,
    Store.rep_id,
    Store.first_order_on,
    Store.last_order_on,
)


# The statuses in the order the proposals list them (the SQL status code is the index).
STATUS_ORDER = (CustomerStatus.ACTIVE, CustomerStatus.LAPSED, CustomerStatus.PROSPECT)


def tier_shares() -> list[tuple[Tier, int]]:
    """TIER_SHARES, "A=20,B=30": percent of the ranked stores for A and for B, in tier order."""
    raw = current_app.config["TIER_SHARES"]
    shares: dict[Tier, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, percent = (s.strip() for s in part.partition("="))
        if name not in ("A", "B") or not percent.isdigit() or Tier(name) in shares:
            raise InvalidError(f"TIER_SHARES: bad item {part!r}.")
        shares[Tier(name)] = int(percent)
    if sum(shares.values()) > 100:
        raise InvalidError("TIER_SHARES: the shares add up to more than 100 percent.")
    return sorted(shares.items())


def period_of(as_of: date) -> tuple[date, date]:
    """The first and last day the proposals weigh."""
    return as_of - timedelta(days=current_app.config["TIER_PERIOD_DAYS"] - 1), as_of


def proposals(actor: User, args: dict[str, Any]) -> list[Proposal]:
    """Every active store in scope (filters rep_id, team_id, area_id, channel) with its
    contribution, status and proposal: the ranked first, then lapsed, then prospects.

    Status, rank and order come from SQL (a window over the stores), so a brand's hundred
    thousand stores are not sorted in Python."""
    as_of = args["as_of"]
    lapsed_from = as_of - timedelta(days=current_app.config["LAPSED_AFTER_DAYS"])
    first, _ = period_of(as_of)
    facts = _store_orders(min(first, lapsed_from), first, as_of)
    orders = func.coalesce(facts.c.orders, 0)
    # Rounded to cents: SQLite sums binary floats, and ties must be ties on both databases.
    value = func.round(func.coalesce(facts.c.order_value, 0), 2)
    last = facts.c.last_in_window
    status = case((last >= lapsed_from, 0), (Store.first_order_on <= as_of, 1), else_=2)
    ranked = (status == 0) & (orders > 0)
    by_value = (value.desc(), orders.desc(), Store.id)
    rank = case((ranked, func.row_number().over(partition_by=ranked, order_by=by_value)))
    stmt = (
        select(*STORE_COLUMNS, facts.c.orders, facts.c.order_value, last, status.label("status"))
        .add_columns(rank.label("rank"))
        .outerjoin(facts, facts.c.store_id == Store.id)
        .where(*_stores(actor, args))
        .order_by(status, *by_value)
    )
    found = []
    for store in db.session.execute(stmt):
        status_of = STATUS_ORDER[store.status]
        last_on = store.last_in_window
        if last_on is None and status_of is CustomerStatus.LAPSED:
            last_on = store.last_order_on if store.last_order_on <= as_of else None
        value_of = store.order_value or Decimal("0.00")
        found.append(Proposal(store, store.orders or 0, value_of, last_on, status_of, store.rank))
    _propose(found)
    return found


def _stores(actor: User, args: dict[str, Any]) -> list[Any]:
    """The conditions for the active stores in scope that meet the filters."""
    where = [scope_filter(actor, Store), Store.active.is_(True)]
    for name in ("rep_id", "team_id", "channel"):
        if args.get(name) is not None:
            where.append(getattr(Store, name) == args[name])
    if args.get("area_id") is not None:
        where.append(Store.team_id.in_(select(Team.id).where(Team.area_id == args["area_id"])))
    return where


def _store_orders(window_from: date, period_from: date, as_of: date) -> Subquery:
    """Per store: orders and their value in [period_from, as_of]; its latest order in
    [window_from, as_of] (the window reaches back far enough to tell active from lapsed).
    Summed from `rep_day_store_orders` (an order counts once it has a line), not the lines."""
    kept = RepDayStoreOrders
    in_period = kept.day >= period_from
    return (
        select(
            kept.store_id,
            func.sum(case((in_period, kept.orders), else_=0)).label("orders"),
            money(func.sum(case((in_period, kept.value), else_=0))).label("order_value"),
            func.max(kept.day).label("last_in_window"),
        )
        .where(kept.day.between(window_from, as_of))
        .group_by(kept.store_id)
        .subquery("store_orders")
    )


def _propose(found: list[Proposal]) -> None:
    """Give the ranked stores their tier by rank, and every other store but prospects C."""
    ranked = sum(p.rank is not None for p in found)
    bounds, cumulated = [], 0
    for tier, percent in tier_shares():
        cumulated += percent
        bounds.append((tier, (ranked * cumulated * 2 + 100) // 200))  # round half up
    for proposal in found:
        if proposal.rank is not None:
            proposal.proposed_tier = next((t for t, b in bounds if proposal.rank <= b), Tier.C)
        elif proposal.customer_status is not CustomerStatus.PROSPECT:
            proposal.proposed_tier = Tier.C


def accept(actor: User, args: dict[str, Any]) -> list[int]:
    """Give the stores their proposed tier (those in `store_ids`, else every proposal in
    scope with the same filters as the report); returns the ids of the stores changed."""
    check_filters(actor, args)
    found = proposals(actor, {**args, "as_of": args.get("as_of") or ranges.today()})
    if args.get("store_ids") is not None:
        wanted = set(args["store_ids"])
        missing = wanted - {p.store.id for p in found}
        if missing:
            raise NotFoundError(
                "Stores not found: " + ", ".join(str(i) for i in sorted(missing)),
                {"json": {"store_ids": [f"Not found: {sorted(missing)}"]}},
            )
        found = [p for p in found if p.store.id in wanted]
    proposed = {p.store.id: p.proposed_tier for p in found if p.changed}
    if proposed:
        for store in db.session.scalars(select(Store).where(*_stores(actor, args))):
            if store.id in proposed:
                store.tier = proposed[store.id]
    db.session.flush()
    return sorted(proposed)
