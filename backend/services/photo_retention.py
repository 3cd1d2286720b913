"""Photo retention: images older than PHOTO_RETENTION_DAYS are deleted, their rows kept.

A photo's row (visit, kind, flags, counts in the reports) stays for ever; only its image files
go, and `image_deleted_at` says when. Files are named by content, so a file is deleted only when
every photo that references it is expired. The caller deletes the files (`remove_files`) after
the write commits: a rolled-back run leaves every image in place (at worst a failed deletion
leaves bytes behind, logged), never a live row without its image.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, select, update

from ..extensions import db
from ..models import Photo, utcnow
from . import audit, photo_storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionReport:
    """What a retention run deletes (or, in a dry run, would delete)."""

    cutoff: datetime | None  # None: PHOTO_RETENTION_DAYS is 0, nothing expires
    photos: int = 0
    files: int = 0
    bytes: int = 0  # of the full images; their thumbnails come on top
    photo_ids: list[int] = field(default_factory=list)
    dry_run: bool = True
    file_keys: list[str] = field(default_factory=list)  # the sha256 names to remove_files()

    def as_dict(self) -> dict:
        return {
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "photos": self.photos,
            "files": self.files,
            "bytes": self.bytes,
            "dry_run": self.dry_run,
        }


def cutoff(now: datetime | None = None) -> datetime | None:
    """Photos stored before this instant are expired; None when retention is off."""
    days = current_app.config["PHOTO_RETENTION_DAYS"]
    return (now or utcnow()) - timedelta(days=days) if days > 0 else None


def expired(now: datetime | None = None) -> RetentionReport:
    """The dry run: the photos, files and bytes `delete_expired(now)` would delete."""
    limit = cutoff(now)
    if limit is None:
        return RetentionReport(cutoff=None)
    ids = list(db.session.scalars(select(Photo.id).where(_expired(limit)).order_by(Photo.id)))
    files = _deletable_files(limit)
    return RetentionReport(
        cutoff=limit,
        photos=len(ids),
        files=len(files),
        bytes=sum(files.values()),
        photo_ids=ids,
    )


def delete_expired(now: datetime | None = None) -> RetentionReport:
    """Mark the expired photos' images deleted; the report names the files that go with them.

    Runs inside `execute` (the CLI, the scheduler), which then calls `remove_files(report)` once
    the write has committed; records one audit entry when it deletes any.
    """
    report = expired(now)
    if report.cutoff is None or not report.photos:
        return RetentionReport(cutoff=report.cutoff, dry_run=False)
    files = list(_deletable_files(report.cutoff))
    moment = now or utcnow()
    db.session.execute(
        update(Photo).where(_expired(report.cutoff)).values(image_deleted_at=moment),
        execution_options={"synchronize_session": False},
    )
    audit.record(
        audit.Action.PHOTO_DELETED,
        actor=None,
        subject_type="photo",
        detail={
            "ids": report.photo_ids,
            "count": report.photos,
            "files": report.files,
            "bytes": report.bytes,
            "cutoff": report.cutoff.isoformat(),
        },
    )
    return RetentionReport(
        cutoff=report.cutoff,
        photos=report.photos,
        files=report.files,
        bytes=report.bytes,
        photo_ids=report.photo_ids,
        dry_run=False,
        file_keys=files,
    )


def _expired(limit: datetime):
    return and_(Photo.image_deleted_at.is_(None), Photo.created_at < limit)


def _deletable_files(limit: datetime) -> dict[str, int]:
    """sha256 → size of each stored file that only expired (or already deleted) photos use."""
    live = select(Photo.sha256).where(Photo.image_deleted_at.is_(None), Photo.created_at >= limit)
    rows = db.session.execute(
        select(Photo.sha256, func.max(Photo.size_bytes))
        .where(_expired(limit), Photo.sha256.not_in(live))
        .group_by(Photo.sha256)
    )
    return {sha256: size for sha256, size in rows}


def remove_files(report: RetentionReport) -> None:
    """After `delete_expired`'s write has committed: delete each file's full image and thumbnail;
    a failure is logged, the rest go on."""
    files = report.file_keys
    storage = photo_storage.current()
    failed = 0
    for sha256 in files:
        try:
            photo_storage.delete_photo(sha256, storage)
        except Exception:  # the rows are committed; a stray file costs only bytes
            failed += 1
            log.exception("photo retention: could not delete the files of %s", sha256)
    if failed:
        log.warning("photo retention: %d of %d file(s) not deleted", failed, len(files))
