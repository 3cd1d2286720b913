"""An offline device's queued visit operations, run in order and answered item by item.

Each item goes through the same table and executor as its single endpoint
(`visit_operations.run_operation`), its key with it, as a savepoint: a failure undoes only
itself. The batch commits once at the end (`one_commit`: one commit and one report refresh,
not one per item); if that commit fails nothing of the batch stays, the request answers 503
and the device sends the batch again under the same keys.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.exc import DataError

from ..errors import DomainError, InvalidError, database_unavailable, error_body
from ..models import User
from ..services import photo_budget
from ..writes import Reply, one_commit, undone_alone
from .visit_operations import Context, run_operation

log = logging.getLogger(__name__)

NOT_ATTEMPTED = (
    "Not attempted: an earlier operation on this visit failed on the server; "
    "send this again after it."
)


def run_batch(
    actor: User, batch: dict[str, Any], files: Mapping[str, bytes], received_at: datetime
) -> dict[str, Any]:
    """Run a device's queued operations in order; each answers on its own.

    After a server-side failure (5xx, e.g. photo storage unavailable) or a 429 (the batch's
    photo decoding budget spent) the later operations on the same visit answer 424 without
    running, so a retry delivers them in order: a check-out never closes a visit before its
    failed photo arrives.
    """
    context = Context(received_at, batch.get("sent_at"))
    results = []
    stalled: set[str] = set()  # visits with an operation to be sent again (5xx, 429)
    with photo_budget.batch(current_app.config["PHOTO_DECODE_BATCH_PIXELS"]), one_commit():
        for item in batch["operations"]:
            op = item["op"]
            visit = item.get("visit", item["body"].get("uuid") if op == "check_in" else None)
            if visit is not None and str(visit) in stalled:
                reply = Reply(424, error_body(424, NOT_ATTEMPTED))
            else:
                reply = _run_item(actor, item, files, context)
            if (reply.status >= 500 or reply.status == 429) and visit is not None:
                stalled.add(str(visit))
            results.append(_result(item, reply))
    failed = sum(1 for r in results if r["status"] >= 400)
    return {"results": results, "succeeded": len(results) - failed, "failed": failed}


def _run_item(
    actor: User, item: dict[str, Any], files: Mapping[str, bytes], context: Context
) -> Reply:
    """One item's reply; its failure, whatever it is, becomes the item's error answer and is
    undone alone (a failure before the executor, a lookup of the visit, may otherwise leave
    the transaction aborted on PostgreSQL)."""
    try:
        with undone_alone():
            return run_operation(
                actor,
                item["op"],
                key=str(item["key"]),
                visit=item.get("visit"),
                payload=item["body"],
                file=_file_of(item, files),
                context=context,
            )
    except DomainError as exc:
        reply = Reply(exc.status_code, exc.body())
    except (DataError, OverflowError):
        reply = Reply(422, error_body(422, "A value is out of range.", reason="out_of_range"))
    except Exception as exc:
        if database_unavailable(exc):
            raise  # the batch's one transaction went with its connection: all of it answers 503
        log.exception("sync operation %s (%s) failed", item["key"], item["op"])
        reply = Reply(500, error_body(500, "The server could not complete this operation."))
    return reply


def _result(item: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "key": str(item["key"]),
        "op": item["op"],
        "status": reply.status,
        "replayed": reply.replayed,
        "body": reply.body,
    }


def _file_of(item: dict[str, Any], files: Mapping[str, bytes]) -> bytes | None:
    if "file_base64" in item:
        try:
            return base64.b64decode(item["file_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidError(
                "file_base64 is not valid base64.", {"json": {"file_base64": ["Not base64."]}}
            ) from None
    if "file" in item:
        if item["file"] not in files:
            raise InvalidError(
                f"No part named {item['file']!r} in the request.",
                {"files": {item["file"]: ["Missing."]}},
            )
        return files[item["file"]]
    return None
