"""Own products' price deviations found at visits, by store, channel or ISO week.

Per group: deviations by kind, the visits and stores with one, and the deviation amount:
Σ (agreed price − shelf price) over the deviations whose shelf price is below the price they
were measured against (a special price at or above it adds nothing). Then the deviations
themselves, newest first, one page at a time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, case, func, literal, null, select, union_all

from ...extensions import db
from ...models import DeviationKind, PriceDeviation, Product, Promotion, Store, User, Visit
from . import ranges
from .common import at_visits, begin_report, visit_place, where_org
from .exceptions import page_meta
from .sql import count_if, money, week_start

FILTERS = {
    "channel": Store.channel,
    "store_id": Visit.store_id,
    "product_id": PriceDeviation.product_id,
    "kind": PriceDeviation.kind,
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
        "items": _items(facts.subquery("scoped_deviations"), args),
        "meta": page_meta(total.deviations, args),
    }


def _deviations(actor: User, args: dict[str, Any], first: Any, last: Any) -> Select[Any]:
    d = PriceDeviation
    below = d.agreed_price > d.shelf_price
    stmt = at_visits(
        select(
            d.id,
            d.visit_id,
            d.product_id,
            d.kind,
            d.shelf_price,
            d.agreed_price,
            d.promotion_id,
            money(case((below, d.agreed_price - d.shelf_price), else_=0)).label("amount"),
            Visit.visit_date,
            week_start(Visit.visit_date).label("week"),
            Store.channel,
            *visit_place(),
        ).select_from(d),
        d.visit_id,
        actor,
        Visit.visit_date.between(first, last),
    )
    for name, column in FILTERS.items():
        if args.get(name) is not None:
            stmt = stmt.where(column == args[name])
    facts = stmt.subquery("deviations")
    return select(facts).where(*where_org(facts.c, args))


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
    statement over the deviations read once (a materialised CTE), as reading them joins a
    year of visits."""
    f = facts.cte("scoped_deviations").prefix_with("MATERIALIZED")
    c = f.c
    keys = {"store": (c.store_id, c.store_name), "channel": (c.channel,), "week": (c.week,)}
    group = keys[group_by]
    grouped = select(literal(False).label("is_total"), *group, *_counts(f)).group_by(*group)
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


def _items(f: Subquery, args: dict[str, Any]) -> list[dict[str, Any]]:
    c = f.c
    stmt = (
        select(
            f,
            Product.name.label("product_name"),
            User.full_name.label("rep_name"),
            Promotion.name.label("promotion_name"),
        )
        .join(Product, Product.id == c.product_id)
        .join(User, User.id == c.rep_id)
        .outerjoin(Promotion, Promotion.id == c.promotion_id)
        .order_by(c.visit_date.desc(), c.visit_id.desc(), Product.name, c.id)
        .limit(args["per_page"])
        .offset((args["page"] - 1) * args["per_page"])
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
