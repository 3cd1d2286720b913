"""Integrity flags: each is computed by the server, flags and never blocks."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from backend.models import utcnow
from tests.api.visit_helpers import check_in, image_bytes, minutes_ago, upload

pytestmark = pytest.mark.usefixtures("photo_dir")


def kinds(visit: dict) -> list[str]:
    return sorted(flag["kind"] for flag in visit["flags"])


def visit_of(client, headers, visit_id) -> dict:
    return client.get(f"/api/visits/{visit_id}", headers=headers).json


def check_out(client, headers, visit_id, when, **extra):
    body = {"device_time": when.isoformat(), **extra}
    return client.post(f"/api/visits/{visit_id}/checkout", json=body, headers=headers)


@pytest.fixture
def rep(tokens):
    return tokens.headers("rep-n1a")


def test_check_in_outside_the_geofence_is_flagged_with_poor_accuracy_noted(app, client, org, rep):
    # 0.002° of latitude ≈ 222 m north of the store, GPS accuracy ±180 m.
    response = check_in(
        client, rep, app, org.store["n1-a"], minutes_ago(5), offset=(0.002, 0), accuracy_m=180
    )
    assert response.status_code == 201
    visit = response.json
    assert kinds(visit) == ["outside_geofence", "poor_accuracy"]
    assert not visit["inside_geofence"] and 215 < visit["checkin_distance_m"] < 230
    outside = next(f for f in visit["flags"] if f["kind"] == "outside_geofence")
    assert outside["detail"]["radius_m"] == 150 and "±180 m" in outside["message"]


def test_geofence_radius_is_configurable(app, client, org, rep, monkeypatch):
    monkeypatch.setitem(app.config, "GEOFENCE_METRES", 300)
    visit = check_in(client, rep, app, org.store["n1-a"], minutes_ago(5), offset=(0.002, 0)).json
    assert visit["inside_geofence"] and kinds(visit) == []


def test_a_visit_shorter_than_the_minimum_is_flagged(app, client, org, rep):
    visit = check_in(client, rep, app, org.store["n1-a"], minutes_ago(3)).json
    out = check_out(client, rep, visit["id"], minutes_ago(1)).json
    assert kinds(out) == ["short_visit"] and out["duration_minutes"] == 2.0


def test_impossible_travel_between_consecutive_check_ins_is_flagged(app, client, org, rep):
    first = check_in(client, rep, app, org.store["n1-a"], minutes_ago(30)).json
    check_out(client, rep, first["id"], minutes_ago(20))
    # 0.5° of latitude ≈ 55 km in 25 minutes: 133 km/h.
    far = check_in(client, rep, app, org.store["n1-a"], minutes_ago(5), offset=(0.5, 0)).json
    travel = next(f for f in far["flags"] if f["kind"] == "impossible_travel")
    assert travel["detail"]["from_visit_id"] == first["id"]
    assert 125 < travel["detail"]["speed_kmh"] < 140


def test_a_visit_synced_late_between_two_others_is_checked_against_both(app, client, org, rep):
    """An offline client may deliver a visit after a later one: speeds are checked both ways."""
    later = check_in(client, rep, app, org.store["n1-a"], minutes_ago(10)).json
    check_out(client, rep, later["id"], minutes_ago(2))
    # Earlier (by device time) and 55 km away, 20 minutes before: the *later* visit is flagged.
    early = check_in(client, rep, app, org.store["n1-a"], minutes_ago(30), offset=(0.5, 0)).json
    assert "impossible_travel" not in kinds(early)
    assert "impossible_travel" in kinds(visit_of(client, rep, later["id"]))


def test_normal_travel_is_not_flagged(app, client, org, rep):
    first = check_in(client, rep, app, org.store["n1-a"], minutes_ago(60)).json
    check_out(client, rep, first["id"], minutes_ago(40))
    # 5.5 km in 35 minutes (9 km/h): outside this store's geofence, but no impossible travel.
    second = check_in(client, rep, app, org.store["n1-a"], minutes_ago(5), offset=(0.05, 0)).json
    assert kinds(second) == ["outside_geofence"]


def test_a_device_clock_far_from_the_servers_is_flagged(app, client, org, rep):
    # The device says "now" but its clock runs 30 minutes behind (X-Device-Time).
    headers = {**rep, "X-Device-Time": (utcnow() - timedelta(minutes=30)).isoformat()}
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(31)).json
    skew = next(f for f in visit["flags"] if f["kind"] == "clock_skew")
    assert -31 < skew["detail"]["skew_minutes"] < -29
    # Without X-Device-Time, an event time in the future shows a clock running ahead...
    check_out(client, rep, visit["id"], minutes_ago(30))
    ahead = check_in(client, rep, app, org.store["n1-a"], utcnow() + timedelta(minutes=45)).json
    assert "clock_skew" in kinds(ahead)


def test_an_old_event_time_without_send_time_is_an_offline_delay_not_skew(app, client, org, rep):
    visit = check_in(client, rep, app, org.store["n1-a"], minutes_ago(300)).json
    assert kinds(visit) == []
    headers = {**rep, "X-Device-Time": utcnow().isoformat()}
    assert kinds(check_out(client, headers, visit["id"], minutes_ago(280)).json) == []
    bad = check_out(client, {**rep, "X-Device-Time": "yesterday"}, visit["id"], minutes_ago(1))
    assert bad.status_code == 422 and "X-Device-Time" in bad.json["errors"]["headers"]


def test_a_photo_taken_long_before_the_visit_is_flagged(app, client, org, rep):
    visit = check_in(client, rep, app, org.store["n1-a"], minutes_ago(10)).json
    fresh = upload(client, rep, visit["id"], image_bytes(seed=1, taken=minutes_ago(9))).json
    old = upload(client, rep, visit["id"], image_bytes(seed=2, taken=minutes_ago(5 * 60))).json
    flags = visit_of(client, rep, visit["id"])["flags"]
    assert [(f["kind"], f["photo_id"]) for f in flags] == [("photo_old", old["id"])]
    assert flags[0]["detail"]["hours_before"] == pytest.approx(4.8, abs=0.1)
    assert fresh["taken_at"] is not None


def test_a_photo_reused_from_another_visit_is_flagged(app, client, org, rep):
    first = check_in(client, rep, app, org.store["n1-a"], minutes_ago(60)).json
    original = image_bytes(seed=7, size=(1200, 900))
    shot = upload(client, rep, first["id"], original).json
    upload(client, rep, first["id"], image_bytes(seed=8))
    check_out(client, rep, first["id"], minutes_ago(45))
    second = check_in(client, rep, app, org.store["n1-a"], minutes_ago(10)).json
    # The same picture re-saved smaller and at another quality: not the same bytes.
    resaved = io.BytesIO()
    Image.open(io.BytesIO(original)).resize((1000, 750)).save(resaved, "JPEG", quality=60)
    reused = upload(client, rep, second["id"], resaved.getvalue()).json
    upload(client, rep, second["id"], image_bytes(seed=9))
    flags = visit_of(client, rep, second["id"])["flags"]
    assert [(f["kind"], f["photo_id"]) for f in flags] == [("photo_reused", reused["id"])]
    assert flags[0]["detail"]["other_photo_id"] == shot["id"]
    assert flags[0]["detail"]["other_visit_id"] == first["id"]


def test_an_exact_copy_at_another_reps_visit_is_flagged(app, client, org, tokens):
    one, two = tokens.headers("rep-n1a"), tokens.headers("rep-s1a")
    content = image_bytes(seed=11)
    a = check_in(client, one, app, org.store["n1-a"], minutes_ago(20)).json
    upload(client, one, a["id"], content)
    b = check_in(client, two, app, org.store["s1-a"], minutes_ago(10)).json
    upload(client, two, b["id"], content)
    flags = visit_of(client, two, b["id"])["flags"]
    assert [f["kind"] for f in flags] == ["photo_reused"]
    assert flags[0]["detail"]["distance_bits"] == 0 and "a copy of" in flags[0]["message"]


def test_flags_never_block(app, client, org, rep):
    """Every flag at once, and the visit still goes through."""
    visit = check_in(
        client, rep, app, org.store["n1-a"], utcnow() + timedelta(hours=1), offset=(0.01, 0)
    )
    assert visit.status_code == 201
    out = check_out(client, rep, visit.json["id"], utcnow() + timedelta(hours=1, minutes=1))
    assert out.status_code == 200
    assert {"outside_geofence", "clock_skew", "short_visit"} <= set(kinds(out.json))
