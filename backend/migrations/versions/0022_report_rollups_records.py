"""report rollups (records: competitor, prices, expiry, orders, returns): what the reports need at ten million visits

Three report tables of rep-days copy what reps record with their visit's rep, team, day, store
and channel (`rep_day_competitor_prices`, `rep_day_price_deviations`, `rep_day_returns`), with a
partial index on the few new-product observations; the order tables are summed per rep-month
(`rep_month_orders`, `rep_month_order_totals`). All are filled here from the existing rows as
`flask reports rebuild` does. Near expiry, a state "as of" a day, gets an index on
the expiry date and a partial one on the follow-ups that found stock expired on the shelf.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 23:20:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def existing_enum(name, *values):
    """An enum type created by an earlier revision (PostgreSQL must not create it again)."""
    return sa.Enum(*values, name=name).with_variant(
        postgresql.ENUM(*values, name=name, create_type=False), "postgresql"
    )


CHANNEL = existing_enum("store_channel", "traditional", "modern", "special")
DEVIATION_KIND = existing_enum("price_deviation_kind", "below_agreed", "unagreed_special")
RETURN_STATUS = existing_enum(
    "return_status", "requested", "approved", "rejected", "collected", "credited"
)
TIER = existing_enum("store_tier", "A", "B", "C")
TABLES = ("rep_day_competitor_prices", "rep_day_price_deviations", "rep_day_returns",
          "rep_month_orders", "rep_month_order_totals")  # fmt: skip
EXPIRED = sa.text("outcome = 'expired_on_shelf'")
NEW = sa.text("new_product")


def _rep_day_columns(name, *columns):
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["rep_id"], ["users.id"], name=op.f(f"fk_{name}_rep_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f(f"fk_{name}_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]


def upgrade():
    op.create_table(
        "rep_day_competitor_prices",
        *_rep_day_columns(
            "rep_day_competitor_prices",
            sa.Column("store_id", sa.Integer(), nullable=False),
            sa.Column("channel", CHANNEL, nullable=False),
            sa.Column("observation_id", sa.Integer(), nullable=False),
            sa.Column("brand_id", sa.Integer(), nullable=False),
            sa.Column("product_id", sa.Integer(), nullable=True),
            sa.Column("product_text", sa.String(length=200), nullable=False),
            sa.Column("promo_type", sa.String(length=20), nullable=True),
            sa.Column("new_product", sa.Boolean(), nullable=False),
            sa.Column("regular_price", sa.Numeric(precision=12, scale=2), nullable=True),
            sa.Column("promo_price", sa.Numeric(precision=12, scale=2), nullable=True),
        ),
    )
    op.create_table(
        "rep_day_price_deviations",
        *_rep_day_columns(
            "rep_day_price_deviations",
            sa.Column("store_id", sa.Integer(), nullable=False),
            sa.Column("channel", CHANNEL, nullable=False),
            sa.Column("deviation_id", sa.Integer(), nullable=False),
            sa.Column("visit_id", sa.Integer(), nullable=False),
            sa.Column("product_id", sa.Integer(), nullable=False),
            sa.Column("kind", DEVIATION_KIND, nullable=False),
            sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        ),
    )
    money_counts = (
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
    )
    op.create_table(
        "rep_month_orders",
        *_rep_day_columns(
            "rep_month_orders",
            sa.Column("product_id", sa.Integer(), nullable=False),
            sa.Column("orders", sa.Integer(), nullable=False),
            *money_counts,
            sa.ForeignKeyConstraint(
                ["product_id"],
                ["products.id"],
                name=op.f("fk_rep_month_orders_product_id_products"),
            ),
        ),
    )
    op.create_table(
        "rep_month_order_totals",
        *_rep_day_columns(
            "rep_month_order_totals",
            sa.Column("channel", CHANNEL, nullable=False),
            sa.Column("tier", TIER, nullable=False),
            sa.Column("orders", sa.Integer(), nullable=False),
            sa.Column("lines", sa.Integer(), nullable=False),
            *money_counts,
        ),
    )
    op.create_table(
        "rep_day_returns",
        *_rep_day_columns(
            "rep_day_returns",
            sa.Column("store_id", sa.Integer(), nullable=False),
            sa.Column("product_id", sa.Integer(), nullable=False),
            sa.Column("status", RETURN_STATUS, nullable=False),
            sa.Column("reason", sa.String(length=20), nullable=False),
            sa.Column("requests", sa.Integer(), nullable=False),
            sa.Column("quantity", sa.Integer(), nullable=False),
        ),
    )
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_index(f"ix_{name}_day_team", ["day", "team_id"], unique=False)
            batch_op.create_index(f"ix_{name}_rep_day", ["rep_id", "day"], unique=False)
    with op.batch_alter_table("rep_day_competitor_prices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rep_day_competitor_prices_new_day",
            ["day"],
            unique=False,
            sqlite_where=NEW,
            postgresql_where=NEW,
        )
    with op.batch_alter_table("near_expiry_items", schema=None) as batch_op:
        batch_op.create_index("ix_near_expiry_items_expiry_date", ["expiry_date"], unique=False)
    with op.batch_alter_table("expiry_followups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_expiry_followups_expired_visit",
            ["visit_id"],
            unique=False,
            sqlite_where=EXPIRED,
            postgresql_where=EXPIRED,
        )
    # The same computation as `flask reports rebuild` (imported here, as in 0014 and 0021).
    from backend.services.reports import (
        competitor_rows,
        deviation_rows,
        order_months,
        rep_days,
        return_rows,
    )

    tables = (competitor_rows, deviation_rows, return_rows, order_months.ORDER_MONTHS,
              order_months.ORDER_TOTAL_MONTHS)  # fmt: skip
    rep_days.refresh(op.get_bind(), rep_days.everything, tables)


def downgrade():
    with op.batch_alter_table("expiry_followups", schema=None) as batch_op:
        batch_op.drop_index("ix_expiry_followups_expired_visit")
    with op.batch_alter_table("near_expiry_items", schema=None) as batch_op:
        batch_op.drop_index("ix_near_expiry_items_expiry_date")
    with op.batch_alter_table("rep_day_competitor_prices", schema=None) as batch_op:
        batch_op.drop_index("ix_rep_day_competitor_prices_new_day")
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_rep_day")
            batch_op.drop_index(f"ix_{name}_day_team")
        op.drop_table(name)
