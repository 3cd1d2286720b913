"""How many pixels photo decoding may hold: per sync batch, and per user at a time.

A decode is charged what its header says it will hold in memory (`photo_images.Header`). Over a
budget, the photo is refused with 429 before it is decoded: the file is fine, it is only sent
too much at once, and the phone sends a 429 item again later (it keeps a 4xx item as failed).
A decode is always allowed when nothing else is counted yet, so every photo that passes the
pixel ceiling can go through on its own. The per-user count is this worker process's: memory
is a process's, and a worker decodes only what it is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from ..errors import DomainError


class DecodeBudgetError(DomainError):
    status_code = 429
    reason = "photo_decode_budget"


@dataclass
class _Batch:
    limit: int
    used: int = 0


_batch: ContextVar[_Batch | None] = ContextVar("photo_decode_batch", default=None)
_lock = threading.Lock()
_in_flight: dict[int, int] = {}  # user id → pixels being decoded now


@contextmanager
def batch(limit: int) -> Iterator[None]:
    """The decodes inside share one budget of `limit` pixels (a sync batch)."""
    token = _batch.set(_Batch(limit))
    try:
        yield
    finally:
        _batch.reset(token)


@contextmanager
def claim(user_id: int, pixels: int, user_limit: int) -> Iterator[None]:
    """Hold `pixels` of the user's budget (and the batch's) while decoding, or raise 429."""
    current = _batch.get()
    if current is not None and current.used and current.used + pixels > current.limit:
        raise _refused(
            f"This batch has decoded {current.used:,} pixels of photos; at most "
            f"{current.limit:,} are decoded per batch. Send this photo again in another batch.",
            current.limit,
        )
    with _lock:
        held = _in_flight.get(user_id, 0)
        if held and held + pixels > user_limit:
            raise _refused(
                f"{held:,} pixels of your photos are being decoded; at most {user_limit:,} at a "
                "time. Send this photo again in a moment.",
                user_limit,
            )
        _in_flight[user_id] = held + pixels
    if current is not None:
        current.used += pixels  # charged even if decoding fails: the work was done
    try:
        yield
    finally:
        with _lock:
            left = _in_flight.pop(user_id) - pixels
            if left:
                _in_flight[user_id] = left


def _refused(message: str, limit: int) -> DecodeBudgetError:
    return DecodeBudgetError(message, {"files": {"file": [message]}}, params={"max_pixels": limit})
