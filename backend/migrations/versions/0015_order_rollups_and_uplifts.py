"""order report tables of rep-days (rep_day_orders, rep_day_order_totals) and demand uplifts

The two report tables are filled from the existing orders here, in plain SQL (the same counts as
`services.reports.order_counts`, so `flask reports check` finds them right). Demand uplifts are
the admins' seasonal or promotion factors on the suggested order.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 09:30:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def existing_enum(name, *values):
    """An enum type created by an earlier revision (PostgreSQL must not create it again)."""
    return sa.Enum(*values, name=name).with_variant(
        postgresql.ENUM(*values, name=name, create_type=False), "postgresql"
    )


CHANNEL = ("traditional", "modern", "special")
TIER = ("A", "B", "C")

# Orders at counted visits (never held for review, or accepted), by rep-day, channel and tier.
_FROM = """
FROM order_lines l
JOIN orders o ON o.id = l.order_id
JOIN visits v ON v.id = o.visit_id
JOIN stores s ON s.id = v.store_id
WHERE v.review IS NULL OR v.review = 'accepted'
"""
_KEYS = "v.rep_id, v.team_id, v.visit_date, s.channel, s.tier"
_VALUE = "ROUND(SUM(l.quantity * COALESCE(l.unit_price, 0)), 2)"
FILL_PRODUCTS = f"""
INSERT INTO rep_day_orders (rep_id, team_id, day, channel, tier, product_id, orders, units, value)
SELECT {_KEYS}, l.product_id, COUNT(*), SUM(l.quantity), {_VALUE}
{_FROM} GROUP BY {_KEYS}, l.product_id
"""
FILL_TOTALS = f"""
INSERT INTO rep_day_order_totals (rep_id, team_id, day, channel, tier, orders, lines, units, value)
SELECT {_KEYS}, COUNT(DISTINCT o.id), COUNT(*), SUM(l.quantity), {_VALUE}
{_FROM} GROUP BY {_KEYS}
"""


def _rep_day_columns(name):
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", existing_enum("store_channel", *CHANNEL), nullable=False),
        sa.Column("tier", existing_enum("store_tier", *TIER), nullable=False),
        sa.ForeignKeyConstraint(["rep_id"], ["users.id"], name=op.f(f"fk_{name}_rep_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f(f"fk_{name}_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    ]


def _rep_day_indexes(name):
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f"ix_{name}_day_team", ["day", "team_id"], unique=False)
        batch_op.create_index(f"ix_{name}_rep_day", ["rep_id", "day"], unique=False)


def upgrade():
    op.create_table(
        "rep_day_orders",
        *_rep_day_columns("rep_day_orders"),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_rep_day_orders_product_id_products")
        ),
    )
    _rep_day_indexes("rep_day_orders")
    op.create_table(
        "rep_day_order_totals",
        *_rep_day_columns("rep_day_order_totals"),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
    )
    _rep_day_indexes("rep_day_order_totals")
    op.create_table(
        "demand_uplifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("channel", existing_enum("store_channel", *CHANNEL), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("factor", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("reason", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("factor > 0", name=op.f("ck_demand_uplifts_factor_positive")),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_demand_uplifts_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_demand_uplifts_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_uplifts")),
    )
    with op.batch_alter_table("demand_uplifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_demand_uplifts_ends_on"), ["ends_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_demand_uplifts_product_id"), ["product_id"], unique=False
        )
    op.execute(FILL_PRODUCTS)
    op.execute(FILL_TOTALS)


def downgrade():
    with op.batch_alter_table("demand_uplifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_demand_uplifts_product_id"))
        batch_op.drop_index(batch_op.f("ix_demand_uplifts_ends_on"))
    op.drop_table("demand_uplifts")
    for name in ("rep_day_order_totals", "rep_day_orders"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_rep_day")
            batch_op.drop_index(f"ix_{name}_day_team")
        op.drop_table(name)
