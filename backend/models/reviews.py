"""Photo reviews by supervisors, and the indexes the reports read visits through."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow, value_enum
from .plans import RoutePlan
from .visits import Visit


class ReviewStatus(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class PhotoReview(db.Model):
    """A supervisor's (or admin's) verdict on one visit photo; the rep reads the comment."""

    __tablename__ = "photo_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), unique=True)
    status: Mapped[ReviewStatus] = mapped_column(
        value_enum(ReviewStatus, "review_status"),
        index=True,
    )
    comment: Mapped[str | None] = mapped_column(String(500))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Report queries: visits of a team (or a rep) over a date range, and plans over a date range.
Index("ix_visits_team_date", Visit.team_id, Visit.visit_date)
Index("ix_visits_rep_store_date", Visit.rep_id, Visit.store_id, Visit.visit_date)
Index("ix_route_plans_team_date", RoutePlan.team_id, RoutePlan.plan_date)
