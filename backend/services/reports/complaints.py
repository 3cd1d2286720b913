"""Complaints: how many were opened and resolved in the period, how long resolving took (mean
and median hours from opened to resolved, over those resolved in the period), how many stand
open now, by category or team; and the open ones, oldest first, with their age.

A complaint belongs to its store's team, rep and area (the store's today, as the complaint list
filters them). The period's days are local days (TIMEZONE).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Subquery, case, func, select

from ...extensions import db
from ...models import Complaint, ComplaintStatus, Store, Team, User, utcnow
from ...schemas.store_file import OPEN_LIST_MAX
from ...scoping import scope_filter
from . import ranges
from .common import begin_report, where_org
from .sql import count_if, lower_middle, seconds_between, upper_middle

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86400


def complaint_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    group_by = args.get("group_by", "category")
    facts = _facts(actor, args)
    metrics = _metrics(facts, *_utc_bounds(first, last))
    c = facts.c
    key, name = (c.category, c.category) if group_by == "category" else (c.team_id, c.team_name)
    stmt = select(key.label("key"), name.label("name"), *metrics).group_by(key, name)
    groups = [
        {**_times(row), "key": _label(row.key), "name": _label(row.name)}
        for row in db.session.execute(stmt)
        if row.opened or row.resolved or row.open_now
    ]
    groups.sort(key=lambda g: (g["name"] is None, g["name"] or "", g["key"] or ""))
    return {
        "period": {"from": first, "to": last},
        "group_by": group_by,
        "groups": groups,
        "total": _times(db.session.execute(select(*metrics)).one()),
        "open": _open(facts),
    }


def _facts(actor: User, args: dict[str, Any]) -> Subquery:
    """The complaints in scope with their store's org columns, the report filters applied."""
    stmt = (
        select(
            Complaint.id,
            Complaint.category,
            Complaint.status,
            Complaint.text,
            Complaint.opened_at,
            Complaint.resolved_at,
            Complaint.store_id,
            Store.name.label("store_name"),
            Store.rep_id,
            Store.team_id,
            Team.name.label("team_name"),
            Team.area_id,
        )
        .join(Store, Store.id == Complaint.store_id)
        .outerjoin(Team, Team.id == Store.team_id)
        .where(scope_filter(actor, Complaint))
    )
    facts = stmt.subquery("complaint_facts")
    return select(facts).where(*where_org(facts.c, args)).subquery("scoped_complaints")


def _utc_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The period's local days as a UTC [start, end) range."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return start, end


def _metrics(facts: Subquery, start: datetime, end: datetime) -> list[Any]:
    c = facts.c
    resolved_in = (c.resolved_at >= start) & (c.resolved_at < end)
    took = case((resolved_in, seconds_between(c.opened_at, c.resolved_at)))
    return [
        count_if((c.opened_at >= start) & (c.opened_at < end)).label("opened"),
        count_if(resolved_in).label("resolved"),
        count_if(c.status != ComplaintStatus.RESOLVED).label("open_now"),
        func.avg(took).label("mean_s"),
        lower_middle(took).label("lower_s"),
        upper_middle(took).label("upper_s"),
    ]


def _times(row: Any) -> dict[str, Any]:
    median = None if row.lower_s is None else (row.lower_s + row.upper_s) / 2
    return {
        "opened": row.opened,
        "resolved": row.resolved,
        "open_now": row.open_now,
        "mean_hours_to_resolve": _hours(row.mean_s),
        "median_hours_to_resolve": _hours(median),
    }


def _hours(seconds: Any) -> float | None:
    return None if seconds is None else round(float(seconds) / SECONDS_PER_HOUR, 2)


def _label(value: Any) -> str | None:
    """A group's key or name as text: the category's value, the team's id or name."""
    if value is None:
        return None
    return value.value if isinstance(value, enum.Enum) else str(value)


def _open(facts: Subquery) -> list[dict[str, Any]]:
    c = facts.c
    stmt = (
        select(facts)
        .where(c.status != ComplaintStatus.RESOLVED)
        .order_by(c.opened_at, c.id)
        .limit(OPEN_LIST_MAX)
    )
    now = utcnow()
    return [
        {
            "id": row.id,
            "store_id": row.store_id,
            "store_name": row.store_name,
            "team_id": row.team_id,
            "team_name": row.team_name,
            "category": row.category.value,
            "status": row.status.value,
            "text": row.text,
            "opened_at": row.opened_at,
            "age_days": round((now - row.opened_at).total_seconds() / SECONDS_PER_DAY, 1),
        }
        for row in db.session.execute(stmt)
    ]
