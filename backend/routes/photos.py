"""Photo evidence: upload to a visit (multipart), read it back only within your scope."""

from __future__ import annotations

from flask import request, send_file
from flask.views import MethodView
from webargs.flaskparser import parser

from ..auth import current_user
from ..errors import ErrorSchema, InvalidError
from ..models import PhotoKind, Role
from ..schemas.photos import PhotoFormSchema, PhotoImageArgs, PhotoSchema
from ..services import photos
from .base import ApiBlueprint
from .operations import documented_write
from .visit_operations import respond

blp = ApiBlueprint("photos", __name__, url_prefix="/api", description="Visit photos")

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file", "kind"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "JPEG, PNG, WebP or HEIC; at most PHOTO_MAX_BYTES "
                        "(15 MiB) and PHOTO_MAX_PIXELS (50 MP; PHOTO_MAX_PIXELS_FULL_DECODE, "
                        "16 MP, for PNG, WebP and HEIC, which decode at full size)",
                    },
                    "kind": {"type": "string", "enum": [k.value for k in PhotoKind]},
                    "note": {"type": "string", "maxLength": 300},
                },
            }
        }
    },
}


@blp.route("/visits/<int:visit_id>/photos")
class VisitPhotos(MethodView):
    @blp.auth(Role.REP)
    @blp.doc(requestBody=UPLOAD_BODY)
    @blp.response(201, PhotoSchema, description="Stored; flags computed")
    @blp.alt_response(200, schema=PhotoSchema, description="This file was already attached")
    @documented_write(blp)
    @blp.errors(404, 409)
    @blp.alt_response(413, schema=ErrorSchema, description="Too many bytes or pixels")
    @blp.alt_response(422, schema=ErrorSchema, description="Not an image, or damaged")
    @blp.alt_response(
        429,
        schema=ErrorSchema,
        description="Your photos being decoded hold PHOTO_DECODE_USER_PIXELS already; send again",
    )
    def post(self, visit_id):
        """Attach a photo to your visit.

        The visit (yours, open) and an exact duplicate are checked before the file is decoded.
        The image is turned upright (EXIF orientation), its camera time kept, and re-encoded
        without any metadata (no GPS) as a full image (long side ≤ 1600 px) and a thumbnail.
        """
        form = parser.parse(PhotoFormSchema(), request, location="form")
        upload = request.files.get("file")
        if upload is None:
            raise InvalidError("Attach the image as `file`.", {"files": {"file": ["Missing."]}})
        return respond("photo", form, visit=visit_id, file=upload.read())


@blp.route("/photos/<int:photo_id>")
class PhotoById(MethodView):
    @blp.auth()
    @blp.response(200, PhotoSchema)
    @blp.errors(404)
    def get(self, photo_id):
        """A photo's data, if you may see its visit."""
        return photos.get_photo(current_user(), photo_id)


@blp.route("/photos/<int:photo_id>/image")
class PhotoImage(MethodView):
    @blp.auth()
    @blp.arguments(PhotoImageArgs, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "The stored JPEG (metadata stripped)",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    )
    @blp.errors(404, 422)
    def get(self, args, photo_id):
        """The image (`size=full` or `thumb`), if you may see its visit."""
        path = photos.photo_file(current_user(), photo_id, args["size"])
        response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=0)
        response.headers["Cache-Control"] = "private, max-age=86400"
        return response
