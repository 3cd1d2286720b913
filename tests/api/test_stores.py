"""Store API: listing, filters, search, near, create/update/deactivate, reassign, export."""

from __future__ import annotations

import csv
import io
import math
import uuid

import pytest

from backend.services.stores import EARTH_RADIUS_M

NEW = {
    "code": "NEW-1",
    "name": "Lawson Tsukiji",
    "channel": "traditional",
    "tier": "A",
    "address": "Tsukiji 5-chome",
    "lat": 35.6623,
    "lng": 139.7657,
    "visit_minutes": 20,
    "visit_frequency_days": 10,
    "hours": [
        {"weekday": 0, "opens": "08:00", "closes": "12:00"},
        {"weekday": 0, "opens": "13:00", "closes": "18:00"},
        {"weekday": 5, "opens": "09:00", "closes": "12:30"},
    ],
}


def haversine(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def test_pagination(client, org, tokens):
    headers = tokens.headers("admin")
    first = client.get("/api/stores?per_page=2", headers=headers).json
    second = client.get("/api/stores?per_page=2&page=2", headers=headers).json
    third = client.get("/api/stores?per_page=2&page=3", headers=headers).json
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    names = [s["name"] for s in first["items"] + second["items"] + third["items"]]
    assert names == sorted(names) and len(set(names)) == 5


def test_page_size_is_capped(client, org, tokens):
    response = client.get("/api/stores?per_page=100000", headers=tokens.headers("admin"))
    assert response.status_code == 422
    assert "per_page" in response.json["errors"]["query"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tier=A", {"n1-a"}),
        ("channel=traditional", {"n1-b"}),
        ("active=false", {"n2-a"}),
        ("active=true&team_id={N1}", {"n1-a", "n1-free"}),
        ("rep_id={rep-n1a}", {"n1-a"}),
        ("q=ginza", {"n1-free"}),
        ("q=GINZA", {"n1-free"}),
        ("q=%25", set()),
        ("q=s1-", {"s1-a"}),
    ],
)
def test_filters_and_text_search(client, org, tokens, query, expected):
    headers = tokens.headers("admin")
    client.patch(f"/api/stores/{org.store['n1-a']}", json={"tier": "A"}, headers=headers)
    client.patch(
        f"/api/stores/{org.store['n1-b']}", json={"channel": "traditional"}, headers=headers
    )
    client.patch(
        f"/api/stores/{org.store['n1-free']}", json={"address": "Ginza 4-1"}, headers=headers
    )
    client.patch(
        f"/api/stores/{org.store['n1-b']}",
        json={"team_id": org.team["N2"], "rep_id": None},
        headers=headers,
    )
    client.patch(f"/api/stores/{org.store['n2-a']}", json={"active": False}, headers=headers)
    query = query.format(N1=org.team["N1"], **{"rep-n1a": org.user["rep-n1a"]})
    response = client.get(f"/api/stores?{query}", headers=headers)
    assert {s["code"] for s in response.json["items"]} == expected, response.json


def test_moving_a_store_to_a_team_its_rep_is_not_in_is_refused(client, org, tokens):
    response = client.patch(
        f"/api/stores/{org.store['n1-a']}",
        json={"team_id": org.team["N2"]},
        headers=tokens.headers("admin"),
    )
    assert response.status_code == 422 and "rep_id" in response.json["errors"]["json"]


def test_near_sorts_by_distance_and_filters_by_radius(client, org, tokens):
    headers = tokens.headers("admin")
    here = (35.661, 139.771)
    response = client.get(f"/api/stores?near_lat={here[0]}&near_lng={here[1]}", headers=headers)
    items = response.json["items"]
    distances = [s["distance_m"] for s in items]
    assert distances == sorted(distances) and items[0]["code"] == "n1-a"
    for store in items:
        exact = haversine(*here, store["lat"], store["lng"])
        assert abs(store["distance_m"] - exact) <= max(2, exact * 0.001)
    radius = (distances[1] + distances[2]) / 2
    within = client.get(
        f"/api/stores?near_lat={here[0]}&near_lng={here[1]}&radius_m={radius}", headers=headers
    ).json
    assert [s["code"] for s in within["items"]] == [s["code"] for s in items[:2]]
    assert within["meta"]["total"] == 2


@pytest.mark.parametrize(
    "query", ["near_lat=35.6", "radius_m=100", "near_lat=91&near_lng=0", "tier=Z", "page=0"]
)
def test_bad_list_queries_are_422(client, org, tokens, query):
    response = client.get(f"/api/stores?{query}", headers=tokens.headers("admin"))
    assert response.status_code == 422 and response.json["errors"]["query"]


def test_supervisor_creates_a_store_in_their_team(client, org, tokens):
    response = client.post(
        "/api/stores", json={**NEW, "rep_id": org.user["rep-n1a"]}, headers=tokens.headers("sup-n1")
    )
    assert response.status_code == 201, response.json
    store = response.json
    assert store["team_id"] == org.team["N1"] and store["rep_id"] == org.user["rep-n1a"]
    assert store["hours"] == NEW["hours"] and store["active"] is True
    assert store["created_at"].endswith("+00:00")
    rep_view = client.get("/api/stores", headers=tokens.headers("rep-n1a")).json
    assert "NEW-1" in {s["code"] for s in rep_view["items"]}


def test_supervisor_cannot_create_in_another_team(client, org, tokens):
    response = client.post(
        "/api/stores", json={**NEW, "team_id": org.team["N2"]}, headers=tokens.headers("sup-n1")
    )
    assert response.status_code == 422
    assert "team_id" in response.json["errors"]["json"]


def test_duplicate_code_is_409(client, org, tokens):
    response = client.post(
        "/api/stores", json={**NEW, "code": "n2-a"}, headers=tokens.headers("admin")
    )
    assert response.status_code == 409 and response.json["code"] == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": 91}, "lat"),
        ({"tier": "D"}, "tier"),
        ({"visit_minutes": 0}, "visit_minutes"),
        ({"hours": [{"weekday": 7, "opens": "08:00", "closes": "09:00"}]}, "hours"),
        ({"hours": [{"weekday": 1, "opens": "10:00", "closes": "09:00"}]}, "hours"),
        ({"hours": [{"weekday": 1, "opens": "8 am", "closes": "09:00"}]}, "hours"),
        (
            {
                "hours": [
                    {"weekday": 1, "opens": f"0{h}:00", "closes": f"0{h}:30"} for h in (6, 7, 8)
                ]
            },
            "hours",
        ),
        ({"rep_id": 99999}, "rep_id"),
    ],
)
def test_invalid_store_changes_are_422_naming_the_field(client, org, tokens, change, field):
    response = client.patch(
        f"/api/stores/{org.store['n1-a']}", json=change, headers=tokens.headers("admin")
    )
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_deactivate_keeps_the_store_but_marks_it(client, org, tokens):
    headers = tokens.headers("sup-n1")
    store_id = org.store["n1-a"]
    assert (
        client.patch(f"/api/stores/{store_id}", json={"active": False}, headers=headers).json[
            "active"
        ]
        is False
    )
    assert client.get(f"/api/stores/{store_id}", headers=headers).json["active"] is False
    listed = client.get("/api/stores?active=true", headers=headers).json["items"]
    assert store_id not in {s["id"] for s in listed}


def test_reassign_moves_stores_to_the_rep_and_their_team(client, org, tokens):
    response = client.post(
        "/api/stores/reassign",
        json={
            "store_ids": [org.store["n1-a"], org.store["n1-free"]],
            "rep_id": org.user["rep-n2a"],
        },
        headers=tokens.headers("admin"),
    )
    assert response.json["reassigned"] == 2
    mine = client.get("/api/stores", headers=tokens.headers("rep-n2a")).json["items"]
    assert {s["code"] for s in mine} == {"n1-a", "n1-free", "n2-a"}
    assert {s["team_id"] for s in mine} == {org.team["N2"]}
    assert client.get("/api/stores", headers=tokens.headers("rep-n1a")).json["items"] == []


def test_export_round_trips_through_import(client, org, tokens):
    headers = tokens.headers("admin")
    store = client.post("/api/stores", json={**NEW, "team_id": org.team["N1"]}, headers=headers)
    contact = {"name": "Ms Ono", "role": "owner", "phone": "+81 3 0000 0000"}
    client.post(f"/api/stores/{store.json['id']}/contacts", json=contact, headers=headers)
    exported = client.get("/api/stores/export.csv", headers=headers)
    assert exported.mimetype == "text/csv"
    text = exported.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    new = next(r for r in rows if r["code"] == "NEW-1")
    assert new["hours"] == "mon 08:00-12:00 13:00-18:00; sat 09:00-12:30"
    assert new["team"] == "N1" and new["rep"] == "" and new["active"] == "true"
    # The phone starts with "+": neutralised for spreadsheets, restored by the import.
    assert (new["contact_name"], new["contact_phone"]) == ("Ms Ono", "'+81 3 0000 0000")
    reimport = client.post(
        "/api/stores/import",
        data={"file": (io.BytesIO(text.encode()), "stores.csv")},
        headers=headers,
    )
    assert reimport.status_code == 200, reimport.json
    assert reimport.json["updated"] == len(rows) and reimport.json["created"] == 0
    again = client.get("/api/stores/export.csv", headers=headers).get_data(as_text=True)
    assert again == text


def loads(org, **reps):
    """Expected `reps` rows: username=(stores before, after, weekly visits before, after)."""
    return [
        {
            "rep_id": org.user[name],
            "username": name,
            "stores_before": before,
            "stores_after": after,
            "weekly_visits_before": visits_before,
            "weekly_visits_after": visits_after,
        }
        for name, (before, after, visits_before, visits_after) in sorted(reps.items())
    ]


def reassign(client, headers, store_ids, rep_id, **extra):
    body = {"store_ids": store_ids, "rep_id": rep_id, **extra}
    return client.post("/api/stores/reassign", json=body, headers=headers)


def test_reassign_dry_run_answers_each_reps_load_and_changes_nothing(client, org, tokens):
    """Tier B visits every 14 days (0.5 a week); n1-b gets its own 7-day frequency (1 a week)."""
    admin = tokens.headers("admin")
    n1b = f"/api/stores/{org.store['n1-b']}"
    client.patch(n1b, json={"visit_frequency_days": 7}, headers=admin)
    moving = [org.store["n1-a"], org.store["n1-b"], org.store["n1-free"]]
    response = reassign(client, admin, moving, org.user["rep-n2a"], dry_run=True)
    assert response.status_code == 200, response.json
    expected = loads(
        org,
        **{
            "rep-n1a": (1, 0, 0.5, 0.0),
            "rep-n1b": (1, 0, 1.0, 0.0),
            "rep-n2a": (1, 4, 0.5, 2.5),
        },
    )
    assert response.json == {"reassigned": 3, "reps": expected}
    mine = client.get("/api/stores", headers=tokens.headers("rep-n2a")).json["items"]
    assert {s["code"] for s in mine} == {"n2-a"}
    # The real reassignment answers the same figures, then the stores have moved.
    done = reassign(client, admin, moving, org.user["rep-n2a"])
    assert done.json == {"reassigned": 3, "reps": expected}
    mine = client.get("/api/stores", headers=tokens.headers("rep-n2a")).json["items"]
    assert {s["code"] for s in mine} == {"n1-a", "n1-b", "n1-free", "n2-a"}


def test_reassign_counts_active_stores_only_and_unassigning_has_no_new_rep(client, org, tokens):
    headers = tokens.headers("sup-n1")
    client.patch(f"/api/stores/{org.store['n1-b']}", json={"active": False}, headers=headers)
    moving = [org.store["n1-a"], org.store["n1-b"]]
    response = reassign(client, headers, moving, None, dry_run=True)
    assert response.json == {
        "reassigned": 2,
        "reps": loads(org, **{"rep-n1a": (1, 0, 0.5, 0.0), "rep-n1b": (0, 0, 0.0, 0.0)}),
    }


def test_reassign_dry_run_is_authorised_like_the_real_one(client, org, tokens):
    headers = tokens.headers("sup-n1")
    other_team = reassign(client, headers, [org.store["s1-a"]], org.user["rep-n1a"], dry_run=True)
    assert other_team.status_code == 404
    other_rep = reassign(client, headers, [org.store["n1-a"]], org.user["rep-n2a"], dry_run=True)
    assert other_rep.status_code == 422 and "rep_id" in other_rep.json["errors"]["json"]
    rep = reassign(client, tokens.headers("rep-n1a"), [org.store["n1-a"]], None, dry_run=True)
    assert rep.status_code == 403


def test_a_reassign_dry_run_does_not_spend_its_idempotency_key(client, org, tokens):
    headers = {**tokens.headers("admin"), "Idempotency-Key": str(uuid.uuid4())}
    moving = [org.store["n1-a"]]
    checked = reassign(client, headers, moving, org.user["rep-n1b"], dry_run=True)
    assert checked.status_code == 200 and "Idempotent-Replayed" not in checked.headers
    done = reassign(client, headers, moving, org.user["rep-n1b"])
    assert done.status_code == 200 and "Idempotent-Replayed" not in done.headers
    mine = client.get("/api/stores", headers=tokens.headers("rep-n1b")).json["items"]
    assert {s["code"] for s in mine} == {"n1-a", "n1-b"}
