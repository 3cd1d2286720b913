"""returns with a status leads move; near-expiry actions and their follow-ups at later visits

A return request moves requested -> approved | rejected, approved -> collected -> credited; the
lead who decided, when, and a note are kept (existing rows are `requested`). A near-expiry item
records what the rep did about it (`action`), and a later visit to the store records what became
of it (`expiry_followups`: one outcome per item and visit).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RETURN_STATUS = sa.Enum(
    "requested", "approved", "rejected", "collected", "credited", name="return_status"
)
EXPIRY_ACTION = sa.Enum(
    "moved_to_front", "discount_agreed", "return_requested", "removed", name="expiry_action"
)
EXPIRY_OUTCOME = sa.Enum(
    "sold", "still_on_shelf", "returned", "removed", "expired_on_shelf", name="expiry_outcome"
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        RETURN_STATUS.create(bind, checkfirst=True)
        EXPIRY_ACTION.create(bind, checkfirst=True)
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", RETURN_STATUS, nullable=False, server_default="requested")
        )
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("status_note", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_return_requests_decided_by_id_users"), "users", ["decided_by_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_return_requests_status"), ["status"], unique=False)
    with op.batch_alter_table("near_expiry_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action", EXPIRY_ACTION, nullable=True))
    op.create_table(
        "expiry_followups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("near_expiry_id", sa.Integer(), nullable=False),
        sa.Column("outcome", EXPIRY_OUTCOME, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_expiry_followups_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["near_expiry_id"],
            ["near_expiry_items.id"],
            name=op.f("fk_expiry_followups_near_expiry_id_near_expiry_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_expiry_followups_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expiry_followups")),
        sa.UniqueConstraint(
            "visit_id", "near_expiry_id", name="uq_expiry_followups_visit_near_expiry"
        ),
    )
    with op.batch_alter_table("expiry_followups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_expiry_followups_near_expiry_id"), ["near_expiry_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_expiry_followups_visit_id"), ["visit_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("expiry_followups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expiry_followups_visit_id"))
        batch_op.drop_index(batch_op.f("ix_expiry_followups_near_expiry_id"))
    op.drop_table("expiry_followups")
    with op.batch_alter_table("near_expiry_items", schema=None) as batch_op:
        batch_op.drop_column("action")
    with op.batch_alter_table("return_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_requests_status"))
        batch_op.drop_constraint(batch_op.f("fk_return_requests_decided_by_id_users"), "foreignkey")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("status_note")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("status")
    if op.get_bind().dialect.name == "postgresql":
        EXPIRY_OUTCOME.drop(op.get_bind(), checkfirst=True)
        EXPIRY_ACTION.drop(op.get_bind(), checkfirst=True)
        RETURN_STATUS.drop(op.get_bind(), checkfirst=True)
