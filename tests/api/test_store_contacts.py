"""A store's contacts: the store embeds them, the primary first; leads and the store's rep keep
them, one primary always; the import/export's contact columns are the primary contact; and
migration 0017 turns the old contact columns into a primary contact and back."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from backend.extensions import db
from backend.services.store_contacts import MAX_CONTACTS
from tests.api.visit_helpers import local_today, publish_plan
from tests.test_migration_display_checks import insert, scratch_app  # noqa: F401

OWNER = {"name": "Ms Ono", "role": "owner", "phone": "+81 3-1111-2222"}
BUYER = {"name": "Mr Abe", "role": "buyer", "email": "abe@example.com", "note": "Tuesdays"}


def url(store_id, contact_id=None):
    return f"/api/stores/{store_id}/contacts" + (f"/{contact_id}" if contact_id else "")


def summary(contacts):
    return [(c["name"], c["role"], c["is_primary"]) for c in contacts]


def test_contacts_are_kept_with_one_primary(client, org, tokens):
    headers = tokens.headers("sup-n1")
    store = org.store["n1-a"]
    owner = client.post(url(store), json=OWNER, headers=headers)
    assert owner.status_code == 201, owner.json
    body = owner.json
    assert {k: body[k] for k in ("store_id", "name", "role", "phone", "email", "note")} == {
        "store_id": store, "name": "Ms Ono", "role": "owner", "phone": "+81 3-1111-2222",
        "email": None, "note": None,
    }  # fmt: skip
    assert body["is_primary"] is True  # the store's first contact
    buyer = client.post(url(store), json=BUYER, headers=headers).json
    assert buyer["is_primary"] is False
    listed = client.get(url(store), headers=headers).json
    assert summary(listed) == [("Ms Ono", "owner", True), ("Mr Abe", "buyer", False)]
    assert client.get(f"/api/stores/{store}", headers=headers).json["contacts"] == listed
    items = client.get("/api/stores?q=n1-a", headers=headers).json["items"]
    assert [summary(s["contacts"]) for s in items] == [summary(listed)]

    moved = client.patch(url(store, buyer["id"]), json={"is_primary": True}, headers=headers)
    assert moved.status_code == 200 and moved.json["is_primary"] is True
    assert summary(client.get(url(store), headers=headers).json) == [
        ("Mr Abe", "buyer", True), ("Ms Ono", "owner", False),
    ]  # fmt: skip
    refused = client.patch(url(store, buyer["id"]), json={"is_primary": False}, headers=headers)
    assert refused.status_code == 409 and refused.json["reason"] == "primary_contact_needed"
    edited = client.patch(
        url(store, owner.json["id"]),
        json={"phone": None, "role": "decision_maker"},
        headers=headers,
    ).json
    assert (edited["phone"], edited["role"], edited["is_primary"]) == (
        None,
        "decision_maker",
        False,
    )

    assert client.delete(url(store, buyer["id"]), headers=headers).status_code == 204
    assert summary(client.get(url(store), headers=headers).json) == [
        ("Ms Ono", "decision_maker", True),
    ]  # the oldest contact left is primary now
    assert client.delete(url(store, owner.json["id"]), headers=headers).status_code == 204
    assert client.get(url(store), headers=headers).json == []


def test_a_new_primary_contact_takes_the_mark(client, org, tokens):
    headers = tokens.headers("admin")
    store = org.store["n2-a"]
    client.post(url(store), json=OWNER, headers=headers)
    client.post(url(store), json={**BUYER, "is_primary": True}, headers=headers)
    assert summary(client.get(url(store), headers=headers).json) == [
        ("Mr Abe", "buyer", True), ("Ms Ono", "owner", False),
    ]  # fmt: skip


def test_the_stores_rep_and_leads_keep_contacts_others_read_or_see_nothing(client, org, tokens):
    store = org.store["n1-a"]
    mine = client.post(url(store), json=OWNER, headers=tokens.headers("rep-n1a"))
    assert mine.status_code == 201
    contact = mine.json["id"]
    # A teammate sees no store of another rep's; a lead of the area changes it.
    assert client.get(url(store), headers=tokens.headers("rep-n1b")).status_code == 404
    patched = client.patch(url(store, contact), json={"name": "Mrs Ono"},
                           headers=tokens.headers("mgr-north"))  # fmt: skip
    assert patched.status_code == 200 and patched.json["name"] == "Mrs Ono"
    for outsider in ("sup-n2", "mgr-south", "rep-s1a"):
        headers = tokens.headers(outsider)
        assert client.get(url(store), headers=headers).status_code == 404
        assert client.post(url(store), json=BUYER, headers=headers).status_code == 404
        assert client.delete(url(store, contact), headers=headers).status_code == 404
    # A contact named under another store is not found there.
    other = org.store["n1-b"]
    wrong = client.patch(url(other, contact), json={"name": "X"}, headers=tokens.headers("sup-n1"))
    assert wrong.status_code == 404
    assert [c["name"] for c in client.get(url(store), headers=tokens.headers("admin")).json] == [
        "Mrs Ono"
    ]


def test_a_rep_keeps_only_their_own_stores_contacts(app, client, org, tokens):
    # n1-b is on rep-n1a's plan today: visible to them, but not theirs to keep.
    publish_plan(app, org.user["rep-n1a"], [org.store["n1-b"]], local_today())
    headers = tokens.headers("rep-n1a")
    assert client.get(url(org.store["n1-b"]), headers=headers).status_code == 200
    refused = client.post(url(org.store["n1-b"]), json=OWNER, headers=headers)
    assert refused.status_code == 403 and refused.json["reason"] == "not_your_store"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "owner"}, "name"),
        ({"name": "", "role": "owner"}, "name"),
        ({"name": "A", "role": "manager"}, "role"),
        ({"name": "A", "role": "owner", "email": "not-an-email"}, "email"),
        ({"name": "A", "role": "owner", "phone": "1" * 41}, "phone"),
        ({"name": "A", "role": "owner", "store_id": 3}, "store_id"),
    ],
)
def test_bad_contacts_are_422_naming_the_field(client, org, tokens, body, field):
    response = client.post(url(org.store["n1-a"]), json=body, headers=tokens.headers("admin"))
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_a_store_has_at_most_so_many_contacts(client, org, tokens):
    headers = tokens.headers("admin")
    store = org.store["s1-a"]
    for n in range(MAX_CONTACTS):
        added = client.post(url(store), json={**BUYER, "name": f"B{n}"}, headers=headers)
        assert added.status_code == 201
    refused = client.post(url(store), json=BUYER, headers=headers)
    assert refused.status_code == 409 and refused.json["reason"] == "too_many_contacts"


def import_csv(client, headers, text, **form):
    data = {"file": (io.BytesIO(text.encode()), "stores.csv"), **form}
    return client.post("/api/stores/import", data=data, headers=headers)


HEADER = "code,name,channel,tier,lat,lng,team,contact_name,contact_phone\n"


def test_the_import_sets_the_primary_contact_and_the_export_shows_it(client, org, tokens):
    headers = tokens.headers("admin")
    created = import_csv(
        client, headers, HEADER + "imp-1,Import One,modern,B,35.6,139.7,N1,Mr Kato,03-5555-0000\n"
    )
    assert created.status_code == 200, created.json
    store = client.get("/api/stores?q=imp-1", headers=headers).json["items"][0]
    assert [(c["name"], c["role"], c["phone"], c["is_primary"]) for c in store["contacts"]] == [
        ("Mr Kato", "other", "03-5555-0000", True)
    ]
    client.post(url(store["id"]), json=BUYER, headers=headers)
    # A phone alone changes the primary contact's phone; the other contacts stay.
    again = import_csv(client, headers, HEADER + "imp-1,Import One,modern,B,35.6,139.7,N1,,03-9\n")
    assert again.json["updated"] == 1
    contacts = client.get(url(store["id"]), headers=headers).json
    assert [(c["name"], c["phone"]) for c in contacts] == [("Mr Kato", "03-9"), ("Mr Abe", None)]
    exported = client.get("/api/stores/export.csv?q=imp-1", headers=headers).get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert (row["contact_name"], row["contact_phone"]) == ("Mr Kato", "03-9")


def test_an_import_row_with_a_phone_and_no_contact_to_give_it_to_is_refused(client, org, tokens):
    headers = tokens.headers("admin")
    rows = (
        HEADER
        + "imp-2,Import Two,modern,B,35.6,139.7,N1,,03-1\n"
        + f"imp-3,Import Three,modern,B,35.6,139.7,N1,{'x' * 121},\n"
    )
    report = import_csv(client, headers, rows, dry_run="true").json
    assert [(e["row"], e["column"], e["message"]) for e in report["errors"]] == [
        (2, "contact_name", "Required with contact_phone (no contact yet)."),
        (3, "contact_name", "Longer than maximum length 120."),
    ]


def test_migration_0017_moves_the_contact_columns_to_a_primary_contact(scratch_app):  # noqa: F811
    app = scratch_app
    with app.app_context():
        upgrade(revision="0016")
        with db.engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(conn)
            t = meta.tables
            common = {"channel": "modern", "tier": "A", "address": "", "lat": 35.0, "lng": 139.0,
                      "visit_minutes": 15, "active": True}  # fmt: skip
            insert(conn, t, "stores", code="a", name="A", contact_name="Ms Ono",
                   contact_phone="03-1", **common)  # fmt: skip
            insert(conn, t, "stores", code="b", name="B", contact_phone="03-2", **common)
            insert(conn, t, "stores", code="c", name="C", contact_name="", **common)
        upgrade(revision="0017")
        query = sa.text(
            "SELECT s.code, c.name, c.role, c.phone, c.is_primary FROM store_contacts c "
            "JOIN stores s ON s.id = c.store_id ORDER BY s.code"
        )
        with db.engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(query)]
            columns = {c["name"] for c in sa.inspect(conn).get_columns("stores")}
        assert rows == [("a", "Ms Ono", "other", "03-1", True), ("b", "", "other", "03-2", True)]
        assert {"contact_name", "contact_phone"}.isdisjoint(columns)
        downgrade(revision="0016")
        with db.engine.connect() as conn:
            back = conn.execute(
                sa.text("SELECT code, contact_name, contact_phone FROM stores ORDER BY code")
            )
            assert [tuple(r) for r in back] == [("a", "Ms Ono", "03-1"), ("b", None, "03-2"),
                                                ("c", None, None)]  # fmt: skip
            assert "store_contacts" not in sa.inspect(conn).get_table_names()
