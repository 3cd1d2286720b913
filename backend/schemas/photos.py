"""Photo upload fields and the photo as the API shows it."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from ..models import PhotoKind
from .common import SHORT_NOTE, text


class PhotoFormSchema(ma.Schema):
    kind = ma.fields.Enum(PhotoKind, by_value=True, required=True)
    note = text(SHORT_NOTE, allow_none=True)
    taken_at = ma.fields.AwareDateTime(
        allow_none=True,
        metadata={
            "description": "Capture time the device read from the original file (its EXIF "
            "date, else its last-modified time), ISO 8601 with offset; used when the uploaded "
            "image carries no EXIF date. A time later than now + CLOCK_SKEW_MINUTES (a fast "
            "device clock) is not trusted: the photo is kept without it"
        },
    )


class PhotoSchema(ma.Schema):
    id = ma.fields.Integer()
    visit_id = ma.fields.Integer()
    kind = ma.fields.Enum(PhotoKind, by_value=True)
    width = ma.fields.Integer(metadata={"description": "Of the stored full image"})
    height = ma.fields.Integer()
    size_bytes = ma.fields.Integer()
    source_format = ma.fields.String(metadata={"example": "JPEG"})
    sha256 = ma.fields.String(metadata={"description": "Of the uploaded file"})
    taken_at = ma.fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "Camera time (EXIF DateTimeOriginal), else the app's taken_at"},
    )
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    image_deleted_at = ma.fields.AwareDateTime(
        allow_none=True,
        metadata={
            "description": "When retention (PHOTO_RETENTION_DAYS) deleted the image files; "
            "the image URLs then answer 410"
        },
    )
    image_url = ma.fields.Function(lambda p: url_for("photos.PhotoImage", photo_id=p.id))
    thumbnail_url = ma.fields.Function(
        lambda p: url_for("photos.PhotoImage", photo_id=p.id, size="thumb")
    )


class PhotoImageArgs(ma.Schema):
    size = ma.fields.String(load_default="full", validate=validate.OneOf(("full", "thumb")))


class PhotoUrlSchema(ma.Schema):
    url = ma.fields.String(
        metadata={
            "description": "With S3 storage a presigned URL that needs no sign-in; with local "
            "storage the scoped image path (send your bearer token)"
        }
    )
    expires_at = ma.fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "When a presigned URL stops working; null for the API path"},
    )
