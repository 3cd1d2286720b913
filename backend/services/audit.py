"""The audit log's one writer: `record` adds an entry to the current write.

Callers are inside `execute` (a route's write, a CLI command, the scheduler): the entry is
flushed with the change it describes and commits or rolls back with it. Nothing here updates or
deletes an entry (the model's flush guard and the database triggers refuse it).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from .. import request_origin
from ..errors import NotFoundError
from ..extensions import db
from ..models import User
from ..models.audit import Action, AuditEntry
from ..models.base import utcnow
from .paging import paginate, where_equal
from .plan_building import zone

__all__ = ["Action", "AuditEntry", "get_entry", "list_entries", "record", "record_export"]


def record(
    action: Action,
    *,
    actor: User | None,
    subject_type: str | None = None,
    subject_id: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry: `actor` (None for the system) did `action` to the subject, from the
    current request's origin (none for CLI and scheduled runs). Dates, enums and decimals in
    `detail` are stored as text."""
    db.session.flush()  # a subject or actor created in this write has its id from here on
    origin = request_origin.current()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_username=actor.username if actor is not None else None,
        action=Action(action).value,
        subject_type=subject_type,
        subject_id=str(subject_id) if subject_id is not None else None,
        detail=_jsonable(dict(detail or {})),
        remote_addr=origin.remote_addr,
        user_agent=origin.user_agent,
        request_id=origin.request_id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def record_export(
    actor: User, name: str, fmt: str, filters: Mapping[str, Any], rows: int | None = None
) -> AuditEntry:
    """An export of `name` (a report, or "stores") as `fmt` with the caller's filters."""
    detail = {"format": fmt, "filters": filters, **({"rows": rows} if rows is not None else {})}
    return record(Action.EXPORT, actor=actor, subject_type="export", subject_id=name, detail=detail)


def list_entries(args: Mapping[str, Any]) -> tuple[list[AuditEntry], int]:
    """Entries matching the filters, newest first (the route admits admins only). `since` and
    `until` are business days, both inclusive."""
    stmt = where_equal(
        select(AuditEntry), AuditEntry, args, ("action", "actor_id", "subject_type", "subject_id")
    )
    if args.get("since") is not None:
        stmt = stmt.where(AuditEntry.at >= _day_start(args["since"]))
    if args.get("until") is not None:
        stmt = stmt.where(AuditEntry.at < _day_start(args["until"] + timedelta(days=1)))
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return paginate(stmt, args["page"], args["per_page"])


def get_entry(entry_id: int) -> AuditEntry:
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None:
        raise NotFoundError("Audit entry not found.")
    return entry


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), zone())


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
