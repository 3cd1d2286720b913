"""Near-expiry exposure: quantity and value expiring within 7 and 30 days, and what expired on
the shelf.

The stock a store holds is its latest report: for each store, product and expiry date the
quantity noted at the most recent visit on or before `as_of` (older notes are superseded, not
added). Exposure counts what expires from `as_of` to `as_of` + 30 days (and + 7 days);
value = quantity × the product's unit price. Grouped by product, store, team (the team of the
reporting visit) or action (what the rep did about it; name "none" when nothing was said).

Expired on shelf: the follow-ups with outcome `expired_on_shelf` recorded at visits from
`expired_from` (default `as_of` − 29 days) to `as_of`, quantity = the follow-up's count (else
the quantity noted), grouped like the exposure (team: of the follow-up's visit).

Both are read once for their groups and their total (a materialised CTE each); the notes not yet
expired are found by expiry date and the expired follow-ups by a partial index, so the state as
of a day reads those, not a year of notes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import CTE, Select, case, func, literal, null, select, text, union_all

from ...extensions import db
from ...models import ExpiryFollowUp, ExpiryOutcome, NearExpiry, Product, User, Visit
from . import ranges
from .common import at_visits, begin_report, visit_place, where_org
from .sql import money

GROUPS = {
    "product": ("product_id", "product_name"),
    "store": ("store_id", "store_name"),
    "team": ("team_id", "team_name"),
    "action": ("action", "action"),
}
WINDOWS = (7, 30)
EXPIRED_DAYS = 30
NO_ACTION = "none"


def expiry_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    if db.session.get_bind().dialect.name == "postgresql":
        # The notes still open are few, and their visits are looked up by id: with the default
        # cost of a random read (4, for spinning disks) PostgreSQL scans every visit instead.
        db.session.execute(text("SET LOCAL random_page_cost = 1.1"))
    as_of = args.get("as_of") or ranges.today()
    expired_from = args.get("expired_from") or as_of - timedelta(days=EXPIRED_DAYS - 1)
    group_by = args.get("group_by", "product")
    facts = _once(_latest(actor, args, as_of))
    exposure, current = _with_total(facts, group_by, _sums(facts, as_of))
    expired = _once(_expired(actor, args, expired_from, as_of))
    gone, lost = _with_total(expired, group_by, _expired_sums(expired))
    groups = [
        _group(group_by, gid, exposure.get(gid), gone.get(gid))
        for gid in {*exposure, *gone}
        if gid in gone or exposure[gid].quantity_30
    ]
    groups.sort(key=lambda g: (g["name"], g["id"] or 0))
    total = _metrics(current)
    total["expired_on_shelf"] = _lost(lost)
    return {
        "as_of": as_of,
        "expired_from": expired_from,
        "group_by": group_by,
        "groups": groups,
        "total": total,
    }


def _latest(actor: User, args: dict[str, Any], as_of: Any) -> Select[Any]:
    newest = func.row_number().over(
        partition_by=(Visit.store_id, NearExpiry.product_id, NearExpiry.expiry_date),
        order_by=(Visit.checked_in_at.desc(), NearExpiry.id.desc()),
    )
    stmt = at_visits(
        select(
            NearExpiry.quantity,
            NearExpiry.expiry_date,
            NearExpiry.product_id,
            NearExpiry.action,
            Product.name.label("product_name"),
            Product.unit_price,
            *visit_place(),
            newest.label("newest"),
        ).select_from(NearExpiry),
        NearExpiry.visit_id,
        actor,
        Visit.visit_date <= as_of,
        NearExpiry.expiry_date >= as_of,
    ).join(Product, Product.id == NearExpiry.product_id)
    facts = stmt.subquery("expiry_notes")
    return select(facts).where(facts.c.newest == 1, *where_org(facts.c, args))


def _expired(actor: User, args: dict[str, Any], first: Any, last: Any) -> Select[Any]:
    """Follow-ups that found the stock expired on the shelf, at visits in [first, last]."""
    stmt = (
        at_visits(
            select(
                func.coalesce(ExpiryFollowUp.quantity, NearExpiry.quantity).label("quantity"),
                NearExpiry.product_id,
                NearExpiry.action,
                Product.name.label("product_name"),
                Product.unit_price,
                *visit_place(),
            ).select_from(ExpiryFollowUp),
            ExpiryFollowUp.visit_id,
            actor,
            Visit.visit_date.between(first, last),
            ExpiryFollowUp.outcome == ExpiryOutcome.EXPIRED_ON_SHELF,
        )
        .join(NearExpiry, NearExpiry.id == ExpiryFollowUp.near_expiry_id)
        .join(Product, Product.id == NearExpiry.product_id)
    )
    facts = stmt.subquery("expired_followups")
    return select(facts).where(*where_org(facts.c, args))


def _once(stmt: Select[Any]) -> CTE:
    """Rows read once for their groups and their total (the window over the notes, the joins
    to their visits, computed once)."""
    return stmt.cte().prefix_with("MATERIALIZED")


def _with_total(f: CTE, group_by: str, sums: list[Any]) -> tuple[dict[Any, Any], Any]:
    """`sums` per group (by group id) and over all the rows, in one statement."""
    key, name = (f.c[col] for col in GROUPS[group_by])
    grouped = select(literal(False).label("is_total"), key.label("id"), name.label("name"), *sums)
    total = select(literal(True), null(), null(), *sums)
    groups, total_row = {}, None
    for row in db.session.execute(union_all(grouped.group_by(key, name), total)):
        if row.is_total:
            total_row = row
        else:
            groups[row.id] = row
    return groups, total_row


def _expired_sums(f: CTE) -> list[Any]:
    value = func.sum(f.c.quantity * func.coalesce(f.c.unit_price, 0))
    return [
        func.coalesce(func.sum(f.c.quantity), 0).label("quantity"),
        money(func.coalesce(value, 0)).label("value"),
    ]


def _sums(f: CTE, as_of: Any) -> list[Any]:
    columns = []
    for days in WINDOWS:
        inside = f.c.expiry_date <= as_of + timedelta(days=days)
        quantity = case((inside, f.c.quantity), else_=0)
        value = case((inside, f.c.quantity * func.coalesce(f.c.unit_price, 0)), else_=0)
        columns.append(func.coalesce(func.sum(quantity), 0).label(f"quantity_{days}"))
        columns.append(money(func.coalesce(func.sum(value), 0)).label(f"value_{days}"))
    return columns


def _metrics(row: Any) -> dict[str, Any]:
    return {
        f"within_{days}_days": {
            "quantity": int(getattr(row, f"quantity_{days}")),
            "value": getattr(row, f"value_{days}"),
        }
        for days in WINDOWS
    }


def _lost(row: Any) -> dict[str, Any]:
    return {"quantity": int(row.quantity), "value": row.value}


def _group(group_by: str, gid: Any, exposure: Any, gone: Any) -> dict[str, Any]:
    """One group's row; a group with only expired stock has zero exposure, and the other way
    round."""
    empty = {"quantity": 0, "value": 0}
    if group_by == "action":
        head = {"id": None, "name": gid.value if gid is not None else NO_ACTION}
    else:
        head = {"id": gid, "name": (exposure or gone).name}
    values = _metrics(exposure) if exposure else {f"within_{d}_days": empty for d in WINDOWS}
    return {**head, **values, "expired_on_shelf": _lost(gone) if gone else empty}
