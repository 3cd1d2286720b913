"""Request bodies: JSON parsing that refuses absurd nesting, and known content types only.

Python's json module raises RecursionError (not a decode error) on very deep nesting; every
parser that reads a body (Flask's, webargs', the multipart batch's `loads`) turns that into a
400 naming the problem here.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from webargs.flaskparser import FlaskParser, abort

from .errors import UnsupportedMediaTypeError

BODY_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")
NESTED_TOO_DEEPLY = "The JSON body is nested too deeply."


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """`json.loads`, except that a document nested too deeply for Python is a decode error."""
    try:
        return json.loads(text, **kwargs)
    except RecursionError:
        raise json.JSONDecodeError(NESTED_TOO_DEEPLY, "?", 0) from None


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a document nested too deeply for Python is a decode error."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser with the same nesting guard; a body that does not parse is a 400
    saying why."""

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            # Answered here: webargs reads a decode error of no document as no body at all,
            # which an endpoint whose fields are all optional would run on.
            error = json.JSONDecodeError(NESTED_TOO_DEEPLY, "", 0)
            return self._handle_invalid_json_error(error, req)

    def _handle_invalid_json_error(self, error: Exception, req: Any, *args: Any, **kw: Any) -> Any:
        detail = getattr(error, "msg", str(error))
        message = detail if detail == NESTED_TOO_DEEPLY else f"The body is not JSON: {detail}."
        abort(400, exc=error, message=message, messages={"json": [message]})


def _known_body_type() -> None:
    has_body = request.method in ("POST", "PUT", "PATCH") and request.content_length
    if has_body and request.mimetype not in BODY_TYPES:
        raise UnsupportedMediaTypeError(
            f"Send the body as {' or '.join(BODY_TYPES)}, not {request.mimetype or 'untyped'}."
        )


def install(app: Flask) -> None:
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)
    app.before_request(_known_body_type)
