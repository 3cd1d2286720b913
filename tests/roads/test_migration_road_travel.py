"""Migration 0011 on a database at 0010 holding a plan: afterwards the plan was made on straight
lines (no mode, no geometry), a rep can take a travel mode and a plan a store dropped as
`unreachable`; the downgrade drops both again and keeps the rest. Runs on PostgreSQL too when
TERMINUS_TEST_DATABASE_URL names one (`scratch_app`: an empty schema of its own)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from backend.extensions import db
from tests.test_migration_display_checks import DAY, insert, scratch_app  # noqa: F401


def a_plan(conn) -> None:
    """A rep's plan with one stop and one store dropped for want of room (schema at 0010)."""
    meta = sa.MetaData()
    meta.reflect(conn)
    t = meta.tables
    team = insert(conn, t, "teams", name="N1", area_id=insert(conn, t, "areas", name="North"))
    rep = insert(conn, t, "users", username="rep", full_name="Rep", password_hash="x",
                 role="rep", active=True, team_id=team)  # fmt: skip
    store = {"channel": "modern", "tier": "A", "address": "1 Main St", "lat": 60.17,
             "lng": 24.94, "visit_minutes": 15, "active": True}  # fmt: skip
    stores = [insert(conn, t, "stores", code=f"s{k}", name=f"S{k}", **store) for k in (1, 2)]
    plan = insert(conn, t, "route_plans", rep_id=rep, team_id=team, plan_date=DAY,
                  status="draft", travel_seconds=60, distance_m=500, revision=1,
                  violations=[], amended=False)  # fmt: skip
    insert(conn, t, "planned_stops", plan_id=plan, store_id=stores[0], sequence=1,
           travel_seconds=60, distance_m=500, locked=False)  # fmt: skip
    insert(conn, t, "plan_dropped_stores", plan_id=plan, store_id=stores[1], reason="no_room")


def rows(conn, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_upgrade_to_0011_and_back(scratch_app):  # noqa: F811
    app = scratch_app
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            a_plan(conn)
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            assert rows(conn, "SELECT travel_mode FROM users") == [(None,)]
            assert rows(
                conn, "SELECT travel_mode, travel_source, return_geometry FROM route_plans"
            ) == [(None, "straight", None)]
            assert rows(conn, "SELECT geometry, access_m FROM planned_stops") == [(None, None)]
            conn.execute(sa.text("UPDATE users SET travel_mode = 'car'"))
            conn.execute(
                sa.text("UPDATE plan_dropped_stores SET reason = 'unreachable', detail = 'far'")
            )
            conn.execute(sa.text("UPDATE route_plans SET travel_source = 'roads'"))
            assert rows(conn, "SELECT reason, detail FROM plan_dropped_stores") == [
                ("unreachable", "far")
            ]
        db.session.remove()  # its transaction would hold the downgrade's ALTER TABLE
        downgrade(revision="0010")
        with db.engine.begin() as conn:
            assert rows(conn, "SELECT count(*) FROM plan_dropped_stores") == [(0,)]
            assert rows(conn, "SELECT count(*) FROM planned_stops") == [(1,)]
            inspector = sa.inspect(conn)
            assert "travel_mode" not in {c["name"] for c in inspector.get_columns("users")}
            stop_columns = {c["name"] for c in inspector.get_columns("planned_stops")}
            assert {"geometry", "access_lat", "access_lng", "access_m"}.isdisjoint(stop_columns)
            conn.execute(
                sa.text(
                    "INSERT INTO plan_dropped_stores (plan_id, store_id, reason) "
                    "SELECT id, (SELECT max(id) FROM stores), 'closed' FROM route_plans"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            assert rows(conn, "SELECT reason FROM plan_dropped_stores") == [("closed",)]
