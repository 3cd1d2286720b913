"""Scheduled runs: one row per (task, slot), inserted by the one scheduler that claims the slot.

The primary key is the lock: when several `flask scheduler` processes (one per machine) reach the
same slot, the first insert wins and the others' inserts conflict, so they skip it.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime


class RunOutcome(enum.StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ScheduledRun(db.Model):
    __tablename__ = "scheduled_runs"

    task: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The slot's moment in UTC: the task's time of day on one local date of the organisation.
    slot: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    # Which scheduler claimed it: host name and process id.
    host: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Both stay empty while the task runs (or if its process died while running it).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    # What the task did ("closed 3 visit(s)"), or the error of a failed run.
    detail: Mapped[str | None] = mapped_column(String(500))
