"""A store code taken by a store outside your scope is refused in the same words as one taken
inside it: codes are unique, so a refusal there must be, but it tells nothing of the other
store (no id, name, team or area), nor whether you could see it."""

from __future__ import annotations

import io

from backend.services.stores import CODE_UNAVAILABLE

STORE = {"name": "Corner shop", "channel": "modern", "tier": "B", "lat": 35.6, "lng": 139.7}
# What a supervisor of team N1 (area North) must not learn of the South store s1-a.
OTHER_STORE_TRACES = ("s1-a street", "Store s1-a", "South", "S1", "rep-s1a", "scope")


def refusal(response) -> dict:
    body = dict(response.json)
    assert not any(trace in str(body) for trace in OTHER_STORE_TRACES), body
    return body


def test_creating_with_a_taken_code_is_refused_alike_in_and_out_of_scope(client, org, tokens):
    headers = tokens.headers("sup-n1")
    outside = client.post("/api/stores", json={**STORE, "code": "s1-a"}, headers=headers)
    inside = client.post("/api/stores", json={**STORE, "code": "n1-b"}, headers=headers)
    assert outside.status_code == inside.status_code == 409
    assert refusal(outside) == refusal(inside)
    assert outside.json["errors"] == {"json": {"code": [CODE_UNAVAILABLE]}}
    assert str(org.store["s1-a"]) not in str(outside.json.get("params", {}))


def test_renaming_to_a_taken_code_is_refused_alike_in_and_out_of_scope(client, org, tokens):
    headers = tokens.headers("sup-n1")
    url = f"/api/stores/{org.store['n1-a']}"
    outside = client.patch(url, json={"code": "s1-a"}, headers=headers)
    inside = client.patch(url, json={"code": "n1-b"}, headers=headers)
    assert outside.status_code == inside.status_code == 409
    assert refusal(outside) == refusal(inside)
    assert outside.json["errors"] == {"json": {"code": [CODE_UNAVAILABLE]}}
    assert client.patch(url, json={"code": "n1-a"}, headers=headers).status_code == 200


def test_importing_a_code_of_another_area_names_nothing_of_it(client, org, tokens):
    header = "code,name,channel,tier,lat,lng,team"
    rows = ["s1-a,Corner shop,modern,B,35.6,139.7,N1", "n2-a,Corner shop 2,modern,B,35.6,139.7,N1"]
    for dry_run in ("false", "true"):
        response = client.post(
            "/api/stores/import",
            data={
                "file": (io.BytesIO("\n".join([header, *rows]).encode()), "stores.csv"),
                "dry_run": dry_run,
            },
            headers=tokens.headers("sup-n1"),
        )
        errors = response.json["errors"]["rows"] if dry_run == "false" else response.json["errors"]
        assert errors == [
            {"row": 2, "column": "code", "message": CODE_UNAVAILABLE},
            {"row": 3, "column": "code", "message": CODE_UNAVAILABLE},
        ]
        refusal(response)
