"""Migration 0009 on a database at 0008 holding a visit: afterwards the visit was never held
(review NULL) and counts in the recomputed report tables, a visit can be held with the flag
kind `time_travel`, and the downgrade drops both again. SQLite, or PostgreSQL with
TERMINUS_TEST_DATABASE_URL (a scratch schema of its own, as in the display-check migration)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from backend.extensions import db
from tests.test_migration_display_checks import DAY, NOW, insert, scratch_app  # noqa: F401


def a_visit(conn) -> int:
    """One rep's closed visit (the schema at 0008, reflected)."""
    meta = sa.MetaData()
    meta.reflect(conn)
    t = meta.tables
    team = insert(conn, t, "teams", name="N1", area_id=insert(conn, t, "areas", name="North"))
    rep = insert(conn, t, "users", username="rep", full_name="Rep", password_hash="x",
                 role="rep", active=True, team_id=team)  # fmt: skip
    store = insert(conn, t, "stores", code="s1", name="S1", channel="modern", tier="A",
                   address="1 Main St", lat=35.0, lng=139.0, visit_minutes=15,
                   active=True)  # fmt: skip
    return insert(conn, t, "visits", uuid=str(uuid.uuid4()), rep_id=rep, team_id=team,
                  store_id=store, planned=False, visit_date=DAY, status="closed",
                  checked_in_at=NOW, checkin_received_at=NOW, checkin_lat=35.0,
                  checkin_lng=139.0, checkin_distance_m=0.0, successful=False)  # fmt: skip


def scalar(conn, sql: str):
    return conn.execute(sa.text(sql)).scalar()


def test_upgrade_to_0009_and_back(scratch_app):  # noqa: F811
    app = scratch_app
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as conn:
            visit = a_visit(conn)
        upgrade(revision="0009")
        with db.engine.begin() as conn:
            assert scalar(conn, "SELECT review FROM visits") is None
            assert scalar(conn, "SELECT visits FROM rep_day_kpis") == 1
            conn.execute(sa.text("UPDATE visits SET review = 'pending'"))
            conn.execute(
                sa.text(
                    "INSERT INTO visit_flags (visit_id, kind, message, detail, created_at)"
                    " VALUES (:v, 'time_travel', 'held', '{}', :now)"
                ),
                {"v": visit, "now": NOW},
            )
        upgrade()
        for command in ("rebuild", "check"):
            done = app.test_cli_runner().invoke(args=["reports", command])
            assert done.exit_code == 0, done.output
        db.session.remove()  # its transaction would hold the downgrade's ALTER TABLE
        with db.engine.connect() as conn:
            assert scalar(conn, "SELECT count(*) FROM rep_day_kpis") == 0  # held: not counted
        downgrade(revision="0008")
        with db.engine.connect() as conn:
            assert scalar(conn, "SELECT count(*) FROM visit_flags") == 0
            columns = {c["name"] for c in sa.inspect(conn).get_columns("visits")}
            assert {"review", "reviewed_by_id", "reviewed_at"}.isdisjoint(columns)
        upgrade()
