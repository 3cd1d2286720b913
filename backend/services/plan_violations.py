"""The solver's constraint violations, said the way a supervisor reads them.

The planning library reports violations for engineers ("42: stop 7 reached at 55103, outside
its windows"); a plan keeps them as people see them before publishing: the store's name and
times of day. Messages the library may add later pass through unchanged rather than vanish.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .plan_building import time_of

_OUTSIDE = re.compile(r"stop (?P<stop>\S+) reached at (?P<at>[\d.]+), outside its windows$")
_LATE_HOME = re.compile(r"returns at (?P<at>[\d.]+), after the shift ends at (?P<end>[\d.]+)$")
_LATE_BREAK = re.compile(
    r"break starts at (?P<at>[\d.]+), after its window ends at (?P<end>[\d.]+)$"
)


def _hhmm(seconds: str) -> str:
    return time_of(float(seconds)).strftime("%H:%M")


def _minutes_after(at: str, end: str) -> int:
    return max(1, round((float(at) - float(end)) / 60))


def describe(violations: Iterable[str], store_names: Mapping[str, str]) -> list[str]:
    """Each violation with store names and local times (`store_names`: solver stop id → name)."""
    said = []
    for text in violations:
        message = text.split(": ", 1)[-1]  # drop the rep id prefix: the plan is one rep's
        if m := _OUTSIDE.search(message):
            name = store_names.get(m["stop"], f"Store {m['stop']}")
            message = f"{name}: arrives at {_hhmm(m['at'])}, outside its opening hours."
        elif m := _LATE_HOME.search(message):
            late = _minutes_after(m["at"], m["end"])
            message = (
                f"Back at {_hhmm(m['at'])}, {late} min after the shift ends ({_hhmm(m['end'])})."
            )
        elif m := _LATE_BREAK.search(message):
            message = (
                f"The break starts at {_hhmm(m['at'])}, after its window ends ({_hhmm(m['end'])})."
            )
        said.append(message)
    return said
