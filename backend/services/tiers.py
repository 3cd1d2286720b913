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
from ..models import CustomerStatus, Order, OrderLine, Store, Team, Tier, User, Visit
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
    contribution, status and proposal: the ranked first, then lapsed, then prospects."""
    as_of = args["as_of"]
    lapsed_from = as_of - timedelta(days=current_app.config["LAPSED_AFTER_DAYS"])
    first, _ = period_of(as_of)
    facts = _store_orders(min(first, lapsed_from), first, as_of)
    stmt = (
        select(*STORE_COLUMNS, facts.c.orders, facts.c.order_value, facts.c.last_in_window)
        .outerjoin(facts, facts.c.store_id == Store.id)
        .where(*_stores(actor, args))
    )
    found = []
    for store in db.session.execute(stmt):
        orders, value, last = store.orders, store.order_value, store.last_in_window
        status = _status(store, last, lapsed_from, as_of)
        if last is None and status is CustomerStatus.LAPSED:
            last = store.last_order_on if store.last_order_on <= as_of else None
        found.append(Proposal(store, orders or 0, value or Decimal("0.00"), last, status))
    _propose(found)
    order = {CustomerStatus.ACTIVE: 0, CustomerStatus.LAPSED: 1, CustomerStatus.PROSPECT: 2}
    found.sort(key=lambda p: (order[p.customer_status], -p.order_value, -p.orders, p.store.id))
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
    One pass over the order lines (an order counts once it has a line), no per-order step."""
    in_period = Visit.visit_date >= period_from
    value = OrderLine.quantity * func.coalesce(OrderLine.unit_price, 0)
    return (
        select(
            Visit.store_id,
            func.count(func.distinct(case((in_period, Order.id)))).label("orders"),
            money(func.sum(case((in_period, value), else_=0))).label("order_value"),
            func.max(Visit.visit_date).label("last_in_window"),
        )
        .select_from(Order)
        .join(Visit, Visit.id == Order.visit_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Visit.visit_date.between(window_from, as_of))
        .group_by(Visit.store_id)
        .subquery("store_orders")
    )


def _status(store: Row[Any], last: date | None, lapsed_from: date, as_of: date) -> CustomerStatus:
    """The status on `as_of`: `last` is the latest order in the window; an earlier first order
    (first_order_on) with none since `lapsed_from` makes the store lapsed."""
    if last is not None and last >= lapsed_from:
        return CustomerStatus.ACTIVE
    if store.first_order_on is not None and store.first_order_on <= as_of:
        return CustomerStatus.LAPSED
    return CustomerStatus.PROSPECT


def _propose(found: list[Proposal]) -> None:
    """Rank the active stores with orders and give every store but prospects its tier."""
    ranked = [p for p in found if p.customer_status is CustomerStatus.ACTIVE and p.orders]
    ranked.sort(key=lambda p: (-p.order_value, -p.orders, p.store.id))
    bounds, cumulated = [], 0
    for tier, percent in tier_shares():
        cumulated += percent
        bounds.append((tier, (len(ranked) * cumulated * 2 + 100) // 200))  # round half up
    for rank, proposal in enumerate(ranked, start=1):
        proposal.rank = rank
        proposal.proposed_tier = next((t for t, bound in bounds if rank <= bound), Tier.C)
    for proposal in found:
        if proposal.rank is None and proposal.customer_status is not CustomerStatus.PROSPECT:
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
