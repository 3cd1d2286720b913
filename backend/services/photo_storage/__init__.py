"""Photo storage: image files named by the SHA-256 of the upload, so an exact copy is stored once.

Two backends with one interface (`Storage`): the local directory (PHOTO_STORAGE = "local", the
default; PHOTO_DIR, default `photos/` in the instance folder, outside any static folder) and an
S3-compatible object store (PHOTO_STORAGE = "s3": AWS S3, MinIO...), which every web server
shares. Files are served through the scoped photo endpoint, or by a short-lived signed URL
(S3 only).
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

from ...config import ConfigError
from .base import Storage, StoredImage
from .local import LocalStorage

SIZES = ("full", "thumb")
BACKENDS = ("local", "s3")
__all__ = ["Storage", "StoredImage", "current", "key_for"]
_S3_SETTINGS = (
    "PHOTO_S3_BUCKET",
    "PHOTO_S3_PREFIX",
    "PHOTO_S3_ENDPOINT_URL",
    "PHOTO_S3_REGION",
    "PHOTO_S3_ACCESS_KEY_ID",
    "PHOTO_S3_SECRET_ACCESS_KEY",
)


def key_for(sha256: str, size: str) -> str:
    if size not in SIZES or len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise ValueError("bad photo name")
    suffix = "" if size == "full" else ".thumb"
    return f"{sha256[:2]}/{sha256}{suffix}.jpg"


def photo_dir() -> Path:
    configured = current_app.config.get("PHOTO_DIR") or ""
    return Path(configured) if configured else Path(current_app.instance_path) / "photos"


def check_config(app: Flask) -> None:
    """Refuse to start with an unknown backend, or S3 without a bucket."""
    backend = app.config["PHOTO_STORAGE"]
    if backend not in BACKENDS:
        raise ConfigError(f"PHOTO_STORAGE: expected one of {BACKENDS}, got {backend!r}")
    if backend == "s3" and not app.config["PHOTO_S3_BUCKET"]:
        raise ConfigError("PHOTO_STORAGE is 's3': set PHOTO_S3_BUCKET")
    if app.config["PHOTO_SIGNED_URL_SECONDS"] <= 0:
        raise ConfigError("PHOTO_SIGNED_URL_SECONDS: expected a positive number of seconds")


def current() -> Storage:
    """The configured backend (read at each call: tests change PHOTO_DIR per test)."""
    cfg = current_app.config
    if cfg["PHOTO_STORAGE"] != "s3":
        return LocalStorage(photo_dir())
    # One client per process and settings: boto3 clients are thread-safe but not fork-safe.
    settings = (os.getpid(), *(cfg[name] for name in _S3_SETTINGS))
    cache = current_app.extensions.setdefault("terminus_photo_s3", {})
    if settings not in cache:
        from .s3 import S3Storage  # boto3 loads only where S3 is used

        cache.clear()
        cache[settings] = S3Storage.from_settings({k: cfg[k] for k in _S3_SETTINGS})
    return cache[settings]


def save_photo(sha256: str, full: bytes, thumbnail: bytes) -> None:
    storage = current()
    for size, content in (("full", full), ("thumb", thumbnail)):
        storage.save(key_for(sha256, size), content)


def open_photo(sha256: str, size: str) -> StoredImage:
    return current().open(key_for(sha256, size))


def signed_photo_url(sha256: str, size: str, expires_in: int) -> str | None:
    return current().signed_url(key_for(sha256, size), expires_in)


def delete_photo(sha256: str, storage: Storage | None = None) -> None:
    """Delete a photo's full image and thumbnail."""
    storage = storage or current()
    for size in SIZES:
        storage.delete(key_for(sha256, size))
