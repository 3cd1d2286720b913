"""Logs (text or JSON lines), request ids and access logs, and trusting a reverse proxy.

Every record written while a request is handled carries its request id (the one answered in
X-Request-ID): in text, after the logger's name and on each traceback line; in JSON, as
`request_id`. The formatters look it up, so any logger counts (ours, Flask's, the libraries').
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import timings

REQUEST_ID_HEADER = "X-Request-ID"
# Stamped by the reverse proxy when it hands a request on (nginx: `t=${msec}`): its queue time.
REQUEST_START_HEADER = "X-Request-Start"
# A client's (or the proxy's) request id is kept when it is a plain token that fits the audit
# log's column; anything else (spaces, controls, 200 characters) gets a new id of our own.
CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,64}")
access_log = logging.getLogger("terminus.access")

# Characters that could end a log line or disguise one: C0 controls (newline, carriage return,
# escape...), DEL, C1 controls (NEL) and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"


def escape_controls(text: str) -> str:
    """`text` with each control character written as its Python escape (\\n, \\x1b, \\u2028)."""
    return CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def current_request_id() -> str:
    """The id of the request being handled, made on first use (a line logged before the
    request hooks ran gets the id its answer will carry)."""
    if "request_id" not in g:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = offered if CLIENT_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
    return g.request_id


def record_request_id(record: logging.LogRecord) -> str | None:
    """The request id of a record: its own (the access log's extra), else the request's being
    handled in this thread, else None (a CLI command, the scheduler, a job)."""
    given = getattr(record, "request_id", None)
    if given is not None:
        return str(given)
    return current_request_id() if has_request_context() else None


class TextFormatter(logging.Formatter):
    """One line per record, whatever its message holds (a request path with %0a, a username):
    control characters are escaped. A traceback follows on lines of its own, each indented, so
    a line at the margin always starts a record. In a request, `[request id]` follows the
    logger's name and starts each traceback line: grep the id, get the whole error."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        # Formatter.format, with the request id handed to each part (no state between calls).
        request_id = record_request_id(record)
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        tag = f"[{escape_controls(request_id)}]" if request_id else ""
        values = {**vars(record), "request_tag": f" {tag}" if tag else ""}
        lines = [escape_controls(TEXT_FORMAT % values)]
        trace = self.formatException(record.exc_info) if record.exc_info else record.exc_text
        for text in (trace, record.stack_info and self.formatStack(record.stack_info)):
            if text:
                lines.append(_indented(text, f"{tag} " if tag else ""))
        return "\n".join(lines)


def _indented(text: str, tag: str) -> str:
    return "\n".join(f"  {tag}{escape_controls(line)}" for line in text.splitlines())


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, extras, exception."""

    RESERVED = set(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := record_request_id(record):
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in self.RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # json.dumps escapes C0 controls but leaves the others raw (inside strings, where a
        # \uXXXX escape means the same to every JSON reader).
        line = json.dumps(entry, default=str, ensure_ascii=False)
        return CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", line)


def configure_logging(app: Flask) -> None:
    """Log to stderr in the configured format and level; add request ids and an access log."""
    handler = logging.StreamHandler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    if app.config["PROXY_HOPS"] > 0:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.before_request(_start)
    app.after_request(_finish)
    for name, listener in _STATEMENT_EVENTS:
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)


def _statement_started(conn, cursor, statement, parameters, context, executemany) -> None:
    """Charge the statement to its phase: `lock` for the report refresh's lock, else `db`."""
    if (spent := timings.current()) is not None and context is not None:
        spent.statements += 1
        spent.enter(context.execution_options.get("timing_phase", "db"))
        context.terminus_timed = True


def _statement_ended(conn, cursor, statement, parameters, context, executemany) -> None:
    if getattr(context, "terminus_timed", False):
        context.terminus_timed = False
        timings.leave()


def _statement_failed(error_context) -> None:
    context = error_context.execution_context
    if getattr(context, "terminus_timed", False):
        context.terminus_timed = False
        timings.leave()


_STATEMENT_EVENTS = (
    ("before_cursor_execute", _statement_started),
    ("after_cursor_execute", _statement_ended),
    ("handle_error", _statement_failed),
)


def _start() -> None:
    current_request_id()
    waited = timings.queue_seconds(request.headers.get(REQUEST_START_HEADER, ""), time.time())
    timings.start(waited)


def _identity(user: Any) -> Any:
    """The user's id from the session's identity map: never a query, even when a rollback has
    expired the user and the database has gone away (the answer must still go out)."""
    identity = inspect(user).identity if user is not None else None
    return identity[0] if identity else None


def _finish(response):
    response.headers[REQUEST_ID_HEADER] = current_request_id()
    current = timings.current()
    statements = current.statements if current is not None else 0
    spent = timings.stop() or {}
    if spent and current_app.config["SERVER_TIMING"]:
        response.headers["Server-Timing"] = timings.server_timing(spent, statements)
    user = g.get("current_user")
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "request_id": current_request_id(),
            "status": response.status_code,
            "duration_ms": spent.get("total"),
            "timings_ms": spent,
            "statements": statements,
            "user_id": _identity(user),
            "remote_addr": request.remote_addr,
        },
    )
    return response
