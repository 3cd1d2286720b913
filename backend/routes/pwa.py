"""The PWA: the app shell at /, its files under /app/, the service worker at /sw.js.

Not part of the API (no OpenAPI). The shell files are revalidated on every fetch (`no-cache`,
with ETags): the service worker holds the offline copy, versioned by its cache name.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from flask import Blueprint, Response, current_app, request, send_from_directory

from ..headers import SHELL_REFERRER_POLICY, content_security_policy, tile_source
from ..resources import STATIC_DIR

STATIC = STATIC_DIR  # pwa/static: the checkout's, or the installed wheel's copy

blp = Blueprint("pwa", __name__)


@lru_cache(maxsize=8)
def shell_policy(tile_url: str) -> str:
    """The shell's Content-Security-Policy: our own files, and the map tiles from the one
    configured tile server (MAP_TILE_URL's origin), as images and for the tile probe."""
    tiles = tile_source(tile_url)
    return content_security_policy(
        "default-src 'self'",
        f"img-src 'self' blob: data: {tiles}",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        f"connect-src 'self' {tiles}",
        "worker-src 'self'",
        "manifest-src 'self'",
    )


def _send(filename: str, *, mimetype: str | None = None) -> Response:
    response = send_from_directory(STATIC, filename, mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@blp.get("/")
def shell() -> Response:
    """The app shell; every screen is a #/route inside it."""
    response = _send("index.html", mimetype="text/html")
    response.headers["Content-Security-Policy"] = shell_policy(current_app.config["MAP_TILE_URL"])
    # Tile servers see our origin (only the shell loads tiles); every other answer: same-origin.
    response.headers["Referrer-Policy"] = SHELL_REFERRER_POLICY
    return response


_VERSION = re.compile(r"const VERSION = '([^']*)';")
_LEAD = re.compile(r"const LEAD = \[\];")
_versions: dict[tuple, str] = {}


def shell_version() -> str:
    """A digest of every shell file: any change gives the service worker new bytes, so
    browsers install it and precache into a new cache (no build step, no manual bump)."""
    files = sorted(p for p in STATIC.rglob("*") if p.is_file() and p.name != "sw.js")
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    if stamp not in _versions:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(STATIC)).encode() + b"\0" + path.read_bytes())
        _versions.clear()
        _versions[stamp] = digest.hexdigest()[:12]
    return _versions[stamp]


def lead_files() -> list[str]:
    """The URLs of the supervisor's, manager's and admin's modules (js/lead/, loaded lazily)."""
    lead = STATIC / "js" / "lead"
    return sorted(f"/app/{p.relative_to(STATIC).as_posix()}" for p in lead.rglob("*.js"))


@blp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, at the root so that it may control the whole origin; its cache
    names carry the digest of the shell files, and it learns the lead modules to keep."""
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    source = _VERSION.sub(lambda m: f"const VERSION = '{m[1]}-{shell_version()}';", source, 1)
    listed = ", ".join(f"'{url}'" for url in lead_files())
    source = _LEAD.sub(lambda _: f"const LEAD = [{listed}];", source, 1)
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    response.add_etag()
    return response.make_conditional(request)


@blp.get("/manifest.webmanifest")
def manifest() -> Response:
    return _send("manifest.webmanifest", mimetype="application/manifest+json")


@blp.get("/app/<path:filename>")
def asset(filename: str) -> Response:
    """Shell files: JS modules, CSS, translations, icons, vendored libraries."""
    mimetype = "text/javascript" if filename.endswith(".js") else None
    if filename.endswith(".json"):
        mimetype = "application/json"
    return _send(filename, mimetype=mimetype)
