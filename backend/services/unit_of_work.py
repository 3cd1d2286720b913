"""Where a use case ends: it commits, unless an outer unit of work owns the transaction.

An idempotent request or an item of a sync batch runs its use case inside a savepoint together
with the idempotency key it stores, so the use case must flush instead of committing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..extensions import db

_outer: ContextVar[bool] = ContextVar("terminus_outer_unit_of_work", default=False)


def commit() -> None:
    """End the use case: commit, or only flush inside `outer()`."""
    if _outer.get():
        db.session.flush()
    else:
        db.session.commit()


@contextmanager
def outer() -> Iterator[None]:
    """Use cases run inside only flush; the caller commits or rolls back."""
    token = _outer.set(True)
    try:
        yield
    finally:
        _outer.reset(token)
