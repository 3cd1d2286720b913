"""How each demo rep works, and how a given day goes for them.

A profile is the rep's usual form (how much of the plan they cover, how often their stores
order) and habits (GPS, short visits, photos); a day moves the rates: Fridays are weaker,
Mondays' orders stronger, and one rep has a few days off sick each month.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RepProfile:
    completion: float  # share of planned stops visited on an ordinary day
    success: float  # share of visited stores that order
    off_site: float = 0.03  # per check-in: outside the geofence (GPS drift, wrong pin)
    poor_gps: float = 0.03  # per check-in: accuracy worse than the limit (indoors)
    short: float = 0.02  # per visit: too short to count
    swaps: float = 0.25  # per day: two neighbouring stops taken out of order
    unplanned: float = 0.4  # per day: expected visits to stores off the plan
    photos: float = 0.07  # per visit: a shelf photo
    old_photos: float = 0.0  # per photo: one from the phone's gallery, hours old
    left_open: float = 0.0  # per day: the last visit not checked out
    clock_ahead: float = 0.0  # per day: the phone's clock a quarter of an hour fast
    synced_late: float = 0.0  # per day: the phone off overnight, the last visit sent next morning
    sick_spells: bool = False  # off sick three days in every four weeks


PROFILES = {
    "rep-1": RepProfile(0.98, 0.8, photos=0.2, unplanned=0.6),  # the strong one
    "rep-2": RepProfile(0.88, 0.64),
    "rep-3": RepProfile(0.70, 0.45, short=0.1, swaps=0.6),  # the weak one
    "rep-4": RepProfile(0.91, 0.70, poor_gps=0.15),  # basement shops
    "rep-5": RepProfile(0.84, 0.56, clock_ahead=0.2, sick_spells=True),
    "rep-6": RepProfile(0.93, 0.74, photos=0.1),
    "rep-7": RepProfile(0.79, 0.60, off_site=0.12, photos=0.12, old_photos=0.3, synced_late=0.25),
    "rep-8": RepProfile(0.86, 0.52, left_open=0.25),
}
# Calendar days (by ordinal, in four-week cycles) of a sick spell: three running days always
# hold a working day.
SICK_SPELL, SPELL_CYCLE = range(3, 6), 28


@dataclass(frozen=True)
class DayForm:
    completion: float
    success: float
    sick: bool
    clock_ahead_minutes: int
    # The day's last visit reached the server the next morning: held for review (day closed).
    synced_late: bool = False


def day_form(profile: RepProfile, day: date, rng: random.Random) -> DayForm:
    """The rep's rates on `day`: the profile, moved by the weekday and by chance."""
    weekday_shift = {0: (0.0, 0.06), 4: (-0.08, -0.06)}.get(day.weekday(), (0.0, 0.0))
    completion = profile.completion + weekday_shift[0] + rng.gauss(0, 0.04)
    success = profile.success + weekday_shift[1] + rng.gauss(0, 0.06)
    skewed = rng.random() < profile.clock_ahead
    return DayForm(
        completion=min(1.0, max(0.3, completion)),
        success=min(0.98, max(0.1, success)),
        sick=profile.sick_spells and day.toordinal() % SPELL_CYCLE in SICK_SPELL,
        clock_ahead_minutes=rng.randint(12, 20) if skewed else 0,
    )
