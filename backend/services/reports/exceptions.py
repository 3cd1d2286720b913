"""Integrity exceptions: the flags of visits in the caller's scope, filtered and sorted.

The counts per kind are summed from `rep_day_flags` (kept current by `rep_days`, defined by
`flag_counts`); a page reads the flags in order (newest first by an index) and stops."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ...extensions import db
from ...models import RepDayFlags, Store, User, Visit, VisitFlag
from ..paging import paginate
from . import ranges
from .common import VisitOrg, at_visits, begin_report, rep_days_in, where_org

SORTS = {
    "created_at": (VisitFlag.created_at, VisitFlag.id),
    "visit_date": (Visit.visit_date, Visit.checked_in_at, VisitFlag.id),
    "kind": (VisitFlag.kind, VisitFlag.id),
    "rep": (User.full_name, VisitFlag.id),
    "store": (Store.name, VisitFlag.id),
}


def exception_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    """One page of flags (newest first by default) and the count of each kind over all pages."""
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    stmt = at_visits(
        select(
            VisitFlag.id,
            VisitFlag.kind,
            VisitFlag.message,
            VisitFlag.photo_id,
            VisitFlag.created_at,
            Visit.id.label("visit_id"),
            Visit.visit_date,
            Visit.checked_in_at,
            Visit.rep_id,
            User.full_name.label("rep_name"),
            Visit.team_id,
            Visit.store_id,
            Store.name.label("store_name"),
        ).select_from(VisitFlag),
        VisitFlag.visit_id,
        actor,
        Visit.visit_date.between(first, last),
        *where_org(VisitOrg, args),
    ).join(User, User.id == Visit.rep_id)
    if args.get("kind"):
        stmt = stmt.where(VisitFlag.kind.in_(args["kind"]))
    counts = _kind_counts(actor, args, first, last)
    sort = args.get("sort", "-created_at")
    order = SORTS[sort.lstrip("-")]
    order = [c.desc() for c in order] if sort.startswith("-") else list(order)
    # Every flag has one kind, so the counts per kind add up to the number of rows.
    total = sum(counts.values())
    rows, _ = paginate(stmt.order_by(*order), args["page"], args["per_page"], total)
    items = [{**row._mapping, "visit_path": f"/api/visits/{row.visit_id}"} for row in rows]
    return {
        "period": {"from": first, "to": last},
        "counts": counts,
        "items": items,
        "meta": page_meta(total, args),
    }


def _kind_counts(actor: User, args: dict[str, Any], first: Any, last: Any) -> dict[str, int]:
    """The flags of each kind over all pages, summed from `rep_day_flags`."""
    c = rep_days_in(actor, RepDayFlags, first, last, args).c
    query = select(c.kind, func.sum(c.flags)).group_by(c.kind).order_by(c.kind)
    if args.get("kind"):
        query = query.where(c.kind.in_(args["kind"]))
    return {kind.value: int(count) for kind, count in db.session.execute(query)}


def page_meta(total: int, args: dict[str, Any]) -> dict[str, int]:
    per_page = args["per_page"]
    return {
        "page": args["page"],
        "per_page": per_page,
        "total": total,
        "pages": -(-total // per_page),
    }
