"""Writing a visit's list of records that other rows refer to (a lead's decision on a return, a
later visit's follow-up of a near-expiry item): each item sent is matched, in order, to an
existing row with the same key and updated in place, so its id stays; an item with no match
becomes a new row; an unmatched row is deleted unless `keep` says otherwise."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select

from ..extensions import db
from ..models import Visit

R = TypeVar("R")


def match_rows(
    model: type[R],
    visit: Visit,
    items: list[dict[str, Any]],
    key: tuple[str, ...],
    update: Callable[[R, dict[str, Any]], None],
    keep: Callable[[R], bool] = lambda row: False,
) -> list[R]:
    """Apply `items` to the visit's rows of `model`, matched on the fields `key`; returns the
    visit's rows after the write."""
    column = model.__table__.c  # type: ignore[attr-defined]
    existing = select(model).where(column.visit_id == visit.id).order_by(column.id)
    pool: dict[tuple[Any, ...], list[R]] = defaultdict(list)
    for row in db.session.scalars(existing):
        pool[tuple(getattr(row, name) for name in key)].append(row)
    for item in items:
        matches = pool.get(tuple(item[name] for name in key))
        if matches:
            update(matches.pop(0), item)
        else:
            db.session.add(model(visit_id=visit.id, **item))
    for row in (row for rows in pool.values() for row in rows):
        if not keep(row):
            db.session.delete(row)
    db.session.flush()
    return list(db.session.scalars(existing))
