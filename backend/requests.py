"""Request bodies: JSON parsing that refuses absurd nesting, and known content types only.

Python's json module raises RecursionError (not a decode error) on very deep nesting; both
parsers that read bodies (Flask's and webargs') turn that into a plain 400 here.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from webargs.flaskparser import FlaskParser

from .errors import UnsupportedMediaTypeError

BODY_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a document nested too deeply for Python is a decode error."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            text = s if isinstance(s, str) else "?"
            raise json.JSONDecodeError("Nested too deeply", text, 0) from None


class ArgumentsParser(FlaskParser):
    """webargs' Flask parser with the same nesting guard."""

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("Nested too deeply", "", 0) from None


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
