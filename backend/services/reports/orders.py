"""Orders taken at visits: value and units by product, brand, channel, tier, rep or team; best
sellers; lines per order; drop size.

Summed from `rep_day_orders` (per product) and `rep_day_order_totals` (per rep-day, channel and
tier), which `rep_days` keeps current (`order_counts`, `order_totals` define the counts), and
for the period's whole months from their sums per rep-month (`order_months`). Over
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
from ...models import (
    Brand,
    Product,
    RepDayOrders,
    RepDayOrderTotals,
    RepMonthOrders,
    RepMonthOrderTotals,
    User,
)
from . import ranges
from .common import begin_report, labels, period_rows, where_org
from .sql import money

CENT = Decimal("0.01")
# Group key -> (report table of rep-days, its column or the product's).
GROUPS: dict[str, tuple[Any, str]] = {
    "product": (RepDayOrders, "product_id"),
    "brand": (RepDayOrders, "brand_id"),
    "channel": (RepDayOrderTotals, "channel"),
    "tier": (RepDayOrderTotals, "tier"),
    "rep": (RepDayOrderTotals, "rep_id"),
    "team": (RepDayOrderTotals, "team_id"),
}
# A report table of rep-days -> the same summed per rep and month (`order_months`).
MONTHS = {RepDayOrders: RepMonthOrders, RepDayOrderTotals: RepMonthOrderTotals}


def order_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    group_by = args.get("group_by", "product")
    total = _totals(actor, args, first, last)
    per_order = GROUPS[group_by][0] is RepDayOrderTotals
    rows, best = _groups_and_best(actor, args, first, last, group_by)
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
        "best_sellers": _best_sellers(best),
    }


def _facts(
    actor: User, args: dict[str, Any], first: Any, last: Any, table: Any, brand: bool = False
) -> Any:
    """The rows of `table` in the period and the caller's scope (the whole months among its
    days from its month table, a twentieth of the rows), filtered by rep, team or area; the
    product's brand (`brand`) is joined only when asked for."""
    whole = ranges.whole_months(first, last)
    rows = period_rows(actor, table, first, last, MONTHS[table], whole).subquery("order_rows")
    stmt = select(rows)
    if brand:
        stmt = stmt.add_columns(Product.brand_id).join(Product, Product.id == rows.c.product_id)
    facts = stmt.subquery()
    return select(facts).where(*where_org(facts.c, args)).subquery("order_facts")


def _groups_and_best(
    actor: User, args: dict[str, Any], first: Any, last: Any, group_by: str
) -> tuple[list[Any], list[Any]]:
    """The grouped rows and the best sellers; by product the products ranked are the groups,
    so one pass over a year of rows gives both."""
    table, key = GROUPS[group_by]
    facts = _facts(actor, args, first, last, table, brand=group_by == "brand")
    top = args.get("top", 10)
    if group_by == "product":
        rows = db.session.execute(_ranked(facts)).all()
        return rows, rows[:top]
    rows = db.session.execute(_grouped(facts, key, table is RepDayOrderTotals)).all()
    products = _facts(actor, args, first, last, RepDayOrders)
    return rows, db.session.execute(_ranked(products).limit(top)).all()


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


def _ranked(facts: Any) -> Select[Any]:
    """The products' sums, best sellers first (value, then units, then name); summed per
    product first, then named: the names join 40 rows, not a year of them."""
    per_product = (
        select(facts.c.product_id, *_sums(facts.c, False)[1:])
        .group_by(facts.c.product_id)
        .subquery("per_product")
    )
    p = per_product.c
    return (
        select(Product.id.label("key"), Product.name, Brand.name.label("brand"), p.lines,
               p.units, p.value)
        .join(per_product, p.product_id == Product.id)
        .join(Brand, Brand.id == Product.brand_id)
        .order_by(p.value.desc(), p.units.desc(), Product.name, Product.id)
    )  # fmt: skip


def _best_sellers(rows: list[Any]) -> list[Any]:
    return [
        {
            "rank": n,
            "product_id": row.key,
            "product_name": row.name,
            "brand_name": row.brand,
            "lines": int(row.lines),
            "units": int(row.units),
            "value": Decimal(row.value).quantize(CENT),
        }
        for n, row in enumerate(rows, start=1)
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
