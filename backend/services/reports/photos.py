"""Photos of visits in scope with their review: the supervisor's queue and the rep's feedback.

The count over all pages is summed from `rep_day_photos` (kept current by `rep_days`); a page
reads the visits in order (by an index on day and check-in time) and stops."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Photo, PhotoReview, RepDayPhotos, ReviewStatus, Store, User, Visit
from ..paging import paginate
from . import ranges
from .common import VisitOrg, at_visits, begin_report, rep_days_in, where_org
from .exceptions import page_meta

PENDING = "pending"


def photo_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    """One page of photos, oldest visit first; `status` = pending, approved or rejected."""
    begin_report(actor, args)
    first, last = ranges.resolve(args)
    reviewer = User.__table__.alias("reviewer")
    stmt = (
        at_visits(
            select(
                Photo.id.label("photo_id"),
                Photo.kind,
                Photo.visit_id,
                Visit.visit_date,
                Visit.rep_id,
                User.full_name.label("rep_name"),
                Visit.team_id,
                Visit.store_id,
                Store.name.label("store_name"),
                PhotoReview.status,
                PhotoReview.comment,
                reviewer.c.full_name.label("reviewer_name"),
                PhotoReview.reviewed_at,
                Photo.image_deleted_at,
            ).select_from(Photo),
            Photo.visit_id,
            actor,
            Visit.visit_date.between(first, last),
            *where_org(VisitOrg, args),
        )
        .join(User, User.id == Visit.rep_id)
        .outerjoin(PhotoReview, PhotoReview.photo_id == Photo.id)
        .outerjoin(reviewer, reviewer.c.id == PhotoReview.reviewer_id)
    )
    status = args.get("status")
    if status == PENDING:
        # NOT EXISTS, so PostgreSQL plans an anti-join (IS NULL after the outer join misleads it).
        review = aliased(PhotoReview)
        stmt = stmt.where(~exists().where(review.photo_id == Photo.id))
    elif status:
        stmt = stmt.where(PhotoReview.status == status)
    stmt = stmt.order_by(Visit.visit_date, Visit.checked_in_at, Photo.id)
    total = _count(actor, args, first, last, status)
    rows, _ = paginate(stmt, args["page"], args["per_page"], total)
    items = [
        {
            **row._mapping,
            "kind": row.kind.value,
            "status": row.status.value if row.status else PENDING,
            "visit_path": f"/api/visits/{row.visit_id}",
            "image_path": f"/api/photos/{row.photo_id}/image",
        }
        for row in rows
    ]
    return {"period": {"from": first, "to": last}, "items": items, "meta": page_meta(total, args)}


def _count(actor: User, args: dict[str, Any], first: Any, last: Any, status: Any) -> int:
    """The photos of all pages, summed from `rep_day_photos` (defined by `photo_counts`)."""
    c = rep_days_in(actor, RepDayPhotos, first, last, args).c
    counted = {
        None: c.photos,
        PENDING: c.photos - c.approved - c.rejected,
        ReviewStatus.APPROVED: c.approved,
        ReviewStatus.REJECTED: c.rejected,
    }
    return int(db.session.scalar(select(func.coalesce(func.sum(counted[status or None]), 0))))
