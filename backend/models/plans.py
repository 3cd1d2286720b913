"""Route plans: a rep's ordered, timed list of stores for one date."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, value_enum
from .org import User
from .stores import Store


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class RoutePlan(TimestampMixin, db.Model):
    """One rep's plan for one date. Times of day are local to the organisation's time zone."""

    __tablename__ = "route_plans"
    __table_args__ = (UniqueConstraint("rep_id", "plan_date", name="rep_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    plan_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[PlanStatus] = mapped_column(
        value_enum(PlanStatus, "plan_status"),
        default=PlanStatus.DRAFT,
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    travel_seconds: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)
    # Which break-slot the lunch break follows (number of stops before it); NULL = no break.
    break_after: Mapped[int | None] = mapped_column(SmallInteger)
    # Increases with every change, so clients can tell a stale copy from the current one.
    revision: Mapped[int] = mapped_column(Integer, default=1)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id])
    stops: Mapped[list[PlannedStop]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="PlannedStop.sequence",
        lazy="selectin",
    )


class PlannedStop(db.Model):
    __tablename__ = "planned_stops"
    __table_args__ = (UniqueConstraint("plan_id", "store_id", name="plan_store"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("route_plans.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    sequence: Mapped[int] = mapped_column(SmallInteger)
    arrival: Mapped[time | None] = mapped_column(Time)
    start: Mapped[time | None] = mapped_column(Time)
    departure: Mapped[time | None] = mapped_column(Time)
    travel_seconds: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)
    # A locked stop keeps its position when the plan is re-optimised.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the stop is done (checked in); done stops stay fixed on re-planning.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(300))

    plan: Mapped[RoutePlan] = relationship(back_populates="stops")
    store: Mapped[Store] = relationship(lazy="joined")
