"""Login, tokens (expiry, revocation, disabled users), rate limiting and the auth CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import AccessToken, User
from tests.org_factory import PASSWORD


def login(client, username, password=PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_login_returns_an_opaque_token_stored_only_as_a_digest(app, client, org):
    response = login(client, "rep-n1a")
    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer" and body["user"]["username"] == "rep-n1a"
    assert "password" not in body["user"] and "password_hash" not in body["user"]
    with app.app_context():
        stored = db.session.scalars(select(AccessToken.token_hash)).all()
    assert body["token"] not in stored and len(stored) == 1 and len(stored[0]) == 64
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json["username"] == "rep-n1a"


def test_username_is_case_insensitive(client, org):
    assert login(client, "REP-N1A").status_code == 200


@pytest.mark.parametrize(("username", "password"), [("rep-n1a", "wrong"), ("nobody", PASSWORD)])
def test_bad_credentials_are_401_with_the_same_message(client, org, username, password):
    response = login(client, username, password)
    assert response.status_code == 401
    assert response.json == {
        "code": 401,
        "status": "Unauthorized",
        "reason": "unauthenticated",
        "message": "Wrong username or password.",
    }


def test_passwords_are_argon2id(app, org):
    with app.app_context():
        stored = db.session.get(User, org.user["admin"]).password_hash
    assert stored.startswith("$argon2id$")


def test_expired_token_is_refused(client, org, tokens):
    headers = tokens.headers("rep-n1a", ttl=timedelta(seconds=-1))
    response = client.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_logout_revokes_the_token(client, org, tokens):
    headers = tokens.headers("rep-n1a")
    other = tokens.headers("rep-n1a")
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401
    assert client.get("/api/auth/me", headers=other).status_code == 200


def test_disabling_a_user_kills_their_tokens(app, client, org, tokens):
    rep = tokens.headers("rep-n1a")
    response = client.patch(
        f"/api/users/{org.user['rep-n1a']}", json={"active": False}, headers=tokens.headers("admin")
    )
    assert response.status_code == 200 and response.json["active"] is False
    assert client.get("/api/auth/me", headers=rep).status_code == 401
    assert login(client, "rep-n1a").status_code == 401
    with app.app_context():
        live = db.session.scalars(
            select(AccessToken).where(
                AccessToken.user_id == org.user["rep-n1a"], AccessToken.revoked_at.is_(None)
            )
        ).all()
    assert live == []


def test_a_disabled_users_token_is_refused_even_if_not_revoked(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    with app.app_context():
        db.session.get(User, org.user["rep-n1a"]).active = False
        db.session.commit()
    assert client.get("/api/stores", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer not-a-token", "Basic YWRtaW46eA==", "bearer  "]
)
def test_missing_or_malformed_token_is_401(client, org, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/stores", headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == 401


def test_admin_password_reset_revokes_tokens(client, org, tokens):
    rep = tokens.headers("rep-n1a")
    response = client.patch(
        f"/api/users/{org.user['rep-n1a']}",
        json={"password": "a brand new secret"},
        headers=tokens.headers("admin"),
    )
    assert response.status_code == 200
    assert client.get("/api/auth/me", headers=rep).status_code == 401
    assert login(client, "rep-n1a", "a brand new secret").status_code == 200


def test_only_admins_manage_users(client, org, tokens):
    body = {"username": "x-new", "full_name": "X", "role": "rep", "team_id": org.team["N1"],
            "password": "long enough password"}  # fmt: skip
    assert client.post("/api/users", json=body, headers=tokens.headers("sup-n1")).status_code == 403
    created = client.post("/api/users", json=body, headers=tokens.headers("admin"))
    assert created.status_code == 201 and created.json["team_id"] == org.team["N1"]
    assert login(client, "x-new", "long enough password").status_code == 200
    duplicate = client.post("/api/users", json=body, headers=tokens.headers("admin"))
    assert duplicate.status_code == 409


def test_a_rep_needs_a_team(client, org, tokens):
    body = {"username": "lost", "full_name": "L", "role": "rep", "password": "long enough password"}
    response = client.post("/api/users", json=body, headers=tokens.headers("admin"))
    assert response.status_code == 422
    assert "team_id" in response.json["errors"]["json"]


def test_login_is_rate_limited(app, client, org):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [login(client, "rep-n1a", "wrong").status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        limited = login(client, "rep-n1a")
        assert limited.status_code == 429 and limited.json["code"] == 429
        assert int(limited.headers["Retry-After"]) > 0
        # Another username from the same address is counted separately.
        assert login(client, "rep-n1b").status_code == 200
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"


def test_cli_creates_users_and_resets_passwords(app, client, org):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli-rep",
            "--full-name",
            "Cli Rep",
            "--role",
            "rep",
            "--team",
            "N1",
            "--password",
            "first password!",
        ]
    )
    assert result.exit_code == 0, result.output
    assert login(client, "cli-rep", "first password!").status_code == 200
    result = runner.invoke(
        args=["users", "reset-password", "cli-rep", "--password", "second password!"]
    )
    assert result.exit_code == 0, result.output
    assert login(client, "cli-rep", "first password!").status_code == 401
    assert login(client, "cli-rep", "second password!").status_code == 200


def test_cli_refuses_a_common_password_in_one_line(app, org):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "reset-password", "rep-n1a", "--password", "password123"])
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert "Error:" in result.output and "Traceback" not in result.output


def test_cli_rejects_an_unknown_team(app, org):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "x-rep",
            "--full-name",
            "X",
            "--role",
            "rep",
            "--team",
            "Nope",
            "--password",
            "first password!",
        ]
    )
    assert result.exit_code != 0 and "no team named" in result.output
