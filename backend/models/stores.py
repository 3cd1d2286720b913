"""Stores (terminals) and their weekly opening or receiving hours."""

from __future__ import annotations

import enum
from datetime import date, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, value_enum
from .org import Team, User


class Channel(enum.StrEnum):
    TRADITIONAL = "traditional"
    MODERN = "modern"
    SPECIAL = "special"


class Tier(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"


class CustomerStatus(enum.StrEnum):
    """Derived from a store's order dates (services/customer_status.py), never stored."""

    PROSPECT = "prospect"  # no order ever
    LAPSED = "lapsed"  # the latest order is more than LAPSED_AFTER_DAYS old
    ACTIVE = "active"


class Store(TimestampMixin, db.Model):
    __tablename__ = "stores"
    __table_args__ = (
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lng BETWEEN -180 AND 180", name="lng_range"),
        CheckConstraint("visit_minutes > 0", name="visit_minutes_positive"),
        Index("ix_stores_lat_lng", "lat", "lng"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, "store_channel"), index=True)
    tier: Mapped[Tier] = mapped_column(value_enum(Tier, "store_tier"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float] = mapped_column(Float)
    lng: Mapped[float] = mapped_column(Float)
    visit_minutes: Mapped[int] = mapped_column(SmallInteger, default=15)
    # Days between visits; NULL = the tier's default frequency.
    visit_frequency_days: Mapped[int | None] = mapped_column(SmallInteger)
    notes: Mapped[str | None] = mapped_column(Text)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    rep_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # Visit dates of the first and latest order (kept by services/customer_status.note_orders).
    first_order_on: Mapped[date | None] = mapped_column(Date)
    last_order_on: Mapped[date | None] = mapped_column(Date, index=True)

    team: Mapped[Team | None] = relationship()
    rep: Mapped[User | None] = relationship()
    hours: Mapped[list[StoreHours]] = relationship(
        back_populates="store",
        cascade="all, delete-orphan",
        order_by="(StoreHours.weekday, StoreHours.opens)",
        lazy="selectin",
    )


class StoreHours(db.Model):
    """One window in which a store can be visited on a weekday (0 = Monday); up to two a day."""

    __tablename__ = "store_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("opens < closes", name="opens_before_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    store: Mapped[Store] = relationship(back_populates="hours")
