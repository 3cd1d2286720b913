"""The product catalogue: our brand's products and the competitors' we watch."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin


class Brand(TimestampMixin, db.Model):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    is_own: Mapped[bool] = mapped_column(Boolean, default=False)

    products: Mapped[list[Product]] = relationship(back_populates="brand")


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    category: Mapped[str] = mapped_column(String(80), index=True)
    pack_size: Mapped[str] = mapped_column(String(40))
    # List price per unit in the organisation's currency (order and expiry values).
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    brand: Mapped[Brand] = relationship(back_populates="products", lazy="joined")

    @property
    def is_own(self) -> bool:
        return self.brand.is_own
