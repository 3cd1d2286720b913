"""The organisation: areas, teams and the people in them."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import Boolean, Float, ForeignKey, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, value_enum


class Role(enum.StrEnum):
    REP = "rep"
    SUPERVISOR = "supervisor"
    AREA_MANAGER = "area_manager"
    ADMIN = "admin"


class TravelMode(enum.StrEnum):
    """How a rep gets between stores: it picks the road network's costing (car: Valhalla's auto,
    scooter: motor_scooter, bicycle, foot: pedestrian) or the straight-line speed."""

    CAR = "car"
    SCOOTER = "scooter"
    BICYCLE = "bicycle"
    FOOT = "foot"


class Area(TimestampMixin, db.Model):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    teams: Mapped[list[Team]] = relationship(back_populates="area")


class Team(TimestampMixin, db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)

    area: Mapped[Area] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(back_populates="team")


class User(TimestampMixin, db.Model):
    """A person who signs in. Reps and supervisors belong to a team, area managers to an area."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(value_enum(Role, "user_role"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    # Where a rep's day starts and ends, and their working hours: inputs to route planning.
    home_lat: Mapped[float | None] = mapped_column(Float)
    home_lng: Mapped[float | None] = mapped_column(Float)
    shift_start: Mapped[time | None] = mapped_column(Time)
    shift_end: Mapped[time | None] = mapped_column(Time)
    # NULL: the organisation's default (setting PLAN_TRAVEL_MODE).
    travel_mode: Mapped[TravelMode | None] = mapped_column(value_enum(TravelMode, "travel_mode"))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team | None] = relationship(back_populates="members")
    area: Mapped[Area | None] = relationship()
