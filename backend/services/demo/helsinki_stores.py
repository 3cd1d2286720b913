"""The Helsinki demo's stores, made from the extract's places (`osm_places`): no database.

- **Which**: every shop and food-and-drink place of the kinds in `CHANNELS` that has a name.
- **Channel** by kind (domain terms): supermarket → modern; convenience shop and kiosk →
  traditional; café, restaurant, bar, pub and hotel → special.
- **Tier** (the documented rule): a base tier by what the kind buys from a drinks brand —
  supermarkets and hotels A; convenience shops and restaurants B; kiosks, cafés, bars and pubs
  C — and a chain moves up one tier (C → B, B → A). A place is a chain when it has a `brand`
  tag, or when its name is another place's name in the extract, or starts with it and a space
  ("Robert's Coffee Netcup" beside "Robert's Coffee").
- **Hours** from `opening_hours` where `opening_hours.parse` reads it, else the kind's default
  receiving hours (`DEFAULT_HOURS`: a restaurant takes deliveries and reps from nine, a bar in
  the afternoon); a day the place opens only in the evening (less than an hour before 17:00)
  takes the kind's default hours too, when the kind opens that day (reps call in the day).
- **Code** `HEL-0001`… in OSM id order (nodes, then ways), so the same extract gives the same
  codes on every run.
- **Name, address, phone** from the tags, cleaned (control characters out, spaces collapsed)
  and cut to their columns (the town is always Helsinki: the extract's `addr:city` tags hold
  the odd slip); they are stored as text and escaped where shown. A name two places
  share gets the address's street after a dash; a place without `addr:street` is addressed by
  its nearest named street.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import time

from ...models import Channel, Tier
from . import opening_hours
from .osm_places import Extract, Place, Street

CODE_PREFIX = "HEL-"
CITY = "Helsinki"
CHANNELS = {
    "supermarket": Channel.MODERN,
    "convenience": Channel.TRADITIONAL,
    "kiosk": Channel.TRADITIONAL,
    "cafe": Channel.SPECIAL,
    "restaurant": Channel.SPECIAL,
    "bar": Channel.SPECIAL,
    "pub": Channel.SPECIAL,
    "hotel": Channel.SPECIAL,
}
BASE_TIER = {"supermarket": Tier.A, "hotel": Tier.A, "convenience": Tier.B, "restaurant": Tier.B,
             "kiosk": Tier.C, "cafe": Tier.C, "bar": Tier.C, "pub": Tier.C}  # fmt: skip
UP = {Tier.C: Tier.B, Tier.B: Tier.A, Tier.A: Tier.A}
VISIT_MINUTES = {"supermarket": 25, "hotel": 20, "convenience": 12, "restaurant": 12,
                 "cafe": 10, "bar": 10, "pub": 10, "kiosk": 8}  # fmt: skip
EVERY_DAY, MON_SAT, MON_FRI = range(7), range(6), range(5)
DEFAULT_HOURS = {
    "supermarket": (EVERY_DAY, time(7), time(21)),
    "convenience": (EVERY_DAY, time(7), time(22)),
    "kiosk": (EVERY_DAY, time(7), time(21)),
    "cafe": (MON_SAT, time(8), time(18)),
    "restaurant": (MON_SAT, time(9), time(17)),
    "bar": (MON_FRI, time(11), time(17)),
    "pub": (MON_FRI, time(11), time(17)),
    "hotel": (EVERY_DAY, time(8), time(20)),
}
# A parsed day is used when it has this much open time before EVENING.
DAYTIME_MINUTES, EVENING = 60, time(17)
NAME_MAX, ADDRESS_MAX, PHONE_MAX = 200, 300, 40


@dataclass(frozen=True)
class StoreRow:
    code: str
    osm_id: str
    kind: str
    name: str
    channel: Channel
    tier: Tier
    chain: bool
    address: str
    lat: float
    lng: float
    visit_minutes: int
    phone: str | None
    hours: opening_hours.Week
    hours_from_osm: bool


def store_rows(extract: Extract) -> list[StoreRow]:
    """The stores of the extract, in code order."""
    named = [p for p in extract.places if clean(p.tags.get("name", ""), NAME_MAX)]
    names = [clean(p.tags["name"], NAME_MAX) for p in named]
    chains = _chain_names(names)
    addresses = [_address(p, extract.streets) for p in named]
    folded = [n.casefold() for n in names]
    shared = {n for n in folded if folded.count(n) > 1}
    rows = []
    for k, (place, name, address) in enumerate(zip(named, names, addresses, strict=True)):
        chain = "brand" in place.tags or _is_chain(name, chains)
        if name.casefold() in shared:
            name = clean(f"{name} – {address.split(',')[0]}", NAME_MAX)
        hours = _week(place)
        phone = place.tags.get("phone") or place.tags.get("contact:phone") or ""
        rows.append(
            StoreRow(
                code=f"{CODE_PREFIX}{k + 1:04d}",
                osm_id=place.osm_id,
                kind=place.kind,
                name=name,
                channel=CHANNELS[place.kind],
                tier=UP[BASE_TIER[place.kind]] if chain else BASE_TIER[place.kind],
                chain=chain,
                address=address,
                lat=place.lat,
                lng=place.lng,
                visit_minutes=VISIT_MINUTES[place.kind],
                phone=clean(phone, PHONE_MAX) or None,
                hours=hours or _default_week(place.kind),
                hours_from_osm=hours is not None,
            )
        )
    return rows


def clean(text: str, limit: int) -> str:
    """`text` as one line of printable characters, at most `limit` long."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return re.sub(r"\s+", " ", text).strip()[:limit].rstrip()


def _chain_names(names: list[str]) -> set[str]:
    """Names that more than one place starts with (the whole name, or it and a space)."""
    folded = sorted({n.casefold() for n in names})
    return {
        n
        for n in folded
        if sum(1 for m in names if m.casefold() == n or m.casefold().startswith(n + " ")) > 1
    }


def _is_chain(name: str, chains: set[str]) -> bool:
    folded = name.casefold()
    return any(folded == c or folded.startswith(c + " ") for c in chains)


def _address(place: Place, streets: list[Street]) -> str:
    tags = place.tags
    street = tags.get("addr:street") or _nearest_street(place, streets)
    line = " ".join(filter(None, (street, tags.get("addr:housenumber"))))
    town = " ".join(filter(None, (tags.get("addr:postcode"), CITY)))
    return clean(", ".join(filter(None, (line, town))), ADDRESS_MAX)


def _nearest_street(place: Place, streets: list[Street]) -> str | None:
    scale = math.cos(math.radians(place.lat))
    best = min(
        (
            ((lat - place.lat) ** 2 + ((lng - place.lng) * scale) ** 2, street.name)
            for street in streets
            for lat, lng in street.points
        ),
        default=None,
    )
    return None if best is None else best[1]


def _week(place: Place) -> opening_hours.Week | None:
    """The parsed opening hours, or None. A day open only in the evening (less than an hour
    before EVENING) takes the kind's default receiving hours instead: reps call in the day."""
    value = place.tags.get("opening_hours")
    week = opening_hours.parse(value) if value else None
    if week is None:
        return None
    default = _default_week(place.kind)
    return {
        day: windows if _daytime(windows) >= DAYTIME_MINUTES else default.get(day, windows)
        for day, windows in week.items()
    }


def _daytime(windows: list[tuple[time, time]]) -> int:
    """Minutes of `windows` before EVENING."""
    evening = EVENING.hour * 60 + EVENING.minute
    return sum(
        max(0, min(evening, close.hour * 60 + close.minute) - (opens.hour * 60 + opens.minute))
        for opens, close in windows
    )


def _default_week(kind: str) -> opening_hours.Week:
    days, opens, closes = DEFAULT_HOURS[kind]
    return {day: [(opens, closes)] for day in days}
