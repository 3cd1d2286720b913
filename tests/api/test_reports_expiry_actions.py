"""The near-expiry report by action with what expired on the shelf, and the returns report
(count, quantity, value by status and reason; pending ages), on known records."""

from __future__ import annotations

from datetime import date

import pytest

from backend.extensions import db
from backend.models import (
    ExpiryAction,
    ExpiryFollowUp,
    ExpiryOutcome,
    NearExpiry,
    ReturnRequest,
    ReturnStatus,
)
from tests.reports_factory import MON, NEXT_MON, WED, History

AS_OF = "2026-11-23"


@pytest.fixture
def known(app, org):
    """n1-a: Monday notes tea-1 10 (moved to front, expires 11-27) and tea-2 5 (no action,
    expires 11-24); next Monday's follow-up finds 4 of tea-1 expired on the shelf and tea-2
    sold. Returns: Mon 3 × tea-1 damaged (approved), Wed 2 × tea-2 recall and 1 × tea-1
    expired (both still requested); the south team's return stays out of North's report."""
    with app.app_context():
        h = History(org)
        cat = h.catalogue()
        mon = h.visit("rep-n1a", "n1-a", MON, "09:00", 20)
        wed = h.visit("rep-n1a", "n1-a", WED, "09:00", 20)
        later = h.visit("rep-n1a", "n1-a", NEXT_MON, "09:00", 20)
        south = h.visit("rep-s1a", "s1-a", WED, "09:00", 20)
        tea1 = NearExpiry(
            visit_id=mon.id,
            product_id=cat["tea-1"],
            quantity=10,
            expiry_date=date(2026, 11, 27),
            action=ExpiryAction.MOVED_TO_FRONT,
        )
        tea2 = NearExpiry(visit_id=mon.id, product_id=cat["tea-2"], quantity=5,
                          expiry_date=date(2026, 11, 24))  # fmt: skip
        db.session.add_all([tea1, tea2])
        db.session.flush()
        db.session.add_all([
            ExpiryFollowUp(visit_id=later.id, near_expiry_id=tea1.id,
                           outcome=ExpiryOutcome.EXPIRED_ON_SHELF, quantity=4),
            ExpiryFollowUp(visit_id=later.id, near_expiry_id=tea2.id, outcome=ExpiryOutcome.SOLD),
            ReturnRequest(visit_id=mon.id, product_id=cat["tea-1"], quantity=3, reason="damaged",
                          status=ReturnStatus.APPROVED),
            ReturnRequest(visit_id=wed.id, product_id=cat["tea-2"], quantity=2, reason="recall"),
            ReturnRequest(visit_id=wed.id, product_id=cat["tea-1"], quantity=1, reason="expired"),
            ReturnRequest(visit_id=south.id, product_id=cat["tea-1"], quantity=7,
                          reason="damaged"),
        ])  # fmt: skip
        h.commit()
        return cat


def get(client, tokens, user, name, **params):
    response = client.get(f"/api/reports/{name}", query_string=params, headers=tokens.headers(user))
    assert response.status_code == 200, response.json
    return response.json


def lot(quantity, value):
    return {"quantity": quantity, "value": value}


def test_expiry_by_action_with_expired_on_shelf(client, tokens, known):
    body = get(client, tokens, "mgr-north", "near-expiry", as_of="2026-11-18", group_by="action")
    assert body["expired_from"] == "2026-10-20"
    assert body["groups"] == [
        {"id": None, "name": "moved_to_front", "within_7_days": lot(0, 0.0),
         "within_30_days": lot(10, 1500.0), "expired_on_shelf": lot(0, 0.0)},
        {"id": None, "name": "none", "within_7_days": lot(5, 755.0),
         "within_30_days": lot(5, 755.0), "expired_on_shelf": lot(0, 0.0)},
    ]  # fmt: skip
    after = get(client, tokens, "mgr-north", "near-expiry", as_of=AS_OF, group_by="action")
    assert after["groups"] == [
        {"id": None, "name": "moved_to_front", "within_7_days": lot(10, 1500.0),
         "within_30_days": lot(10, 1500.0), "expired_on_shelf": lot(4, 600.0)},
        {"id": None, "name": "none", "within_7_days": lot(5, 755.0),
         "within_30_days": lot(5, 755.0), "expired_on_shelf": lot(0, 0.0)},
    ]  # fmt: skip
    assert after["total"]["expired_on_shelf"] == lot(4, 600.0)


def test_expired_on_shelf_by_product_period_and_scope(client, tokens, known):
    products = get(client, tokens, "sup-n1", "near-expiry", as_of="2026-11-30")
    # By the 30th both notes have expired: only tea-1's expired-on-shelf stock is left to show.
    assert products["groups"] == [
        {"id": known["tea-1"], "name": "Sakura tea 1", "within_7_days": lot(0, 0.0),
         "within_30_days": lot(0, 0.0), "expired_on_shelf": lot(4, 600.0)},
    ]  # fmt: skip
    late = get(client, tokens, "sup-n1", "near-expiry", as_of="2026-11-30",
               expired_from="2026-11-24")  # fmt: skip
    assert late["groups"] == [] and late["total"]["expired_on_shelf"] == lot(0, 0.0)
    other = get(client, tokens, "sup-n2", "near-expiry", as_of=AS_OF, group_by="store")
    assert other["groups"] == [] and other["total"]["expired_on_shelf"] == lot(0, 0.0)


def test_returns_by_status_with_pending_ages(client, tokens, known):
    body = get(client, tokens, "mgr-north", "returns", period="custom", date_from="2026-11-16",
               date_to=AS_OF)  # fmt: skip
    assert body["period"] == {"from": "2026-11-16", "to": AS_OF}
    assert body["as_of"] == AS_OF
    none_waiting = {"count": 0, "quantity": 0, "oldest_days": None, "mean_days": None}
    assert body["groups"] == [
        {"id": None, "name": "requested", "count": 2, "quantity": 3, "value": 452.0,
         "pending": {"count": 2, "quantity": 3, "oldest_days": 5, "mean_days": 5.0}},
        {"id": None, "name": "approved", "count": 1, "quantity": 3, "value": 450.0,
         "pending": none_waiting},
    ]  # fmt: skip
    assert body["total"] == {"count": 3, "quantity": 6, "value": 902.0,
                             "pending": {"count": 2, "quantity": 3, "oldest_days": 5,
                                         "mean_days": 5.0}}  # fmt: skip


def test_returns_by_reason_product_and_scope(client, tokens, org, known):
    week = {"period": "week", "date": "2026-11-18"}
    reasons = get(client, tokens, "sup-n1", "returns", group_by="reason", **week)
    assert [(g["name"], g["count"], g["quantity"], g["value"]) for g in reasons["groups"]] == [
        ("damaged", 1, 3, 450.0),
        ("expired", 1, 1, 150.0),
        ("recall", 1, 2, 302.0),
    ]
    assert reasons["as_of"] == "2026-11-22"
    by_product = get(client, tokens, "admin", "returns", group_by="product", **week)
    assert [(g["id"], g["count"], g["quantity"]) for g in by_product["groups"]] == [
        (known["tea-1"], 3, 11),
        (known["tea-2"], 1, 2),
    ]
    south = get(client, tokens, "mgr-south", "returns", group_by="team", **week)
    assert [(g["id"], g["name"], g["pending"]["oldest_days"]) for g in south["groups"]] == [
        (org.team["S1"], "S1", 4)
    ]
    store = get(client, tokens, "admin", "returns", store_id=org.store["n1-b"], **week)
    assert store["groups"] == [] and store["total"]["count"] == 0
    denied = client.get("/api/reports/returns", headers=tokens.headers("rep-n1a"))
    assert denied.status_code == 403
    csv = client.get("/api/reports/returns.csv", query_string=week,
                     headers=tokens.headers("sup-n1"))  # fmt: skip
    assert csv.status_code == 200 and b"requested" in csv.data
