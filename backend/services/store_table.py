"""The store file layout shared by CSV/XLSX import and CSV export.

Opening hours are one cell in a compact notation, e.g.
``mon-fri 08:00-12:00 14:00-18:00; sat 09:00-12:00`` (days not listed are closed).
"""

from __future__ import annotations

from datetime import time
from itertools import groupby

from ..clock import parse_clock

# Columns that map one-to-one onto Store fields; the rest need lookups or their own notation.
STORE_FIELDS = (
    "code",
    "name",
    "channel",
    "tier",
    "address",
    "lat",
    "lng",
    "visit_minutes",
    "visit_frequency_days",
    "notes",
)
# The store's primary contact (its other contacts are kept at /api/stores/{id}/contacts).
CONTACT_COLUMNS = ("contact_name", "contact_phone")
# The file's column order, as it was when the contact was two store columns.
COLUMNS = (
    *STORE_FIELDS[: STORE_FIELDS.index("notes")],
    *CONTACT_COLUMNS,
    "notes",
    "team",
    "rep",
    "active",
    "hours",
)
REQUIRED_COLUMNS = ("code", "name", "channel", "tier", "lat", "lng")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Window = tuple[int, time, time]


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def format_hours(windows: list[Window]) -> str:
    """Windows (weekday, opens, closes) as notation; runs of days with equal windows merge."""
    per_day: dict[int, tuple[tuple[time, time], ...]] = {}
    for day, opens, closes in sorted(windows):
        per_day[day] = (*per_day.get(day, ()), (opens, closes))
    parts = []
    days = sorted(per_day)
    # Consecutive weekdays with the same windows form one run: key on (day - index, windows).
    for _, run in groupby(enumerate(days), key=lambda p: (p[1] - p[0], per_day[p[1]])):
        run_days = [day for _, day in run]
        label = DAYS[run_days[0]]
        if len(run_days) > 1:
            label += "-" + DAYS[run_days[-1]]
        spans = " ".join(f"{_clock(o)}-{_clock(c)}" for o, c in per_day[run_days[0]])
        parts.append(f"{label} {spans}")
    return "; ".join(parts)


def parse_hours(text: str) -> list[Window]:
    """Parse the notation; raises ValueError with a message fit for a person."""
    windows: list[Window] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        label, *spans = part.split()
        if not spans:
            raise ValueError(f"'{part}': no time span after the days")
        days = parse_days(label.lower())
        for span in spans:
            opens_text, sep, closes_text = span.partition("-")
            try:
                if not sep:
                    raise ValueError
                opens, closes = parse_clock(opens_text), parse_clock(closes_text)
            except ValueError:
                raise ValueError(f"'{span}': expected HH:MM-HH:MM") from None
            if opens >= closes:
                raise ValueError(f"'{span}': closes before it opens")
            windows.extend((day, opens, closes) for day in days)
    return windows


def parse_days(label: str) -> list[int]:
    """Weekday numbers (0 = Monday) of "mon" or a range like "mon-fri"."""
    first, sep, last = label.partition("-")
    if first not in DAYS or (sep and last not in DAYS):
        raise ValueError(f"'{label}': days are mon, tue, wed, thu, fri, sat, sun or a range")
    start = DAYS.index(first)
    end = DAYS.index(last) if sep else start
    if end < start:
        raise ValueError(f"'{label}': the range must run forward")
    return list(range(start, end + 1))
