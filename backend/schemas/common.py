"""Schema building blocks shared by every API module."""

from __future__ import annotations

import math
from datetime import time
from typing import Any

import marshmallow as ma
from flask import current_app

from ..clock import parse_clock
from ..input_limits import OverLimit

# Every text a client sends has one of these limits, in characters (none above its column's).
CODE = 40  # a code, a phone number, a pack size
KEY = 64  # a SKU
LABEL = 80  # a category
NAME = 120  # a person's, team's, area's or brand's name
TITLE = 200  # a store's or product's name
SEARCH = 100  # a text filter, a part name
SHORT_NOTE = 300  # an address, a note on one record, a reason
COMMENT = 500  # a reviewer's comment
NOTE = 2000  # a visit's or store's notes
MONEY_TEXT = 20  # an amount sent as a string


class MaxLength(ma.validate.Length):
    """At most `limit` characters; the refusal carries the limit (see `input_limits`)."""

    def __init__(self, limit: int):
        super().__init__(max=limit)

    def _format_error(self, value: Any, message: str) -> str:
        return OverLimit(super()._format_error(value, message), "too_long", self.max or 0)


def text(limit: int, *, min_length: int = 0, validate: Any = (), **kwargs: Any) -> ma.fields.String:
    """A free-text field of at most `limit` characters (one of the sizes above)."""
    validators = [MaxLength(limit), *([validate] if callable(validate) else validate)]
    if min_length:
        validators.insert(0, ma.validate.Length(min=min_length))
    return ma.fields.String(validate=validators, **kwargs)


class BoundedList(ma.fields.List):
    """A list of at most `max_items` items (a number, or the name of the setting holding it),
    counted before any item is read: an oversized list costs nothing but its length."""

    def __init__(self, inner: Any, max_items: int | str, **kwargs: Any):
        metadata = dict(kwargs.pop("metadata", {}))
        if isinstance(max_items, str):
            metadata["x-maxItems-setting"] = max_items
        else:
            metadata["maxItems"] = max_items
        super().__init__(inner, metadata=metadata, **kwargs)
        self.max_items = max_items

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        limit = self.max_items
        if isinstance(limit, str):
            limit = current_app.config[limit]
        if ma.utils.is_collection(value) and len(value) > limit:
            raise ma.ValidationError(OverLimit(f"At most {limit} items.", "too_many", limit))
        return super()._deserialize(value, attr, data, **kwargs)


class Money(ma.fields.Decimal):
    """An amount with cents, answered as a string; sent as a number or a short string."""

    def __init__(self, maximum: int | None = None, **kwargs: Any):
        metadata = {"type": "string", "format": "decimal", "minimum": 0, "maxLength": MONEY_TEXT}
        if maximum is not None:
            metadata["maximum"] = maximum
        super().__init__(
            places=2,
            as_string=True,
            validate=ma.validate.Range(0, maximum),
            metadata={**metadata, **kwargs.pop("metadata", {})},
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and len(value) > MONEY_TEXT:
            raise ma.ValidationError(
                OverLimit(f"At most {MONEY_TEXT} characters.", "too_long", MONEY_TEXT)
            )
        return super()._deserialize(value, attr, data, **kwargs)


class Clock(ma.fields.Field):
    """A time of day as "HH:MM" (seconds accepted on input, dropped if zero on output)."""

    default_error_messages = {"invalid": 'Not a valid time of day; use "HH:MM".'}

    def __init__(self, **kwargs: Any):
        metadata = {"type": "string", "maxLength": 8, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: time | None, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> time:
        if not isinstance(value, str) or len(value) > 8:
            raise self.make_error("invalid")
        try:
            return parse_clock(value)
        except ValueError:
            raise self.make_error("invalid") from None


def search_text(description: str) -> ma.fields.String:
    """A text filter: 1-100 printable characters (control characters such as NUL refused)."""
    return text(
        SEARCH,
        min_length=1,
        validate=ma.validate.Regexp(
            r"^[^\x00-\x1f\x7f]*$", error="Control characters are not allowed."
        ),
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
