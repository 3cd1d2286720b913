"""Photo review: a supervisor (their team's visits) or an admin approves or rejects a photo with
a comment; whoever may see the photo, its rep included, reads the verdict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import NotFoundError
from ..extensions import db
from ..models import Photo, PhotoReview, User, utcnow
from ..scoping import get_in_scope, scope_filter


def review_photo(actor: User, photo_id: int, data: dict[str, Any]) -> PhotoReview:
    """Record (or replace) the review of a photo in the reviewer's scope."""
    photo = get_in_scope(actor, Photo, photo_id)
    review = db.session.scalars(
        select(PhotoReview).where(PhotoReview.photo_id == photo.id)
    ).one_or_none()
    if review is None:
        review = PhotoReview(photo_id=photo.id)
        db.session.add(review)
    review.status = data["status"]
    review.comment = data.get("comment")
    review.reviewer_id = actor.id
    review.reviewed_at = utcnow()
    db.session.flush()
    return review


def get_review(actor: User, photo_id: int) -> PhotoReview:
    """The review of a photo the caller may see; 404 while it is not reviewed."""
    get_in_scope(actor, Photo, photo_id)
    review = db.session.scalars(
        select(PhotoReview).where(
            PhotoReview.photo_id == photo_id, scope_filter(actor, PhotoReview)
        )
    ).one_or_none()
    if review is None:
        raise NotFoundError(f"Photo {photo_id} has no review yet.")
    return review
