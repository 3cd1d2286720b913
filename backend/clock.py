"""Times of day as people write them ("09:30"), for store hours, shifts and settings."""

from __future__ import annotations

from datetime import time


def parse_clock(text: str) -> time:
    """Parse "HH:MM" or "HH:MM:SS"."""
    parts = text.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) == 2 for p in parts):
        raise ValueError(f"not a time of day: {text!r}")
    return time(*(int(p) for p in parts))
