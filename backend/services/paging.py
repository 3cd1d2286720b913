"""Paging a SELECT: one COUNT and one LIMIT/OFFSET query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ..extensions import db


def paginate(stmt: Select[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    """The rows of page `page` (1-based) of `stmt`, and the total row count."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return [row[0] if len(row) == 1 else row for row in rows], total or 0
