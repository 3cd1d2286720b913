"""The visit detail carries what the supervisor's screen shows beyond the visit's own records:
the follow-ups of earlier visits' near-expiry items, the complaints made at the visit, and the
rep's note — each exactly, and only those of that visit."""

from __future__ import annotations

import uuid
from datetime import timedelta

from backend.extensions import db
from backend.models import ExpiryAction, NearExpiry
from tests.api.visit_helpers import catalogue, check_in, local_today, minutes_ago
from tests.reports_factory import History


def noted(app, org, products):
    """Two near-expiry items noted at an earlier visit to n1-a; returns their ids."""
    today = local_today()
    with app.app_context():
        earlier = History(org).visit("rep-n1a", "n1-a", today - timedelta(days=4), "09:00", 20)
        items = [
            NearExpiry(visit_id=earlier.id, product_id=products[0], quantity=6,
                       expiry_date=today + timedelta(days=3), action=ExpiryAction.MOVED_TO_FRONT),
            NearExpiry(visit_id=earlier.id, product_id=products[1], quantity=2,
                       expiry_date=today - timedelta(days=1)),
        ]  # fmt: skip
        db.session.add_all(items)
        db.session.commit()
        return [i.id for i in items], today


def test_the_detail_shows_follow_ups_complaints_and_the_note(app, client, org, tokens):
    cat = catalogue(app)
    (kept, expired), today = noted(app, org, cat.products)
    rep = tokens.headers("rep-n1a")
    visit = check_in(client, rep, app, org.store["n1-a"], minutes_ago(15)).json
    path = f"/api/visits/{visit['id']}"
    outcomes = [
        {"near_expiry_id": kept, "outcome": "still_on_shelf", "quantity": 4},
        {"near_expiry_id": expired, "outcome": "expired_on_shelf", "quantity": 2},
    ]
    put = client.put(f"{path}/expiry-followups", json={"items": outcomes}, headers=rep)
    assert put.status_code == 200, put.json
    body = {"uuid": str(uuid.uuid4()), "category": "delivery", "text": "Late <b>again</b>."}
    assert client.post(f"{path}/complaints", json=body, headers=rep).status_code == 201
    # A complaint at another visit is not this visit's.
    other = check_in(client, tokens.headers("rep-n1b"), app, org.store["n1-b"], minutes_ago(9))
    other_body = {"uuid": str(uuid.uuid4()), "category": "pricing", "text": "Too dear."}
    assert client.post(f"/api/visits/{other.json['id']}/complaints", json=other_body,
                       headers=tokens.headers("rep-n1b")).status_code == 201  # fmt: skip
    leaving = {"device_time": minutes_ago(1).isoformat(), "note": "Owner away."}
    out = client.post(f"{path}/checkout", json=leaving, headers=rep)
    assert out.status_code == 200, out.json

    got = client.get(path, headers=tokens.headers("sup-n1"))
    assert got.status_code == 200, got.json
    detail = got.json
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    assert [{k: v for k, v in f.items() if k != "id"} for f in detail["expiry_followups"]] == [
        {"near_expiry_id": kept, "product_id": cat.products[0], "noted_quantity": 6,
         "expiry_date": day(3), "action": "moved_to_front", "outcome": "still_on_shelf",
         "quantity": 4},
        {"near_expiry_id": expired, "product_id": cat.products[1], "noted_quantity": 2,
         "expiry_date": day(-1), "action": None, "outcome": "expired_on_shelf", "quantity": 2},
    ]  # fmt: skip
    complaints = detail["complaints"]
    assert [(c["uuid"], c["category"], c["text"], c["status"], c["visit_id"],
             c["created_by_name"], c["resolution"]) for c in complaints] == [
        (body["uuid"], "delivery", "Late <b>again</b>.", "open", visit["id"], "Rep-N1A", None)
    ]  # fmt: skip
    assert detail["note"] == "Owner away."
    assert detail["shelf_facings"] == []


def test_a_visit_without_them_has_empty_lists(app, client, org, tokens):
    rep = tokens.headers("rep-n1a")
    visit = check_in(client, rep, app, org.store["n1-a"], minutes_ago(5)).json
    got = client.get(f"/api/visits/{visit['id']}", headers=tokens.headers("sup-n1")).json
    assert (got["expiry_followups"], got["complaints"], got["note"]) == ([], [], None)
    assert (
        client.get(f"/api/visits/{visit['id']}", headers=tokens.headers("sup-n2")).status_code
        == 404
    )
