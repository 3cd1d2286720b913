"""Exceptions report: integrity flags in scope, filtered, sorted, each linking to its visit."""

from __future__ import annotations

import pytest

from backend.models import FlagKind
from tests.reports_factory import MON, WED, WEEK, History


@pytest.fixture
def flags(app, org):
    with app.app_context():
        h = History(org)
        a = h.visit("rep-n1a", "n1-a", MON, "09:00", 2)
        b = h.visit("rep-n1b", "n1-b", WED, "09:00", 20)
        c = h.visit("rep-n2a", "n2-a", WED, "10:00", 20)
        d = h.visit("rep-s1a", "s1-a", MON, "10:00", 20)
        ids = {
            "short": h.flag(a, FlagKind.SHORT_VISIT),
            "fence": h.flag(b, FlagKind.OUTSIDE_GEOFENCE),
            "n2": h.flag(c, FlagKind.OUTSIDE_GEOFENCE),
            "south": h.flag(d, FlagKind.CLOCK_SKEW),
        }
        visits = {"a": a.id, "b": b.id}
        h.commit()
        return ids, visits


def report(client, tokens, user, **params):
    response = client.get(
        "/api/reports/exceptions", query_string={**WEEK, **params}, headers=tokens.headers(user)
    )
    assert response.status_code == 200, response.json
    return response.json


def test_supervisor_sees_their_teams_flags_with_visit_links(client, tokens, flags):
    ids, visits = flags
    body = report(client, tokens, "sup-n1", sort="visit_date")
    assert [item["id"] for item in body["items"]] == [ids["short"], ids["fence"]]
    first = body["items"][0]
    assert first["visit_id"] == visits["a"]
    assert first["visit_path"] == f"/api/visits/{visits['a']}"
    assert first["kind"] == "short_visit" and first["rep_name"] == "Rep-N1A"
    assert first["store_name"] == "Store n1-a"
    assert body["counts"] == {"outside_geofence": 1, "short_visit": 1}
    assert body["meta"]["total"] == 2


def test_manager_sees_their_area_only(client, tokens, flags):
    ids, _ = flags
    north = report(client, tokens, "mgr-north")
    assert {item["id"] for item in north["items"]} == {ids["short"], ids["fence"], ids["n2"]}
    south = report(client, tokens, "mgr-south")
    assert [item["id"] for item in south["items"]] == [ids["south"]]


def test_filters_and_sorting(client, tokens, org, flags):
    ids, _ = flags
    fence = report(client, tokens, "admin", kind="outside_geofence", sort="-visit_date")
    assert {item["id"] for item in fence["items"]} == {ids["fence"], ids["n2"]}
    by_team = report(client, tokens, "admin", team_id=org.team["N2"])
    assert [item["id"] for item in by_team["items"]] == [ids["n2"]]
    by_rep = report(client, tokens, "admin", rep_id=org.user["rep-n1a"])
    assert [item["id"] for item in by_rep["items"]] == [ids["short"]]
    by_area = report(client, tokens, "admin", area_id=org.area["South"])
    assert [item["id"] for item in by_area["items"]] == [ids["south"]]
    monday = report(client, tokens, "admin", period="day", date="2026-11-16", sort="rep")
    assert [item["rep_name"] for item in monday["items"]] == ["Rep-N1A", "Rep-S1A"]
    paged = report(client, tokens, "admin", per_page=1, page=2, sort="kind")
    assert paged["meta"] == {"page": 2, "per_page": 1, "total": 4, "pages": 4}
    assert paged["items"][0]["kind"] == "outside_geofence"


def test_out_of_scope_filters_and_reps(client, tokens, org, flags):
    headers = tokens.headers("sup-n1")
    response = client.get(
        "/api/reports/exceptions", query_string={"team_id": org.team["N2"]}, headers=headers
    )
    assert response.status_code == 404
    response = client.get("/api/reports/exceptions", headers=tokens.headers("rep-n1a"))
    assert response.status_code == 403
    response = client.get("/api/reports/exceptions", query_string={"kind": "nope"}, headers=headers)
    assert response.status_code == 422
