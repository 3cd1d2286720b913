"""Returns: how many were requested in the period, their quantity and value (quantity × the
product's list price), by status, reason, product, store or team (the requesting visit's), and
how long those still `requested` have waited (days from the visit date to `as_of`: the period's
last day, or today if that is earlier).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Subquery, case, func, select

from ...extensions import db
from ...models import Product, ReturnRequest, ReturnStatus, User, Visit
from . import ranges
from .common import at_visits, begin_report, visit_place, where_org
from .sql import money

GROUPS = {
    "status": ("status", "status"),
    "reason": ("reason", "reason"),
    "product": ("product_id", "product_name"),
    "store": ("store_id", "store_name"),
    "team": ("team_id", "team_name"),
}
_KEYED = {"product", "store", "team"}


def returns_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    as_of = min(last, ranges.today())
    group_by = args.get("group_by", "status")
    parts = _parts(_facts(actor, args, first, last), group_by)
    groups = [
        {"id": key if group_by in _KEYED else None, "name": _label(name), **_metrics(rows, as_of)}
        for (key, name), rows in parts.items()
    ]
    # In Python: PostgreSQL sorts enums by declaration, SQLite by text.
    groups.sort(key=_order if group_by == "status" else lambda g: (g["name"], g["id"] or 0))
    total = _metrics([row for rows in parts.values() for row in rows], as_of)
    return {
        "period": {"from": first, "to": last},
        "as_of": as_of,
        "group_by": group_by,
        "groups": groups,
        "total": total,
    }


def _facts(actor: User, args: dict[str, Any], first: date, last: date) -> Subquery:
    stmt = at_visits(
        select(
            ReturnRequest.status,
            ReturnRequest.reason,
            ReturnRequest.quantity,
            (ReturnRequest.quantity * func.coalesce(Product.unit_price, 0)).label("value"),
            ReturnRequest.product_id,
            Product.name.label("product_name"),
            Visit.visit_date,
            *visit_place(),
        ).select_from(ReturnRequest),
        ReturnRequest.visit_id,
        actor,
        Visit.visit_date.between(first, last),
    ).join(Product, Product.id == ReturnRequest.product_id)
    if args.get("store_id"):
        stmt = stmt.where(Visit.store_id == args["store_id"])
    facts = stmt.subquery("return_facts")
    return select(facts).where(*where_org(facts.c, args)).subquery("returns_in_scope")


def _parts(f: Subquery, group_by: str) -> dict[tuple[Any, Any], list[Any]]:
    """Per group, its requests summed in SQL apart by request day for those still waiting
    (`pending_day`, null for the others): one pass over the returns gives the groups, their
    pending ages and the total."""
    key, name = (f.c[col] for col in GROUPS[group_by])
    pending_day = case((f.c.status == ReturnStatus.REQUESTED, f.c.visit_date)).label("pending_day")
    stmt = select(
        key.label("key"),
        name.label("name"),
        pending_day,
        func.count().label("count"),
        func.sum(f.c.quantity).label("quantity"),
        money(func.coalesce(func.sum(f.c.value), 0)).label("value"),
    ).group_by(key, name, pending_day)
    parts: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for row in db.session.execute(stmt):
        parts[row.key, row.name].append(row)
    return parts


def _metrics(rows: list[Any], as_of: date) -> dict[str, Any]:
    """A group's figures from its rows (one pass: a year by store has some 20,000 rows)."""
    count = quantity = waiting = waiting_qty = waited = 0
    value, oldest = Decimal("0.00"), None
    for row in rows:
        count += row.count
        quantity += row.quantity
        value += row.value
        if row.pending_day is not None:
            age = (as_of - row.pending_day).days
            waiting += row.count
            waiting_qty += row.quantity
            waited += age * row.count
            oldest = age if oldest is None else max(oldest, age)
    return {
        "count": count,
        "quantity": quantity,
        "value": value,
        "pending": {
            "count": waiting,
            "quantity": waiting_qty,
            "oldest_days": oldest,
            "mean_days": round(waited / waiting, 1) if waiting else None,
        },
    }


def _order(group: dict[str, Any]) -> int:
    """Status groups in the order a return moves through them."""
    return list(ReturnStatus).index(ReturnStatus(group["name"]))


def _label(value: Any) -> str:
    return value.value if isinstance(value, ReturnStatus) else str(value)
