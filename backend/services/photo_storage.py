"""Image files on disk, named by the SHA-256 of the upload: an exact copy is stored once.

The directory (PHOTO_DIR, default `photos/` in the instance folder) is outside any static
folder; files are served only through the scoped photo endpoint.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import current_app

from ..errors import NotFoundError

SIZES = ("full", "thumb")


def photo_dir() -> Path:
    configured = current_app.config.get("PHOTO_DIR") or ""
    return Path(configured) if configured else Path(current_app.instance_path) / "photos"


def path_for(sha256: str, size: str) -> Path:
    if size not in SIZES or len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("bad photo name")
    suffix = "" if size == "full" else ".thumb"
    return photo_dir() / sha256[:2] / f"{sha256}{suffix}.jpg"


def save(sha256: str, full: bytes, thumbnail: bytes) -> None:
    """Write both files atomically (temporary file, then rename), unless already stored."""
    for size, content in (("full", full), ("thumb", thumbnail)):
        target = path_for(sha256, size)
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def stored_file(sha256: str, size: str) -> Path:
    path = path_for(sha256, size)
    if not path.is_file():
        raise NotFoundError("The image file is missing from photo storage.")
    return path
