"""The visit write operations: one table of method, path, body and response schema, status and
use case, which the single endpoints and the offline batch (`routes/batch.py`) both run.

A client may send an operation first on its own and retry it inside a batch under the same
idempotency key: the fingerprint is taken of the validated body and of the visit's uuid, so
the two match whether the visit was named by id (alone) or by uuid (in a batch).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import marshmallow as ma
from flask import Response, request

from ..auth import current_user
from ..errors import InvalidError
from ..models import User, utcnow
from ..schemas.photos import PhotoFormSchema, PhotoSchema
from ..schemas.returns import ExpiryFollowUpsSchema
from ..schemas.shelf import ShelfFacingsSchema
from ..schemas.store_file import ComplaintSchema, VisitComplaintSchema
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
from ..services import (
    complaints,
    expiry_followups,
    photos,
    shelf_facings,
    visit_records,
    visits,
)
from ..writes import Reply, execute, execute_keyed
from ..writes.idempotency import HEADER, fingerprint
from .operations import device_time, http_reply


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
    # Slow work on the attached file (photo decoding), done before the transaction after its
    # own cheap checks (the visit in scope and the caller's, not a duplicate).
    prepare: Callable[[User, visits.VisitRef | None, bytes], Any] | None = None


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


def _complaint(c: Call) -> tuple[int, Any]:
    complaint, created = complaints.record_at_visit(c.actor, c.visit, c.data)
    return (201 if created else 200), complaint


def _shelf_facings(c: Call) -> tuple[int, Any]:
    return 200, shelf_facings.replace_facings(c.actor, c.visit, c.data["items"])


def _expiry_followups(c: Call) -> tuple[int, Any]:
    return 200, expiry_followups.replace_followups(c.actor, c.visit, c.data["items"])


def _record_list(kind: str, schema: type[ma.Schema], path: str) -> Operation:
    return Operation("PUT", _RECORDS + path, schema, schema, _records(kind))


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
    "display_checks": _record_list("display_checks", DisplayChecksSchema, "display-checks"),
    "stock_counts": _record_list("stock_counts", StockCountsSchema, "stock"),
    "near_expiry_items": _record_list("near_expiry_items", NearExpiryListSchema, "near-expiry"),
    "return_requests": _record_list("return_requests", ReturnRequestsSchema, "returns"),
    "competitor_observations": _record_list(
        "competitor_observations", CompetitorObservationsSchema, "competitors"
    ),
    "order": Operation("PUT", _RECORDS + "order", OrderSchema, OrderSchema, _order),
    "shelf_facings": Operation(
        "PUT", _RECORDS + "shelf-facings", ShelfFacingsSchema, ShelfFacingsSchema, _shelf_facings
    ),
    "complaint": Operation(
        "POST", _RECORDS + "complaints", VisitComplaintSchema, ComplaintSchema, _complaint
    ),
    "expiry_followups": Operation(
        "PUT",
        _RECORDS + "expiry-followups",
        ExpiryFollowUpsSchema,
        ExpiryFollowUpsSchema,
        _expiry_followups,
    ),
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
    """Run one operation through the executor, under its idempotency key (if any).

    The body comes raw (`payload`, validated here) or already validated (`data`).
    """
    operation = OPERATIONS[name]
    if data is None:
        try:
            data = operation.body().load(payload if isinstance(payload, dict) else {})
        except ma.ValidationError as exc:
            raise InvalidError(
                "The request has invalid fields.", {operation.body_location: exc.messages}
            ) from None
    prepared: list[Any] = []

    def prepare() -> None:
        if operation.prepare is not None and file is not None:
            prepared.append(operation.prepare(actor, visit, file))

    def run() -> Reply:
        call = Call(actor, visit, data, file, context, prepared[0] if prepared else None)
        status, result = operation.run(call)
        return Reply(status, operation.response().dump(result))

    if key is None:
        prepare()
        return execute(run)
    target = visits.visit_uuid(actor, visit) if visit is not None else None
    label = f"{operation.method} {operation.path}"
    fp = fingerprint(name, target, data, file)
    return execute_keyed(actor, key, label, fp, run, prepare)


def respond(
    name: str, data: dict[str, Any], *, visit: int | None = None, file: bytes | None = None
) -> Response:
    """Run the operation (its body `data` already validated) for the signed-in user and answer
    with its reply, replayed if the Idempotency-Key was seen."""
    reply = run_operation(
        current_user(),
        name,
        key=request.headers.get(HEADER),
        visit=visit,
        data=data,
        file=file,
        context=Context(utcnow(), device_time()),
    )
    return http_reply(reply)
