"""Where a request's time goes: its wall time split into phases, each moment counted once.

A request opens a `Timings` (observability does, around every request); code on the request's
path marks what it is doing with `phase(name)`: the database events mark each statement, the
report refresh its per-rep lock waits, the executor its COMMIT, photo handling its image
work, the response decorator what follows the view (serialisation). Phases nest: time inside an
inner phase counts for the inner one only, and whatever no phase claims is `app` (Python: auth,
validation, the use case). `queue` is measured apart: the time between the proxy (or client)
stamping X-Request-Start and a worker taking the request up.

No Flask here: the current request's timings live in a context variable, so services may mark
phases and a CLI command or a job (no timings open) pays nothing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# In the order the Server-Timing header and the logs give them.
PHASES = ("queue", "db", "lock", "commit", "photo", "serialise", "app")
_current: ContextVar[Timings | None] = ContextVar("terminus_timings", default=None)


class Timings:
    """Seconds per phase of one request; a stack of open phases, the innermost charged."""

    def __init__(self, queue_seconds: float = 0.0) -> None:
        self.spent = dict.fromkeys(PHASES, 0.0)
        self.spent["queue"] = queue_seconds
        self.statements = 0
        self._open: list[list] = [["app", time.perf_counter()]]

    def enter(self, name: str) -> None:
        now = time.perf_counter()
        top = self._open[-1]
        self.spent[top[0]] += now - top[1]
        self._open.append([name, now])

    def leave(self) -> None:
        if len(self._open) == 1:
            return  # an unbalanced leave (an error path) never pops the request itself
        now = time.perf_counter()
        name, since = self._open.pop()
        self.spent[name] += now - since
        self._open[-1][1] = now

    def close(self) -> dict[str, float]:
        """Close every open phase; milliseconds per phase, and `total` (without queue)."""
        while len(self._open) > 1:
            self.leave()
        now = time.perf_counter()
        self.spent["app"] += now - self._open[0][1]
        self._open[0][1] = now
        ms = {name: round(seconds * 1000, 2) for name, seconds in self.spent.items()}
        ms["total"] = round(sum(v for k, v in self.spent.items() if k != "queue") * 1000, 2)
        return ms


def start(queue_seconds: float = 0.0) -> Timings:
    timings = Timings(queue_seconds)
    _current.set(timings)
    return timings


def stop() -> dict[str, float] | None:
    """Close the current timings (if any) and forget them; their milliseconds per phase."""
    timings = _current.get()
    _current.set(None)
    return timings.close() if timings is not None else None


def current() -> Timings | None:
    return _current.get()


def enter(name: str) -> None:
    """Open `name` until the request ends or `leave()`; nothing outside a timed request."""
    if (timings := _current.get()) is not None:
        timings.enter(name)


def leave() -> None:
    if (timings := _current.get()) is not None:
        timings.leave()


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Charge the time of the block to `name` (nothing outside a timed request)."""
    timings = _current.get()
    if timings is None:
        yield
        return
    timings.enter(name)
    try:
        yield
    finally:
        timings.leave()


def queue_seconds(header: str, now: float) -> float:
    """The wait a request-start stamp shows: `t=<seconds>` (nginx `t=${msec}`), or `t=` with
    integer milliseconds or microseconds (Apache's %D style); 0 for anything else or a stamp
    from the future (clocks of two hosts), at most a minute (a stale or forged stamp)."""
    value = header.strip().removeprefix("t=")
    try:
        stamp = float(value)
    except ValueError:
        return 0.0
    if not math.isfinite(stamp):
        return 0.0
    # Seconds since the epoch are ~1.8e9 now; milliseconds ~1.8e12, microseconds ~1.8e15.
    scale = 1e6 if stamp > 1e14 else 1e3 if stamp > 1e11 else 1.0
    return min(60.0, max(0.0, now - stamp / scale))


def server_timing(ms: dict[str, float], statements: int) -> str:
    """The Server-Timing header value of `close()`'s milliseconds and the statement count."""
    metrics = [f"{name};dur={ms[name]:g}" for name in (*PHASES, "total")]
    return ", ".join([*metrics, f'statements;desc="{statements}"'])
