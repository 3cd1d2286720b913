"""Roles and scoping: who sees which stores, users and teams; out of scope is 404 everywhere."""

from __future__ import annotations

import pytest

ALL = {"n1-a", "n1-b", "n1-free", "n2-a", "s1-a"}
VISIBLE = {
    "admin": ALL,
    "mgr-north": {"n1-a", "n1-b", "n1-free", "n2-a"},
    "mgr-south": {"s1-a"},
    "sup-n1": {"n1-a", "n1-b", "n1-free"},
    "sup-n2": {"n2-a"},
    "rep-n1a": {"n1-a"},
    "rep-n1b": {"n1-b"},
    "rep-s1a": {"s1-a"},
}


def codes(response):
    assert response.status_code == 200, response.json
    return {item["code"] for item in response.json["items"]}


@pytest.mark.parametrize(("username", "expected"), VISIBLE.items())
def test_store_list_is_scoped(client, org, tokens, username, expected):
    response = client.get("/api/stores", headers=tokens.headers(username))
    assert codes(response) == expected
    assert response.json["meta"]["total"] == len(expected)


@pytest.mark.parametrize("username", VISIBLE)
@pytest.mark.parametrize("store", sorted(ALL))
def test_every_store_endpoint_answers_404_out_of_scope(client, org, tokens, username, store):
    headers = tokens.headers(username)
    store_id = org.store[store]
    visible = store in VISIBLE[username]
    get = client.get(f"/api/stores/{store_id}", headers=headers)
    assert get.status_code == (200 if visible else 404)
    if username.startswith(("rep", "mgr")):
        return  # reps and managers may not edit stores at all (403 tested below)
    patch = client.patch(f"/api/stores/{store_id}", json={"notes": "x"}, headers=headers)
    assert patch.status_code == (200 if visible else 404)
    reassign = client.post(
        "/api/stores/reassign", json={"store_ids": [store_id], "rep_id": None}, headers=headers
    )
    assert reassign.status_code == (200 if visible else 404)
    if not visible:
        assert get.json["code"] == 404 and "not found" in get.json["message"]


def test_unknown_store_id_is_404(client, org, tokens):
    response = client.get("/api/stores/999999", headers=tokens.headers("admin"))
    assert response.status_code == 404


@pytest.mark.parametrize("username", ["rep-n1a", "mgr-north"])
def test_reps_and_managers_cannot_change_stores(client, org, tokens, username):
    headers = tokens.headers(username)
    own = org.store["n1-a"]
    assert (
        client.patch(f"/api/stores/{own}", json={"notes": "x"}, headers=headers).status_code == 403
    )
    body = {"code": "new", "name": "New", "channel": "modern", "tier": "A", "lat": 35, "lng": 139}
    assert client.post("/api/stores", json=body, headers=headers).status_code == 403


def test_import_row_for_a_store_outside_scope_is_a_row_error(client, org, tokens):
    csv = "code,name,channel,tier,lat,lng\nn2-a,Taken,modern,A,35.6,139.7\n"
    response = client.post(
        "/api/stores/import",
        data={"file": (__import__("io").BytesIO(csv.encode()), "s.csv")},
        headers=tokens.headers("sup-n1"),
    )
    assert response.status_code == 422
    assert response.json["errors"]["rows"] == [
        {"row": 2, "column": "code", "message": "This store code cannot be used."}
    ]


def test_export_is_scoped(client, org, tokens):
    response = client.get("/api/stores/export.csv", headers=tokens.headers("sup-n2"))
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["n2-a"]


USERS_VISIBLE = {
    "admin": 9,
    "mgr-north": 6,  # themself + sup-n1, sup-n2, rep-n1a, rep-n1b, rep-n2a
    "sup-n1": 3,
    "rep-n1a": 1,
}


@pytest.mark.parametrize(("username", "count"), USERS_VISIBLE.items())
def test_user_list_is_scoped(client, org, tokens, username, count):
    response = client.get("/api/users", headers=tokens.headers(username))
    assert response.json["meta"]["total"] == count


def test_user_outside_scope_is_404(client, org, tokens):
    headers = tokens.headers("sup-n1")
    assert client.get(f"/api/users/{org.user['rep-n1a']}", headers=headers).status_code == 200
    assert client.get(f"/api/users/{org.user['rep-n2a']}", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("username", "teams"),
    [
        ("admin", {"N1", "N2", "S1"}),
        ("mgr-north", {"N1", "N2"}),
        ("sup-n2", {"N2"}),
        ("rep-s1a", {"S1"}),
    ],
)
def test_team_list_is_scoped(client, org, tokens, username, teams):
    response = client.get("/api/teams", headers=tokens.headers(username))
    assert {t["name"] for t in response.json} == teams


def test_supervisor_cannot_assign_a_rep_of_another_team(client, org, tokens):
    response = client.post(
        "/api/stores/reassign",
        json={"store_ids": [org.store["n1-a"]], "rep_id": org.user["rep-n2a"]},
        headers=tokens.headers("sup-n1"),
    )
    assert response.status_code == 422
    assert "rep_id" in response.json["errors"]["json"]
