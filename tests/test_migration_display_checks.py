"""Migration 0006 on a database at 0005 holding old-style display checks (a separate eye-level
answer, on the shelf and out of stock at once, facings off the shelf) and the report table the
old code kept: afterwards each row has one answer, the constraints hold, and `flask reports
check` passes with the eye-level counts read from shelf_level 2. SQLite, or PostgreSQL with
TERMINUS_TEST_DATABASE_URL (a scratch schema of its own)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from backend import create_app
from backend.extensions import db

NOW = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)
DAY = date(2026, 11, 16)
COUNTS = ("checks", "on_shelf", "eye_level", "out_of_stock", "in_stock", "own_facings",
          "all_facings")  # fmt: skip
# Per check: product, on_shelf, out_of_stock, facings, shelf_level, eye_level (the old answer).
OLD_CHECKS = [
    ("own-0", True, False, 3, 1, True),  # eye level ticked, another shelf chosen: eye level wins
    ("own-1", True, False, 2, 2, False),  # eye level chosen as the shelf: the reported bug
    ("own-2", True, True, 4, 3, False),  # on the shelf and out of stock: out of stock
    ("own-3", False, True, 0, None, True),  # out of stock: never counts as eye level
    ("own-4", False, False, 2, None, False),  # not stocked here, yet facings: none
    ("rival", True, False, 6, 4, True),  # a competitor's product: counted in all facings only
]
# rep_day_display as the old code kept it (eye level from the old answer), and as it must be.
OLD_COUNTS = {"checks": 5, "on_shelf": 3, "eye_level": 1, "out_of_stock": 2, "in_stock": 2,
              "own_facings": 11, "all_facings": 17}  # fmt: skip
NEW_COUNTS = {"checks": 5, "on_shelf": 2, "eye_level": 2, "out_of_stock": 2, "in_stock": 2,
              "own_facings": 5, "all_facings": 11}  # fmt: skip


@pytest.fixture
def scratch_app(tmp_path):
    """An app on an empty database of its own (never the suite's)."""
    url = os.environ.get("TERMINUS_TEST_DATABASE_URL", "")
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    if url.startswith("postgresql"):
        config = {
            "DATABASE_URL": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
        }
        ddl(url, f'CREATE SCHEMA "{schema}"')
    else:
        config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"}
    app = create_app({**config, "TESTING": True, "SECRET_KEY": "test"})
    yield app
    with app.app_context():
        db.engine.dispose()
    if url.startswith("postgresql"):
        ddl(url, f'DROP SCHEMA "{schema}" CASCADE')


def ddl(url: str, statement: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


def insert(conn, tables, table: str, **values) -> int:
    stamps = {c: NOW for c in ("created_at", "updated_at") if c in tables[table].c}
    return conn.execute(sa.insert(tables[table]).values(**stamps, **values)).inserted_primary_key[0]


def old_rows(conn) -> None:
    """A rep's visit with OLD_CHECKS, and its rep_day_display row with OLD_COUNTS (the schema
    at 0005, reflected: the models describe the newest one)."""
    meta = sa.MetaData()
    meta.reflect(conn)
    t = meta.tables
    area = insert(conn, t, "areas", name="North")
    team = insert(conn, t, "teams", name="N1", area_id=area)
    rep = insert(conn, t, "users", username="rep", full_name="Rep", password_hash="x",
                 role="rep", active=True, team_id=team)  # fmt: skip
    store = insert(conn, t, "stores", code="s1", name="S1", channel="modern", tier="A",
                   address="1 Main St", lat=35.0, lng=139.0, visit_minutes=15,
                   active=True)  # fmt: skip
    brands = {own: insert(conn, t, "brands", name=f"B{own}", is_own=own) for own in (True, False)}
    visit = insert(conn, t, "visits", uuid=str(uuid.uuid4()), rep_id=rep, team_id=team,
                   store_id=store, planned=False, visit_date=DAY, status="closed",
                   checked_in_at=NOW, checkin_received_at=NOW, checkin_lat=35.0,
                   checkin_lng=139.0, checkin_distance_m=0.0, successful=False)  # fmt: skip
    for name, on_shelf, out_of_stock, facings, level, eye in OLD_CHECKS:
        brand = brands[name != "rival"]
        product = insert(conn, t, "products", sku=name, name=name, brand_id=brand,
                         category="tea", pack_size="1 l", active=True)  # fmt: skip
        insert(conn, t, "display_checks", visit_id=visit, product_id=product, on_shelf=on_shelf,
               out_of_stock=out_of_stock, facings=facings, shelf_level=level,
               eye_level=eye)  # fmt: skip
    others = {c.name: 0 for c in t["rep_day_display"].c if c.name not in COUNTS}
    others.update(rep_id=rep, team_id=team, day=DAY, channel="modern", tier="A")
    others.pop("id")
    insert(conn, t, "rep_day_display", **others, **OLD_COUNTS)


def display_counts(conn) -> dict:
    row = conn.execute(sa.text(f"SELECT {', '.join(COUNTS)} FROM rep_day_display")).one()
    return dict(row._mapping)


def test_upgrade_gives_one_answer_and_exact_reports(scratch_app):
    app = scratch_app
    with app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            old_rows(conn)
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT p.sku, d.on_shelf, d.out_of_stock, d.facings, d.shelf_level"
                    " FROM display_checks d JOIN products p ON p.id = d.product_id ORDER BY p.sku"
                )
            )
            assert [tuple(r) for r in rows] == [
                ("own-0", True, False, 3, 2),
                ("own-1", True, False, 2, 2),
                ("own-2", False, True, 0, 3),
                ("own-3", False, True, 0, 2),
                ("own-4", False, False, 0, None),
                ("rival", True, False, 6, 2),
            ]
            assert "eye_level" not in {
                c["name"] for c in sa.inspect(conn).get_columns("display_checks")
            }
            assert display_counts(conn) == NEW_COUNTS
        check = app.test_cli_runner().invoke(args=["reports", "check"])
        assert check.exit_code == 0, check.output
        assert "match the raw rows" in check.output

        with db.engine.connect() as conn:  # the constraints now hold
            for change in ("on_shelf = true", "facings = 1"):
                with pytest.raises(sa.exc.IntegrityError), conn.begin():
                    conn.execute(sa.text(f"UPDATE display_checks SET {change} WHERE out_of_stock"))


def test_downgrade_brings_the_old_answer_back(scratch_app):
    with scratch_app.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as conn:
            old_rows(conn)
        upgrade()
        downgrade(revision="0005")
        with db.engine.connect() as conn:
            eye = conn.execute(
                sa.text(
                    "SELECT p.sku FROM display_checks d JOIN products p ON p.id = d.product_id"
                    " WHERE d.eye_level ORDER BY p.sku"
                )
            )
            assert [r[0] for r in eye] == ["own-0", "own-1", "own-3", "rival"]
