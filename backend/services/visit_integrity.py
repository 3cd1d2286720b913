"""Integrity flags: computed by the server, shown to supervisors, never blocking the rep.

Device times are used for durations and speeds (a constant clock offset cancels out); the
server's clock is used only to judge the device clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from geopy.distance import geodesic
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ..extensions import db
from ..models import FlagKind, Photo, Visit, VisitFlag, utcnow
from ..models.visits import VisitReview


def local_date(moment: datetime) -> date:
    """The organisation-local date of an aware datetime."""
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Geodesic (WGS-84) distance in metres."""
    return geodesic((lat1, lng1), (lat2, lng2)).meters


def _set_flag(
    visit: Visit,
    kind: FlagKind,
    message: str | None,
    detail: dict[str, Any] | None = None,
    photo: Photo | None = None,
) -> None:
    """Raise (message given) or clear (message None) one flag of a visit."""
    photo_id = photo.id if photo is not None else None
    for flag in [f for f in visit.flags if f.kind is kind and f.photo_id == photo_id]:
        visit.flags.remove(flag)
    if message is not None:
        visit.flags.append(
            VisitFlag(kind=kind, message=message, detail=detail or {}, photo_id=photo_id)
        )


def on_check_in(visit: Visit, received_at: datetime, device_sent_at: datetime | None) -> None:
    _position_flags(visit)
    _clock_flag(visit, visit.checked_in_at, received_at, device_sent_at)
    _travel_flags(visit)
    _time_travel_flag(visit, "check_in", visit.checked_in_at, received_at, device_sent_at)


def on_check_out(visit: Visit, received_at: datetime, device_sent_at: datetime | None) -> None:
    _clock_flag(visit, visit.checked_out_at, received_at, device_sent_at)
    _time_travel_flag(visit, "check_out", visit.checked_out_at, received_at, device_sent_at)
    _set_flag(visit, FlagKind.LEFT_OPEN, None)
    minimum = current_app.config["MIN_VISIT_MINUTES"]
    minutes = visit.duration_minutes or 0.0
    _set_flag(
        visit,
        FlagKind.SHORT_VISIT,
        f"The visit lasted {minutes:g} min (minimum {minimum} min)." if minutes < minimum else None,
        {"minutes": minutes, "minimum": minimum},
    )


def on_left_open(visit: Visit) -> None:
    _set_flag(visit, FlagKind.LEFT_OPEN, "Not checked out by the end of the day; closed.")


def _position_flags(visit: Visit) -> None:
    cfg = current_app.config
    radius, distance, accuracy = (
        cfg["GEOFENCE_METRES"],
        visit.checkin_distance_m,
        visit.checkin_accuracy_m,
    )
    detail = {"distance_m": round(distance), "radius_m": radius, "accuracy_m": accuracy}
    poor = accuracy is not None and accuracy > cfg["GPS_POOR_ACCURACY_METRES"]
    note = f" GPS accuracy was poor (±{accuracy:.0f} m)." if poor else ""
    _set_flag(
        visit,
        FlagKind.OUTSIDE_GEOFENCE,
        f"Checked in {distance:.0f} m from the store (geofence {radius} m).{note}"
        if distance > radius
        else None,
        detail,
    )
    _set_flag(
        visit,
        FlagKind.POOR_ACCURACY,
        f"GPS accuracy at check-in was ±{accuracy:.0f} m." if poor else None,
        detail,
    )


def clock_skew_seconds(
    device_time: datetime, received_at: datetime, device_sent_at: datetime | None
) -> float | None:
    """How far the device clock is ahead (+) or behind (-) the server's, when it can be told.

    With the device's send time (X-Device-Time header, or a batch's sent_at) the difference is
    direct. Without it, an event time in the past may just be an offline delay, so only a device
    clock running ahead of the server can be told.
    """
    if device_sent_at is not None:
        return (device_sent_at - received_at).total_seconds()
    ahead = (device_time - received_at).total_seconds()
    return ahead if ahead > 0 else None


def _clock_flag(
    visit: Visit, device_time: datetime | None, received_at: datetime, sent: datetime | None
) -> None:
    if device_time is None:
        return
    limit = current_app.config["CLOCK_SKEW_MINUTES"]
    skew = clock_skew_seconds(device_time, received_at, sent)
    if skew is not None and abs(skew) > limit * 60:
        minutes = round(skew / 60, 1)
        side = "ahead of" if skew > 0 else "behind"
        _set_flag(
            visit,
            FlagKind.CLOCK_SKEW,
            f"The device clock is {abs(minutes):g} min {side} the server's (limit {limit} min).",
            {"skew_minutes": minutes, "limit_minutes": limit},
        )


# What each time-travel rule says, filled from the flag's detail.
_TIME_RULES = {
    "future": "The {event} time is {minutes:g} min after the server received it.",
    "after_sent": "The {event} time is {minutes:g} min after the phone sent it.",
    "day_closed": "The {event} reached the server after its day ({day}) had closed.",
    "offline": "The {event} reached the server {hours:g} h after its time "
    "(allowance {allowance_hours} h).",
}


def time_travel_rules(
    event: str, device_time: datetime, received_at: datetime, sent: datetime | None, day: date
) -> list[str]:
    """The rules a device time breaks, judged against the server's first receipt of it: in
    the future, later than the device's own send time (beyond the clock tolerance), received
    after the visit's day closed (a check-in: the business day had ended, its plans frozen and
    its end-of-day close due), or received longer after it than a phone stays offline.

    "In the future" is a business day after the server's today, or, when the device's send time
    is unknown, a time ahead of the receipt. With the send time known, a phone whose clock runs
    fast sends times ahead of the server's that are not ahead of its own clock: that is a
    clock-skew flag, not a visit to hold."""
    cfg = current_app.config
    tolerance = timedelta(minutes=cfg["CLOCK_SKEW_MINUTES"])
    rules = []
    ahead = sent is None and device_time > received_at + tolerance
    if ahead or local_date(device_time) > local_date(received_at):
        rules.append("future")
    if sent is not None and device_time > sent + tolerance:
        rules.append("after_sent")
    if event == "check_in" and day < local_date(received_at):
        rules.append("day_closed")
    if received_at - device_time > timedelta(hours=cfg["VISIT_MAX_OFFLINE_HOURS"]):
        rules.append("offline")
    return rules


def _time_travel_flag(
    visit: Visit,
    event: str,
    device_time: datetime | None,
    received: datetime,
    sent: datetime | None,
) -> None:
    """Flag (one flag per event) and hold the visit out of the KPIs when its device time breaks
    a rule; a visit already rejected stays rejected, an accepted one is asked about again."""
    if device_time is None:
        return
    for flag in [f for f in visit.flags if f.kind is FlagKind.TIME_TRAVEL]:
        if flag.detail.get("event") == event:
            visit.flags.remove(flag)
    rules = time_travel_rules(event, device_time, received, sent, visit.visit_date)
    if not rules:
        return
    minutes = (device_time - (sent if rules[0] == "after_sent" else received)).total_seconds() / 60
    detail = {
        "event": event,
        "rule": rules[0],
        "rules": rules,
        "device_time": device_time.isoformat(),
        "received_at": received.isoformat(),
        "sent_at": sent.isoformat() if sent is not None else None,
        "day": visit.visit_date.isoformat(),
        "minutes": round(minutes, 1),
        "hours": round(-minutes / 60, 1),
        "allowance_hours": current_app.config["VISIT_MAX_OFFLINE_HOURS"],
    }
    label = event.replace("_", "-")
    message = _TIME_RULES[rules[0]].format(**{**detail, "event": label})
    visit.flags.append(VisitFlag(kind=FlagKind.TIME_TRAVEL, message=message, detail=detail))
    if visit.review is not VisitReview.REJECTED:
        visit.review = VisitReview.PENDING


def _neighbour(visit: Visit, earlier: bool) -> Visit | None:
    order = Visit.checked_in_at.desc() if earlier else Visit.checked_in_at.asc()
    compare = (
        Visit.checked_in_at <= visit.checked_in_at
        if earlier
        else Visit.checked_in_at >= visit.checked_in_at
    )
    return db.session.scalars(
        select(Visit)
        .where(Visit.rep_id == visit.rep_id, Visit.id != visit.id, compare)
        .order_by(order, Visit.id.desc() if earlier else Visit.id.asc())
        .options(lazyload(Visit.store), lazyload(Visit.flags))
        .limit(1)
    ).first()


def _travel_flags(visit: Visit) -> None:
    """Check the speeds from the previous check-in and to the next one (an offline client can
    sync a visit between two others)."""
    before, after = _neighbour(visit, earlier=True), _neighbour(visit, earlier=False)
    if before is not None:
        _travel_flag(before, visit)
    if after is not None:
        _travel_flag(visit, after)


def _travel_flag(earlier: Visit, later: Visit) -> None:
    cfg = current_app.config
    limit = cfg["MAX_TRAVEL_KMH"]
    metres = distance_m(
        earlier.checkin_lat, earlier.checkin_lng, later.checkin_lat, later.checkin_lng
    )
    seconds = (later.checked_in_at - earlier.checked_in_at).total_seconds()
    # Distances within GPS noise (twice the geofence) are never "travel".
    moved = metres > 2 * cfg["GEOFENCE_METRES"]
    kmh = metres / 1000 / (seconds / 3600) if seconds > 0 else float("inf")
    impossible = moved and kmh > limit
    _set_flag(
        later,
        FlagKind.IMPOSSIBLE_TRAVEL,
        f"{metres / 1000:.1f} km from the previous check-in in {seconds / 60:.0f} min "
        f"({'∞' if kmh == float('inf') else f'{kmh:.0f}'} km/h; limit {limit:g} km/h)."
        if impossible
        else None,
        {
            "from_visit_id": earlier.id,
            "distance_m": round(metres),
            "minutes": round(seconds / 60, 1),
            "speed_kmh": None if kmh == float("inf") else round(kmh),
        },
    )


def on_photo(visit: Visit, photo: Photo) -> None:
    """Flag a photo taken long before the check-in, and a photo already used at another visit."""
    cfg = current_app.config
    max_age = timedelta(minutes=cfg["PHOTO_MAX_AGE_MINUTES"])
    if photo.taken_at is not None and photo.taken_at < visit.checked_in_at - max_age:
        hours = (visit.checked_in_at - photo.taken_at).total_seconds() / 3600
        _set_flag(
            visit,
            FlagKind.PHOTO_OLD,
            f"Photo {photo.id} was taken {hours:.1f} h before the check-in.",
            {"taken_at": photo.taken_at.isoformat(), "hours_before": round(hours, 1)},
            photo,
        )
    match = _reused(visit, photo)
    if match is not None:
        other_id, other_visit_id, seen_with, bits = match
        likeness = "a copy of" if bits == 0 else "nearly identical to"
        detail: dict[str, Any] = {"distance_bits": bits}
        if seen_with:
            detail |= {"other_photo_id": other_id, "other_visit_id": other_visit_id}
            where = f"photo {other_id} of visit {other_visit_id}"
        else:
            where = "a photo of another visit"
        _set_flag(visit, FlagKind.PHOTO_REUSED, f"Photo {photo.id} is {likeness} {where}.",
                  detail, photo)  # fmt: skip


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _reused(visit: Visit, photo: Photo) -> tuple[int, int, bool, int] | None:
    """The closest near-identical photo of another visit, at the same store or by the same rep
    in the look-back window, or an exact copy anywhere: (its id, its visit's id, whether everyone
    who may see `visit` may see that one too, the bits that differ). Only the hashes are read: a
    rep's month holds hundreds of photos. "May see it too" (its rep, team supervisor, area
    manager, an admin: `scoping`) means the same rep under the same team: a flag names another
    visit only then, so it never names one its reader cannot see."""
    cfg = current_app.config
    since = utcnow() - timedelta(days=cfg["PHOTO_REUSE_LOOKBACK_DAYS"])
    candidates = db.session.execute(
        select(Photo.id, Photo.visit_id, Photo.sha256, Photo.phash, Visit.rep_id, Visit.team_id)
        .join(Visit, Visit.id == Photo.visit_id)
        .where(
            Photo.visit_id != visit.id,
            ((Visit.store_id == visit.store_id) | (Visit.rep_id == visit.rep_id))
            & (Photo.created_at >= since)
            | (Photo.sha256 == photo.sha256),
        )
    )
    best: tuple[int, int, bool, int] | None = None
    for other in candidates:
        bits = 0 if other.sha256 == photo.sha256 else hamming(other.phash, photo.phash)
        if bits <= cfg["PHOTO_NEAR_DUPLICATE_BITS"] and (best is None or bits < best[3]):
            seen = other.rep_id == visit.rep_id and other.team_id == visit.team_id
            best = (other.id, other.visit_id, seen, bits)
    return best
