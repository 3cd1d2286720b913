"""The demo territory, and the acceptance walk-through: each role sees its own slice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import Area, Brand, Product, Role, Store, Team, User
from backend.services.demo import DEMO_PASSWORD


@pytest.fixture
def demo(database):
    result = database.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_organisation(app, demo):
    with app.app_context():
        assert count(Area) == 1 and count(Team) == 2
        assert {r: count(User, User.role == r) for r in Role} == {
            Role.ADMIN: 1, Role.AREA_MANAGER: 1, Role.SUPERVISOR: 2, Role.REP: 8,
        }  # fmt: skip
        assert count(Store) == 300
        per_rep = db.session.execute(
            select(Store.rep_id, func.count()).group_by(Store.rep_id)
        ).all()
        assert len(per_rep) == 8 and all(30 <= n <= 38 for _, n in per_rep)
        assert count(Brand) == 4 and count(Brand, Brand.is_own) == 1
        assert count(Product) >= 15
        channels = db.session.scalars(select(Store.channel).distinct()).all()
        assert len(channels) == 3
    for username in ("admin", "manager", "sup-east", "sup-west", "rep-1", "rep-8"):
        assert username in demo
    assert DEMO_PASSWORD in demo


def test_demo_load_refuses_a_non_empty_database_unless_if_empty(app, demo):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "load"]).exit_code != 0
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0


def login(client, username):
    response = client.post(
        "/api/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.json['token']}"}


def store_ids(client, headers):
    ids, page = set(), 1
    while True:
        body = client.get(f"/api/stores?per_page=200&page={page}", headers=headers).json
        ids |= {s["id"] for s in body["items"]}
        if page >= body["meta"]["pages"]:
            return ids
        page += 1


def test_each_demo_role_sees_its_slice(app, client, demo):
    with app.app_context():
        rep = db.session.scalars(select(User).where(User.username == "rep-1")).one()
        own = set(db.session.scalars(select(Store.id).where(Store.rep_id == rep.id)))
        team = set(db.session.scalars(select(Store.id).where(Store.team_id == rep.team_id)))
        supervisor = db.session.scalars(
            select(User.username).where(User.role == Role.SUPERVISOR, User.team_id == rep.team_id)
        ).one()
    assert store_ids(client, login(client, "rep-1")) == own
    assert store_ids(client, login(client, supervisor)) == team
    assert len(store_ids(client, login(client, "manager"))) == 300
    assert len(own) < len(team) < 300
