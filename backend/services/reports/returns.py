"""Returns: how many were requested in the period, their quantity and value (quantity × the
product's list price), by status, reason, product, store or team (the requesting visit's), and
how long those still `requested` have waited (days from the visit date to `as_of`: the period's
last day, or today if that is earlier). Read from `rep_day_returns` (`return_rows`), not a year
of visits.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Subquery, case, func, select

from ...extensions import db
from ...models import Product, RepDayReturns, ReturnStatus, Store, Team, User
from . import ranges
from .common import begin_report
from .scoped_rows import in_period
from .sql import money

# Group -> its key column in the rows, and its name: a column of them or of a table joined.
GROUPS: dict[str, tuple[str, Any]] = {
    "status": ("status", "status"),
    "reason": ("reason", "reason"),
    "product": ("product_id", "product_name"),
    "store": ("store_id", Store.name),
    "team": ("team_id", Team.name),
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
    t = RepDayReturns
    stmt = select(
        t.status,
        t.reason,
        t.requests,
        t.quantity,
        (t.quantity * func.coalesce(Product.unit_price, 0)).label("value"),
        t.product_id,
        Product.name.label("product_name"),
        t.day.label("visit_date"),
        t.store_id,
        t.team_id,
    ).join(Product, Product.id == t.product_id)
    if args.get("store_id"):
        stmt = stmt.where(t.store_id == args["store_id"])
    return in_period(stmt, t, actor, args, first, last).subquery("returns_in_scope")


def _parts(f: Subquery, group_by: str) -> dict[tuple[Any, Any], list[Any]]:
    """Per group, its requests summed in SQL apart by request day for those still waiting
    (`pending_day`, null for the others): one pass over the returns gives the groups, their
    pending ages and the total. Store and team names are joined only when grouping by them."""
    key, name = GROUPS[group_by]
    key = f.c[key]
    name = f.c[name] if isinstance(name, str) else name
    pending_day = case((f.c.status == ReturnStatus.REQUESTED, f.c.visit_date)).label("pending_day")
    stmt = select(
        key.label("key"),
        name.label("name"),
        pending_day,
        func.sum(f.c.requests).label("count"),
        func.sum(f.c.quantity).label("quantity"),
        money(func.coalesce(func.sum(f.c.value), 0)).label("value"),
    ).select_from(f)
    if group_by == "store":
        stmt = stmt.join(Store, Store.id == f.c.store_id)
    elif group_by == "team":
        stmt = stmt.outerjoin(Team, Team.id == f.c.team_id)
    parts: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
    for group_key, group_name, *part in db.session.execute(stmt.group_by(key, name, pending_day)):
        parts[group_key, group_name].append(part)  # plain lists: a year by store has 20,000 of them
    return parts


def _metrics(rows: list[Any], as_of: date) -> dict[str, Any]:
    """A group's figures from its rows (pending day, count, quantity, value), in one pass."""
    count = quantity = waiting = waiting_qty = waited = 0
    value, oldest = Decimal("0.00"), None
    for pending_day, n, units, amount in rows:
        count += n
        quantity += units
        value += amount
        if pending_day is not None:
            age = (as_of - pending_day).days
            waiting += n
            waiting_qty += units
            waited += age * n
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
