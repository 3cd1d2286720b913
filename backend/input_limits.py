"""Size limits of input (characters of a text, items of a list) and how a refusal names them.

A limit's field error is an `OverLimit` message: the sentence clients have always read, which
also carries its reason and limit, so whichever way the field errors travel (a request body, a
sync item, a multipart batch) the error answer says which field and what limit in its `params`.
"""

from __future__ import annotations

from typing import Any


class OverLimit(str):
    """A field error message saying a limit was exceeded: `reason` (too_long: characters,
    too_many: items) and `limit`."""

    reason: str
    limit: int

    def __new__(cls, text: str, reason: str = "too_long", limit: int = 0) -> OverLimit:
        message = super().__new__(cls, text)
        message.reason, message.limit = reason, limit
        return message


def _first(errors: Any, path: tuple[str, ...]) -> tuple[tuple[str, ...], OverLimit] | None:
    """Depth first through marshmallow's error tree (field or index → errors; leaves are lists
    of messages). Lists of other things (an import's row reports) are not field trees."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            found = _first(value, (*path, str(key)))
            if found is not None:
                return found
    elif isinstance(errors, list):
        for message in errors:
            if isinstance(message, OverLimit):
                return path, message
    return None


def limit_refusal(errors: Any) -> tuple[str, dict[str, Any]] | None:
    """The reason and params of an answer whose field errors (location → fields) include an
    exceeded limit: the first such field, as a dotted path (`items.3.note`), and its limit."""
    found = _first(errors, ())
    if found is None:
        return None
    path, message = found
    return message.reason, {"field": ".".join(path[1:]), "max": message.limit}
