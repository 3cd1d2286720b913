"""own shelf prices: agreed prices, agreed promotions, shelf price at display checks, deviations

A display check records the own product's shelf price and whether the shelf shows it as a
special price. An agreed price list (per product, optionally per channel, with validity dates)
and agreed promotions (per product, optionally per channel and store) tell which shelf prices
are agreed; a visit's `price_deviations` and its flag `price_deviation` say which are not.
Existing checks recorded no shelf price, so no deviation is backfilled.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
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
    "time_travel",
)
CHANNELS = ("traditional", "modern", "special")
DEVIATION_KINDS = ("below_agreed", "unagreed_special")
DEVIATION_KIND = sa.Enum(*DEVIATION_KINDS, name="price_deviation_kind")


def existing_enum(name, *values):
    """An enum type created before its table (PostgreSQL must not create it again)."""
    return sa.Enum(*values, name=name).with_variant(
        postgresql.ENUM(*values, name=name, create_type=False), "postgresql"
    )


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # A value added to an enum cannot be used in the transaction that adds it.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE visit_flag_kind ADD VALUE IF NOT EXISTS 'price_deviation'")
        DEVIATION_KIND.create(bind, checkfirst=True)
    with op.batch_alter_table("display_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shelf_price", sa.Numeric(12, 2), nullable=True))
        batch_op.add_column(sa.Column("special_price", sa.Boolean(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_display_checks_shelf_price_not_negative"), "shelf_price >= 0"
        )
    op.create_table(
        "agreed_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("channel", existing_enum("store_channel", *CHANNELS), nullable=True),
        sa.Column("price", sa.Numeric(12, 2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price >= 0", name=op.f("ck_agreed_prices_price_not_negative")),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_agreed_prices_valid_range")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_agreed_prices_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreed_prices")),
    )
    with op.batch_alter_table("agreed_prices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreed_prices_product_valid_from", ["product_id", "valid_from"], unique=False
        )
    op.create_table(
        "agreed_promotions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("channel", existing_enum("store_channel", *CHANNELS), nullable=True),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("promo_price", sa.Numeric(12, 2), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "promo_price >= 0", name=op.f("ck_agreed_promotions_promo_price_not_negative")
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_agreed_promotions_date_range")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_agreed_promotions_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_agreed_promotions_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreed_promotions")),
    )
    with op.batch_alter_table("agreed_promotions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreed_promotions_product_starts_on", ["product_id", "starts_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreed_promotions_store_id"), ["store_id"], unique=False
        )
    op.create_table(
        "price_deviations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("kind", existing_enum("price_deviation_kind", *DEVIATION_KINDS), nullable=False),
        sa.Column("shelf_price", sa.Numeric(12, 2), nullable=True),
        sa.Column("agreed_price", sa.Numeric(12, 2), nullable=True),
        sa.Column("promotion_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_price_deviations_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_price_deviations_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["promotion_id"],
            ["agreed_promotions.id"],
            name=op.f("fk_price_deviations_promotion_id_agreed_promotions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_deviations")),
        sa.UniqueConstraint(
            "visit_id", "product_id", name=op.f("uq_price_deviations_visit_product")
        ),
    )
    with op.batch_alter_table("price_deviations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_price_deviations_visit_id"), ["visit_id"])
        batch_op.create_index(batch_op.f("ix_price_deviations_product_id"), ["product_id"])
        batch_op.create_index(batch_op.f("ix_price_deviations_kind"), ["kind"])
        batch_op.create_index(batch_op.f("ix_price_deviations_promotion_id"), ["promotion_id"])


def downgrade():
    op.drop_table("price_deviations")
    op.drop_table("agreed_promotions")
    op.drop_table("agreed_prices")
    with op.batch_alter_table("display_checks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_display_checks_shelf_price_not_negative"), type_="check")
        batch_op.drop_column("special_price")
        batch_op.drop_column("shelf_price")
    op.execute("DELETE FROM visit_flags WHERE kind = 'price_deviation'")
    if op.get_bind().dialect.name == "postgresql":
        DEVIATION_KIND.drop(op.get_bind(), checkfirst=True)
        # PostgreSQL cannot drop a value from an enum: the type is made again without it.
        op.execute("ALTER TYPE visit_flag_kind RENAME TO visit_flag_kind_old")
        sa.Enum(*FLAG_KINDS, name="visit_flag_kind").create(op.get_bind())
        op.execute(
            "ALTER TABLE visit_flags ALTER COLUMN kind TYPE visit_flag_kind "
            "USING kind::text::visit_flag_kind"
        )
        op.execute("DROP TYPE visit_flag_kind_old")
