"""Near-expiry exposure: quantity and value expiring within 7 and 30 days.

The stock a store holds is its latest report: for each store, product and expiry date the
quantity noted at the most recent visit on or before `as_of` (older notes are superseded, not
added). Exposure counts what expires from `as_of` to `as_of` + 30 days (and + 7 days);
value = quantity × the product's unit price. Grouped by product, store or team (the team of the
reporting visit).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Subquery, case, func, select

from ...extensions import db
from ...models import NearExpiry, Product, Store, Team, User, Visit
from . import ranges
from .common import at_visits, begin_report, where_org
from .sql import money

GROUPS = {
    "product": ("product_id", "product_name"),
    "store": ("store_id", "store_name"),
    "team": ("team_id", "team_name"),
}
WINDOWS = (7, 30)


def expiry_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    as_of = args.get("as_of") or ranges.today()
    group_by = args.get("group_by", "product")
    facts = _latest(actor, args, as_of)
    key, name = (facts.c[col] for col in GROUPS[group_by])
    stmt = (
        select(key.label("id"), name.label("name"), *_sums(facts, as_of))
        .group_by(key, name)
        .order_by(name, key)
    )
    groups = [_metrics(row, with_key=True) for row in db.session.execute(stmt)]
    groups = [g for g in groups if g["within_30_days"]["quantity"]]
    total = _metrics(db.session.execute(select(*_sums(facts, as_of))).one(), with_key=False)
    return {"as_of": as_of, "group_by": group_by, "groups": groups, "total": total}


def _latest(actor: User, args: dict[str, Any], as_of: Any) -> Subquery:
    newest = func.row_number().over(
        partition_by=(Visit.store_id, NearExpiry.product_id, NearExpiry.expiry_date),
        order_by=(Visit.checked_in_at.desc(), NearExpiry.id.desc()),
    )
    stmt = at_visits(
        select(
            NearExpiry.quantity,
            NearExpiry.expiry_date,
            NearExpiry.product_id,
            Product.name.label("product_name"),
            Product.unit_price,
            Visit.store_id,
            Store.name.label("store_name"),
            Visit.rep_id,
            Visit.team_id,
            Team.name.label("team_name"),
            Team.area_id,
            newest.label("newest"),
        ).select_from(NearExpiry),
        NearExpiry.visit_id,
        actor,
        Visit.visit_date <= as_of,
        NearExpiry.expiry_date >= as_of,
    ).join(Product, Product.id == NearExpiry.product_id)
    facts = stmt.subquery("expiry_notes")
    current = select(facts).where(facts.c.newest == 1, *where_org(facts.c, args))
    return current.subquery("expiry_current")


def _sums(f: Subquery, as_of: Any) -> list[Any]:
    columns = []
    for days in WINDOWS:
        inside = f.c.expiry_date <= as_of + timedelta(days=days)
        quantity = case((inside, f.c.quantity), else_=0)
        value = case((inside, f.c.quantity * func.coalesce(f.c.unit_price, 0)), else_=0)
        columns.append(func.coalesce(func.sum(quantity), 0).label(f"quantity_{days}"))
        columns.append(money(func.coalesce(func.sum(value), 0)).label(f"value_{days}"))
    return columns


def _metrics(row: Any, with_key: bool) -> dict[str, Any]:
    values = {
        f"within_{days}_days": {
            "quantity": int(getattr(row, f"quantity_{days}")),
            "value": getattr(row, f"value_{days}"),
        }
        for days in WINDOWS
    }
    if with_key:
        return {"id": row.id, "name": row.name, **values}
    return values
