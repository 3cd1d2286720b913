"""The reports benchmark on a small data set: its rows load through the project's migrations,
the report tables rebuilt from them equal a recomputation, and every report it times answers
with data (so a benchmark figure is never the time of an empty report)."""

from __future__ import annotations

import sqlalchemy as sa

from backend.extensions import db
from backend.models import User
from backend.services.customer_status import note_orders
from backend.services.reports import rep_days
from bench import reports
from bench.report_data import generate, setup_org

DAYS = 4


def _load() -> tuple[dict, int]:
    org = setup_org(20, 25)
    chunks = generate(org, DAYS, seed=3)
    if db.engine.dialect.name == "postgresql":
        return org, reports.load_postgres(chunks)
    db.session.remove()  # the loader writes through its own connection
    return org, reports.load_sqlite(db.engine.url.database, chunks)


def test_bench_data_loads_and_every_report_has_rows(ctx):
    org, visits = _load()
    note_orders(sid for stores in org["stores"].values() for sid in stores)
    assert visits > 20 * DAYS * 15
    rep_days.refresh(db.session.connection(), rep_days.everything)
    db.session.commit()
    assert rep_days.stale_rep_days(db.session.connection()) == []
    for name, username, build, args in reports.reports(DAYS):
        user = db.session.scalars(sa.select(User).where(User.username == username)).one()
        report = build(user, dict(args))
        assert reports.has_rows(report), name
        db.session.rollback()
