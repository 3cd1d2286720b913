"""Migration 0022 on a database at 0021 holding a visit with a competitor price, a price
deviation and a return: afterwards the three report tables hold them (as a recomputation
does), and the downgrade drops the tables and the near-expiry indexes again. SQLite, or
PostgreSQL with TERMINUS_TEST_DATABASE_URL (a scratch schema of its own)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from backend.extensions import db
from backend.services.reports import rep_days
from tests.test_migration_display_checks import insert, scratch_app  # noqa: F401
from tests.test_migration_visit_review import a_visit, scalar

TABLES = ("rep_day_competitor_prices", "rep_day_price_deviations", "rep_day_returns")
INDEXES = {"near_expiry_items": "ix_near_expiry_items_expiry_date",
           "expiry_followups": "ix_expiry_followups_expired_visit"}  # fmt: skip


def records(conn, visit: int) -> None:
    meta = sa.MetaData()
    meta.reflect(conn)
    t = meta.tables
    brand = insert(conn, t, "brands", name="Fuji", is_own=False)
    product = insert(conn, t, "products", sku="F1", name="Fuji tea", brand_id=brand,
                     category="tea", pack_size="500 ml", unit_price=150, active=True)  # fmt: skip
    insert(conn, t, "competitor_observations", visit_id=visit, brand_id=brand,
           product_name="Fuji new", regular_price=99.9, new_product=True)  # fmt: skip
    insert(conn, t, "price_deviations", visit_id=visit, product_id=product, kind="below_agreed",
           shelf_price=139.5, agreed_price=150)  # fmt: skip
    for quantity in (4, 2):
        insert(conn, t, "return_requests", visit_id=visit, product_id=product, quantity=quantity,
               reason="damaged", status="requested")  # fmt: skip


def test_upgrade_to_0022_and_back(scratch_app):  # noqa: F811
    app = scratch_app
    with app.app_context():
        upgrade(revision="0021")
        with db.engine.begin() as conn:
            records(conn, a_visit(conn))
        upgrade(revision="0022")
        with db.engine.connect() as conn:
            assert scalar(conn, "SELECT product_text FROM rep_day_competitor_prices") == "Fuji new"
            assert float(scalar(conn, "SELECT amount FROM rep_day_price_deviations")) == 10.5
            assert scalar(conn, "SELECT requests * 100 + quantity FROM rep_day_returns") == 206
            # The visit itself was written around the app: only the new tables are checked.
            stale = rep_days.stale_rep_days(conn)
        assert [row for row in stale if row[0].split()[0] in TABLES] == []
        downgrade(revision="0021")
        with db.engine.connect() as conn:
            inspector = sa.inspect(conn)
            assert set(TABLES).isdisjoint(inspector.get_table_names())
            for table, index in INDEXES.items():
                assert index not in {i["name"] for i in inspector.get_indexes(table)}
        upgrade()
