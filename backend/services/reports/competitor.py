"""Competitor prices by brand, product, channel and ISO week; promotions and new products seen.

Min, median and max of the regular and the promotional price per group. The median is the
middle value (the mean of the two middle values for an even count, rounded half up to the
cent), from the `lower_middle` and `upper_middle` aggregates (PostgreSQL's percentile_disc),
so SQLite and PostgreSQL give the same cents.

Groups are keyed by ids (brand, catalogue product, or the free text of a product not in the
catalogue), which sort far faster than names; the names are looked up for the groups found.
The observations are read from `rep_day_competitor_prices` (`competitor_rows`), not joined to
a year of visits.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Subquery, func, select

from ...extensions import db
from ...models import RepDayCompetitorPrices, User
from . import ranges
from .common import begin_report, labels
from .scoped_rows import in_period
from .sql import lower_middle, money, upper_middle, week_start

CENT = Decimal("0.01")
PRICES = ("regular_price", "promo_price")
PRODUCT = ("brand_id", "product_id", "product_text")


def competitor_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    facts = _observations(actor, args, first, last)
    prices, promotions, new = _prices(facts), _promotions(facts), _new_products(facts)
    names = _Names(prices + promotions + new)
    return {
        "period": {"from": first, "to": last},
        "prices": names.sorted(prices, "channel", "week_start"),
        "promotions": names.sorted(promotions, "channel", "promo_type"),
        "new_products": names.sorted(new),
    }


def _observations(actor: User, args: dict[str, Any], first: Any, last: Any) -> Subquery:
    t = RepDayCompetitorPrices
    stmt = select(
        t.brand_id,
        t.product_id,
        t.product_text,
        t.channel,
        week_start(t.day).label("week"),
        t.day.label("visit_date"),
        t.store_id,
        t.regular_price,
        t.promo_price,
        t.promo_type,
        t.new_product,
    )
    if args.get("brand_id"):
        stmt = stmt.where(t.brand_id == args["brand_id"])
    if args.get("channel"):
        stmt = stmt.where(t.channel == args["channel"])
    return in_period(stmt, t, actor, args, first, last).subquery("observations")


def _prices(facts: Subquery) -> list[dict[str, Any]]:
    """min, median, max and count of the regular and the promotional price per product,
    channel and week, both in one aggregation over the observations."""
    c = facts.c
    # Grouped (so sorted) by the keys that tell most rows apart first: comparing dates and ids
    # is far cheaper than comparing the channel (an enum) and the product's text.
    keys = [c.week, c.product_id, c.channel, c.brand_id, c.product_text]
    stats = []
    for price in PRICES:
        value = c[price]
        stats += [
            func.count(value).label(f"{price}_count"),
            money(func.min(value)).label(f"{price}_min"),
            money(func.max(value)).label(f"{price}_max"),
            money(lower_middle(value)).label(f"{price}_lower"),
            money(upper_middle(value)).label(f"{price}_upper"),
        ]
    seen = (func.count(c.regular_price) > 0) | (func.count(c.promo_price) > 0)
    rows = []
    for row in db.session.execute(select(*keys, *stats).group_by(*keys).having(seen)):
        values = row._mapping
        rows.append(
            {
                **{k: values[k] for k in PRODUCT},
                "channel": row.channel.value,
                "week": ranges.iso_week(row.week),
                "week_start": row.week,
                "regular": _stats(values, "regular_price"),
                "promo": _stats(values, "promo_price"),
            }
        )
    return rows


def _stats(values: Any, price: str) -> dict[str, Any]:
    count = values[f"{price}_count"]
    if not count:
        return {"count": 0, "min": None, "median": None, "max": None}
    middle = (values[f"{price}_lower"] + values[f"{price}_upper"]) / 2
    return {
        "count": count,
        "min": values[f"{price}_min"],
        "median": middle.quantize(CENT, ROUND_HALF_UP),
        "max": values[f"{price}_max"],
    }


def _seen(facts: Subquery, condition: Any, *keys: Any, **extra: Any) -> list[dict[str, Any]]:
    """Observations meeting `condition` per product and `keys`: how many, in how many stores,
    first and last seen."""
    c = facts.c
    group = [c.product_id, *keys, c.brand_id, c.product_text]  # ids first: see `_prices`
    stmt = (
        select(
            *group,
            func.count().label("observations"),
            func.count(func.distinct(c.store_id)).label("stores"),
            *(expr.label(name) for name, expr in extra.items()),
            func.min(c.visit_date).label("first_seen"),
            func.max(c.visit_date).label("last_seen"),
        )
        .where(condition)
        .group_by(*group)
    )
    rows = [dict(row._mapping) for row in db.session.execute(stmt)]
    for row in rows:
        if "channel" in row:
            row["channel"] = row["channel"].value
    return rows


def _promotions(facts: Subquery) -> list[dict[str, Any]]:
    c = facts.c
    promoted = c.promo_price.is_not(None) | c.promo_type.is_not(None)
    promo_type = func.coalesce(c.promo_type, "").label("promo_type")
    lowest = money(func.min(c.promo_price))
    return _seen(facts, promoted, c.channel, promo_type, lowest_promo_price=lowest)


def _new_products(facts: Subquery) -> list[dict[str, Any]]:
    return _seen(facts, facts.c.new_product.is_(True))


class _Names:
    """Brand and product names for the groups' ids."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.brands = labels("brand", {r["brand_id"] for r in rows})
        self.products = labels("product", {r["product_id"] for r in rows} - {None})

    def sorted(self, rows: list[dict[str, Any]], *order: str) -> list[dict[str, Any]]:
        """The rows with `brand` and `product` names instead of ids, sorted by them."""
        named = []
        for row in rows:
            brand_id, product_id, text = (row.pop(k) for k in PRODUCT)
            product = self.products[product_id] if product_id is not None else text
            named.append({"brand": self.brands[brand_id], "product": product, **row})
        return sorted(named, key=lambda r: (r["brand"], r["product"], *(r[k] for k in order)))
