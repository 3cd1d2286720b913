"""the store's file: several contacts per store, complaints

A store had one contact (stores.contact_name, contact_phone); it now has any number of contacts
with a role, one of them primary. Each store's old contact becomes its primary contact (role
`other`: the old columns did not say), then the two columns go. Complaints are new: recorded
at a visit or by a lead, with a status and a resolution. The downgrade puts each store's
primary contact back into the two columns.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CONTACT_ROLE = sa.Enum(
    "owner", "buyer", "decision_maker", "front_desk", "other", name="store_contact_role"
)
CATEGORY = sa.Enum(
    "product_quality",
    "delivery",
    "pricing",
    "service",
    "rep_conduct",
    "other",
    name="complaint_category",
)
STATUS = sa.Enum("open", "in_progress", "resolved", name="complaint_status")


def _timestamps() -> tuple[sa.Column, sa.Column]:
    return (
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def upgrade():
    _create_contacts()
    _create_complaints()
    # Every store with an old contact gets it as its primary contact, stamped now.
    op.execute(
        "INSERT INTO store_contacts (store_id, name, role, phone, is_primary, created_at, "
        "updated_at) SELECT id, COALESCE(contact_name, ''), 'other', contact_phone, "
        f"{_true()}, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM stores "
        "WHERE COALESCE(contact_name, '') <> '' OR COALESCE(contact_phone, '') <> ''"
    )
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_name")


def _true() -> str:
    return "true" if op.get_bind().dialect.name == "postgresql" else "1"


def _create_contacts():
    op.create_table(
        "store_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", CONTACT_ROLE, nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_store_contacts_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_contacts")),
    )
    with op.batch_alter_table("store_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_store_contacts_store_id"), ["store_id"], unique=False)
        batch_op.create_index(
            "uq_store_contacts_primary",
            ["store_id"],
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )


def _create_complaints():
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_complaints_store_id_stores")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_complaints_visit_id_visits"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_complaints_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_complaints_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("uuid", name=op.f("uq_complaints_uuid")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_complaints_store_id"), ["store_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaints_visit_id"), ["visit_id"], unique=False)
        batch_op.create_index(
            "ix_complaints_status_opened_at", ["status", "opened_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
    primary = f"FROM store_contacts c WHERE c.store_id = stores.id AND c.is_primary = {_true()}"
    op.execute(
        f"UPDATE stores SET contact_name = (SELECT NULLIF(c.name, '') {primary}), "
        f"contact_phone = (SELECT c.phone {primary})"
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_status_opened_at")
        batch_op.drop_index(batch_op.f("ix_complaints_visit_id"))
        batch_op.drop_index(batch_op.f("ix_complaints_store_id"))
    op.drop_table("complaints")
    with op.batch_alter_table("store_contacts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_store_contacts_primary",
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.drop_index(batch_op.f("ix_store_contacts_store_id"))
    op.drop_table("store_contacts")
    if op.get_bind().dialect.name == "postgresql":
        for enum in (STATUS, CATEGORY, CONTACT_ROLE):
            enum.drop(op.get_bind(), checkfirst=True)
