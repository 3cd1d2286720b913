"""Stores (terminals): list, search, maintain, reassign, import and export."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, request
from flask.views import MethodView

from ..auth import current_user
from ..errors import ErrorSchema, InvalidError
from ..models import Role
from ..schemas.common import changes_schema, page_envelope
from ..schemas.stores import (
    ImportArgs,
    ImportReportSchema,
    ReassignResultSchema,
    ReassignSchema,
    StoreFilterArgs,
    StorePageSchema,
    StoreQueryArgs,
    StoreSchema,
    StoreUpdateSchema,
)
from ..services import audit, store_export, store_import, stores
from ..writes import execute
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("stores", __name__, url_prefix="/api/stores", description="Stores")
MAINTAINERS = (Role.ADMIN, Role.SUPERVISOR)
# The export carries every store's contact: customer data leaves the app only with a lead.
EXPORTERS = (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)

IMPORT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A .csv (UTF-8) or .xlsx file; header row with the "
                        "columns of GET /api/stores/export.csv",
                    },
                    "valid_only": {
                        "type": "boolean",
                        "default": False,
                        "description": "Import the valid rows even if others have errors",
                    },
                    "dry_run": {
                        "type": "boolean",
                        "default": False,
                        "description": "Check every row and report, import nothing",
                    },
                },
            }
        }
    },
}


def write_unless_dry_run(is_dry_run: Callable[..., bool]) -> Callable:
    """`@write(blp)`, except for a dry run (`is_dry_run(*view args)`): that view runs outside
    the write path, writes nothing, and its Idempotency-Key is not recorded, so the key stays
    free for the real write."""

    def decorator(view: Callable) -> Callable:
        written = write(blp)(view)

        @functools.wraps(written)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return (view if is_dry_run(*args[1:]) else written)(*args, **kwargs)

        return wrapper

    return decorator


def _import_args() -> dict[str, Any]:
    return blp.ARGUMENTS_PARSER.parse(ImportArgs(), request, location="form")


@blp.route("")
class Stores(MethodView):
    @blp.auth()
    @blp.arguments(StoreQueryArgs, location="query")
    @blp.response(200, StorePageSchema)
    def get(self, args):
        """Stores in your scope, by name, or nearest first with `near_lat`/`near_lng`."""
        items, total = stores.list_stores(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(*MAINTAINERS)
    @blp.arguments(StoreSchema)
    @write(blp)
    @blp.response(201, StoreSchema)
    @blp.errors(409)
    def post(self, data):
        """Create a store (a supervisor: in their own team)."""
        return stores.create_store(current_user(), data)


@blp.route("/<int:store_id>")
class StoreById(MethodView):
    @blp.auth()
    @blp.response(200, StoreSchema)
    @blp.errors(404)
    def get(self, store_id):
        """One store in your scope."""
        return stores.get_store(current_user(), store_id)

    @blp.auth(*MAINTAINERS)
    @blp.arguments(changes_schema(StoreUpdateSchema))
    @write(blp)
    @blp.response(200, StoreSchema)
    @blp.errors(404, 409)
    def patch(self, changes, store_id):
        """Change a store; `active: false` deactivates it."""
        return stores.update_store(current_user(), store_id, changes)


@blp.route("/reassign")
class Reassign(MethodView):
    @blp.auth(*MAINTAINERS)
    @blp.arguments(ReassignSchema)
    @write_unless_dry_run(lambda data: data["dry_run"])
    @blp.response(200, ReassignResultSchema)
    @blp.errors(404)
    def post(self, data):
        """Give stores to another rep (the stores move to the rep's team); answers each affected
        rep's store count and weekly visits before and after. `dry_run` changes nothing."""
        moved, loads = stores.reassign_stores(
            current_user(), data["store_ids"], data["rep_id"], data["dry_run"]
        )
        return {"reassigned": moved, "reps": loads}


@blp.route("/import")
class Import(MethodView):
    @blp.auth(*MAINTAINERS)
    @blp.doc(requestBody=IMPORT_BODY)
    @write_unless_dry_run(lambda: _import_args()["dry_run"])
    @blp.response(200, ImportReportSchema)
    @blp.errors(413)
    @blp.alt_response(
        422,
        schema=ErrorSchema,
        description="Bad rows; nothing imported. `errors.rows` lists {row, column, message}",
    )
    def post(self):
        """Import stores from CSV or XLSX: new codes are created, known codes updated.
        `dry_run` checks the file and reports its row errors (200) without importing."""
        args = _import_args()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidError("Attach the file as `file`.", {"files": {"file": ["Missing."]}})
        rows = store_import.read_table(upload.stream, upload.filename)
        report = store_import.import_stores(
            current_user(), rows, args["valid_only"], args["dry_run"]
        )
        return {**vars(report), "rejected": report.rejected}


@blp.route("/export.csv")
class Export(MethodView):
    @blp.auth(*EXPORTERS)
    @blp.arguments(StoreFilterArgs, location="query")
    @blp.doc(
        responses={
            "200": {
                "description": "CSV in the import layout",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    )
    def get(self, args):
        """Your stores as CSV (same filters as the list), ready to edit and re-import.
        Reps may not export (the file carries contacts); every export is audited."""
        text, rows = store_export.export_csv(current_user(), args)
        execute(lambda: audit.record_export(current_user(), "stores", "csv", args, rows))
        return Response(
            text,
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="stores.csv"'},
        )
