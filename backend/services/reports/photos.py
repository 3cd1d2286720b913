"""Photos of visits in scope with their review: the supervisor's queue and the rep's feedback."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ...models import Photo, PhotoReview, Store, Team, User, Visit
from ...scoping import scope_filter
from ..paging import paginate
from . import ranges
from .common import check_filters, where_org
from .exceptions import page_meta

PENDING = "pending"


class _OrgColumns:
    rep_id = Visit.rep_id
    team_id = Visit.team_id
    area_id = Team.area_id


def photo_report(actor: User, args: dict[str, Any]) -> dict[str, Any]:
    """One page of photos, oldest visit first; `status` = pending, approved or rejected."""
    check_filters(actor, args)
    first, last = ranges.resolve(args)
    reviewer = User.__table__.alias("reviewer")
    stmt = (
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
        )
        .join(Visit, Visit.id == Photo.visit_id)
        .join(User, User.id == Visit.rep_id)
        .join(Store, Store.id == Visit.store_id)
        .outerjoin(Team, Team.id == Visit.team_id)
        .outerjoin(PhotoReview, PhotoReview.photo_id == Photo.id)
        .outerjoin(reviewer, reviewer.c.id == PhotoReview.reviewer_id)
        .where(
            Visit.visit_date.between(first, last),
            scope_filter(actor, Visit),
            *where_org(_OrgColumns, args),
        )
    )
    status = args.get("status")
    if status == PENDING:
        stmt = stmt.where(PhotoReview.id.is_(None))
    elif status:
        stmt = stmt.where(PhotoReview.status == status)
    stmt = stmt.order_by(Visit.visit_date, Visit.checked_in_at, Photo.id)
    rows, total = paginate(stmt, args["page"], args["per_page"])
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
