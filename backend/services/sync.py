"""Write operations of the visit API, run one by one or as an offline client's batch.

Every write of a visit (check-in, check-out, photo, records, order) is an *operation*: the
single endpoints and POST /api/sync run the same code, under the same idempotency key rules,
so a client may send an operation first on its own and retry it inside a batch.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import marshmallow as ma
from sqlalchemy.exc import DataError

from ..errors import DomainError, InvalidError, error_body
from ..extensions import db
from ..models import User
from ..schemas.photos import PhotoFormSchema, PhotoSchema
from ..schemas.visits import (
    CheckInSchema,
    CheckOutSchema,
    CompetitorObservationsSchema,
    DisplayChecksSchema,
    NearExpiryListSchema,
    OrderSchema,
    ReturnRequestsSchema,
    StockCountsSchema,
    VisitSchema,
)
from . import idempotency, photos, visit_records, visits
from .idempotency import Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """When the server heard the request, and the device clock when it was sent (if known)."""

    received_at: datetime
    device_sent_at: datetime | None = None


@dataclass(frozen=True)
class Call:
    actor: User
    visit: visits.VisitRef | None
    data: dict[str, Any]
    file: bytes | None
    context: Context
    prepared: Any = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: type[ma.Schema]
    response: type[ma.Schema]
    run: Callable[[Call], tuple[int, Any]]
    body_location: str = "json"
    # Slow work on the attached file done before the transaction (photo decoding).
    prepare: Callable[[bytes], Any] | None = None


def _check_in(c: Call) -> tuple[int, Any]:
    ctx = c.context
    return 201, visits.check_in(c.actor, c.data, ctx.received_at, ctx.device_sent_at)


def _check_out(c: Call) -> tuple[int, Any]:
    ctx = c.context
    return 200, visits.check_out(c.actor, c.visit, c.data, ctx.received_at, ctx.device_sent_at)


def _photo(c: Call) -> tuple[int, Any]:
    if c.file is None:
        raise InvalidError("Attach the image as `file`.", {"files": {"file": ["Missing."]}})
    photo, created = photos.add_photo(c.actor, c.visit, c.data, c.file, c.prepared)
    return (201 if created else 200), photo


def _records(kind: str) -> Callable[[Call], tuple[int, Any]]:
    return lambda c: (200, visit_records.replace_records(c.actor, c.visit, kind, c.data["items"]))


def _order(c: Call) -> tuple[int, Any]:
    order = visit_records.put_order(c.actor, c.visit, c.data)
    return 200, order or {"id": None, "lines": [], "note": None, "total": "0.00"}


_RECORDS = "/api/visits/{visit}/"
OPERATIONS: dict[str, Operation] = {
    "check_in": Operation("POST", "/api/visits", CheckInSchema, VisitSchema, _check_in),
    "check_out": Operation("POST", _RECORDS + "checkout", CheckOutSchema, VisitSchema, _check_out),
    "photo": Operation(
        "POST",
        _RECORDS + "photos",
        PhotoFormSchema,
        PhotoSchema,
        _photo,
        body_location="form",
        prepare=photos.process_upload,
    ),
    "display_checks": Operation(
        "PUT",
        _RECORDS + "display-checks",
        DisplayChecksSchema,
        DisplayChecksSchema,
        _records("display_checks"),
    ),
    "stock_counts": Operation(
        "PUT", _RECORDS + "stock", StockCountsSchema, StockCountsSchema, _records("stock_counts")
    ),
    "near_expiry_items": Operation(
        "PUT",
        _RECORDS + "near-expiry",
        NearExpiryListSchema,
        NearExpiryListSchema,
        _records("near_expiry_items"),
    ),
    "return_requests": Operation(
        "PUT",
        _RECORDS + "returns",
        ReturnRequestsSchema,
        ReturnRequestsSchema,
        _records("return_requests"),
    ),
    "competitor_observations": Operation(
        "PUT",
        _RECORDS + "competitors",
        CompetitorObservationsSchema,
        CompetitorObservationsSchema,
        _records("competitor_observations"),
    ),
    "order": Operation("PUT", _RECORDS + "order", OrderSchema, OrderSchema, _order),
}


def run_operation(
    actor: User,
    name: str,
    *,
    key: str | None,
    visit: visits.VisitRef | None,
    file: bytes | None,
    context: Context,
    payload: Any = None,
    data: dict[str, Any] | None = None,
) -> Reply:
    """Run one operation under its idempotency key (if any); returns the reply to send.

    The body comes raw (`payload`, validated here) or already validated (`data`). The
    fingerprint is taken of the validated body and of the visit's uuid, so the same operation
    matches whether it came alone (visit by id) or in a batch (visit by uuid).
    """
    operation = OPERATIONS[name]
    if data is None:
        try:
            data = operation.body().load(payload if isinstance(payload, dict) else {})
        except ma.ValidationError as exc:
            raise InvalidError(
                "The request has invalid fields.", {operation.body_location: exc.messages}
            ) from None
    fp = ""
    if key is not None:
        file_sha = hashlib.sha256(file).hexdigest() if file is not None else None
        target = visits.visit_uuid(actor, visit) if visit is not None else None
        fp = idempotency.fingerprint(name, target, data, file_sha)

    prepared: list[Any] = []

    def prepare() -> None:
        if operation.prepare is not None and file is not None:
            prepared.append(operation.prepare(file))

    def run() -> Reply:
        call = Call(actor, visit, data, file, context, prepared[0] if prepared else None)
        status, result = operation.run(call)
        return Reply(status, operation.response().dump(result))

    label = f"{operation.method} {operation.path}"
    return idempotency.perform(actor, key, label, fp, run, prepare)


def run_batch(
    actor: User, batch: dict[str, Any], files: Mapping[str, bytes], received_at: datetime
) -> dict[str, Any]:
    """Run a device's queued operations in order; each answers on its own, and a failing one
    rolls back only itself (its savepoint), never the others.

    After a server-side failure (5xx, e.g. photo storage unavailable) the later operations on
    the same visit answer 424 without running, so a retry delivers them in order: a check-out
    never closes a visit before its failed photo arrives.
    """
    context = Context(received_at, batch.get("sent_at"))
    results = []
    stalled: set[str] = set()  # visits with an operation that failed on our side (5xx)
    for item in batch["operations"]:
        key = str(item["key"])
        visit = item.get("visit", item["body"].get("uuid") if item["op"] == "check_in" else None)
        if visit is not None and str(visit) in stalled:
            # Keep the device's order: a check-out must not overtake a photo that failed.
            reply = Reply(424, error_body(424, NOT_ATTEMPTED))
            results.append(_result(key, item["op"], reply))
            continue
        # Each operation commits on its own (its key with it): what went through stays even
        # if the request dies half-way, and a failure undoes only its own savepoint.
        try:
            reply = run_operation(
                actor,
                item["op"],
                key=key,
                visit=item.get("visit"),
                payload=item["body"],
                file=_file_of(item, files),
                context=context,
            )
        except DomainError as exc:
            db.session.rollback()
            reply = Reply(exc.status_code, exc.body())
        except (DataError, OverflowError):
            db.session.rollback()
            reply = Reply(422, error_body(422, "A value is out of range.", reason="out_of_range"))
        except Exception:
            db.session.rollback()
            log.exception("sync operation %s (%s) failed", key, item["op"])
            reply = Reply(500, error_body(500, "The server could not complete this operation."))
        if reply.status >= 500 and visit is not None:
            stalled.add(str(visit))
        results.append(_result(key, item["op"], reply))
    failed = sum(1 for r in results if r["status"] >= 400)
    return {"results": results, "succeeded": len(results) - failed, "failed": failed}


NOT_ATTEMPTED = (
    "Not attempted: an earlier operation on this visit failed on the server; "
    "send this again after it."
)


def _result(key: str, op: str, reply: Reply) -> dict[str, Any]:
    return {
        "key": key,
        "op": op,
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
