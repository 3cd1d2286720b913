"""Competitor prices by brand, product, channel and ISO week; promotions and new products seen.

Min, median and max of the regular and the promotional price per group. The median is the
middle value (the mean of the two middle values for an even count), found with window functions
(row_number and count over the group), so SQLite and PostgreSQL give the same cents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, Subquery, case, func, select

from ...extensions import db
from ...models import Brand, CompetitorObservation, Product, Store, Team, User, Visit
from . import ranges
from .common import at_visits, begin_report, where_org
from .sql import count_if, money, week_start

CENT = Decimal("0.01")


def competitor_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    facts = _observations(actor, args, first, last)
    return {
        "period": {"from": first, "to": last},
        "prices": _prices(facts),
        "promotions": _promotions(facts),
        "new_products": _new_products(facts),
    }


def _observations(actor: User, args: dict[str, Any], first: Any, last: Any) -> Subquery:
    product = func.coalesce(Product.name, CompetitorObservation.product_name, "")
    stmt = at_visits(
        select(
            Brand.name.label("brand"),
            CompetitorObservation.brand_id,
            CompetitorObservation.product_id,
            product.label("product"),
            Store.channel,
            week_start(Visit.visit_date).label("week"),
            Visit.visit_date,
            Visit.store_id,
            Visit.rep_id,
            Visit.team_id,
            Team.area_id,
            CompetitorObservation.regular_price,
            CompetitorObservation.promo_price,
            CompetitorObservation.promo_type,
            CompetitorObservation.new_product,
        ).select_from(CompetitorObservation),
        CompetitorObservation.visit_id,
        actor,
        Visit.visit_date.between(first, last),
    )
    stmt = stmt.join(Brand, Brand.id == CompetitorObservation.brand_id).outerjoin(
        Product, Product.id == CompetitorObservation.product_id
    )
    if args.get("brand_id"):
        stmt = stmt.where(CompetitorObservation.brand_id == args["brand_id"])
    if args.get("channel"):
        stmt = stmt.where(Store.channel == args["channel"])
    facts = stmt.subquery("observations")
    return select(facts).where(*where_org(facts.c, args)).subquery("scoped_observations")


def _group(facts: Subquery) -> list[ColumnElement[Any]]:
    return [facts.c.brand, facts.c.product, facts.c.channel, facts.c.week]


def _price_stats(facts: Subquery, price: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """min, median, max and count of one price column per group."""
    group = _group(facts)
    value = facts.c[price]
    ranked = (
        select(
            *group,
            value.label("price"),
            func.row_number().over(partition_by=group, order_by=value).label("n"),
            func.count().over(partition_by=group).label("size"),
        )
        .where(value.is_not(None))
        .subquery("ranked")
    )
    r = ranked.c
    middle = (r.n == (r.size + 1) // 2) | (r.n == (r.size + 2) // 2)
    keys = [r.brand, r.product, r.channel, r.week]
    stmt = select(
        *keys,
        money(func.min(r.price)).label("min"),
        money(func.max(r.price)).label("max"),
        money(func.sum(case((middle, r.price), else_=0))).label("middle_sum"),
        count_if(middle).label("middle_count"),
        func.count().label("count"),
    ).group_by(*keys)
    stats = {}
    for row in db.session.execute(stmt):
        median = (row.middle_sum / row.middle_count).quantize(CENT, ROUND_HALF_UP)
        stats[tuple(row[:4])] = {
            "count": row.count,
            "min": row.min,
            "median": median,
            "max": row.max,
        }
    return stats


def _prices(facts: Subquery) -> list[dict[str, Any]]:
    regular = _price_stats(facts, "regular_price")
    promo = _price_stats(facts, "promo_price")
    rows = []
    for key in sorted(set(regular) | set(promo), key=lambda k: (k[0], k[1], k[2].value, k[3])):
        brand, product, channel, week = key
        rows.append(
            {
                "brand": brand,
                "product": product,
                "channel": channel.value,
                "week": ranges.iso_week(week),
                "week_start": week,
                "regular": regular.get(key, _no_prices()),
                "promo": promo.get(key, _no_prices()),
            }
        )
    return rows


def _no_prices() -> dict[str, Any]:
    return {"count": 0, "min": None, "median": None, "max": None}


def _promotions(facts: Subquery) -> list[dict[str, Any]]:
    c = facts.c
    promoted = (c.promo_price.is_not(None)) | (c.promo_type.is_not(None))
    keys = [c.brand, c.product, c.channel, func.coalesce(c.promo_type, "").label("promo_type")]
    stmt = (
        select(
            *keys,
            func.count().label("observations"),
            func.count(func.distinct(c.store_id)).label("stores"),
            money(func.min(c.promo_price)).label("lowest_promo_price"),
            func.min(c.visit_date).label("first_seen"),
            func.max(c.visit_date).label("last_seen"),
        )
        .where(promoted)
        .group_by(*keys)
        .order_by(*keys)
    )
    return [_row(row) for row in db.session.execute(stmt)]


def _new_products(facts: Subquery) -> list[dict[str, Any]]:
    c = facts.c
    keys = [c.brand, c.product]
    stmt = (
        select(
            *keys,
            func.count().label("observations"),
            func.count(func.distinct(c.store_id)).label("stores"),
            func.min(c.visit_date).label("first_seen"),
            func.max(c.visit_date).label("last_seen"),
        )
        .where(c.new_product.is_(True))
        .group_by(*keys)
        .order_by(*keys)
    )
    return [_row(row) for row in db.session.execute(stmt)]


def _row(row: Any) -> dict[str, Any]:
    values = dict(row._mapping)
    if "channel" in values:
        values["channel"] = values["channel"].value
    return values
