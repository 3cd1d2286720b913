"""A store's weekly windows from an OpenStreetMap `opening_hours` value, for the common forms
only: `24/7`, and rules `<days> <from>-<to>[,<from>-<to>]` or `<days> off` separated by `;`
(or, as often written, by a comma after a time; days `Mo`..`Su`, ranges `Mo-Fr`, lists `Mo,We`;
no days = every day). A later rule replaces
the days it names, as in OSM. A window past midnight ends at 23:59. Anything else (public
holidays apart, which are ignored), e.g. month ranges or comments, is not read: `parse` answers
None and the caller takes a default.
"""

from __future__ import annotations

import re
from datetime import time

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
LAST_MINUTE = time(23, 59)
MAX_WINDOWS = 2  # a store has at most two windows a day
_SPAN = r"\d{1,2}:\d{2}-\d{1,2}:\d{2}"
_DAYS = r"[A-Za-z]{2}(?:\s*[-,]\s*[A-Za-z]{2})*"
_RULE = re.compile(rf"^(?P<days>{_DAYS})?\s*(?P<times>off|closed|{_SPAN}(?:\s*,\s*{_SPAN})*)$")
# Rules are separated by ";", and often (against the syntax) by a comma after a time.
_SEPARATOR = re.compile(r";|(?<=\d)\s*,\s*(?=[A-Za-z])")

Week = dict[int, list[tuple[time, time]]]


def parse(value: str) -> Week | None:
    """Windows by weekday (0 = Monday; closed days absent), or None when not read."""
    value = value.strip()
    if value == "24/7":
        return {day: [(time(0), LAST_MINUTE)] for day in range(7)}
    week: Week = {}
    for rule in filter(None, (r.strip() for r in _SEPARATOR.split(value))):
        if rule.startswith("PH"):
            continue
        match = _RULE.match(rule)
        if match is None:
            return None
        days = _days(match["days"])
        windows = _windows(match["times"])
        if days is None or windows is None:
            return None
        for day in days:
            week[day] = windows
    return {day: w for day, w in sorted(week.items()) if w} or None


def _days(spec: str | None) -> list[int] | None:
    if spec is None:
        return list(range(7))
    days: list[int] = []
    for part in re.sub(r"\s", "", spec).split(","):
        if part == "PH":
            continue
        ends = [end.capitalize() for end in part.split("-")]
        if any(end not in DAYS for end in ends) or len(ends) > 2:
            return None
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        days += [(first + k) % 7 for k in range((last - first) % 7 + 1)]
    return days


def _windows(spec: str) -> list[tuple[time, time]] | None:
    if spec in ("off", "closed"):
        return []
    windows = []
    for span in spec.split(","):
        start, end = (_clock(t) for t in span.strip().split("-"))
        if start is None or end is None:
            return None
        if end <= start:  # past midnight (or "24:00")
            end = LAST_MINUTE
        if start < end:
            windows.append((start, end))
    return sorted(windows)[:MAX_WINDOWS]


def _clock(text: str) -> time | None:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time(0)  # read as the end of the day by `_windows`
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)
