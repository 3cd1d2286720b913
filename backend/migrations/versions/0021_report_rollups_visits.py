"""report rollups (visits: KPIs, display, exceptions, photos, complaints, tiers): what the reports need at ten million visits

Seven report tables, filled here from the existing rows (`rep_days.refresh`, the
computation `flask reports rebuild` runs): `rep_day_photos` (the photo queue's counts),
`rep_day_flags` (the exceptions' counts per kind), `rep_day_store_orders` (the orders the tier
proposals weigh, per store) and, per rep-month, `rep_month_store_visits` (the visits the KPIs'
coverage counts, per store); and `rep_day_kpis` summed per month (`rep_month_kpis`),
`rep_day_display` per month (`rep_month_display`) and per ISO week (`rep_week_display`). And
two indexes that let a report page stop after its rows: flags
newest first, visits by day and check-in time.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 23:20:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

FLAG_KINDS = (
    "outside_geofence",
    "poor_accuracy",
    "short_visit",
    "impossible_travel",
    "clock_skew",
    "photo_reused",
    "photo_old",
    "left_open",
    "time_travel",
    "price_deviation",
)
KPI_COUNTS = ("planned", "visited", "ordered", "in_position", "visits", "on_route",
              "off_route_orders", "in_store_total", "in_store_count", "travel_total",
              "travel_count", "photos", "approved", "rejected", "added", "removed")  # fmt: skip
DISPLAY_COUNTS = ("checks", "on_shelf", "eye_level", "out_of_stock", "in_stock",
                  "fifo_assessed", "fifo_ok", "fifo_issues", "tag_assessed", "tag_ok",
                  "tag_issues", "clean_assessed", "clean_ok", "clean_issues", "pop_present",
                  "own_facings", "all_facings", "rival_facings", "own_eye_facings",
                  "eye_facings")  # fmt: skip
CHANNEL = ("traditional", "modern", "special")
TIER = ("A", "B", "C")
TABLES = ("rep_day_photos", "rep_day_flags", "rep_day_store_orders", "rep_month_store_visits",
          "rep_month_kpis", "rep_month_display", "rep_week_display")  # fmt: skip


def existing_enum(name, *values):
    """An enum type created by an earlier revision (PostgreSQL must not create it again)."""
    return sa.Enum(*values, name=name).with_variant(
        postgresql.ENUM(*values, name=name, create_type=False), "postgresql"
    )


def _counts(names):
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _rep_day_table(name, *columns):
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["rep_id"], ["users.id"], name=op.f(f"fk_{name}_rep_id_users")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f(f"fk_{name}_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f"ix_{name}_day_team", ["day", "team_id"], unique=False)
        batch_op.create_index(f"ix_{name}_rep_day", ["rep_id", "day"], unique=False)


def upgrade():
    count = sa.Integer()
    _rep_day_table(
        "rep_day_photos",
        sa.Column("photos", count, nullable=False),
        sa.Column("approved", count, nullable=False),
        sa.Column("rejected", count, nullable=False),
    )
    _rep_day_table(
        "rep_day_flags",
        sa.Column("kind", existing_enum("visit_flag_kind", *FLAG_KINDS), nullable=False),
        sa.Column("flags", count, nullable=False),
    )
    _rep_day_table(
        "rep_day_store_orders",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("orders", count, nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_rep_day_store_orders_store_id_stores")
        ),
    )
    _rep_day_table(
        "rep_month_store_visits",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("visits", count, nullable=False),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_rep_month_store_visits_store_id_stores")
        ),
    )
    _rep_day_table("rep_month_kpis", *_counts(KPI_COUNTS))
    channel_tier = (
        sa.Column("channel", existing_enum("store_channel", *CHANNEL), nullable=False),
        sa.Column("tier", existing_enum("store_tier", *TIER), nullable=False),
    )
    _rep_day_table("rep_month_display", *channel_tier, *_counts(DISPLAY_COUNTS))
    _rep_day_table("rep_week_display", *_counts(DISPLAY_COUNTS))
    with op.batch_alter_table("visit_flags", schema=None) as batch_op:
        batch_op.create_index("ix_visit_flags_created_at", ["created_at", "id"], unique=False)
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_date_checked_in", ["visit_date", "checked_in_at"])
    # The same computation as `flask reports rebuild` (imported here, as in 0014).
    from backend.services.reports import (
        flag_counts,
        period_sums,
        photo_counts,
        rep_days,
        store_orders,
        store_visits,
    )

    sums = (period_sums.KPI_MONTHS, period_sums.DISPLAY_MONTHS, period_sums.DISPLAY_WEEKS)
    tables = (photo_counts, flag_counts, store_orders, store_visits, *sums)
    rep_days.refresh(op.get_bind(), rep_days.everything, tables)
    for name in TABLES:  # planned by their statistics at once, not after autovacuum's turn
        op.execute(f"ANALYZE {name}")


def downgrade():
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_date_checked_in")
    with op.batch_alter_table("visit_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_flags_created_at")
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_rep_day")
            batch_op.drop_index(f"ix_{name}_day_team")
        op.drop_table(name)
