"""Photo evidence taken at visits; the image files live in photo storage, named by content hash."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow, value_enum


class PhotoKind(enum.StrEnum):
    SHELF = "shelf"
    PROMO_DISPLAY = "promo_display"
    COMPETITOR = "competitor"
    PRICE_TAG = "price_tag"
    OTHER = "other"


class Photo(db.Model):
    __tablename__ = "photos"
    # The same upload twice at one visit is one photo.
    __table_args__ = (UniqueConstraint("visit_id", "sha256", name="uq_photos_visit_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PhotoKind] = mapped_column(value_enum(PhotoKind, "photo_kind"))
    # SHA-256 of the uploaded bytes: names the stored files, so exact copies are stored once.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # 64-bit difference hash (hex) of the picture, for near-duplicate detection.
    phash: Mapped[str] = mapped_column(String(16))
    source_format: Mapped[str] = mapped_column(String(10))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    # Capture time: EXIF DateTimeOriginal, else the time the app sent (the file's own date).
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(300))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Indexed for the retention run, which looks for photos stored before its cutoff.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # When retention deleted the image files; the row (and what it counts for) stays.
    image_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
