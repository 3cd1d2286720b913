"""Route plans: a rep's ordered, timed list of stores for one date."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, value_enum
from .org import TravelMode, User
from .plan_history import PlanBaselineStop, PlanRevision
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
    # What the last solve or retime found wrong (late arrival, over the shift...), as messages:
    # only ever shown with the plan, never queried, so a JSON list of strings.
    violations: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A published plan changed after its day began (see `services.plan_history`).
    amended: Mapped[bool] = mapped_column(Boolean, default=False)
    # How travel was measured at the last solve or retime: the mode (NULL: straight lines at the
    # plan speed, no mode), "roads" (the road network's times) or "straight" (lines).
    travel_mode: Mapped[TravelMode | None] = mapped_column(value_enum(TravelMode, "travel_mode"))
    travel_source: Mapped[str] = mapped_column(
        String(16), default="straight", server_default="straight"
    )
    # The street geometry of the leg back home (Valhalla's polyline, precision 6); NULL on lines.
    return_geometry: Mapped[str | None] = mapped_column(Text)

    rep: Mapped[User] = relationship(foreign_keys=[rep_id], lazy="joined")
    stops: Mapped[list[PlannedStop]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="PlannedStop.sequence",
        lazy="selectin",
    )
    dropped: Mapped[list[DroppedStore]] = relationship(
        cascade="all, delete-orphan", order_by="DroppedStore.id", lazy="selectin"
    )
    # Written through `services.plan_history`; loaded only when asked for.
    revisions: Mapped[list[PlanRevision]] = relationship(
        cascade="all, delete-orphan", order_by="PlanRevision.revision"
    )
    baseline: Mapped[list[PlanBaselineStop]] = relationship(
        cascade="all, delete-orphan", order_by="PlanBaselineStop.sequence"
    )


# A road point nearer the store than this is the store's own (GPS and map offsets).
ACCESS_METRES = 25


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
    # The street geometry of the leg arriving here (polyline, precision 6); NULL on lines.
    geometry: Mapped[str | None] = mapped_column(Text)
    # Where the mode meets the road network, when that is more than ACCESS_METRES from the
    # store (a car parks in the street beside a pedestrian zone): the point and how far it is.
    access_lat: Mapped[float | None] = mapped_column(Float)
    access_lng: Mapped[float | None] = mapped_column(Float)
    access_m: Mapped[int | None] = mapped_column(Integer)

    plan: Mapped[RoutePlan] = relationship(back_populates="stops")
    store: Mapped[Store] = relationship(lazy="joined")


class DroppedReason(enum.StrEnum):
    NO_ROOM = "no_room"  # open and reachable in the shift, but the day is full
    CLOSED = "closed"  # no opening window long enough for a visit that day
    OUTSIDE_WINDOWS = "outside_windows"  # every window that day lies outside the rep's shift
    UNREACHABLE = "unreachable"  # the rep's travel mode has no road to it (see `detail`)


class DroppedStore(db.Model):
    """A store the last solve of a plan left out, and why.

    A table rather than JSON on the plan: the store stays a foreign key, so the plan shows the
    store's current code, name and place (loaded with the plan in one query), and the rows go
    with the plan or with the next solve, which replaces them."""

    __tablename__ = "plan_dropped_stores"
    __table_args__ = (UniqueConstraint("plan_id", "store_id", name="plan_dropped_store"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("route_plans.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    reason: Mapped[DroppedReason] = mapped_column(value_enum(DroppedReason, "dropped_reason"))
    # Why, in words, when the reason needs them (unreachable: which road is missing).
    detail: Mapped[str | None] = mapped_column(String(200))

    store: Mapped[Store] = relationship(lazy="joined")
