"""The photo counts of selected rep-days, from the raw rows: what `rep_day_photos` holds.

Per rep, team at check-in and day: the photos of the visits and how many were approved or
rejected. Unlike the KPIs' photo counts, a visit held for review counts too: the review queue
(`photos`) lists its photos.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from ...models import Photo, PhotoReview, RepDayPhotos, ReviewStatus, Visit
from .sql import count_if

TABLE = RepDayPhotos
KEYS = ("rep_id", "team_id", "day")
COUNTS = ("photos", "approved", "rejected")


def fresh(where: Any) -> Select[Any]:
    """The rows for the rep-days `where(rep column, day column)` selects."""
    keys = (Visit.rep_id, Visit.team_id, Visit.visit_date)
    return (
        select(
            *keys[:2],
            Visit.visit_date.label("day"),
            func.count().label("photos"),
            count_if(PhotoReview.status == ReviewStatus.APPROVED).label("approved"),
            count_if(PhotoReview.status == ReviewStatus.REJECTED).label("rejected"),
        )
        .select_from(Photo)
        .join(Visit, Visit.id == Photo.visit_id)
        .outerjoin(PhotoReview, PhotoReview.photo_id == Photo.id)
        .where(where(Visit.rep_id, Visit.visit_date))
        .group_by(*keys)
    )
