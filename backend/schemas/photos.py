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
        allow_none=True, metadata={"description": "Camera time (EXIF DateTimeOriginal)"}
    )
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    image_url = ma.fields.Function(lambda p: url_for("photos.PhotoImage", photo_id=p.id))
    thumbnail_url = ma.fields.Function(
        lambda p: url_for("photos.PhotoImage", photo_id=p.id, size="thumb")
    )


class PhotoImageArgs(ma.Schema):
    size = ma.fields.String(load_default="full", validate=validate.OneOf(("full", "thumb")))
