"""Where the current write comes from: the caller's address, user agent and request id.

A before_request hook (installed by `install`) sets a context variable for each request; a CLI
command, the scheduler or a background job runs with none, and `current()` answers all None.
Services read it here instead of reading `request`.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, g, request

from .observability import current_request_id

USER_AGENT_LENGTH = 300


@dataclass(frozen=True)
class Origin:
    remote_addr: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


NONE = Origin()
_origin: ContextVar[Origin] = ContextVar("terminus_request_origin", default=NONE)


def current() -> Origin:
    """The origin of the request being handled; all None outside a request."""
    return _origin.get()


def install(app: Flask) -> None:
    """Record each request's origin (with the id its answer and its log lines carry)."""
    app.before_request(_start)
    app.teardown_request(_end)


def _start() -> None:
    # remote_addr is the proxy-corrected client address when PROXY_HOPS is set (ProxyFix).
    agent = request.user_agent.string or None
    origin = Origin(
        remote_addr=request.remote_addr,
        user_agent=agent[:USER_AGENT_LENGTH] if agent else None,
        request_id=current_request_id(),
    )
    g.request_origin_token = _origin.set(origin)


def _end(_exc: BaseException | None) -> None:
    token = g.pop("request_origin_token", None)
    if token is not None:
        try:
            _origin.reset(token)
        except ValueError:  # set in another context (a copied one): forget it there instead
            _origin.set(NONE)
