"""Photo evidence: upload to a visit (multipart), read it back only within your scope."""

from __future__ import annotations

from flask import Response, request, url_for
from flask.views import MethodView
from webargs.flaskparser import parser
from werkzeug.wsgi import wrap_file

from ..auth import current_user
from ..errors import ErrorSchema, InvalidError
from ..models import PhotoKind, Role
from ..schemas.photos import PhotoFormSchema, PhotoImageArgs, PhotoSchema, PhotoUrlSchema
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
                    "taken_at": {
                        "type": "string",
                        "format": "date-time",
                        "description": "Capture time from the original file (ISO 8601 with "
                        "offset), used when the image has no EXIF date; not in the future",
                    },
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


IMAGE_GONE = "Retention deleted the image (`image_deleted_at`); the photo's data stays"


@blp.route("/photos/<int:photo_id>/image")
class PhotoImage(MethodView):
    @blp.auth()
    @blp.arguments(PhotoImageArgs, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "The stored JPEG (metadata stripped), streamed from photo storage",
                "content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}},
            },
            "304": {"description": "Not modified (If-None-Match: the image never changes)"},
        }
    )
    @blp.errors(404, 422)
    @blp.alt_response(410, schema=ErrorSchema, description=IMAGE_GONE)
    def get(self, args, photo_id):
        """The image (`size=full` or `thumb`), if you may see its visit."""
        photo = photos.photo_with_image(current_user(), photo_id)
        # Files are named by their content: the tag is known without asking the storage.
        etag = f"{photo.sha256}-{args['size']}"
        if request.if_none_match.contains(etag):
            response = Response(status=304)
        else:
            image = photos.open_image(photo, args["size"])
            response = Response(
                wrap_file(request.environ, image.stream),
                mimetype="image/jpeg",
                direct_passthrough=True,
            )
            response.content_length = image.length
        response.set_etag(etag)
        # Never in the browser's HTTP cache: it keys on the URL, not the token, so a later user
        # of the same browser would get the image without the scope check, and it would outlive
        # the PWA's sign-out wipe (the PWA keeps what it needs offline in IndexedDB).
        response.headers["Cache-Control"] = "private, no-store"
        return response


@blp.route("/photos/<int:photo_id>/url")
class PhotoUrl(MethodView):
    @blp.auth()
    @blp.arguments(PhotoImageArgs, location="query")
    @blp.response(200, PhotoUrlSchema)
    @blp.errors(404, 422)
    @blp.alt_response(410, schema=ErrorSchema, description=IMAGE_GONE)
    def get(self, args, photo_id):
        """Where to load the image from: with S3 storage a presigned URL, valid
        PHOTO_SIGNED_URL_SECONDS, that needs no sign-in; with local storage the scoped image
        path (`/api/photos/{id}/image`, with your bearer token) and no expiry."""
        photo = photos.photo_with_image(current_user(), photo_id)
        signed = photos.signed_url(photo, args["size"])
        if signed is None:
            path = url_for("photos.PhotoImage", photo_id=photo.id, size=args["size"])
            return {"url": path, "expires_at": None}
        return {"url": signed[0], "expires_at": signed[1]}
