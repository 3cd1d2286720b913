"""A user's own password change and sign-out everywhere; common passwords refused wherever a
password is set (own change, admin create and change)."""

from __future__ import annotations

import pytest

from tests.api.test_auth import login
from tests.org_factory import PASSWORD

NEW = "a fresh pass phrase"
COMMON = "Qwertyuiop"  # on the shipped list (case does not matter)


def change(client, headers, current=PASSWORD, new=NEW):
    body = {"current_password": current, "new_password": new}
    return client.post("/api/auth/password", json=body, headers=headers)


def me(client, token_or_headers):
    headers = token_or_headers
    if isinstance(token_or_headers, str):
        headers = {"Authorization": f"Bearer {token_or_headers}"}
    return client.get("/api/auth/me", headers=headers).status_code


def test_changing_ones_password_revokes_every_token_and_answers_a_fresh_one(client, org, tokens):
    used, other = tokens.headers("rep-n1a"), tokens.headers("rep-n1a")
    bystander = tokens.headers("rep-n1b")
    response = change(client, used)
    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"token", "token_type", "expires_at", "user"}
    assert body["token_type"] == "Bearer" and body["user"]["username"] == "rep-n1a"
    assert response.headers["Cache-Control"] == "no-store"
    assert me(client, used) == 401 and me(client, other) == 401
    assert me(client, body["token"]) == 200
    assert me(client, bystander) == 200
    assert login(client, "rep-n1a").status_code == 401
    assert login(client, "rep-n1a", NEW).status_code == 200


def test_a_wrong_current_password_is_422_at_that_field_and_changes_nothing(client, org, tokens):
    headers = tokens.headers("rep-n1a")
    response = change(client, headers, current="not my password")
    assert response.status_code == 422
    assert response.json["reason"] == "wrong_password"
    assert list(response.json["errors"]["json"]) == ["current_password"]
    assert me(client, headers) == 200
    assert login(client, "rep-n1a").status_code == 200


@pytest.mark.parametrize("new", [COMMON, "  1234567890  ", "iloveyou12"])
def test_a_common_new_password_is_422_password_common(client, org, tokens, new):
    headers = tokens.headers("rep-n1a")
    response = change(client, headers, new=new)
    assert response.status_code == 422, response.json
    assert response.json["reason"] == "password_common"
    assert list(response.json["errors"]["json"]) == ["new_password"]
    assert me(client, headers) == 200
    assert login(client, "rep-n1a").status_code == 200


def test_a_short_new_password_keeps_the_length_rule(client, org, tokens):
    response = change(client, tokens.headers("rep-n1a"), new="short")
    assert response.status_code == 422
    assert "new_password" in response.json["errors"]["json"]


def test_logout_all_revokes_every_token_of_the_user_only(client, org, tokens):
    used, other = tokens.headers("sup-n1"), tokens.headers("sup-n1")
    bystander = tokens.headers("rep-n1a")
    assert client.post("/api/auth/logout-all", headers=used).status_code == 204
    assert me(client, used) == 401 and me(client, other) == 401
    assert me(client, bystander) == 200
    assert login(client, "sup-n1").status_code == 200


def test_admins_cannot_set_a_common_password(client, org, tokens):
    admin = tokens.headers("admin")
    body = {"username": "x-new", "full_name": "X", "role": "rep", "team_id": org.team["N1"],
            "password": COMMON}  # fmt: skip
    created = client.post("/api/users", json=body, headers=admin)
    assert created.status_code == 422 and created.json["reason"] == "password_common"
    assert list(created.json["errors"]["json"]) == ["password"]
    rep = tokens.headers("rep-n1a")
    changed = client.patch(
        f"/api/users/{org.user['rep-n1a']}", json={"password": "password123"}, headers=admin
    )
    assert changed.status_code == 422 and changed.json["reason"] == "password_common"
    assert me(client, rep) == 200
    assert login(client, "rep-n1a").status_code == 200


def test_the_endpoints_are_documented(client):
    paths = client.get("/api/openapi.json").json["paths"]
    password = paths["/api/auth/password"]["post"]
    assert {"200", "401", "422", "429"} <= set(password["responses"])
    schema = password["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema.endswith("/PasswordChange")
    assert {"204", "401"} <= set(paths["/api/auth/logout-all"]["post"]["responses"])
