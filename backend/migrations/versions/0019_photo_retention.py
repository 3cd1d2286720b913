"""photo retention: a photo row outlives its image files (image_deleted_at)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("image_deleted_at", sa.DateTime(timezone=True), nullable=True))
    # The retention run looks for photos stored before its cutoff.
    op.create_index("ix_photos_created_at", "photos", ["created_at"])


def downgrade():
    op.drop_index("ix_photos_created_at", table_name="photos")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("image_deleted_at")
