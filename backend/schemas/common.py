"""Schema building blocks shared by every API module."""

from __future__ import annotations

import math
from datetime import time
from typing import Any

import marshmallow as ma
from flask import current_app

from ..clock import parse_clock


class Clock(ma.fields.Field):
    """A time of day as "HH:MM" (seconds accepted on input, dropped if zero on output)."""

    default_error_messages = {"invalid": 'Not a valid time of day; use "HH:MM".'}

    def _serialize(self, value: time | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> time:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_clock(value)
        except ValueError:
            raise self.make_error("invalid") from None


def search_text(description: str) -> ma.fields.String:
    """A text filter: 1-100 printable characters (control characters such as NUL refused)."""
    return ma.fields.String(
        validate=[
            ma.validate.Length(1, 100),
            ma.validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="Control characters are not allowed."),
        ],
        metadata={"description": description},
    )


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1))

    @ma.validates("per_page")
    def _cap(self, value: int, **kwargs: Any) -> None:
        limit = current_app.config["MAX_PAGE_SIZE"]
        if value > limit:
            raise ma.ValidationError(f"At most {limit}.")


class PageMetaSchema(ma.Schema):
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "Items over all pages"})
    pages = ma.fields.Integer(required=True)


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A `{items: [...], meta: {...}}` envelope schema for `item_schema`."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "meta": ma.fields.Nested(PageMetaSchema, required=True),
        },
        name=name,
    )


def page_envelope(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {
        "items": items,
        "meta": {
            "page": page,
            "per_page": per_page,
            "total": total,
            "pages": math.ceil(total / per_page) if total else 0,
        },
    }


def changes_schema(schema_class: type[ma.Schema]) -> ma.Schema:
    """`schema_class` for PATCH bodies: every top-level field optional, nested objects complete.

    (`partial=True` would also make the fields of nested objects optional.)
    """
    return schema_class(partial=tuple(schema_class._declared_fields))
