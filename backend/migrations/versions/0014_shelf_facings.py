"""shelf facings of competitor brands per visit; rep_day_display counts them and eye-level facings

`shelf_facings`: at a visit, the facings a competitor brand holds in one of our categories
(one count per brand and category) and how many are at eye level. `rep_day_display` gains
`rival_facings` (those facings), `own_eye_facings` and `eye_facings` (facings at eye level: of
our own products, and of all), so share of shelf and eye-level share of shelf are true.

Then `rep_day_display` is recomputed from the rows (as `flask reports rebuild`). The report
code reads the newest schema, so this refresh lives in the newest revision that changes what
the table counts: a later such revision moves it there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 09:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NEW_COUNTS = ("rival_facings", "own_eye_facings", "eye_facings")


def upgrade():
    op.create_table(
        "shelf_facings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("facings", sa.SmallInteger(), nullable=False),
        sa.Column("eye_level_facings", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint("facings >= 0", name=op.f("ck_shelf_facings_facings_not_negative")),
        sa.CheckConstraint(
            "eye_level_facings >= 0 AND eye_level_facings <= facings",
            name=op.f("ck_shelf_facings_eye_level_within_facings"),
        ),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"], name=op.f("fk_shelf_facings_brand_id_brands")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_shelf_facings_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelf_facings")),
        sa.UniqueConstraint(
            "visit_id", "brand_id", "category", name="uq_shelf_facings_visit_brand_category"
        ),
    )
    with op.batch_alter_table("shelf_facings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shelf_facings_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shelf_facings_visit_id"), ["visit_id"], unique=False)
    with op.batch_alter_table("rep_day_display", schema=None) as batch_op:
        for name in NEW_COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))

    from backend.services.reports import display_counts, rep_days

    rep_days.refresh(op.get_bind(), rep_days.everything, (display_counts,))


def downgrade():
    with op.batch_alter_table("rep_day_display", schema=None) as batch_op:
        for name in reversed(NEW_COUNTS):
            batch_op.drop_column(name)
    with op.batch_alter_table("shelf_facings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shelf_facings_visit_id"))
        batch_op.drop_index(batch_op.f("ix_shelf_facings_brand_id"))
    op.drop_table("shelf_facings")
