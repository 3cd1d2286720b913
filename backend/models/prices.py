"""Own products' agreed shelf prices and promotions, and the deviations found at visits."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, value_enum
from .products import Product
from .stores import Channel, Store


class AgreedPrice(TimestampMixin, db.Model):
    """The lowest shelf price agreed for an own product from `valid_from` to `valid_to`
    (open-ended when None), for one channel or (channel None) for every channel."""

    __tablename__ = "agreed_prices"
    __table_args__ = (
        Index("ix_agreed_prices_product_valid_from", "product_id", "valid_from"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    channel: Mapped[Channel | None] = mapped_column(value_enum(Channel, "store_channel"))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    product: Mapped[Product] = relationship(lazy="joined")


class Promotion(TimestampMixin, db.Model):
    """An agreed promotion of an own product from `starts_on` to `ends_on` (inclusive), for one
    channel and/or one store, or all of them; a special price under it is agreed down to
    `promo_price` (None: no price floor)."""

    __tablename__ = "agreed_promotions"
    __table_args__ = (
        Index("ix_agreed_promotions_product_starts_on", "product_id", "starts_on"),
        CheckConstraint("promo_price >= 0", name="promo_price_not_negative"),
        CheckConstraint("ends_on >= starts_on", name="date_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    channel: Mapped[Channel | None] = mapped_column(value_enum(Channel, "store_channel"))
    store_id: Mapped[int | None] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True
    )
    promo_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    product: Mapped[Product] = relationship(lazy="joined")
    store: Mapped[Store | None] = relationship()


class DeviationKind(enum.StrEnum):
    # The shelf price is below the lowest agreed price (the agreed price or a promotion's).
    BELOW_AGREED = "below_agreed"
    # A special price with no promotion covering it, or below the covering promotion's price.
    UNAGREED_SPECIAL = "unagreed_special"


class PriceDeviation(db.Model):
    """An own product's shelf price at a visit that breaks the agreement: at most one per
    product and visit, recomputed whenever the visit's display checks are written."""

    __tablename__ = "price_deviations"
    __table_args__ = (
        UniqueConstraint("visit_id", "product_id", name="uq_price_deviations_visit_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    kind: Mapped[DeviationKind] = mapped_column(
        value_enum(DeviationKind, "price_deviation_kind"), index=True
    )
    # None: a special price marked without the price.
    shelf_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The price it is measured against (None: no agreed price in force).
    agreed_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    promotion_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreed_promotions.id", ondelete="SET NULL"), index=True
    )

    product: Mapped[Product] = relationship(lazy="joined")
