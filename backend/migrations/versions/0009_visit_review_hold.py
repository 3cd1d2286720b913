"""visits: held for review (`review`, who decided and when) and the flag kind `time_travel`

A visit whose device time the server cannot believe is flagged `time_travel` and held out of
the KPIs until a supervisor accepts it. Existing visits were never held (review NULL).

Then `rep_day_kpis` is recomputed from the rows (as `flask reports rebuild`). The report code
reads the newest schema, so a table's refresh lives in the newest revision that changes what
it counts: `rep_day_display`'s moved to 0014.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 20:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
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
)
REVIEW = sa.Enum("pending", "accepted", "rejected", name="visit_review")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # A value added to an enum cannot be used in the transaction that adds it.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE visit_flag_kind ADD VALUE IF NOT EXISTS 'time_travel'")
        REVIEW.create(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review", REVIEW, nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_visits_reviewed_by_id_users"), "users", ["reviewed_by_id"], ["id"]
        )

    from backend.services.reports import kpi_counts, rep_days

    rep_days.refresh(op.get_bind(), rep_days.everything, (kpi_counts,))


def downgrade():
    op.execute("DELETE FROM visit_flags WHERE kind = 'time_travel'")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_visits_reviewed_by_id_users"), "foreignkey")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("review")
    if op.get_bind().dialect.name == "postgresql":
        REVIEW.drop(op.get_bind(), checkfirst=True)
        # PostgreSQL cannot drop a value from an enum: the type is made again without it.
        op.execute("ALTER TYPE visit_flag_kind RENAME TO visit_flag_kind_old")
        sa.Enum(*FLAG_KINDS, name="visit_flag_kind").create(op.get_bind())
        op.execute(
            "ALTER TABLE visit_flags ALTER COLUMN kind TYPE visit_flag_kind "
            "USING kind::text::visit_flag_kind"
        )
        op.execute("DROP TYPE visit_flag_kind_old")
