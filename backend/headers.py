"""Headers every answer carries, and the Content-Security-Policy of our HTML pages."""

from __future__ import annotations

from flask import Flask, Response

# On every answer (JSON, errors, 404s, shell files, photos): browsers take the declared type as
# it is (a photo or a JSON error is never run as a script or a page) and send no referrer to
# other sites.
EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# What every page of ours keeps whatever it loads: no <base> to re-point relative URLs, forms
# post only here, and no other site may frame it (clickjacking).
PAGE_DIRECTIVES = ("base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'")


def content_security_policy(*directives: str) -> str:
    """A page's policy: its own directives, then PAGE_DIRECTIVES."""
    return "; ".join((*directives, *PAGE_DIRECTIVES))


def _every_answer(response: Response) -> Response:
    for name, value in EVERY_ANSWER.items():
        response.headers.setdefault(name, value)
    return response


def install(app: Flask) -> None:
    """One hook at the root: it runs for every blueprint, error handler and 404."""
    app.after_request(_every_answer)
