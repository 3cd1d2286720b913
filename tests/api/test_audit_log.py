"""The audit log: every audited action leaves exactly one entry with who, when, what and from
where; admins read it at /api/audit; nothing changes or removes an entry (ORM, API, raw SQL)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from backend.extensions import db
from backend.models import AuditEntry
from backend.models.audit import AuditEntryChanged
from backend.services import audit
from backend.writes import execute
from tests.org_factory import PASSWORD

AGENT = {"User-Agent": "AuditTest/1.0", "X-Request-ID": "req-audit-1"}


def entries(app, action=None):
    with app.app_context():
        stmt = sa.select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            stmt = stmt.where(AuditEntry.action == action)
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return rows


def only(app, action):
    """The one entry of `action` (and no other entry of any action)."""
    rows = entries(app)
    assert [r.action for r in rows] == [action], [(r.action, r.detail) for r in rows]
    return rows[0]


def login(client, username, password=PASSWORD):
    return client.post(
        "/api/auth/login", json={"username": username, "password": password}, headers=AGENT
    )


def test_a_sign_in_records_who_when_and_from_where(client, org):
    assert login(client, "rep-n1a").status_code == 200
    entry = only(client.application, "sign_in")
    assert (entry.actor_id, entry.actor_username) == (org.user["rep-n1a"], "rep-n1a")
    assert (entry.subject_type, entry.subject_id) == ("user", str(org.user["rep-n1a"]))
    assert (entry.remote_addr, entry.user_agent, entry.request_id) == (
        "127.0.0.1", "AuditTest/1.0", "req-audit-1",
    )  # fmt: skip
    assert entry.at is not None and entry.at.tzinfo is not None


def test_a_refused_sign_in_is_recorded_after_the_refusal(client, org):
    assert login(client, "rep-n1a", "wrong password").status_code == 401
    entry = only(client.application, "sign_in_failed")
    assert entry.actor_id is None
    assert entry.subject_id == str(org.user["rep-n1a"])
    assert entry.detail == {"username": "rep-n1a"}
    assert entry.request_id == "req-audit-1"
    assert login(client, "nobody", "x").status_code == 401
    unknown = entries(client.application, "sign_in_failed")[-1]
    assert (unknown.subject_id, unknown.detail) == (None, {"username": "nobody"})


def test_user_creation_and_changes_are_recorded(client, org, tokens):
    admin = tokens.headers("admin")
    body = {"username": "rep-new", "full_name": "New Rep", "role": "rep",
            "team_id": org.team["N1"], "password": "a long new password 1"}  # fmt: skip
    created = client.post("/api/users", json=body, headers=admin)
    assert created.status_code == 201, created.json
    entry = only(client.application, "user_created")
    assert (entry.actor_username, entry.subject_id) == ("admin", str(created.json["id"]))
    assert entry.detail["user"]["role"] == "rep"
    assert "password" not in str(entry.detail) and "hash" not in str(entry.detail)

    user_url = f"/api/users/{created.json['id']}"
    cases = [
        ({"full_name": "Renamed Rep"}, "user_changed", "full_name"),
        ({"team_id": org.team["N2"]}, "user_changed", "team_id"),
        ({"active": False}, "user_changed", "active"),
        ({"role": "supervisor", "team_id": org.team["N1"]}, "role_changed", "role"),
    ]
    for changes, action, field in cases:
        before = len(entries(client.application))
        assert client.patch(user_url, json=changes, headers=admin).status_code == 200
        new = entries(client.application)[before:]
        assert [e.action for e in new] == [action], changes
        assert field in new[0].detail["changes"]
        assert new[0].actor_username == "admin"
    before = len(entries(client.application))
    assert client.patch(user_url, json={"password": "another long one 2"},
                        headers=admin).status_code == 200  # fmt: skip
    new = entries(client.application)[before:]
    assert [(e.action, e.detail) for e in new] == [("password_reset", {"own": False})]
    before = len(entries(client.application))
    assert (
        client.patch(user_url, json={"full_name": "Renamed Rep"}, headers=admin).status_code == 200
    )
    assert len(entries(client.application)) == before  # nothing changed, nothing recorded


def test_own_password_change_is_recorded(client, org, tokens):
    body = {"current_password": PASSWORD, "new_password": "my own new password 3"}
    response = client.post("/api/auth/password", json=body, headers=tokens.headers("rep-n1a"))
    assert response.status_code == 200, response.json
    entry = only(client.application, "password_reset")
    assert (entry.actor_username, entry.detail) == ("rep-n1a", {"own": True})


def test_exports_are_recorded(client, org, tokens):
    sup = tokens.headers("sup-n1")
    stores = client.get("/api/stores/export.csv?active=true", headers=sup)
    assert stores.status_code == 200
    entry = only(client.application, "export")
    assert (entry.actor_username, entry.subject_type, entry.subject_id) == (
        "sup-n1", "export", "stores",
    )  # fmt: skip
    assert entry.detail == {"format": "csv", "filters": {"active": True}, "rows": 3}
    for fmt in ("csv", "xlsx"):
        report = client.get(f"/api/reports/kpis.{fmt}?period=week", headers=sup)
        assert report.status_code == 200, report.data[:200]
        last = entries(client.application, "export")[-1]
        assert (last.subject_id, last.detail["format"]) == ("kpis", fmt)
        assert last.detail["filters"]["period"] == "week"
    assert len(entries(client.application)) == 3


def csv_upload(text, **fields):
    return {"file": (io.BytesIO(text.encode()), "stores.csv"), **fields}


IMPORT_CSV = (
    "code,name,channel,tier,address,lat,lng,visit_minutes,team,rep\n"
    "imp-1,Imported,modern,B,Somewhere 1,35.66,139.77,20,N1,rep-n1a\n"
)


def test_an_import_is_recorded_and_a_dry_run_is_not(client, org, tokens):
    sup = tokens.headers("sup-n1")
    dry = client.post("/api/stores/import", data=csv_upload(IMPORT_CSV, dry_run="true"),
                      headers=sup, content_type="multipart/form-data")  # fmt: skip
    assert dry.status_code == 200, dry.json
    assert entries(client.application) == []
    real = client.post("/api/stores/import", data=csv_upload(IMPORT_CSV), headers=sup,
                       content_type="multipart/form-data")  # fmt: skip
    assert real.status_code == 200, real.json
    entry = only(client.application, "import")
    assert entry.actor_username == "sup-n1"
    assert {k: entry.detail[k] for k in ("rows", "created", "updated")} == {
        "rows": 1, "created": 1, "updated": 0,
    }  # fmt: skip


def test_reassignments_are_recorded_and_dry_runs_are_not(client, org, tokens):
    sup = tokens.headers("sup-n1")
    body = {"store_ids": [org.store["n1-a"], org.store["n1-free"]], "rep_id": org.user["rep-n1b"]}
    assert client.post("/api/stores/reassign", json={**body, "dry_run": True},
                       headers=sup).status_code == 200  # fmt: skip
    assert entries(client.application) == []
    assert client.post("/api/stores/reassign", json=body, headers=sup).status_code == 200
    entry = only(client.application, "reassign")
    moves = {m["store_id"]: (m["from_rep_id"], m["to_rep_id"]) for m in entry.detail["stores"]}
    assert moves == {
        org.store["n1-a"]: (org.user["rep-n1a"], org.user["rep-n1b"]),
        org.store["n1-free"]: (None, org.user["rep-n1b"]),
    }
    patch = client.patch(f"/api/stores/{org.store['n1-b']}", json={"rep_id": None}, headers=sup)
    assert patch.status_code == 200, patch.json
    single = entries(client.application, "reassign")[-1]
    assert single.subject_id == str(org.store["n1-b"])
    assert single.detail["stores"][0]["from_rep_id"] == org.user["rep-n1b"]


def test_every_plan_revision_is_recorded(client, org, tokens):
    from tests.api.plan_helpers import next_monday, plan_stores

    plan_stores(client, org, tokens)
    before = len(entries(client.application))
    sup = tokens.headers("sup-n1")
    body = {"rep_id": org.user["rep-n1a"], "plan_date": next_monday().isoformat()}
    plan = client.post("/api/plans", json=body, headers=sup)
    assert plan.status_code == 201, plan.json
    published = client.post(f"/api/plans/{plan.json['id']}/publish", json={"reason": "Ready"},
                            headers=sup)  # fmt: skip
    assert published.status_code == 200, published.json
    new = entries(client.application)[before:]
    assert [(e.action, e.detail["revision"], e.detail["kind"]) for e in new] == [
        ("plan_revised", 1, "created"), ("plan_revised", 2, "published"),
    ]  # fmt: skip
    assert {e.subject_id for e in new} == {str(plan.json["id"])}
    assert new[1].detail["reason"] == "Ready" and new[1].actor_username == "sup-n1"


def test_a_system_entry_outside_a_request_has_no_origin(app, ctx):
    entry = execute(
        lambda: audit.record(
            audit.Action.PHOTO_DELETED, actor=None, subject_type="photo", detail={"count": 2}
        )
    )
    stored = db.session.get(AuditEntry, entry.id)
    assert (stored.actor_id, stored.remote_addr, stored.user_agent, stored.request_id) == (
        None, None, None, None,
    )  # fmt: skip
    assert (stored.action, stored.detail) == ("photo_deleted", {"count": 2})


def test_admins_read_the_log_newest_first_with_filters(client, org, tokens):
    for username in ("rep-n1a", "sup-n1", "rep-n1a"):
        assert login(client, username).status_code == 200
    assert login(client, "rep-n1a", "wrong").status_code == 401
    admin = tokens.headers("admin")
    page = client.get("/api/audit?per_page=2", headers=admin)
    assert page.status_code == 200, page.json
    assert page.json["meta"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    first = page.json["items"][0]
    assert first["action"] == "sign_in_failed" and first["actor"] is None
    assert set(first) == {"id", "at", "actor", "action", "subject_type", "subject_id", "detail",
                          "remote_addr", "user_agent", "request_id"}  # fmt: skip
    rep = org.user["rep-n1a"]
    mine = client.get(f"/api/audit?actor_id={rep}&action=sign_in", headers=admin).json
    assert [i["actor"] for i in mine["items"]] == [{"id": rep, "username": "rep-n1a"}] * 2
    assert client.get("/api/audit?until=2000-01-01", headers=admin).json["meta"]["total"] == 0
    ranged = client.get(f"/api/audit?since=2000-01-01&subject_id={rep}", headers=admin).json
    assert ranged["meta"]["total"] == 3
    one = client.get(f"/api/audit/{first['id']}", headers=admin)
    assert one.status_code == 200 and one.json == first
    assert client.get("/api/audit/999999", headers=admin).status_code == 404
    bad = client.get("/api/audit?since=2026-02-02&until=2026-01-01", headers=admin)
    assert bad.status_code == 422 and "since" in str(bad.json)
    assert client.get("/api/audit?action=nonsense", headers=admin).status_code == 422


@pytest.mark.parametrize("username", ["rep-n1a", "sup-n1", "mgr-north"])
def test_only_admins_read_the_log(client, org, tokens, username):
    headers = tokens.headers(username)
    assert client.get("/api/audit", headers=headers).status_code == 403
    assert client.get("/api/audit/1", headers=headers).status_code == 403
    assert client.get("/api/audit").status_code == 401


def test_no_endpoint_changes_an_entry(client, org, tokens):
    login(client, "rep-n1a")
    entry_id = entries(client.application)[0].id
    admin = tokens.headers("admin")
    for method in ("put", "patch", "delete"):
        for url in (f"/api/audit/{entry_id}", "/api/audit"):
            response = getattr(client, method)(url, json={"action": "export"}, headers=admin)
            assert response.status_code == 405, (method, url)
    assert client.post("/api/audit", json={}, headers=admin).status_code == 405
    assert only(client.application, "sign_in").detail == {}


def test_the_orm_refuses_to_change_or_delete_an_entry(client, org):
    login(client, "rep-n1a")
    app = client.application
    with app.app_context():
        entry = db.session.scalars(sa.select(AuditEntry)).one()
        entry.detail = {"forged": True}
        with pytest.raises(AuditEntryChanged):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalars(sa.select(AuditEntry)).one()
        db.session.delete(entry)
        with pytest.raises(AuditEntryChanged):
            db.session.flush()
        db.session.rollback()
    assert only(app, "sign_in").detail == {}


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entries SET detail = '{}', actor_username = 'someone else'",
     "DELETE FROM audit_entries"],
)  # fmt: skip
def test_the_database_refuses_raw_updates_and_deletes(client, org, statement):
    login(client, "rep-n1a")
    app = client.application
    with app.app_context():
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
    entry = only(app, "sign_in")
    assert entry.actor_username == "rep-n1a"
