"""Store and store-import writes through the executor: replays, and failures that roll back."""

from __future__ import annotations

import io

from sqlalchemy import select

from backend.extensions import db
from backend.models import Store
from tests.writes.write_helpers import HOURS, assert_replays, assert_rolls_back, count

HEADER = "code,name,channel,tier,address,lat,lng,visit_minutes,team,rep,hours"
ROW = (
    "{code},Store {code},modern,{tier},Chuo 1,35.66100,139.77100,15,N1,rep-n1a,mon-sat 08:00-20:00"
)


def csv(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows, ""]).encode()


def import_file(client, headers, content: bytes):
    data = {"file": (io.BytesIO(content), "stores.csv")}
    return client.post("/api/stores/import", data=data, headers=headers)


def store_fields(store_id: int):
    def observe():
        store = db.session.get(Store, store_id)
        return store.tier.value, store.channel.value

    return observe


def test_a_store_replayed_under_its_key_is_created_once(app, client, org, tokens):
    admin = tokens.headers("admin")
    body = {"code": "new-1", "name": "New", "channel": "modern", "tier": "B", "lat": 35.6,
            "lng": 139.7, "rep_id": org.user["rep-n1a"], "hours": HOURS}  # fmt: skip

    def send(extra, **changes):
        return client.post("/api/stores", json={**body, **changes}, headers={**admin, **extra})

    first = assert_replays(send, lambda k: send(k, tier="C"), 201)
    with app.app_context():
        assert db.session.scalars(select(Store.id).where(Store.code == "new-1")).all() == [
            first.json["id"]
        ]
    assert send({}).status_code == 409  # without a key, as before: the code is taken
    assert send({}, code="new-2").status_code == 201


def test_a_failed_store_change_leaves_the_day_as_it_was(app, client, tokens, day, monkeypatch):
    """The visited store's tier and channel group its display checks in the report."""
    admin = tokens.headers("admin")
    change = {"tier": "C", "channel": "traditional"}
    store = day.stores[0]
    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.stores.update_store",
        lambda k: client.patch(f"/api/stores/{store}", json=change, headers={**admin, **k}),
        store_fields(store),
    )


def test_a_failed_store_creation_leaves_no_store(app, client, org, tokens, day, monkeypatch):
    admin = tokens.headers("admin")
    body = {"code": "new-1", "name": "New", "channel": "modern", "tier": "B", "lat": 35.6,
            "lng": 139.7, "hours": HOURS}  # fmt: skip
    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.stores.create_store",
        lambda k: client.post("/api/stores", json=body, headers={**admin, **k}),
        lambda: count(Store),
        changes_reports=False,
    )


def test_an_import_replayed_under_its_key_runs_once(app, client, org, tokens):
    admin = tokens.headers("admin")
    content = csv(ROW.format(code="imp-1", tier="A"), ROW.format(code="imp-2", tier="B"))
    other = csv(ROW.format(code="imp-1", tier="C"))
    first = assert_replays(
        lambda k: import_file(client, {**admin, **k}, content),
        lambda k: import_file(client, {**admin, **k}, other),
        200,
    )
    assert (first.json["created"], first.json["updated"]) == (2, 0)
    with app.app_context():
        assert count(Store) == 5 + 2
    # Without a key, as before: the same file again updates the two stores.
    again = import_file(client, admin, content)
    assert (again.json["created"], again.json["updated"]) == (0, 2)


def test_a_failed_import_leaves_the_stores_and_the_day_as_they_were(
    app, client, tokens, day, monkeypatch
):
    """The import moves the visited store to tier C and adds a store."""
    admin = tokens.headers("admin")
    content = csv(ROW.format(code="d0", tier="C"), ROW.format(code="imp-1", tier="B"))
    visited = store_fields(day.stores[0])
    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.store_import.import_stores",
        lambda k: import_file(client, {**admin, **k}, content),
        lambda: (count(Store), visited()),
    )
