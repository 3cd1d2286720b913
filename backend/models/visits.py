"""Store visits: check-in and check-out, integrity flags, and what the rep recorded there."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow, value_enum
from .org import User
from .photos import Photo
from .products import Brand, Product
from .returns import ExpiryAction, ExpiryFollowUp, ReturnStatus
from .store_file import Complaint
from .stores import Store


class VisitStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    # Left open at the end of its day and closed by the server (flagged `left_open`).
    AUTO_CLOSED = "auto_closed"


class FlagKind(enum.StrEnum):
    OUTSIDE_GEOFENCE = "outside_geofence"
    POOR_ACCURACY = "poor_accuracy"
    SHORT_VISIT = "short_visit"
    IMPOSSIBLE_TRAVEL = "impossible_travel"
    CLOCK_SKEW = "clock_skew"
    PHOTO_REUSED = "photo_reused"
    PHOTO_OLD = "photo_old"
    LEFT_OPEN = "left_open"
    # A device time the server cannot believe (`detail.rule` says why): the visit is held.
    TIME_TRAVEL = "time_travel"
    # An own product's shelf price breaks the agreed prices (`detail.products` lists them).
    PRICE_DEVIATION = "price_deviation"


class VisitReview(enum.StrEnum):
    """A visit held out of the KPIs (flagged `time_travel`) until a supervisor decides."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


_OPEN = text("status = 'open'")


class Visit(TimestampMixin, db.Model):
    """A rep's visit to a store. Times are the device's (what happened when); `*_received_at`
    are the server's (when it heard of it: later for an offline client)."""

    __tablename__ = "visits"
    __table_args__ = (
        # One open visit per rep, enforced by the database so concurrent check-ins race safely.
        Index(
            "uq_visits_open_rep",
            "rep_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_visits_rep_checked_in", "rep_id", "checked_in_at"),
        CheckConstraint("checkin_lat BETWEEN -90 AND 90", name="checkin_lat_range"),
        CheckConstraint("checkin_lng BETWEEN -180 AND 180", name="checkin_lng_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Client-generated id, so an offline client can refer to the visit before it is synced.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The rep's team at check-in: the visit stays with that team's history.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    planned_stop_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_stops.id", ondelete="SET NULL"), unique=True
    )
    planned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Local date (organisation time zone) of the check-in.
    visit_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[VisitStatus] = mapped_column(
        value_enum(VisitStatus, "visit_status"), default=VisitStatus.OPEN, index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checkin_received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checkin_lat: Mapped[float] = mapped_column(Float)
    checkin_lng: Mapped[float] = mapped_column(Float)
    checkin_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checkin_distance_m: Mapped[float] = mapped_column(Float)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkout_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkout_lat: Mapped[float | None] = mapped_column(Float)
    checkout_lng: Mapped[float | None] = mapped_column(Float)
    checkout_accuracy_m: Mapped[float | None] = mapped_column(Float)
    checkout_distance_m: Mapped[float | None] = mapped_column(Float)
    # An order with at least one line was taken.
    successful: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    # Held for review (None: never held); only an accepted one counts in the KPIs again.
    review: Mapped[VisitReview | None] = mapped_column(value_enum(VisitReview, "visit_review"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    store: Mapped[Store] = relationship(lazy="joined")
    flags: Mapped[list[VisitFlag]] = relationship(
        back_populates="visit",
        cascade="all, delete-orphan",
        order_by="VisitFlag.id",
        lazy="selectin",
    )
    # What was recorded at the visit (loaded when the detail is shown).
    photos: Mapped[list[Photo]] = relationship(order_by="Photo.id", viewonly=True)
    display_checks: Mapped[list[DisplayCheck]] = relationship(
        order_by="DisplayCheck.id", viewonly=True
    )
    stock_counts: Mapped[list[StockCount]] = relationship(order_by="StockCount.id", viewonly=True)
    near_expiry_items: Mapped[list[NearExpiry]] = relationship(
        order_by="NearExpiry.id", viewonly=True
    )
    return_requests: Mapped[list[ReturnRequest]] = relationship(
        order_by="ReturnRequest.id", viewonly=True
    )
    competitor_observations: Mapped[list[CompetitorObservation]] = relationship(
        order_by="CompetitorObservation.id", viewonly=True
    )
    order: Mapped[Order | None] = relationship(viewonly=True)
    # What became of earlier visits' near-expiry items, and the store's complaints, seen here.
    expiry_followups: Mapped[list[ExpiryFollowUp]] = relationship(
        order_by="ExpiryFollowUp.id", viewonly=True
    )
    complaints: Mapped[list[Complaint]] = relationship(order_by="Complaint.id", viewonly=True)

    @property
    def duration_minutes(self) -> float | None:
        if self.checked_out_at is None:
            return None
        return round((self.checked_out_at - self.checked_in_at).total_seconds() / 60, 1)


def counted_visit() -> ColumnElement[bool]:
    """The visits the KPIs count: never held for review, or accepted."""
    return Visit.review.is_(None) | (Visit.review == VisitReview.ACCEPTED)


class VisitFlag(db.Model):
    """An integrity exception computed by the server: shown to supervisors, never blocking."""

    __tablename__ = "visit_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FlagKind] = mapped_column(value_enum(FlagKind, "visit_flag_kind"), index=True)
    photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="flags")


class _VisitRecord:
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)


# The shelf heights a display check records (`shelf_level`), top to bottom.
SHELF_LEVELS = {1: "top", 2: "eye level", 3: "middle (waist)", 4: "bottom"}
EYE_LEVEL_SHELF = 2  # the shelf at eye height: the one that sells best


class DisplayCheck(_VisitRecord, db.Model):
    """The shelf display of one product at one visit.

    Availability is one answer: on the shelf, out of stock, or neither (not stocked here);
    only a product on the shelf has facings. Eye level is a shelf level, never stored apart.
    """

    __tablename__ = "display_checks"
    __table_args__ = (
        UniqueConstraint("visit_id", "product_id", name="uq_display_checks_visit_product"),
        CheckConstraint("shelf_level BETWEEN 1 AND 4", name="shelf_level_range"),
        CheckConstraint("facings >= 0", name="facings_not_negative"),
        CheckConstraint("NOT (on_shelf AND out_of_stock)", name="on_shelf_not_out_of_stock"),
        CheckConstraint("on_shelf OR facings = 0", name="facings_only_on_shelf"),
        CheckConstraint("shelf_price >= 0", name="shelf_price_not_negative"),
    )

    on_shelf: Mapped[bool] = mapped_column(Boolean)
    facings: Mapped[int] = mapped_column(SmallInteger, default=0)
    shelf_level: Mapped[int | None] = mapped_column(SmallInteger)  # a key of SHELF_LEVELS
    fifo_ok: Mapped[bool | None] = mapped_column(Boolean)
    out_of_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    price_tag_present: Mapped[bool | None] = mapped_column(Boolean)
    price_tag_correct: Mapped[bool | None] = mapped_column(Boolean)
    shelf_clean: Mapped[bool | None] = mapped_column(Boolean)
    pop_present: Mapped[bool | None] = mapped_column(Boolean)
    promo_display: Mapped[bool | None] = mapped_column(Boolean)
    # The own product's shelf price, and whether the shelf shows it as a special price.
    shelf_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    special_price: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(300))

    @hybrid_property
    def eye_level(self) -> bool:
        """At eye height: derived from `shelf_level`, in Python and in SQL."""
        return self.shelf_level == EYE_LEVEL_SHELF


class StockCount(_VisitRecord, db.Model):
    """Units counted on the shelf and in the back room, and the order the rep suggests."""

    __tablename__ = "stock_counts"
    __table_args__ = (
        UniqueConstraint("visit_id", "product_id", name="uq_stock_counts_visit_product"),
        CheckConstraint("shelf_qty >= 0 AND backroom_qty >= 0", name="counts_not_negative"),
    )

    shelf_qty: Mapped[int] = mapped_column(Integer)
    backroom_qty: Mapped[int] = mapped_column(Integer, default=0)
    suggested_order_qty: Mapped[int | None] = mapped_column(Integer)


class NearExpiry(_VisitRecord, db.Model):
    __tablename__ = "near_expiry_items"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    quantity: Mapped[int] = mapped_column(Integer)
    expiry_date: Mapped[date] = mapped_column(Date)
    # What the rep did about it; a later visit records the outcome (`ExpiryFollowUp`).
    action: Mapped[ExpiryAction | None] = mapped_column(value_enum(ExpiryAction, "expiry_action"))


# The item a follow-up is about: declared here, as `returns` cannot import this module.
ExpiryFollowUp.near_expiry = relationship(NearExpiry, lazy="joined", viewonly=True)  # type: ignore[attr-defined]


class ReturnRequest(_VisitRecord, db.Model):
    __tablename__ = "return_requests"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # a ReturnReason value
    note: Mapped[str | None] = mapped_column(String(300))
    # The lead's decision and the goods' progress (`RETURN_TRANSITIONS`); the rep only asks.
    status: Mapped[ReturnStatus] = mapped_column(
        value_enum(ReturnStatus, "return_status"),
        default=ReturnStatus.REQUESTED,
        server_default=ReturnStatus.REQUESTED.value,
        index=True,
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_note: Mapped[str | None] = mapped_column(String(300))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CompetitorObservation(db.Model):
    __tablename__ = "competitor_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    # A product not (yet) in the catalogue, by name.
    product_name: Mapped[str | None] = mapped_column(String(200))
    regular_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    promo_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    promo_type: Mapped[str | None] = mapped_column(String(20))
    new_product: Mapped[bool] = mapped_column(Boolean, default=False)
    display_notes: Mapped[str | None] = mapped_column(Text)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="SET NULL"))

    brand: Mapped[Brand] = relationship(lazy="joined")
    product: Mapped[Product | None] = relationship(lazy="joined")


class Order(TimestampMixin, db.Model):
    """The order the store placed during a visit; it makes the visit successful."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), unique=True)
    note: Mapped[str | None] = mapped_column(String(300))

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
        cascade="all, delete-orphan",
        order_by="OrderLine.id",
        lazy="selectin",
    )

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "product_id", name="uq_order_lines_order_product"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    # The product's list price when the order was taken.
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def amount(self) -> Decimal:
        return (self.unit_price or Decimal(0)) * self.quantity
