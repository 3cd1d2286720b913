"""display checks: shelf height is one answer (shelf_level 2 = eye level), availability too

Rows that marked eye level get shelf_level 2; rows both on the shelf and out of stock become
out of stock; a product not on the shelf has no facings. Then `eye_level` goes, two CHECK
constraints keep the answers single; revision 0007 recomputes the report tables from the rows
(the same computation as `flask reports rebuild`), so the eye-level counts follow shelf_level.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

EYE_LEVEL_SHELF = 2  # frozen here: the value of backend.models.visits.EYE_LEVEL_SHELF
checks = sa.table(
    "display_checks",
    sa.column("on_shelf", sa.Boolean()),
    sa.column("out_of_stock", sa.Boolean()),
    sa.column("facings", sa.SmallInteger()),
    sa.column("shelf_level", sa.SmallInteger()),
    sa.column("eye_level", sa.Boolean()),
)


def upgrade():
    c = checks.c
    op.execute(checks.update().where(c.eye_level.is_(True)).values(shelf_level=EYE_LEVEL_SHELF))
    both = c.on_shelf.is_(True) & c.out_of_stock.is_(True)
    op.execute(checks.update().where(both).values(on_shelf=False))
    op.execute(checks.update().where(c.on_shelf.is_(False), c.facings != 0).values(facings=0))
    with op.batch_alter_table("display_checks", schema=None) as batch_op:
        batch_op.drop_column("eye_level")
        batch_op.create_check_constraint(
            op.f("ck_display_checks_on_shelf_not_out_of_stock"), "NOT (on_shelf AND out_of_stock)"
        )
        batch_op.create_check_constraint(
            op.f("ck_display_checks_facings_only_on_shelf"), "on_shelf OR facings = 0"
        )
    # The report tables are recomputed by 0007, on the schema the report code reads.


def downgrade():
    # The report tables need nothing: eye_level = (shelf_level = 2) counts as they do now. A row
    # that was both on the shelf and out of stock stays out of stock (that answer is gone).
    with op.batch_alter_table("display_checks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_display_checks_facings_only_on_shelf"), type_="check")
        batch_op.drop_constraint(op.f("ck_display_checks_on_shelf_not_out_of_stock"), type_="check")
        batch_op.add_column(
            sa.Column("eye_level", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    eye_level = sa.case((checks.c.shelf_level == EYE_LEVEL_SHELF, True), else_=False)
    op.execute(checks.update().values(eye_level=eye_level))
    # Only the model's default, as 0003 made it.
    with op.batch_alter_table("display_checks", schema=None) as batch_op:
        batch_op.alter_column("eye_level", server_default=None)
