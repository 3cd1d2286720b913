"""Photo storage in a local directory: `<dir>/ab/ab12….jpg`, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ...errors import NotFoundError
from .base import StoredImage


class LocalStorage:
    name = "local"

    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key

    def save(self, key: str, content: bytes) -> None:
        """Write a temporary file in the target's folder, then rename it into place: a reader
        (another worker) sees the whole file or none."""
        target = self._path(key)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> StoredImage:
        try:
            stream = self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFoundError("The image file is missing from photo storage.") from None
        return StoredImage(stream=stream, length=os.fstat(stream.fileno()).st_size)

    def signed_url(self, key: str, expires_in: int) -> str | None:
        return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def health(self) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        if not os.access(self.directory, os.W_OK):
            return f"{self.directory} is not writable"
        return "ok"
