"""plans people can trust: revisions, start-of-day baseline, dropped stores, violations,
amendment counts in rep_day_kpis

The report tables are recomputed from the rows in 0009, the newest revision that changes what
they count (the report code reads the newest schema).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

REVISION_KINDS = (
    "created", "edited", "optimised", "moved_in", "moved_out", "published", "replanned"
)  # fmt: skip
DROPPED_REASONS = ("no_room", "closed", "outside_windows")


def _plan_id():
    return sa.Column(
        "plan_id", sa.Integer(), sa.ForeignKey("route_plans.id", ondelete="CASCADE"), nullable=False
    )


def upgrade():
    op.create_table(
        "plan_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _plan_id(),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("kind", sa.Enum(*REVISION_KINDS, name="revision_kind"), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("stops", sa.Integer(), nullable=False),
        sa.Column("travel_seconds", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("during_day", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("plan_id", "revision", name="plan_revision"),
    )
    op.create_index("ix_plan_revisions_plan_id", "plan_revisions", ["plan_id"])
    op.create_table(
        "plan_baseline_stops",
        sa.Column("id", sa.Integer(), primary_key=True),
        _plan_id(),
        sa.Column("store_id", sa.Integer(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("sequence", sa.SmallInteger(), nullable=False),
        sa.UniqueConstraint("plan_id", "store_id", name="plan_baseline_store"),
    )
    op.create_index("ix_plan_baseline_stops_plan_id", "plan_baseline_stops", ["plan_id"])
    op.create_index("ix_plan_baseline_stops_store_id", "plan_baseline_stops", ["store_id"])
    op.create_table(
        "plan_dropped_stores",
        sa.Column("id", sa.Integer(), primary_key=True),
        _plan_id(),
        sa.Column("store_id", sa.Integer(), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("reason", sa.Enum(*DROPPED_REASONS, name="dropped_reason"), nullable=False),
        sa.UniqueConstraint("plan_id", "store_id", name="plan_dropped_store"),
    )
    op.create_index("ix_plan_dropped_stores_plan_id", "plan_dropped_stores", ["plan_id"])
    with op.batch_alter_table("route_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("violations", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("amended", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("rep_day_kpis", schema=None) as batch_op:
        for name in ("added", "removed"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("rep_day_kpis", schema=None) as batch_op:
        batch_op.drop_column("removed")
        batch_op.drop_column("added")
    with op.batch_alter_table("route_plans", schema=None) as batch_op:
        batch_op.drop_column("amended")
        batch_op.drop_column("violations")
    op.drop_table("plan_dropped_stores")
    op.drop_table("plan_baseline_stops")
    op.drop_table("plan_revisions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS dropped_reason")
        op.execute("DROP TYPE IF EXISTS revision_kind")
