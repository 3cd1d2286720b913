"""Offline sync: a device's queued operations in one request, answered item by item."""

from __future__ import annotations

import json

import marshmallow as ma
from flask import request
from flask.views import MethodView

from ..auth import current_user
from ..errors import DomainError, InvalidError
from ..models import Role, utcnow
from ..requests import NESTED_TOO_DEEPLY, loads
from ..schemas.sync import SyncBatchSchema, SyncResultSchema
from .base import ApiBlueprint
from .batch import run_batch

blp = ApiBlueprint("sync", __name__, url_prefix="/api/sync", description="Offline sync")

BATCH_DOC = """Run a device's queued operations in order (visit, photos, records, check-out).

Each operation carries its own idempotency key and is answered on its own (`results`, in the
order sent): a replayed key returns its first reply, and a failing operation rolls back only
itself; after a server error (5xx) or a 429 the later operations on that visit answer 424
unrun, to be sent again in order. A batch decodes at most PHOTO_DECODE_BATCH_PIXELS of photos:
a photo past that answers 429 undecoded, to be sent in a later batch. An operation on a visit
created earlier in the batch refers to it by its `uuid`.
Photos go as `file_base64` here, or as binary parts with POST /api/sync/multipart.
"""

MULTIPART_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["batch"],
                "properties": {
                    "batch": {
                        "type": "string",
                        "description": "The batch as JSON text, as for POST /api/sync; a "
                        "photo operation names its image part in `file`",
                    }
                },
                "additionalProperties": {
                    "type": "string",
                    "format": "binary",
                    "description": "Image parts, named as the operations' `file` say",
                },
            }
        }
    },
}


@blp.route("")
class Sync(MethodView):
    @blp.auth(Role.REP)
    @blp.arguments(SyncBatchSchema)
    @blp.response(200, SyncResultSchema)
    @blp.errors(413)
    def post(self, batch):
        return run_batch(current_user(), batch, {}, utcnow())

    post.__doc__ = BATCH_DOC


@blp.route("/multipart")
class SyncMultipart(MethodView):
    @blp.auth(Role.REP)
    @blp.doc(requestBody=MULTIPART_BODY)
    @blp.response(200, SyncResultSchema)
    @blp.errors(400, 413, 422)
    def post(self):
        """The batch of POST /api/sync as multipart: `batch` (JSON) plus one part per photo."""
        try:
            batch = SyncBatchSchema().load(loads(request.form.get("batch") or "null") or {})
        except json.JSONDecodeError as exc:
            if exc.msg == NESTED_TOO_DEEPLY:
                raise DomainError(exc.msg, {"form": {"batch": [exc.msg]}}) from None
            raise InvalidError("batch is not JSON.", {"form": {"batch": ["Not JSON."]}}) from None
        except ma.ValidationError as exc:
            raise InvalidError("The batch is invalid.", {"form": {"batch": exc.messages}}) from None
        files = {name: upload.read() for name, upload in request.files.items()}
        return run_batch(current_user(), batch, files, utcnow())
