"""Background jobs (team and multi-day planning): status, stage, progress, cancel and result."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow, value_enum


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class JobStage(enum.StrEnum):
    """What a running job is doing; kept as text, so a new kind of job can add stages freely."""

    QUEUED = "queued"
    CYCLES = "cycles"  # team planning: assigning the stores to days
    ROUTES = "routes"  # team planning: solving each rep-day's route
    DONE = "done"
    CANCELLED = "cancelled"


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[JobStatus] = mapped_column(
        value_enum(JobStatus, "job_status"),
        default=JobStatus.QUEUED,
    )
    stage: Mapped[str] = mapped_column(String(20), default=JobStage.QUEUED)
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_requested_at is not None

    @property
    def eta_seconds(self) -> int | None:
        """Seconds left, extrapolated from the time taken so far for the percentage done; 0 once
        it succeeded, None while nothing is known (queued, 0 %) or it will not finish."""
        if self.status is JobStatus.SUCCEEDED:
            return 0
        if self.status is not JobStatus.RUNNING or self.started_at is None or self.progress <= 0:
            return None
        elapsed = (utcnow() - self.started_at).total_seconds()
        return round(elapsed * (100 - self.progress) / self.progress)
