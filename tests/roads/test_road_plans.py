"""Plans on road times (Helsinki tiles): a rep's day is feasible and timed on Valhalla's route
legs, stores a car cannot reach are snapped or dropped as unreachable, the matrix cache is hit
on a second plan and missed after a store moves, and a re-plan asks only for the new point."""

from __future__ import annotations

from datetime import datetime

import pytest

from backend.planning.roads import RoadNetwork, decode_polyline
from tests.api.plan_helpers import add_store, next_monday
from tests.roads.conftest import HOME, PARK, SEA, STREET_STORES


def _seconds(clock: str) -> int:
    t = datetime.strptime(clock, "%H:%M:%S" if clock.count(":") == 2 else "%H:%M")
    return t.hour * 3600 + t.minute * 60 + t.second


def _after_break(plan, k: int, clock: int) -> int:
    """The clock after the lunch break when it comes after `k` stops (11:30 at the earliest,
    45 minutes: config/default.toml)."""
    return max(clock, 41400) + 2700 if plan["break_after"] == k else clock


def _rep(client, org, admin, mode: str | None = "car") -> int:
    rep = org.user["rep-n1a"]
    body = {"home_lat": HOME[0], "home_lng": HOME[1], "shift_start": "08:30",
            "shift_end": "17:30", "travel_mode": mode}  # fmt: skip
    response = client.patch(f"/api/users/{rep}", json=body, headers=admin)
    assert response.status_code == 200, response.json
    assert response.json["travel_mode"] == mode
    return rep


def _stores(client, admin, rep: int, places) -> list[int]:
    return [
        add_store(client, admin, f"H-{k}", rep, lat, lng) for k, (lat, lng) in enumerate(places)
    ]


def _plan(client, headers, rep: int, store_ids: list[int], day=None):
    body = {"rep_id": rep, "plan_date": (day or next_monday()).isoformat(),
            "store_ids": store_ids, "seconds": 0.5}  # fmt: skip
    response = client.post("/api/plans", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def calls(monkeypatch):
    """Valhalla matrix calls (RoadNetwork.block), counted."""
    counted = {"block": 0, "points": 0}
    real = RoadNetwork.block

    def block(self, sources, targets, mode):
        counted["block"] += 1
        counted["points"] = max(counted["points"], len(sources), len(targets))
        return real(self, sources, targets, mode)

    monkeypatch.setattr(RoadNetwork, "block", block)
    return counted


def test_a_car_day_is_feasible_and_timed_on_the_route_legs(
    roads_app, client, org, tokens, helsinki_tiles
):
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = _rep(client, org, admin)
    ids = _stores(client, admin, rep, STREET_STORES)
    plan = _plan(client, sup, rep, ids)
    assert plan["violations"] == [] and plan["dropped"] == []
    assert (plan["travel_mode"], plan["travel_source"]) == ("car", "roads")
    stops = plan["stops"]
    assert len(stops) == len(ids)
    by_id = {s["store_id"]: s for s in stops}
    order = [HOME, *((by_id[i]["lat"], by_id[i]["lng"]) for i in (s["store_id"] for s in stops))]
    legs = RoadNetwork(helsinki_tiles).legs([*order, HOME], "car")
    clock = _seconds(plan["start_time"])
    for k, (stop, leg) in enumerate(zip(stops, legs, strict=False)):
        clock = _after_break(plan, k, clock)
        assert abs(stop["travel_seconds"] - leg.duration) <= 0.5  # Valhalla's leg, rounded
        assert abs(stop["distance_m"] - leg.distance) <= 0.5
        assert _seconds(stop["arrival"]) == clock + stop["travel_seconds"]
        assert stop["geometry"] == leg.polyline and stop["access"] is None
        clock = _seconds(stop["departure"])
    assert plan["return_geometry"] == legs[-1].polyline
    clock = _after_break(plan, len(stops), clock)
    assert abs(_seconds(plan["end_time"]) - (clock + legs[-1].duration)) <= 1
    assert plan["travel_seconds"] == pytest.approx(sum(leg.duration for leg in legs), abs=len(legs))
    start, end = (
        decode_polyline(stops[0]["geometry"])[0],
        decode_polyline(plan["return_geometry"])[-1],
    )
    assert abs(start[0] - HOME[0]) < 0.001 and abs(end[1] - HOME[1]) < 0.001


def test_car_free_store_is_reached_from_the_street_and_the_sea_is_unreachable(
    roads_app, client, org, tokens
):
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = _rep(client, org, admin)
    street, park, sea = _stores(client, admin, rep, [STREET_STORES[0], PARK, SEA])
    plan = _plan(client, sup, rep, [street, park, sea])
    access = {s["store_id"]: s["access"] for s in plan["stops"]}
    assert set(access) == {street, park}
    assert access[street] is None
    assert 100 < access[park]["distance_m"] <= 250  # the car stops in the street by the park
    assert abs(access[park]["lat"] - PARK[0]) < 0.003
    (dropped,) = plan["dropped"]
    assert (dropped["store_id"], dropped["reason"]) == (sea, "unreachable")
    assert "nearest road a car may use is" in dropped["detail"]
    assert plan["dropped_store_ids"] == [sea]
    _rep(client, org, admin, "foot")
    walk = client.post(f"/api/plans/{plan['id']}/optimise", json={}, headers=sup).json
    assert walk["travel_mode"] == "foot"
    assert next(s for s in walk["stops"] if s["store_id"] == park)["access"] is None


def test_a_tighter_snap_limit_drops_the_park_store_with_a_reason(
    roads_app, client, org, tokens, monkeypatch
):
    monkeypatch.setitem(roads_app.config, "ROAD_SNAP_METRES", 100)
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = _rep(client, org, admin)
    street, park = _stores(client, admin, rep, [STREET_STORES[1], PARK])
    plan = _plan(client, sup, rep, [street, park])
    assert [s["store_id"] for s in plan["stops"]] == [street]
    (dropped,) = plan["dropped"]
    assert dropped["reason"] == "unreachable" and "(more than 100 m)" in dropped["detail"]


def test_the_cache_is_hit_on_a_second_plan_and_missed_after_a_store_moves(
    roads_app, client, org, tokens, calls
):
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = _rep(client, org, admin)
    ids = _stores(client, admin, rep, STREET_STORES[:5])
    first = _plan(client, sup, rep, ids)
    assert calls["block"] == 1
    client.delete(f"/api/plans/{first['id']}", headers=sup)
    again = _plan(client, sup, rep, ids)
    assert calls["block"] == 1  # the same stores: no Valhalla matrix call
    assert [s["travel_seconds"] for s in again["stops"]] == [
        s["travel_seconds"] for s in first["stops"]
    ]
    moved = client.patch(f"/api/stores/{ids[2]}", json={"lat": STREET_STORES[6][0],
                         "lng": STREET_STORES[6][1]}, headers=admin)  # fmt: skip
    assert moved.status_code == 200, moved.json
    client.delete(f"/api/plans/{again['id']}", headers=sup)
    third = _plan(client, sup, rep, ids)
    assert calls["block"] == 3  # the moved store's row and column, nothing else
    assert calls["points"] == len(ids) + 1
    assert third["stops"] != again["stops"]


def test_a_replan_from_the_rep_asks_only_for_the_new_point(roads_app, client, org, tokens, calls):
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = _rep(client, org, admin)
    ids = _stores(client, admin, rep, STREET_STORES)
    plan = _plan(client, sup, rep, ids)
    client.post(f"/api/plans/{plan['id']}/publish", json={}, headers=sup)
    before = calls["block"]
    here = {"lat": 60.1680, "lng": 24.9440, "at": "10:00",
            "done_store_ids": [plan["stops"][0]["store_id"]]}  # fmt: skip
    replanned = client.post(
        f"/api/plans/{plan['id']}/replan", json=here, headers=tokens.headers("rep-n1a")
    )
    assert replanned.status_code == 200, replanned.json
    assert calls["block"] - before == 2  # one row and one column for the rep's position
    rest = replanned.json["stops"][1:]
    assert rest[0]["geometry"] and _seconds(rest[0]["arrival"]) >= 36000


def test_without_a_mode_plans_stay_on_straight_lines(roads_app, client, org, tokens, calls):
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = _rep(client, org, admin, None)
    plan = _plan(client, sup, rep, _stores(client, admin, rep, STREET_STORES[:3]))
    assert (plan["travel_mode"], plan["travel_source"]) == (None, "straight")
    assert all(s["geometry"] is None for s in plan["stops"]) and calls["block"] == 0


def test_with_tiles_off_a_mode_uses_its_straight_line_speed(
    roads_app, client, org, tokens, monkeypatch
):
    monkeypatch.setitem(roads_app.config, "ROAD_TILES", "none")
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = _rep(client, org, admin, "foot")
    plan = _plan(client, sup, rep, _stores(client, admin, rep, STREET_STORES[:2]))
    assert (plan["travel_mode"], plan["travel_source"]) == ("foot", "straight")
    first = plan["stops"][0]
    speed = first["distance_m"] / first["travel_seconds"] * 3.6
    assert speed == pytest.approx(4.5, rel=0.02)


@pytest.mark.parametrize("mode", ["plane", "", 3, "CAR"])
def test_travel_mode_must_be_one_of_the_modes(roads_app, client, org, tokens, mode):
    response = client.patch(
        f"/api/users/{org.user['rep-n1a']}",
        json={"travel_mode": mode},
        headers=tokens.headers("admin"),
    )
    assert response.status_code == 422
    assert "travel_mode" in response.json["errors"]["json"]
