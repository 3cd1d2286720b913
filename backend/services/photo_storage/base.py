"""The photo storage interface, which every backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Protocol


@dataclass
class StoredImage:
    """An open stored file: read `stream` (and close it), `length` bytes."""

    stream: BinaryIO
    length: int


class Storage(Protocol):
    """Where image files live; `key` is a relative name such as `ab/ab12….jpg`."""

    name: str

    def save(self, key: str, content: bytes) -> None:
        """Store the file whole or not at all; a key already stored is left as it is."""

    def open(self, key: str) -> StoredImage:
        """The stored file; NotFoundError when it is missing."""

    def signed_url(self, key: str, expires_in: int) -> str | None:
        """A URL that serves the file without signing in for `expires_in` seconds, or None
        when the backend has none (local: the scoped API path serves it)."""

    def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error."""

    def exists(self, key: str) -> bool: ...

    def health(self) -> str:
        """ "ok", or what is wrong (raising is fine: the readiness probe reports it)."""
