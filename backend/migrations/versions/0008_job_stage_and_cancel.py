"""jobs: stage, cancel request (when, by whom) and the status `cancelled`

Existing jobs get the stage their status implies: a succeeded job is done, the others keep
"queued" (a failed job's stage was never recorded).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "succeeded", "failed")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # A value added to an enum cannot be used in the transaction that adds it.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE job_status ADD VALUE IF NOT EXISTS 'cancelled'")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stage", sa.String(length=20), nullable=False, server_default="queued")
        )
        batch_op.add_column(
            sa.Column("cancel_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("cancel_requested_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_cancel_requested_by_id_users"),
            "users",
            ["cancel_requested_by_id"],
            ["id"],
        )
    op.execute("UPDATE jobs SET stage = 'done' WHERE status = 'succeeded'")
    # Only the model's default from here on, as for the other columns.
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("stage", server_default=None)


def downgrade():
    # A cancelled job was stopped before it finished: without that status, it failed.
    op.execute("UPDATE jobs SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_jobs_cancel_requested_by_id_users"), "foreignkey")
        batch_op.drop_column("cancel_requested_by_id")
        batch_op.drop_column("cancel_requested_at")
        batch_op.drop_column("stage")
    if op.get_bind().dialect.name == "postgresql":
        # PostgreSQL cannot drop a value from an enum: the type is made again without it.
        op.execute("ALTER TYPE job_status RENAME TO job_status_old")
        sa.Enum(*STATUSES, name="job_status").create(op.get_bind())
        op.execute(
            "ALTER TABLE jobs ALTER COLUMN status TYPE job_status USING status::text::job_status"
        )
        op.execute("DROP TYPE job_status_old")
