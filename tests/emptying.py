"""Empty every table as in a new database (ids restart), for fixtures and tests that reload."""

from __future__ import annotations

import sqlalchemy as sa

from backend.extensions import db


def empty_tables() -> None:
    """Empty every table in the current app's database; the caller commits."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return
    # The audit log refuses DELETE (triggers, migration 0018): drop them for the cleanup and
    # put them back in the same transaction (SQLite's DDL is transactional). SQLite numbers rows
    # from the largest id left, so emptied tables number from 1 again.
    triggers = db.session.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'audit_entries'"
        )
    ).all()
    for name, _sql in triggers:
        db.session.execute(sa.text(f'DROP TRIGGER "{name}"'))
    for name in tables:
        db.session.execute(sa.text(f"DELETE FROM {name}"))
    for _name, sql in triggers:
        db.session.execute(sa.text(sql))
