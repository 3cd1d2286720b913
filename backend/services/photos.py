"""Photo evidence: attach a photo to a visit, read it back within scope."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from .. import timings
from ..errors import DomainError
from ..extensions import db
from ..models import Photo, User, utcnow
from ..scoping import get_in_scope
from . import photo_budget, photo_images, photo_storage, visit_integrity
from .visits import VisitRef, visit_for_write


class ImageDeletedError(DomainError):
    """The photo's row stays, but retention deleted its image files."""

    status_code = 410
    reason = "image_deleted"


def limits() -> photo_images.Limits:
    cfg = current_app.config
    return photo_images.Limits(
        max_bytes=cfg["PHOTO_MAX_BYTES"],
        max_pixels=cfg["PHOTO_MAX_PIXELS"],
        full_px=cfg["PHOTO_FULL_PX"],
        thumb_px=cfg["PHOTO_THUMB_PX"],
        quality=cfg["PHOTO_JPEG_QUALITY"],
        max_pixels_full_decode=cfg["PHOTO_MAX_PIXELS_FULL_DECODE"],
    )


def process_upload(
    actor: User, ref: VisitRef | None, content: bytes
) -> photo_images.ProcessedImage | None:
    """The upload checked and converted, before the write's transaction; None for a file this
    visit already has (`add_photo` answers with that photo).

    The cheap checks come first, so bytes aimed at a visit the caller may not change cost no
    decoding: the visit (in scope, the caller's, open: 404/403/409), an exact duplicate, the
    header (bytes, format, pixels: 413/422), the decoding budgets (429). Then the decoding.
    """
    if ref is None:
        return None  # the operation refuses a photo without its visit
    visit = visit_for_write(actor, ref)
    if _same_file(visit.id, hashlib.sha256(content).hexdigest()) is not None:
        return None
    return _decode(actor, content)


def _decode(actor: User, content: bytes) -> photo_images.ProcessedImage:
    cfg, bounds = current_app.config, limits()
    header = photo_images.inspect(content, bounds)
    budget = photo_budget.claim(actor.id, header.decode_pixels, cfg["PHOTO_DECODE_USER_PIXELS"])
    with budget, timings.phase("photo"):
        return photo_images.decode(content, header, bounds, ZoneInfo(cfg["TIMEZONE"]))


def _same_file(visit_id: int, sha256: str) -> Photo | None:
    return db.session.scalars(
        select(Photo).where(Photo.visit_id == visit_id, Photo.sha256 == sha256)
    ).first()


def add_photo(
    actor: User,
    ref: VisitRef,
    data: dict[str, Any],
    content: bytes,
    image: photo_images.ProcessedImage | None = None,
) -> tuple[Photo, bool]:
    """Attach a photo to the rep's visit; returns (photo, created).

    The same file sent again to the same visit is the same photo (created False). `image` is
    the upload already processed (`process_upload`), outside the transaction.
    """
    visit = visit_for_write(actor, ref)
    sha256 = hashlib.sha256(content).hexdigest()
    existing = _same_file(visit.id, sha256)
    if existing is not None:
        return existing, False
    image = image or _decode(actor, content)
    with timings.phase("photo"):
        photo_storage.save_photo(sha256, image.full, image.thumbnail)
    photo = Photo(
        visit_id=visit.id,
        kind=data["kind"],
        note=data.get("note"),
        sha256=sha256,
        phash=image.phash,
        source_format=image.source_format,
        width=image.width,
        height=image.height,
        size_bytes=len(image.full),
        # The camera's EXIF date wins; the app re-encodes photos (dropping EXIF) and sends the
        # original file's date instead, so "taken long before the visit" still fires.
        taken_at=image.taken_at or _device_time(data.get("taken_at")),
        uploaded_by_id=actor.id,
    )
    db.session.add(photo)
    db.session.flush()
    visit_integrity.on_photo(visit, photo)
    db.session.flush()
    return photo, True


def _device_time(taken_at: datetime | None) -> datetime | None:
    """The device's capture time, unless its clock runs ahead of ours by more than the skew:
    refusing would fail the rep's queued photo, so the photo is kept without the time."""
    skew = timedelta(minutes=current_app.config["CLOCK_SKEW_MINUTES"])
    return taken_at if taken_at is None or taken_at <= utcnow() + skew else None


def get_photo(actor: User, photo_id: int) -> Photo:
    return get_in_scope(actor, Photo, photo_id)


def photo_with_image(actor: User, photo_id: int) -> Photo:
    """A photo in the caller's scope whose image is still stored (410 once retention ran)."""
    photo = get_photo(actor, photo_id)
    if photo.image_deleted_at is not None:
        raise ImageDeletedError(
            f"The image of photo {photo.id} was deleted by the retention policy.",
            params={"photo_id": photo.id, "deleted_at": photo.image_deleted_at.isoformat()},
        )
    return photo


def open_image(photo: Photo, size: str) -> photo_storage.StoredImage:
    return photo_storage.open_photo(photo.sha256, size)


def signed_url(photo: Photo, size: str) -> tuple[str, datetime] | None:
    """A presigned URL of the image and when it expires; None when the storage has none."""
    seconds = current_app.config["PHOTO_SIGNED_URL_SECONDS"]
    url = photo_storage.signed_photo_url(photo.sha256, size, seconds)
    return (url, utcnow() + timedelta(seconds=seconds)) if url else None
