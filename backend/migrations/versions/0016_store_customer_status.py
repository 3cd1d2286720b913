"""store customer status: stores.first_order_on and last_order_on

The local dates (visit dates) of a store's first and latest order, kept by the app on every
order write; NULL = the store never ordered (a prospect). Backfilled here from the orders
already taken. A store is lapsed when its latest order is more than LAPSED_AFTER_DAYS old
(derived, not stored).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE stores SET
  first_order_on = (SELECT min(v.visit_date) FROM orders o JOIN visits v ON v.id = o.visit_id
                    WHERE v.store_id = stores.id),
  last_order_on = (SELECT max(v.visit_date) FROM orders o JOIN visits v ON v.id = o.visit_id
                   WHERE v.store_id = stores.id)
"""


def upgrade():
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_order_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_order_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_stores_last_order_on", ["last_order_on"], unique=False)
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_index("ix_stores_last_order_on")
        batch_op.drop_column("last_order_on")
        batch_op.drop_column("first_order_on")
