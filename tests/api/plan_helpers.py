"""Shared by the plan tests: days relative to the business today, and a team with stores."""

from __future__ import annotations

from datetime import date, timedelta

from tests.api.visit_helpers import local_today

HOURS = [{"weekday": d, "opens": "09:00", "closes": "18:00"} for d in range(6)]
PLACES = [(35.665, 139.775), (35.668, 139.770), (35.660, 139.778), (35.671, 139.776),
          (35.664, 139.781)]  # fmt: skip


def next_monday() -> date:
    """The first Monday after the business today (so always a future, working day)."""
    today = local_today()
    return today + timedelta(days=7 - today.weekday())


def homes(client, org, admin, *reps: str) -> None:
    for rep in reps:
        response = client.patch(
            f"/api/users/{org.user[rep]}",
            json={"home_lat": 35.662, "home_lng": 139.772, "shift_start": "08:30",
                  "shift_end": "17:30"},
            headers=admin,
        )  # fmt: skip
        assert response.status_code == 200, response.json


def add_store(client, admin, code: str, rep_id: int, lat: float, lng: float, **extra) -> int:
    body = {
        "code": code,
        "name": f"Store {code}",
        "channel": "modern",
        "tier": "B",
        "lat": lat,
        "lng": lng,
        "visit_minutes": 20,
        "rep_id": rep_id,
        "hours": HOURS,
        **extra,
    }
    created = client.post("/api/stores", json=body, headers=admin)
    assert created.status_code == 201, created.json
    return created.json["id"]


def plan_stores(client, org, tokens) -> list[int]:
    """Homes for team N1's reps, and store n1-a plus five more stores for rep-n1a."""
    admin = tokens.headers("admin")
    homes(client, org, admin, "rep-n1a", "rep-n1b")
    ids = [org.store["n1-a"]]
    for k, (lat, lng) in enumerate(PLACES):
        ids.append(
            add_store(client, admin, f"P-{k}", org.user["rep-n1a"], lat, lng, tier="ABC"[k % 3],
                      name=f"Plan store {k}")
        )  # fmt: skip
    return ids
