"""Orders taken at visits: value and units by product, brand, channel, tier, rep or team; best
sellers; lines per order; drop size.

Summed from `rep_day_orders` (per product) and `rep_day_order_totals` (per rep-day, channel and
tier), which `rep_days` keeps current (`order_counts`, `order_totals` define the counts). Over
the orders at visits in the period (a visit held for review counts once accepted):

- orders: visits with an order (one order per visit); lines: order lines (one per product);
  units and value (quantity × the line's unit price, the list price when taken);
- lines per order = lines ÷ orders; drop size = value ÷ orders (the value of a visit with an
  order), both rounded to 2 decimals; by product or brand there are no orders to divide by
  (an order holds several), so those are null there;
- share of value: the group's value ÷ the total value;
- best sellers: the `top` products by value (ties: more units, then name).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, func, null, select

from ...extensions import db
from ...models import Brand, Product, RepDayOrders, RepDayOrderTotals, Team, User
from ...scoping import scope_filter
from . import ranges
from .common import begin_report, labels, where_org
from .sql import money

CENT = Decimal("0.01")
# Group key -> (report table, its column or the product's).
GROUPS: dict[str, tuple[Any, str]] = {
    "product": (RepDayOrders, "product_id"),
    "brand": (RepDayOrders, "brand_id"),
    "channel": (RepDayOrderTotals, "channel"),
    "tier": (RepDayOrderTotals, "tier"),
    "rep": (RepDayOrderTotals, "rep_id"),
    "team": (RepDayOrderTotals, "team_id"),
}


def order_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    group_by = args.get("group_by", "product")
    table, key = GROUPS[group_by]
    total = _totals(actor, args, first, last)
    per_order = table is RepDayOrderTotals
    facts = _facts(actor, args, first, last, table, brand=group_by == "brand")
    rows = db.session.execute(_grouped(facts, key, per_order)).all()
    names = labels(group_by, {r.key for r in rows} - {None})
    groups = []
    for row in rows:
        text = None if row.key is None else str(getattr(row.key, "value", row.key))
        groups.append(
            {
                "key": text,
                "name": names.get(row.key, text),
                **_metrics(row, per_order),
                "share_of_value": _ratio(row.value, total["value"], "0.0001"),
            }
        )
    groups.sort(key=lambda g: (-g["value"], g["name"] or ""))
    return {
        "period": {"from": first, "to": last},
        "group_by": group_by,
        "groups": groups,
        "total": _metrics(total, True),
        "best_sellers": _best_sellers(actor, args, first, last),
    }


def _facts(
    actor: User, args: dict[str, Any], first: Any, last: Any, table: Any, brand: bool = False
) -> Any:
    """The rows of `table` in the period and the caller's scope, filtered by rep, team or area;
    the team's area and the product's brand (`brand`) are joined only when asked for, as a
    year of rows joins slowly."""
    stmt = select(table)
    if args.get("area_id"):
        stmt = stmt.add_columns(Team.area_id).outerjoin(Team, Team.id == table.team_id)
    if brand:
        stmt = stmt.add_columns(Product.brand_id).join(Product, Product.id == table.product_id)
    facts = stmt.where(table.day.between(first, last), scope_filter(actor, table)).subquery()
    return select(facts).where(*where_org(facts.c, args)).subquery("order_facts")


def _sums(c: Any, per_order: bool) -> list[Any]:
    lines = c.lines if per_order else c.orders  # per product: one line per order
    return [
        (func.coalesce(func.sum(c.orders), 0) if per_order else null()).label("orders"),
        func.coalesce(func.sum(lines), 0).label("lines"),
        func.coalesce(func.sum(c.units), 0).label("units"),
        money(func.coalesce(func.sum(c.value), 0)).label("value"),
    ]


def _grouped(facts: Any, key: str, per_order: bool) -> Select[Any]:
    return select(facts.c[key].label("key"), *_sums(facts.c, per_order)).group_by(facts.c[key])


def _totals(actor: User, args: dict[str, Any], first: Any, last: Any) -> Any:
    facts = _facts(actor, args, first, last, RepDayOrderTotals)
    return db.session.execute(select(*_sums(facts.c, True))).one()._asdict()


def _best_sellers(actor: User, args: dict[str, Any], first: Any, last: Any) -> list[Any]:
    """Summed per product first, then named: the names join 40 rows, not a year of them."""
    facts = _facts(actor, args, first, last, RepDayOrders)
    per_product = (
        select(facts.c.product_id, *_sums(facts.c, False)[1:])
        .group_by(facts.c.product_id)
        .subquery("per_product")
    )
    p = per_product.c
    stmt = (
        select(Product.id, Product.name, Brand.name.label("brand"), p.lines, p.units, p.value)
        .join(per_product, p.product_id == Product.id)
        .join(Brand, Brand.id == Product.brand_id)
        .order_by(p.value.desc(), p.units.desc(), Product.name, Product.id)
        .limit(args.get("top", 10))
    )
    return [
        {
            "rank": n,
            "product_id": row.id,
            "product_name": row.name,
            "brand_name": row.brand,
            "lines": int(row.lines),
            "units": int(row.units),
            "value": Decimal(row.value).quantize(CENT),
        }
        for n, row in enumerate(db.session.execute(stmt), start=1)
    ]


def _ratio(numerator: Any, denominator: Any, places: str = "0.01") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def _metrics(row: Any, per_order: bool) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else row._mapping.get
    orders = int(get("orders") or 0) if per_order else None
    value = Decimal(get("value") or 0).quantize(CENT)
    return {
        "orders": orders,
        "lines": int(get("lines") or 0),
        "units": int(get("units") or 0),
        "value": value,
        "lines_per_order": _ratio(get("lines"), orders) if per_order else None,
        "drop_size": _ratio(value, orders) if per_order else None,
    }
