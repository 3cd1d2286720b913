"""Headers every answer carries, the Content-Security-Policy of our HTML pages, and the map
tile server those pages may load from (MAP_TILE_URL, checked when the app starts)."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response

from .config import ConfigError

# On every answer (JSON, errors, 404s, shell files, photos): browsers take the declared type as
# it is (a photo or a JSON error is never run as a script or a page) and send no referrer to
# other sites.
EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# The app shell sends its origin (never a path: the #/route is not sent anyway) to other sites:
# tile servers ask for it (OpenStreetMap's tile usage policy) and may refuse tiles without it.
SHELL_REFERRER_POLICY = "strict-origin-when-cross-origin"

# What every page of ours keeps whatever it loads: no <base> to re-point relative URLs, forms
# post only here, and no other site may frame it (clickjacking).
PAGE_DIRECTIVES = ("base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'")


def content_security_policy(*directives: str) -> str:
    """A page's policy: its own directives, then PAGE_DIRECTIVES."""
    return "; ".join((*directives, *PAGE_DIRECTIVES))


SUBDOMAIN = "{s}"
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_PLACEHOLDERS = ("{z}", "{x}")


def _refuse(url: str, why: str) -> ConfigError:
    return ConfigError(f"MAP_TILE_URL: {why}, got {url!r}")


@lru_cache(maxsize=8)
def tile_source(url: str) -> str:
    """The Content-Security-Policy source of a tile URL template: its scheme, host and port.
    A `{s}` (Leaflet's subdomain) in the host's leftmost label becomes the wildcard `*.` over
    the rest, which must be a domain of two labels or more (never `*.com`). ConfigError when
    the template is not an http(s) URL with {z}, {x} and {y} (or {-y})."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse(url, "expected an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise _refuse(url, "expected no user name or password in the URL")
    if any(p not in url for p in _PLACEHOLDERS) or ("{y}" not in url and "{-y}" not in url):
        raise _refuse(url, "expected the placeholders {z}, {x} and {y}")
    labels = parts.hostname.split(".")
    fixed = labels[1:] if SUBDOMAIN in labels[0] else labels
    if not all(_LABEL.fullmatch(label) for label in fixed):
        raise _refuse(url, "expected a host name of letters, digits and hyphens, {s} leftmost")
    if fixed is not labels:
        if len(fixed) < 2:
            raise _refuse(url, "expected {s} in a subdomain of a domain ({s}.example.org)")
        labels = ["*", *fixed]
    try:
        port = parts.port
    except ValueError:
        raise _refuse(url, "expected a numeric port") from None
    return f"{parts.scheme}://{'.'.join(labels)}" + (f":{port}" if port else "")


def check_settings(config) -> None:
    """Refuse, at start, a tile server or a wipe period the browser could not use."""
    tile_source(config["MAP_TILE_URL"])
    days = config["OFFLINE_WIPE_DAYS"]
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ConfigError(f"OFFLINE_WIPE_DAYS: expected 0 (never) or more days, got {days!r}")


def _every_answer(response: Response) -> Response:
    for name, value in EVERY_ANSWER.items():
        response.headers.setdefault(name, value)
    return response


def install(app: Flask) -> None:
    """Check the map settings; one hook at the root: it runs for every blueprint, error
    handler and 404."""
    check_settings(app.config)
    app.after_request(_every_answer)
