"""One JSON error shape for every failure, and the domain errors services raise.

Every error answers `{"code": 404, "status": "Not Found", "reason": "not_found", "message": "...",
"params": {...}, "errors": {...}}`: `reason` is a stable code and `params` its figures, so a client
says it in its user's language; `message` is the English sentence for logs and API users;
`errors` appears when there are field-level details. The database being unavailable (its
connection lost, a restart) answers 503 with `Retry-After`, wherever in the request it happens.
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Flask, current_app, jsonify
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from .input_limits import limit_refusal

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 2  # a restart or a failover usually takes about this long


class ErrorSchema(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    status = ma.fields.String(required=True, metadata={"description": "HTTP status name"})
    reason = ma.fields.String(
        required=True,
        metadata={"description": "Stable code of what went wrong", "example": "conflict"},
    )
    message = ma.fields.String(metadata={"description": "What went wrong, in English"})
    params = ma.fields.Dict(
        metadata={"description": "The figures of `reason` (names, ids, limits)"}
    )
    errors = ma.fields.Dict(metadata={"description": "Field errors: location → field → messages"})


class DomainError(Exception):
    """A use case refused; services raise these and never touch HTTP.

    `reason` (a stable code, default per class) and `params` let clients translate the refusal.
    """

    status_code = 400
    reason = "bad_request"

    def __init__(
        self,
        message: str,
        errors: dict[str, Any] | None = None,
        *,
        reason: str | None = None,
        params: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.reason = reason or type(self).reason
        self.params = params or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.status_code, self.message, self.errors, self.reason, self.params)


class NotFoundError(DomainError):
    status_code = 404
    reason = "not_found"


class AuthenticationError(DomainError):
    status_code = 401
    reason = "unauthenticated"


class PermissionDeniedError(DomainError):
    status_code = 403
    reason = "forbidden"


class ConflictError(DomainError):
    status_code = 409
    reason = "conflict"


class TooLargeError(DomainError):
    """The upload is bigger than we accept, in bytes or in pixels."""

    status_code = 413
    reason = "too_large"


class UnsupportedMediaTypeError(DomainError):
    status_code = 415
    reason = "unsupported_media_type"


class NotReadyError(DomainError):
    """A dependency (the database, photo storage) cannot serve yet."""

    status_code = 503
    reason = "unavailable"


class InvalidError(DomainError):
    """Well-formed input that breaks a rule; `errors` names the fields."""

    status_code = 422
    reason = "invalid_input"


# The reason of an answer whose raiser gave none, by status.
REASONS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    424: "not_attempted",
    429: "rate_limited",
    503: "unavailable",
}


def error_body(
    code: int,
    message: str,
    errors: dict[str, Any] | None = None,
    reason: str | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if code == 422 and errors and not params and reason in (None, "invalid_input"):
        # A field over its length limit: say which and the limit, whatever path the errors took.
        reason, params = limit_refusal(errors) or (reason, params)
    body: dict[str, Any] = {
        "code": code,
        "status": HTTP_STATUS_CODES.get(code, "Error"),
        "reason": reason or REASONS.get(code, "server_error" if code >= 500 else "bad_request"),
        "message": message,
    }
    if params:
        body["params"] = params
    if errors:
        body["errors"] = errors
    return body


def _handle_domain_error(error: DomainError):
    response = jsonify(error.body())
    response.status_code = error.status_code
    if isinstance(error, AuthenticationError):
        response.headers["WWW-Authenticate"] = 'Bearer realm="terminus"'
    return response


def _handle_integrity_error(error: IntegrityError):
    _roll_back()
    log.info("integrity error: %s", error.orig)
    response = jsonify(error_body(409, "The change conflicts with existing data."))
    response.status_code = 409
    return response


def _handle_out_of_range(error: Exception):
    """A value the database cannot hold (e.g. an id beyond 64 bits) is bad input, not a crash."""
    _roll_back()
    log.info("value out of range: %s", error)
    response = jsonify(error_body(422, "A value is out of range.", reason="out_of_range"))
    response.status_code = 422
    return response


def database_unavailable(error: BaseException | None) -> bool:
    """The database cannot answer for now (PEP 249's OperationalError: lost connection, server
    shutting down or starting, lock timeout), or SQLAlchemy found the connection dead."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def _handle_database_error(error: DBAPIError):
    """503 with Retry-After when the database is unavailable; any other error is a bug and goes
    on to the generic 500 (raised again, so tests see it)."""
    if not database_unavailable(error):
        raise error
    log.warning("database unavailable: %s", error.orig)
    try:
        # Gives the session a new connection for what runs next (the access log).
        _roll_back()
    except DBAPIError as again:
        if not database_unavailable(again):
            raise
    response = jsonify(error_body(503, "The database is unavailable for a moment; retry."))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _string_keys(messages: Any) -> Any:
    """Field errors with every key a string: a form part named "" or none at all is reported
    under that name, and JSON (sorted keys) cannot mix None with strings."""
    if isinstance(messages, dict):
        return {"" if k is None else str(k): _string_keys(v) for k, v in messages.items()}
    return messages


def _handle_http_exception(error: HTTPException):
    original = getattr(error, "original_exception", None)
    if isinstance(error, InternalServerError) and database_unavailable(original):
        # Raised after the view (an after-request hook, another error handler): still a 503.
        return _handle_database_error(original)
    data = getattr(error, "data", None) or {}
    messages = _string_keys(data.get("messages"))
    message = data.get("message") or error.description or error.name
    if error.code and error.code >= 500:
        # An exception nobody handled comes here from Flask's handle_exception, which has
        # logged it with its traceback ("Exception on /path [GET]", with the request id):
        # log only a 5xx raised as such, so each error is in the log once.
        if original is None:
            log.error("server error: %s %s", error.code, error.description or error.name)
        message = "The server could not complete the request."
    response = jsonify(error_body(error.code or 500, message, messages))
    response.status_code = error.code or 500
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if error.code == 429 and getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _roll_back() -> None:
    """Leave the request's session usable after a database error outside the write path (a
    read), for what runs next (the access log). A write's executor has rolled back already."""
    current_app.extensions["sqlalchemy"].session.rollback()


def register_error_handlers(app: Flask) -> None:
    """Install the handlers; they replace flask-smorest's so every error has the same shape."""
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(IntegrityError, _handle_integrity_error)
    app.register_error_handler(DataError, _handle_out_of_range)
    app.register_error_handler(DBAPIError, _handle_database_error)
    app.register_error_handler(OverflowError, _handle_out_of_range)
    app.register_error_handler(HTTPException, _handle_http_exception)
