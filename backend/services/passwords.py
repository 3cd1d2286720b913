"""The password rules beyond length: not one of the common or breached passwords.

The list (backend/data/common-passwords.txt.gz, with its licence beside it) is read once per
process, on the first password set.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from ..errors import InvalidError

COMMON_PASSWORDS = Path(__file__).resolve().parents[1] / "data" / "common-passwords.txt.gz"


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def is_common(password: str) -> bool:
    """True if `password` (case and surrounding spaces aside) is on the list."""
    return password.strip().lower() in common_passwords()


def check_new_password(password: str, field: str = "password") -> None:
    """Refuse a common password, naming `field` (422, reason `password_common`)."""
    if is_common(password):
        message = "This password is too common; choose another."
        raise InvalidError(message, {"json": {field: [message]}}, reason="password_common")
