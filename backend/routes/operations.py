"""HTTP side of visit write operations: the Idempotency-Key and X-Device-Time headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

from ..auth import current_user
from ..errors import InvalidError
from ..models import utcnow
from ..services import sync
from ..services.idempotency import HEADER
from .base import ApiBlueprint

DEVICE_TIME = "X-Device-Time"
REPLAYED = "Idempotent-Replayed"

WRITE_HEADERS = [
    {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "format": "uuid"},
        "description": "Client-generated UUID, one per write. A retry with the same key and "
        "payload returns the first reply (header `Idempotent-Replayed: true`); the same key "
        "with another payload answers 422. Offline clients must send it.",
    },
    {
        "in": "header",
        "name": DEVICE_TIME,
        "required": False,
        "schema": {"type": "string", "format": "date-time"},
        "description": "The device clock when sending (ISO 8601), to judge the device clock",
    },
]


def documented_write(blp: ApiBlueprint) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document the write headers on a view."""
    return blp.doc(parameters=WRITE_HEADERS)


def device_time() -> datetime | None:
    raw = request.headers.get(DEVICE_TIME)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise InvalidError(
            f"{DEVICE_TIME} must be an ISO 8601 time with an offset.",
            {"headers": {DEVICE_TIME: ["Not a valid date-time with offset."]}},
        )
    return value


def respond(
    name: str, data: dict[str, Any], *, visit: int | None = None, file: bytes | None = None
) -> Response:
    """Run the operation (its body `data` already validated) for the signed-in user and answer
    with its reply, replayed if the Idempotency-Key was seen."""
    reply = sync.run_operation(
        current_user(),
        name,
        key=request.headers.get(HEADER),
        visit=visit,
        data=data,
        file=file,
        context=sync.Context(utcnow(), device_time()),
    )
    response = jsonify(reply.body)
    response.status_code = reply.status
    if reply.replayed:
        response.headers[REPLAYED] = "true"
    return response
