"""Returns: the rep asks at a visit, a lead moves the request on (only the allowed moves), the
queue lists them in scope, and a rep's re-sync of the visit never loses a lead's decision."""

from __future__ import annotations

import pytest

from tests.api.visit_helpers import catalogue, check_in, local_today, minutes_ago


@pytest.fixture
def asked(app, client, org, tokens):
    """rep-n1a's open visit at n1-a with two returns: 4 × product 0 damaged, 2 × 1 recall."""
    cat = catalogue(app)
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(10)).json
    items = [
        {"product_id": cat.products[0], "quantity": 4, "reason": "damaged", "note": "crushed"},
        {"product_id": cat.products[1], "quantity": 2, "reason": "recall"},
    ]
    put = client.put(f"/api/visits/{visit['id']}/returns", json={"items": items}, headers=headers)
    assert put.status_code == 200, put.json
    return visit, cat, items, put.json["items"]


def patch(client, tokens, user, return_id, status, note=None):
    body = {"status": status, **({"note": note} if note else {})}
    return client.patch(f"/api/returns/{return_id}", json=body, headers=tokens.headers(user))


def test_a_new_return_is_requested(asked):
    _, cat, _, rows = asked
    assert [(r["product_id"], r["quantity"], r["reason"], r["status"]) for r in rows] == [
        (cat.products[0], 4, "damaged", "requested"),
        (cat.products[1], 2, "recall", "requested"),
    ]
    assert rows[0]["decided_at"] is None and rows[0]["status_note"] is None


def test_the_queue_lists_requests_in_scope(client, tokens, org, asked):
    visit, cat, _, rows = asked
    queue = client.get(
        "/api/returns", query_string={"status": "requested"}, headers=tokens.headers("sup-n1")
    ).json
    assert queue["meta"]["total"] == 2
    first = queue["items"][0]
    assert first.pop("requested_at") == visit["checked_in_at"]
    assert first == {
        "id": rows[0]["id"],
        "visit_id": visit["id"],
        "visit_date": local_today().isoformat(),
        "store_id": org.store["n1-a"],
        "store_name": "Store n1-a",
        "rep_id": org.user["rep-n1a"],
        "rep_name": "Rep-N1A",
        "team_id": org.team["N1"],
        "product_id": cat.products[0],
        "product_name": "Sakura tea 0",
        "quantity": 4,
        "value": "600.00",
        "reason": "damaged",
        "note": "crushed",
        "status": "requested",
        "status_note": None,
        "decided_by_id": None,
        "decided_by_name": None,
        "decided_at": None,
        "status_changed_at": None,
        "pending_days": 0,
    }
    other_team = client.get("/api/returns", headers=tokens.headers("sup-n2")).json
    assert other_team["meta"]["total"] == 0
    own = client.get("/api/returns", headers=tokens.headers("rep-n1a")).json
    assert own["meta"]["total"] == 2
    elsewhere = client.get(
        "/api/returns",
        query_string={"store_id": org.store["n1-b"]},
        headers=tokens.headers("admin"),
    ).json
    assert elsewhere["meta"]["total"] == 0


def test_a_lead_moves_a_return_through_its_states(client, tokens, org, asked):
    _, _, _, rows = asked
    rid = rows[0]["id"]
    approved = patch(client, tokens, "sup-n1", rid, "approved", "pick up Friday")
    assert approved.status_code == 200, approved.json
    body = approved.json
    assert (body["status"], body["status_note"], body["decided_by_id"], body["pending_days"]) == (
        "approved",
        "pick up Friday",
        org.user["sup-n1"],
        None,
    )
    assert body["decided_by_name"] == "Sup-N1" and body["decided_at"] == body["status_changed_at"]
    collected = patch(client, tokens, "mgr-north", rid, "collected").json
    assert (collected["status"], collected["decided_by_id"]) == ("collected", org.user["sup-n1"])
    assert collected["status_note"] is None
    assert patch(client, tokens, "admin", rid, "credited").json["status"] == "credited"


@pytest.mark.parametrize(
    "moves",
    [
        ["collected"],
        ["credited"],
        ["requested"],
        ["approved", "approved"],
        ["approved", "rejected"],
        ["rejected", "approved"],
        ["approved", "collected", "requested"],
    ],
)
def test_any_other_move_is_a_conflict(client, tokens, asked, moves):
    rid = asked[3][0]["id"]
    for status in moves[:-1]:
        assert patch(client, tokens, "sup-n1", rid, status).status_code == 200
    refused = patch(client, tokens, "sup-n1", rid, moves[-1])
    assert refused.status_code == 409
    assert refused.json["reason"] == "return_transition"


def test_only_leads_in_scope_decide(client, tokens, asked):
    rid = asked[3][0]["id"]
    assert patch(client, tokens, "rep-n1a", rid, "approved").status_code == 403
    assert patch(client, tokens, "sup-n2", rid, "approved").status_code == 404
    assert patch(client, tokens, "mgr-south", rid, "approved").status_code == 404
    assert patch(client, tokens, "sup-n1", 99999, "approved").status_code == 404
    bad = client.patch(
        f"/api/returns/{rid}", json={"status": "lost"}, headers=tokens.headers("sup-n1")
    )
    assert bad.status_code == 422


def test_a_resync_keeps_the_leads_decisions(client, tokens, asked):
    visit, cat, items, rows = asked
    patch(client, tokens, "sup-n1", rows[0]["id"], "approved", "ok")
    patch(client, tokens, "sup-n1", rows[1]["id"], "rejected", "no recall on")
    # The device sends its list again: the approved one with another quantity, the rejected one
    # no longer, and a new request.
    again = [
        {**items[0], "quantity": 9},
        {"product_id": cat.products[2], "quantity": 1, "reason": "slow_moving"},
    ]
    put = client.put(
        f"/api/visits/{visit['id']}/returns",
        json={"items": again},
        headers=tokens.headers("rep-n1a"),
    )
    assert put.status_code == 200, put.json
    result = [(r["id"], r["quantity"], r["reason"], r["status"]) for r in put.json["items"]]
    assert result[:2] == [
        (rows[0]["id"], 4, "damaged", "approved"),
        (rows[1]["id"], 2, "recall", "rejected"),
    ]
    assert result[2][1:] == (1, "slow_moving", "requested")


def test_a_resync_updates_requests_in_place_and_withdraws_the_dropped(client, tokens, asked):
    visit, _, items, rows = asked
    put = client.put(
        f"/api/visits/{visit['id']}/returns",
        json={"items": [{**items[0], "quantity": 5, "note": None}]},
        headers=tokens.headers("rep-n1a"),
    )
    assert [(r["id"], r["quantity"], r["note"]) for r in put.json["items"]] == [
        (rows[0]["id"], 5, None)
    ]


@pytest.mark.parametrize(
    ("reason", "status"),
    [("expired", 200), ("near_expiry", 200), ("other", 200), ("lost", 422), ("recal", 422)],
)
def test_return_reasons(app, client, org, tokens, reason, status):
    cat = catalogue(app)
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(10)).json
    item = {"product_id": cat.products[0], "quantity": 1, "reason": reason}
    put = client.put(f"/api/visits/{visit['id']}/returns", json={"items": [item]}, headers=headers)
    assert put.status_code == status, put.json
