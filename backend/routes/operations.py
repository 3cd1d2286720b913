"""The HTTP side of the write path: the Idempotency-Key and X-Device-Time headers, and the
decorator that runs a write view through the command executor (`backend.writes`).

Order on a view: `@blp.auth` (authenticate) above `@blp.arguments` (validate) above `@write(blp)`
(idempotency, savepoint, the use case, commit) above `@blp.response` (the response schema), so
the reply recorded for a key is the serialised body and status the client got.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response, jsonify, request

from ..auth import current_user
from ..errors import InvalidError
from ..writes import Reply, execute, execute_keyed
from ..writes.idempotency import HEADER, fingerprint
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

View = Callable[..., Any]


def documented_write(blp: ApiBlueprint) -> Callable[[View], View]:
    """Document the write headers on a view."""
    return blp.doc(parameters=WRITE_HEADERS)


def write(blp: ApiBlueprint, *, idempotent: bool = True) -> Callable[[View], View]:
    """Run the view (its use case and response schema) as one write through the executor,
    under the request's Idempotency-Key when it sends one (and `idempotent`)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            key = request.headers.get(HEADER) if idempotent else None
            if key is None:
                return execute(lambda: view(*args, **kwargs))
            answered: list[Response] = []

            def run() -> Reply:
                # The answer as sent, kept for replays (only when a key asks for it).
                answered.append(view(*args, **kwargs))
                return Reply(answered[0].status_code, answered[0].get_json(silent=True))

            operation = f"{request.method} {request.url_rule.rule}"
            target = {"path": kwargs, "form": request.form.to_dict(flat=False)}
            fp = fingerprint(operation, target, list(args[1:]), _uploaded_files())
            reply = execute_keyed(current_user(), key, operation, fp, run)
            return answered[0] if answered else http_reply(reply)

        return documented_write(blp)(wrapper) if idempotent else wrapper

    return decorator


def http_reply(reply: Reply) -> Response:
    """The response for a write's reply, marked when it is the first reply replayed."""
    response = Response(status=reply.status) if reply.body is None else jsonify(reply.body)
    response.status_code = reply.status
    if reply.replayed:
        response.headers[REPLAYED] = "true"
    return response


def _uploaded_files() -> bytes | None:
    """The uploaded parts as one byte string for the fingerprint; the streams are rewound."""
    if not request.files:
        return None
    parts = []
    for name, upload in sorted(request.files.items(multi=True)):
        parts += [name.encode(), b"\0", upload.read(), b"\0"]
        upload.stream.seek(0)
    return b"".join(parts)


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
