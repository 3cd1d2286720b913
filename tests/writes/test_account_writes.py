"""User writes through the executor: a replay creates the user once; a failure leaves no user.

No user write is counted in a report table, so they stay as they were even when it succeeds.
"""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.models import User
from tests.writes.write_helpers import assert_replays, assert_rolls_back, count


def new_user(org, username: str) -> dict:
    return {"username": username, "full_name": "New", "role": "rep", "team_id": org.team["N1"],
            "password": "long enough password"}  # fmt: skip


def test_a_user_replayed_under_its_key_is_created_once(app, client, org, tokens):
    admin = tokens.headers("admin")

    def send(extra, username="x-new"):
        return client.post("/api/users", json=new_user(org, username), headers={**admin, **extra})

    first = assert_replays(send, lambda k: send(k, "x-other"), 201)
    with app.app_context():
        found = db.session.scalars(select(User.id).where(User.username == "x-new")).all()
    assert found == [first.json["id"]]
    assert send({}).status_code == 409  # without a key, as before: the name is taken
    assert send({}, "x-third").status_code == 201


def test_a_failed_user_creation_leaves_no_user(app, client, org, tokens, day, monkeypatch):
    admin = tokens.headers("admin")
    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.accounts.create_user",
        lambda k: client.post("/api/users", json=new_user(org, "x-new"), headers={**admin, **k}),
        lambda: count(User),
        changes_reports=False,
    )
