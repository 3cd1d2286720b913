"""CSV export of the stores a caller may see, in the import layout (export, edit, re-import).

Cells are neutralised against formulas (`spreadsheet_cells`); the import restores them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Store, User
from .spreadsheet_cells import csv_text
from .store_contacts import primary_contact
from .store_table import COLUMNS, format_hours
from .stores import filtered_stores


def export_csv(actor: User, args: dict[str, Any]) -> tuple[str, int]:
    """The caller's filtered stores as CSV text (UTF-8 BOM first, for spreadsheet apps), and
    how many stores it holds (for the audit log)."""
    stmt = (
        filtered_stores(actor, args)
        .options(joinedload(Store.team), joinedload(Store.rep), selectinload(Store.contacts))
        .order_by(Store.code)
    )
    rows = [_row(store) for store in db.session.scalars(stmt)]
    return csv_text([COLUMNS, *rows]), len(rows)


def _row(store: Store) -> list[Any]:
    primary = primary_contact(store)
    return [
        store.code,
        store.name,
        store.channel.value,
        store.tier.value,
        store.address,
        store.lat,
        store.lng,
        store.visit_minutes,
        store.visit_frequency_days or "",
        primary.name if primary else "",
        (primary.phone or "") if primary else "",
        store.notes or "",
        store.team.name if store.team else "",
        store.rep.username if store.rep else "",
        "true" if store.active else "false",
        format_hours([(h.weekday, h.opens, h.closes) for h in store.hours]),
    ]
