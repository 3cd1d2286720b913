"""Complaints: at a visit (a visit operation, idempotent by uuid, offline too) or by a lead;
status and resolution by leads; the list in scope; the complaints report's exact figures."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest

from backend.extensions import db
from backend.models import Complaint, ComplaintCategory, ComplaintStatus, utcnow
from tests.api.visit_helpers import check_in, check_in_body, minutes_ago, store_position

TEXT = "Two bottles in the last case were leaking."


def complaint_body(**extra):
    return {"uuid": str(uuid.uuid4()), "category": "product_quality", "text": TEXT, **extra}


def open_visit(app, client, tokens, org, rep="rep-n1a", store="n1-a"):
    headers = tokens.headers(rep)
    return check_in(client, headers, app, org.store[store], minutes_ago(10)).json, headers


def test_a_rep_records_a_complaint_at_the_visit_once_per_uuid(app, client, org, tokens):
    visit, headers = open_visit(app, client, tokens, org)
    body = complaint_body()
    path = f"/api/visits/{visit['id']}/complaints"
    first = client.post(path, json=body, headers=headers)
    assert first.status_code == 201, first.json
    c = first.json
    assert {k: c[k] for k in c if k not in ("id", "opened_at")} == {
        "uuid": body["uuid"], "store_id": org.store["n1-a"], "store_name": "Store n1-a",
        "team_id": org.team["N1"], "visit_id": visit["id"], "category": "product_quality",
        "text": TEXT, "status": "open", "resolution": None, "resolved_at": None,
        "created_by_id": org.user["rep-n1a"], "created_by_name": "Rep-N1A",
        "resolved_by_id": None, "resolved_by_name": None,
    }  # fmt: skip
    again = client.post(path, json={**body, "text": "Sent twice."}, headers=headers)
    assert again.status_code == 200 and again.json == c
    with app.app_context():
        assert db.session.query(Complaint).count() == 1
    other_visit, other = open_visit(app, client, tokens, org, "rep-n1b", "n1-b")
    taken = client.post(f"/api/visits/{other_visit['id']}/complaints", json=body, headers=other)
    assert taken.status_code == 409 and taken.json["reason"] == "uuid_taken"
    # Only the visit's rep writes at it, and not once it is checked out.
    assert client.post(path, json=complaint_body(), headers=other).status_code == 404
    client.post(f"/api/visits/{visit['id']}/checkout",
                json={"device_time": minutes_ago(1).isoformat()}, headers=headers)  # fmt: skip
    late = client.post(path, json=complaint_body(), headers=headers)
    assert late.status_code == 409 and late.json["reason"] == "visit_closed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"uuid": None}, "uuid"),
        ({"uuid": "not-a-uuid"}, "uuid"),
        ({"category": "weather"}, "category"),
        ({"text": ""}, "text"),
        ({"text": "x" * 2001}, "text"),
    ],
)
def test_bad_complaints_are_422_naming_the_field(app, client, org, tokens, change, field):
    visit, headers = open_visit(app, client, tokens, org)
    body = {k: v for k, v in {**complaint_body(), **change}.items() if v is not None}
    response = client.post(f"/api/visits/{visit['id']}/complaints", json=body, headers=headers)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_an_offline_visit_sends_its_complaint_and_note_in_the_batch(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    visit_uuid = str(uuid.uuid4())
    store = org.store["n1-a"]
    ops = [
        {"key": str(uuid.uuid4()), "op": "check_in",
         "body": {**check_in_body(store, store_position(app, store), minutes_ago(40)),
                  "uuid": visit_uuid}},
        {"key": str(uuid.uuid4()), "op": "complaint", "visit": visit_uuid,
         "body": complaint_body(category="delivery")},
        {"key": str(uuid.uuid4()), "op": "check_out", "visit": visit_uuid,
         "body": {"device_time": minutes_ago(30).isoformat(), "note": "Owner away; buyer met."}},
    ]  # fmt: skip
    result = client.post("/api/sync", json={"operations": ops}, headers=headers).json
    assert [r["status"] for r in result["results"]] == [201, 201, 200]
    visit_id = result["results"][0]["body"]["id"]
    assert result["results"][1]["body"]["visit_id"] == visit_id
    detail = client.get(f"/api/visits/{visit_id}", headers=headers).json
    assert detail["note"] == "Owner away; buyer met."
    again = client.post("/api/sync", json={"operations": ops}, headers=headers).json
    assert [r["replayed"] for r in again["results"]] == [True, True, True]
    listed = client.get("/api/complaints", headers=headers).json
    assert [(c["visit_id"], c["category"]) for c in listed["items"]] == [(visit_id, "delivery")]


def test_leads_record_complaints_for_stores_in_scope(client, org, tokens):
    headers = tokens.headers("sup-n1")
    body = {"store_id": org.store["n1-b"], "category": "service", "text": "Phoned: no cooler."}
    made = client.post("/api/complaints", json=body, headers=headers)
    assert made.status_code == 201, made.json
    assert (made.json["visit_id"], made.json["created_by_name"], made.json["status"]) == (
        None, "Sup-N1", "open",
    )  # fmt: skip
    assert uuid.UUID(made.json["uuid"])
    keyed = {**body, "uuid": str(uuid.uuid4())}
    first = client.post("/api/complaints", json=keyed, headers=headers).json
    assert client.post("/api/complaints", json=keyed, headers=headers).json["id"] == first["id"]
    outside = client.post(
        "/api/complaints", json={**body, "store_id": org.store["n2-a"]}, headers=headers
    )
    assert outside.status_code == 422 and "store_id" in outside.json["errors"]["json"]
    refused = client.post("/api/complaints", json=body, headers=tokens.headers("rep-n1b"))
    assert refused.status_code == 403


def test_leads_work_a_complaint_to_its_resolution(client, org, tokens):
    sup = tokens.headers("sup-n1")
    body = {"store_id": org.store["n1-a"], "category": "pricing", "text": "Invoice too high."}
    complaint = client.post("/api/complaints", json=body, headers=sup).json
    path = f"/api/complaints/{complaint['id']}"
    started = client.patch(path, json={"status": "in_progress"}, headers=sup).json
    assert (started["status"], started["resolved_at"]) == ("in_progress", None)
    bare = client.patch(path, json={"status": "resolved"}, headers=sup)
    assert bare.status_code == 422 and bare.json["reason"] == "resolution_required"
    blank = client.patch(path, json={"status": "resolved", "resolution": "  "}, headers=sup)
    assert blank.status_code == 422
    before = utcnow()
    done = client.patch(
        path,
        json={"status": "resolved", "resolution": "Credited."},
        headers=tokens.headers("admin"),
    ).json
    resolved = ("status", "resolution", "resolved_by_id", "resolved_by_name")
    assert tuple(done[k] for k in resolved) == (
        "resolved", "Credited.", org.user["admin"], "Admin",
    )  # fmt: skip
    assert before <= datetime.fromisoformat(done["resolved_at"]) <= utcnow()
    # Editing the resolution keeps the stamp; reopening clears it and keeps the text.
    edited = client.patch(path, json={"resolution": "Credited 600."}, headers=sup).json
    assert (edited["resolved_at"], edited["resolved_by_id"]) == (
        done["resolved_at"], org.user["admin"],
    )  # fmt: skip
    reopened = client.patch(path, json={"status": "open"}, headers=sup).json
    assert (reopened["status"], reopened["resolution"], reopened["resolved_at"]) == (
        "open", "Credited 600.", None,
    )  # fmt: skip
    assert (
        client.patch(path, json={"status": "open"}, headers=tokens.headers("rep-n1a")).status_code
        == 403
    )
    assert (
        client.patch(path, json={"status": "open"}, headers=tokens.headers("sup-n2")).status_code
        == 404
    )
    assert client.get(path, headers=tokens.headers("mgr-south")).status_code == 404
    assert client.get(path, headers=tokens.headers("rep-n1a")).json["id"] == complaint["id"]


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


# The report week: Mon 2026-11-16 to Sun 2026-11-22 in Tokyo = [11-15 15:00, 11-22 15:00) UTC.
# (name, store, category, opened, resolved, status)
HISTORY = [
    ("c1", "n1-a", "delivery", at(16, 1), at(16, 3), "resolved"),  # 2 h
    ("c2", "n1-b", "delivery", at(17, 1), at(17, 5), "resolved"),  # 4 h
    ("c3", "n2-a", "pricing", at(18, 0), at(18, 9), "resolved"),  # 9 h
    ("c4", "n1-a", "pricing", at(15, 14), at(16, 0), "resolved"),  # opened the day before: 10 h
    ("c5", "n1-a", "service", at(22, 15, 30), None, "open"),  # opened the Monday after
    ("c6", "s1-a", "delivery", at(19, 0), None, "in_progress"),
    ("c7", "n2-a", "delivery", at(20, 0), at(23, 0), "resolved"),  # resolved the week after
]


@pytest.fixture
def history(app, org):
    with app.app_context():
        ids = {}
        for name, store, category, opened, resolved, status in HISTORY:
            c = Complaint(
                uuid=str(uuid.uuid4()), store_id=org.store[store], text=f"{name} text",
                category=ComplaintCategory(category), status=ComplaintStatus(status),
                opened_at=opened, resolved_at=resolved, created_by_id=org.user["sup-n1"],
                resolved_by_id=org.user["sup-n1"] if resolved else None,
                resolution="Done." if resolved else None,
            )  # fmt: skip
            db.session.add(c)
            db.session.flush()
            ids[name] = c.id
        db.session.commit()
        return ids


def times(opened, resolved, open_now, mean, median):
    return {"opened": opened, "resolved": resolved, "open_now": open_now,
            "mean_hours_to_resolve": mean, "median_hours_to_resolve": median}  # fmt: skip


WEEK = "/api/reports/complaints?period=week&date=2026-11-16"


def test_report_by_category_counts_the_period_and_times_to_resolve(client, org, tokens, history):
    report = client.get(WEEK, headers=tokens.headers("admin")).json
    assert report["period"] == {"from": "2026-11-16", "to": "2026-11-22"}
    assert report["group_by"] == "category"
    assert report["groups"] == [
        {"key": "delivery", "name": "delivery", **times(4, 2, 1, 3.0, 3.0)},
        {"key": "pricing", "name": "pricing", **times(1, 2, 0, 9.5, 9.5)},
        {"key": "service", "name": "service", **times(0, 0, 1, None, None)},
    ]
    assert report["total"] == times(5, 4, 2, 6.25, 6.5)
    before = utcnow()
    opened = [(o["id"], o["store_name"], o["team_name"], o["category"], o["status"], o["text"])
              for o in report["open"]]  # fmt: skip
    assert opened == [
        (history["c6"], "Store s1-a", "S1", "delivery", "in_progress", "c6 text"),
        (history["c5"], "Store n1-a", "N1", "service", "open", "c5 text"),
    ]
    age = report["open"][1]["age_days"]
    assert round((before - at(22, 15, 30)).total_seconds() / 86400, 1) - 0.1 <= age
    assert age <= round((utcnow() - at(22, 15, 30)).total_seconds() / 86400, 1)


def test_report_by_team_and_within_a_managers_area(client, org, tokens, history):
    report = client.get(WEEK + "&group_by=team", headers=tokens.headers("admin")).json
    team = org.team
    assert report["groups"] == [
        {"key": str(team["N1"]), "name": "N1", **times(2, 3, 1, 5.33, 4.0)},
        {"key": str(team["N2"]), "name": "N2", **times(2, 1, 0, 9.0, 9.0)},
        {"key": str(team["S1"]), "name": "S1", **times(1, 0, 1, None, None)},
    ]
    north = client.get(WEEK, headers=tokens.headers("mgr-north")).json
    assert north["total"] == times(4, 4, 1, 6.25, 6.5)
    assert [o["id"] for o in north["open"]] == [history["c5"]]
    n2 = client.get(WEEK + f"&team_id={team['N2']}", headers=tokens.headers("mgr-north")).json
    assert n2["total"] == times(2, 1, 0, 9.0, 9.0)
    assert client.get(WEEK + f"&team_id={team['N2']}",
                      headers=tokens.headers("sup-n1")).status_code == 404  # fmt: skip
    assert client.get(WEEK, headers=tokens.headers("rep-n1a")).status_code == 403


def test_report_exports_the_same_figures(client, org, tokens, history):
    response = client.get(WEEK.replace("complaints?", "complaints.csv?"),
                          headers=tokens.headers("admin"))  # fmt: skip
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["section"], r["opened"], r["resolved"]) for r in rows if r["section"] != "open"] == [
        ("groups", "4", "2"), ("groups", "1", "2"), ("groups", "0", "0"), ("total", "5", "4"),
    ]  # fmt: skip
    assert [r["id"] for r in rows if r["section"] == "open"] == [
        str(history["c6"]), str(history["c5"]),
    ]  # fmt: skip


def test_the_list_filters_in_scope(client, org, tokens, history):
    def ids(query, user="admin"):
        page = client.get(f"/api/complaints?{query}", headers=tokens.headers(user)).json
        return [c["id"] for c in page["items"]]

    h = history
    assert ids("") == [h["c5"], h["c7"], h["c6"], h["c3"], h["c2"], h["c1"], h["c4"]]
    assert ids("status=open") == [h["c5"]]
    assert ids("category=pricing") == [h["c3"], h["c4"]]
    assert ids(f"store_id={org.store['n1-a']}") == [h["c5"], h["c1"], h["c4"]]
    assert ids(f"team_id={org.team['N2']}") == [h["c7"], h["c3"]]
    assert ids("per_page=2&page=2") == [h["c6"], h["c3"]]
    assert ids("", "sup-n2") == [h["c7"], h["c3"]]
    assert ids("", "rep-n1b") == [h["c2"]]
    assert ids("", "mgr-south") == [h["c6"]]
    bad = client.get("/api/complaints?status=closed", headers=tokens.headers("admin"))
    assert bad.status_code == 422 and "status" in bad.json["errors"]["query"]
