"""road travel: users.travel_mode, street geometry and access points on plans, dropped `unreachable`

A rep's travel mode (car, scooter, bicycle, foot; NULL = the organisation's default) picks the
road network's costing. Plans keep how their travel was measured (mode, roads or straight
lines) and each leg's street geometry (polyline, precision 6); a stop keeps the road point its
mode reaches when that is away from the store. A store the mode cannot reach is dropped with
the reason `unreachable` and a detail sentence. Existing plans were made on straight lines.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TRAVEL_MODE = sa.Enum("car", "scooter", "bicycle", "foot", name="travel_mode")
DROPPED_REASONS = ("no_room", "closed", "outside_windows")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # A value added to an enum cannot be used in the transaction that adds it.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE dropped_reason ADD VALUE IF NOT EXISTS 'unreachable'")
        TRAVEL_MODE.create(bind, checkfirst=True)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("travel_mode", TRAVEL_MODE, nullable=True))
    with op.batch_alter_table("route_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("travel_mode", TRAVEL_MODE, nullable=True))
        batch_op.add_column(
            sa.Column(
                "travel_source", sa.String(length=16), nullable=False, server_default="straight"
            )
        )
        batch_op.add_column(sa.Column("return_geometry", sa.Text(), nullable=True))
    with op.batch_alter_table("planned_stops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("geometry", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("access_lat", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("access_lng", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("access_m", sa.Integer(), nullable=True))
    with op.batch_alter_table("plan_dropped_stores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.String(length=200), nullable=True))


def downgrade():
    op.execute("DELETE FROM plan_dropped_stores WHERE reason = 'unreachable'")
    with op.batch_alter_table("plan_dropped_stores", schema=None) as batch_op:
        batch_op.drop_column("detail")
    with op.batch_alter_table("planned_stops", schema=None) as batch_op:
        batch_op.drop_column("access_m")
        batch_op.drop_column("access_lng")
        batch_op.drop_column("access_lat")
        batch_op.drop_column("geometry")
    with op.batch_alter_table("route_plans", schema=None) as batch_op:
        batch_op.drop_column("return_geometry")
        batch_op.drop_column("travel_source")
        batch_op.drop_column("travel_mode")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("travel_mode")
    if op.get_bind().dialect.name == "postgresql":
        TRAVEL_MODE.drop(op.get_bind(), checkfirst=True)
        # PostgreSQL cannot drop a value from an enum: the type is made again without it.
        op.execute("ALTER TYPE dropped_reason RENAME TO dropped_reason_old")
        sa.Enum(*DROPPED_REASONS, name="dropped_reason").create(op.get_bind())
        op.execute(
            "ALTER TABLE plan_dropped_stores ALTER COLUMN reason TYPE dropped_reason "
            "USING reason::text::dropped_reason"
        )
        op.execute("DROP TYPE dropped_reason_old")
