"""List queries: equality filters from parsed query args, and paging (COUNT + LIMIT/OFFSET)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, func, select

from ..extensions import db


def paginate(
    stmt: Select[Any], page: int, per_page: int, total: int | None = None
) -> tuple[list[Any], int]:
    """The rows of page `page` (1-based) of `stmt`, and the total row count (counted unless
    the caller knows it)."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return [row[0] if len(row) == 1 else row for row in rows], total or 0


def where_equal(
    stmt: Select[Any], model: type, args: Mapping[str, Any], fields: Iterable[str]
) -> Select[Any]:
    """Add `model.field == args[field]` for each of `fields` present in `args`."""
    for name in fields:
        if name in args:
            stmt = stmt.where(getattr(model, name) == args[name])
    return stmt
