"""Own products' price deviations found at visits, by store, channel or ISO week.

Per group: deviations by kind, the visits and stores with one, and the deviation amount:
Σ (agreed price − shelf price) over the deviations whose shelf price is below the price they
were measured against (a special price at or above it adds nothing). Then the deviations
themselves, newest first, one page at a time. Grouped and paged from `rep_day_price_deviations`
(`deviation_rows`), not a year of visits; only the page's rows are read in full.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, func, literal, null, select, union_all

from ...extensions import db
from ...models import (
    DeviationKind,
    PriceDeviation,
    Product,
    Promotion,
    RepDayPriceDeviations,
    Store,
    User,
    Visit,
)
from . import ranges
from .common import at_visits, begin_report, visit_place
from .deviation_rows import amount
from .exceptions import page_meta
from .scoped_rows import in_period
from .sql import count_if, money, week_start

FILTERS = {
    "channel": RepDayPriceDeviations.channel,
    "store_id": RepDayPriceDeviations.store_id,
    "product_id": RepDayPriceDeviations.product_id,
    "kind": RepDayPriceDeviations.kind,
}


def price_deviation_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    group_by = args.get("group_by", "store")
    facts = _deviations(actor, args, first, last)
    groups, total = _groups(facts, group_by)
    return {
        "period": {"from": first, "to": last},
        "group_by": group_by,
        "groups": groups,
        "total": _metrics(total),
        "items": _items(actor, _page(facts.subquery("scoped_deviations"), args)),
        "meta": page_meta(total.deviations, args),
    }


def _deviations(actor: User, args: dict[str, Any], first: Any, last: Any) -> Select[Any]:
    t = RepDayPriceDeviations
    stmt = select(
        t.deviation_id,
        t.visit_id,
        t.product_id,
        t.kind,
        t.amount,
        t.day,
        week_start(t.day).label("week"),
        t.channel,
        t.store_id,
    )
    for name, column in FILTERS.items():
        if args.get(name) is not None:
            stmt = stmt.where(column == args[name])
    return in_period(stmt, t, actor, args, first, last)


def _counts(f: Any) -> list[Any]:
    c = f.c
    return [
        func.count().label("deviations"),
        count_if(c.kind == DeviationKind.BELOW_AGREED).label("below_agreed"),
        count_if(c.kind == DeviationKind.UNAGREED_SPECIAL).label("unagreed_special"),
        func.count(func.distinct(c.visit_id)).label("visits"),
        func.count(func.distinct(c.store_id)).label("stores"),
        money(func.coalesce(func.sum(c.amount), 0)).label("amount"),
    ]


def _metrics(row: Any) -> dict[str, Any]:
    names = ("deviations", "below_agreed", "unagreed_special", "visits", "stores")
    return {**{name: int(getattr(row, name)) for name in names}, "amount": row.amount}


def _groups(facts: Select[Any], group_by: str) -> tuple[list[dict[str, Any]], Any]:
    """The groups sorted by name (store names, channel values, ISO weeks), then store id (in
    Python, as PostgreSQL sorts a channel by the enum's order), and the total row: both in one
    statement over the deviations read once (a materialised CTE); store names are joined to
    the deviations only when grouping by store."""
    f = facts.cte("scoped_deviations").prefix_with("MATERIALIZED")
    c = f.c
    keys = {
        "store": (c.store_id, Store.name.label("store_name")),
        "channel": (c.channel,),
        "week": (c.week,),
    }
    group = keys[group_by]
    grouped = select(literal(False).label("is_total"), *group, *_counts(f))
    if group_by == "store":
        # By the store's key (its name follows from it): ids sort far faster than names.
        grouped = grouped.join(Store, Store.id == c.store_id).group_by(c.store_id, Store.id)
    else:
        grouped = grouped.group_by(*group)
    total = select(literal(True), *(null() for _ in group), *_counts(f))
    rows, total_row = [], None
    for row in db.session.execute(union_all(grouped, total)):
        if row.is_total:
            total_row = row
            continue
        if group_by == "store":
            key, name, order = str(row.store_id), row.store_name, row.store_id
        elif group_by == "channel":
            key = name = row.channel.value
            order = 0
        else:
            key, name, order = row.week.isoformat(), ranges.iso_week(row.week), 0
        rows.append(((name, order), {"key": key, "name": name, **_metrics(row)}))
    return [group for _, group in sorted(rows, key=lambda pair: pair[0])], total_row


def _page(f: Subquery, args: dict[str, Any]) -> list[int]:
    """The ids of the page's deviations, newest first."""
    c = f.c
    stmt = (
        select(c.deviation_id)
        .join(Product, Product.id == c.product_id)
        .order_by(c.day.desc(), c.visit_id.desc(), Product.name, c.deviation_id)
        .limit(args["per_page"])
        .offset((args["page"] - 1) * args["per_page"])
    )
    return list(db.session.scalars(stmt))


def _items(actor: User, ids: list[int]) -> list[dict[str, Any]]:
    """The page's deviations in full, from the raw rows (in the caller's scope, as the page
    was)."""
    d = PriceDeviation
    stmt = (
        at_visits(
            select(
                d.id,
                d.visit_id,
                d.product_id,
                d.kind,
                d.shelf_price,
                d.agreed_price,
                d.promotion_id,
                money(amount()).label("amount"),
                Visit.visit_date,
                week_start(Visit.visit_date).label("week"),
                Store.channel,
                *visit_place(),
                Product.name.label("product_name"),
                User.full_name.label("rep_name"),
                Promotion.name.label("promotion_name"),
            ).select_from(d),
            d.visit_id,
            actor,
            d.id.in_(ids),
        )
        .join(Product, Product.id == d.product_id)
        .join(User, User.id == Visit.rep_id)
        .outerjoin(Promotion, Promotion.id == d.promotion_id)
        .order_by(Visit.visit_date.desc(), d.visit_id.desc(), Product.name, d.id)
    )
    items = []
    for row in db.session.execute(stmt):
        item = dict(row._mapping)
        for name in ("week", "area_id", "team_id"):
            item.pop(name)
        items.append(
            {
                **item,
                "week": ranges.iso_week(row.week),
                "channel": row.channel.value,
                "kind": row.kind.value,
            }
        )
    return items
