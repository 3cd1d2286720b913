"""Competitor facings on the shelf: what share of shelf needs besides our own display checks."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .products import Brand
from .visits import Visit


class ShelfFacing(db.Model):
    """The facings a competitor brand holds in one of our categories at a visit: one count per
    brand (the rep need not check each of its products), and how many of them are at eye level
    (null: not counted)."""

    __tablename__ = "shelf_facings"
    __table_args__ = (
        UniqueConstraint(
            "visit_id", "brand_id", "category", name="uq_shelf_facings_visit_brand_category"
        ),
        CheckConstraint("facings >= 0", name="facings_not_negative"),
        CheckConstraint(
            "eye_level_facings >= 0 AND eye_level_facings <= facings",
            name="eye_level_within_facings",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    category: Mapped[str] = mapped_column(String(80))
    facings: Mapped[int] = mapped_column(SmallInteger)
    eye_level_facings: Mapped[int | None] = mapped_column(SmallInteger)

    brand: Mapped[Brand] = relationship(lazy="joined")


# Declared here rather than in `visits` so the visit model need not know this module.
Visit.shelf_facings = relationship(  # type: ignore[attr-defined]
    ShelfFacing, order_by=ShelfFacing.id, viewonly=True
)
