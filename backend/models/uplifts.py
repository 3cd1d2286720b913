"""Demand uplifts: a seasonal or promotion factor on the suggested order, set by admins."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, value_enum
from .products import Product
from .stores import Channel


class DemandUplift(TimestampMixin, db.Model):
    """Multiplies the expected demand of a product (or all products) in a channel (or all)
    from `starts_on` to `ends_on` inclusive; uplifts that overlap multiply."""

    __tablename__ = "demand_uplifts"
    __table_args__ = (
        CheckConstraint("factor > 0", name="factor_positive"),
        CheckConstraint("starts_on <= ends_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel | None] = mapped_column(value_enum(Channel, "store_channel"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    factor: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    reason: Mapped[str] = mapped_column(String(120))

    product: Mapped[Product | None] = relationship(lazy="joined")
