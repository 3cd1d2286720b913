"""What happened to a plan: its revisions, and the stops it had when its day began."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow, value_enum
from .org import User

REASON_LENGTH = 300


class RevisionKind(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    OPTIMISED = "optimised"
    MOVED_IN = "moved_in"
    MOVED_OUT = "moved_out"
    PUBLISHED = "published"
    REPLANNED = "replanned"


class PlanRevision(db.Model):
    """One change to a plan: who made it, when, why, what it changed and the totals after it.

    `revision` is the plan's revision number after the change; `changes` holds the store ids
    added, removed, locked and unlocked and whether the kept stops were reordered."""

    __tablename__ = "plan_revisions"
    __table_args__ = (UniqueConstraint("plan_id", "revision", name="plan_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("route_plans.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[RevisionKind] = mapped_column(value_enum(RevisionKind, "revision_kind"))
    reason: Mapped[str | None] = mapped_column(String(REASON_LENGTH))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    stops: Mapped[int] = mapped_column(Integer)
    travel_seconds: Mapped[int] = mapped_column(Integer)
    distance_m: Mapped[int] = mapped_column(Integer)
    # The plan's business day had begun (local date on or after the plan date).
    during_day: Mapped[bool] = mapped_column(Boolean)

    by: Mapped[User | None] = relationship(lazy="joined")


class PlanBaselineStop(db.Model):
    """A stop of a published plan as it stood when its day began (or, first published during
    its day, as published). Written once, by the first change that needs it; the KPIs count
    these stops instead of the current ones when a plan has them."""

    __tablename__ = "plan_baseline_stops"
    __table_args__ = (UniqueConstraint("plan_id", "store_id", name="plan_baseline_store"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("route_plans.id", ondelete="CASCADE"), index=True
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    sequence: Mapped[int] = mapped_column(SmallInteger)
