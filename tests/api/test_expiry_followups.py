"""Near-expiry follow-up: the store's open items from earlier visits (exact list), the later
visit's outcomes (replace semantics, only items of earlier visits to the same store), and a
re-sync of near-expiry items that keeps follow-ups attached."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.extensions import db
from backend.models import ExpiryAction, ExpiryFollowUp, ExpiryOutcome, NearExpiry
from tests.api.visit_helpers import catalogue, check_in, local_today, minutes_ago
from tests.reports_factory import History


def note(visit, product, quantity, expires, action=None) -> int:
    item = NearExpiry(visit_id=visit.id, product_id=product, quantity=quantity,
                      expiry_date=expires, action=action)  # fmt: skip
    db.session.add(item)
    db.session.flush()
    return item.id


def follow(visit, item, outcome, quantity=None) -> None:
    db.session.add(ExpiryFollowUp(visit_id=visit.id, near_expiry_id=item, outcome=outcome,
                                  quantity=quantity))  # fmt: skip


@pytest.fixture
def history(app, org):
    """Earlier visits to n1-a (and one to n1-b) with near-expiry notes and follow-ups."""
    cat = catalogue(app)
    today = local_today()
    day = lambda n: today - timedelta(days=n)  # noqa: E731
    p = cat.products
    with app.app_context():
        h = History(org)
        old = h.visit("rep-n1a", "n1-a", day(6), "09:00", 20)
        mid = h.visit("rep-n1a", "n1-a", day(3), "09:00", 20)
        last = h.visit("rep-n1b", "n1-a", day(1), "10:00", 20)
        other = h.visit("rep-n1b", "n1-b", day(3), "09:00", 20)
        ids = {
            "open": note(mid, p[0], 6, today + timedelta(days=5), ExpiryAction.MOVED_TO_FRONT),
            "sold": note(old, p[1], 4, today + timedelta(days=2), ExpiryAction.DISCOUNT_AGREED),
            "left": note(old, p[2], 8, today + timedelta(days=1)),
            "long_gone": note(old, p[3], 2, today - timedelta(days=31)),
            "superseded": note(old, p[4], 5, today + timedelta(days=9)),
            "again": note(mid, p[4], 3, today + timedelta(days=9), ExpiryAction.REMOVED),
            "other_store": note(other, p[0], 1, today + timedelta(days=4)),
        }
        follow(mid, ids["sold"], ExpiryOutcome.STILL_ON_SHELF, 2)
        follow(last, ids["sold"], ExpiryOutcome.SOLD)
        follow(mid, ids["left"], ExpiryOutcome.STILL_ON_SHELF, 3)
        h.commit()
    return cat, ids, today


def test_the_open_items_of_a_store(client, tokens, org, history):
    cat, ids, today = history
    got = client.get(
        f"/api/stores/{org.store['n1-a']}/expiry-followups", headers=tokens.headers("rep-n1a")
    )
    assert got.status_code == 200, got.json
    day = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    assert got.json == [
        {"near_expiry_id": ids["left"], "product_id": cat.products[2],
         "product_name": "Sakura tea 2", "quantity": 3, "expiry_date": day(1), "action": None,
         "recorded_on": day(-6), "last_outcome": "still_on_shelf"},
        {"near_expiry_id": ids["open"], "product_id": cat.products[0],
         "product_name": "Sakura tea 0", "quantity": 6, "expiry_date": day(5),
         "action": "moved_to_front", "recorded_on": day(-3), "last_outcome": None},
        {"near_expiry_id": ids["again"], "product_id": cat.products[4],
         "product_name": "Sakura tea 4", "quantity": 3, "expiry_date": day(9),
         "action": "removed", "recorded_on": day(-3), "last_outcome": None},
    ]  # fmt: skip
    # As of the day of the middle visit: only what the oldest visit noted, none followed up;
    # 31 days past expiry today is 28 days past it then.
    before = client.get(
        f"/api/stores/{org.store['n1-a']}/expiry-followups",
        query_string={"date": day(-3)},
        headers=tokens.headers("sup-n1"),
    ).json
    assert [i["near_expiry_id"] for i in before] == [
        ids["long_gone"], ids["left"], ids["sold"], ids["superseded"]
    ]  # fmt: skip
    assert before[2]["quantity"] == 4


def test_open_items_follow_store_scope(client, tokens, org, history):
    path = f"/api/stores/{org.store['n1-a']}/expiry-followups"
    assert client.get(path, headers=tokens.headers("sup-n2")).status_code == 404
    assert client.get(path, headers=tokens.headers("rep-n2a")).status_code == 404
    assert client.get(path, query_string={"date": "soon"},
                      headers=tokens.headers("sup-n1")).status_code == 422  # fmt: skip


def test_a_later_visit_records_outcomes(app, client, tokens, org, history):
    _, ids, today = history
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(10)).json
    path = f"/api/visits/{visit['id']}/expiry-followups"
    first = [
        {"near_expiry_id": ids["open"], "outcome": "sold"},
        {"near_expiry_id": ids["left"], "outcome": "expired_on_shelf", "quantity": 3},
    ]
    put = client.put(path, json={"items": first}, headers=headers)
    assert put.status_code == 200, put.json
    assert [(i["near_expiry_id"], i["outcome"], i["quantity"]) for i in put.json["items"]] == [
        (ids["open"], "sold", None),
        (ids["left"], "expired_on_shelf", 3),
    ]
    second = [{"near_expiry_id": ids["open"], "outcome": "still_on_shelf", "quantity": 1}]
    assert client.put(path, json={"items": second}, headers=headers).status_code == 200
    with app.app_context():
        rows = db.session.query(ExpiryFollowUp).filter_by(visit_id=visit["id"]).all()
        assert [(r.near_expiry_id, r.outcome, r.quantity) for r in rows] == [
            (ids["open"], ExpiryOutcome.STILL_ON_SHELF, 1)
        ]
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = client.get(
        f"/api/stores/{org.store['n1-a']}/expiry-followups",
        query_string={"date": tomorrow},
        headers=headers,
    ).json
    assert {i["near_expiry_id"]: (i["quantity"], i["last_outcome"]) for i in later} == {
        ids["left"]: (3, "still_on_shelf"),
        ids["open"]: (1, "still_on_shelf"),
        ids["again"]: (3, None),
    }


def test_only_items_of_earlier_visits_to_the_store(app, client, tokens, org, history):
    cat, ids, today = history
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(10)).json
    noted = client.put(
        f"/api/visits/{visit['id']}/near-expiry",
        json={"items": [{"product_id": cat.products[5], "quantity": 2,
                         "expiry_date": today.isoformat(), "action": "return_requested"}]},
        headers=headers,
    ).json["items"][0]  # fmt: skip
    assert noted["action"] == "return_requested"
    path = f"/api/visits/{visit['id']}/expiry-followups"
    for bad in (ids["other_store"], noted["id"], 99999):
        body = {"items": [{"near_expiry_id": ids["open"], "outcome": "sold"},
                          {"near_expiry_id": bad, "outcome": "sold"}]}  # fmt: skip
        refused = client.put(path, json=body, headers=headers)
        assert refused.status_code == 422, bad
        assert list(refused.json["errors"]["json"]["items"]) == ["1"]
    twice = {"items": [{"near_expiry_id": ids["open"], "outcome": "sold"}] * 2}
    assert client.put(path, json=twice, headers=headers).status_code == 422
    negative = {"items": [{"near_expiry_id": ids["open"], "outcome": "sold", "quantity": -1}]}
    assert client.put(path, json=negative, headers=headers).status_code == 422
    unknown = {"items": [{"near_expiry_id": ids["open"], "outcome": "stolen"}]}
    assert client.put(path, json=unknown, headers=headers).status_code == 422
    assert client.put(path, json={"items": []}, headers=tokens.headers("rep-n1b")).status_code in (
        403,
        404,
    )


def test_a_near_expiry_resync_keeps_ids_and_followups(app, client, tokens, org, history):
    cat, _, today = history
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(10)).json
    path = f"/api/visits/{visit['id']}/near-expiry"
    soon = (today + timedelta(days=3)).isoformat()
    items = [
        {"product_id": cat.products[0], "quantity": 5, "expiry_date": soon},
        {"product_id": cat.products[1], "quantity": 2, "expiry_date": soon},
    ]
    first = client.put(path, json={"items": items}, headers=headers).json["items"]
    changed = [{**items[0], "quantity": 4, "action": "discount_agreed"}]
    again = client.put(path, json={"items": changed}, headers=headers).json["items"]
    assert [(i["id"], i["quantity"], i["action"]) for i in again] == [
        (first[0]["id"], 4, "discount_agreed")
    ]
