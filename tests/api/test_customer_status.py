"""Customer status: the order dates an order write keeps, lapsed stores and prospects in the
store list, and prospects planned at their own frequency."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import Store, Tier
from backend.services.customer_status import note_orders
from backend.services.plan_building import frequency_days
from tests.api.plan_helpers import add_store, next_monday, plan_stores
from tests.api.visit_helpers import catalogue, check_in, local_today, minutes_ago
from tests.reports_factory import History


def _store(client, headers, store_id):
    body = client.get(f"/api/stores/{store_id}", headers=headers).json
    return body["customer_status"], body["first_order_on"], body["last_order_on"]


def test_an_order_write_keeps_the_dates(app, client, org, tokens):
    products = catalogue(app).products
    rep = tokens.headers("rep-n1a")
    store_id = org.store["n1-a"]
    assert _store(client, rep, store_id) == ("prospect", None, None)
    visit = check_in(client, rep, app, store_id, minutes_ago(5)).json
    order = {"lines": [{"product_id": products[0], "quantity": 6}]}
    put = client.put(f"/api/visits/{visit['id']}/order", json=order, headers=rep)
    assert put.status_code == 200, put.json
    today = local_today().isoformat()
    assert _store(client, rep, store_id) == ("active", today, today)
    client.put(f"/api/visits/{visit['id']}/order", json={"lines": []}, headers=rep)
    assert _store(client, rep, store_id) == ("prospect", None, None)


def test_lapsed_and_prospects_in_the_store_list(app, client, org, tokens):
    today = local_today()
    with app.app_context():
        h = History(org)
        h.catalogue()
        for code, days_ago in (("old", 61), ("edge", 60), ("recent", 1)):
            h.store(code, "rep-n1a")
            h.visit("rep-n1a", code, today - timedelta(days=days_ago), "10:00", 20, ordered=True)
        # An order long ago does not count once the store ordered again.
        h.visit("rep-n1a", "recent", today - timedelta(days=200), "10:00", 20, ordered=True)
        note_orders(org.store[code] for code in ("old", "edge", "recent"))
        h.commit()
    sup = tokens.headers("sup-n1")

    def codes(query):
        page = client.get(f"/api/stores?per_page=50&{query}", headers=sup)
        assert page.status_code == 200, page.json
        return sorted((s["code"], s["customer_status"]) for s in page.json["items"])

    assert codes("customer_status=lapsed") == [("old", "lapsed")]
    assert codes("customer_status=active") == [("edge", "active"), ("recent", "active")]
    assert codes("customer_status=prospect") == [
        ("n1-a", "prospect"), ("n1-b", "prospect"), ("n1-free", "prospect")
    ]  # fmt: skip
    recent = client.get(f"/api/stores/{org.store['recent']}", headers=sup).json
    assert (recent["first_order_on"], recent["last_order_on"]) == (
        (today - timedelta(days=200)).isoformat(),
        (today - timedelta(days=1)).isoformat(),
    )
    bad = client.get("/api/stores?customer_status=dormant", headers=sup)
    assert bad.status_code == 422


def test_lapsed_after_days_setting(app, client, org, tokens, monkeypatch):
    today = local_today()
    with app.app_context():
        h = History(org)
        h.catalogue()
        h.store("quiet", "rep-n1a")
        h.visit("rep-n1a", "quiet", today - timedelta(days=20), "10:00", 20, ordered=True)
        note_orders([org.store["quiet"]])
        h.commit()
    monkeypatch.setitem(app.config, "LAPSED_AFTER_DAYS", 19)
    sup = tokens.headers("sup-n1")
    page = client.get("/api/stores?customer_status=lapsed", headers=sup).json
    assert [s["code"] for s in page["items"]] == ["quiet"]


def test_prospects_planned_at_their_own_frequency(app, org, monkeypatch):
    with app.app_context():
        store = db.session.scalars(select(Store).where(Store.id == org.store["n1-a"])).one()
        store.tier = Tier.A
        assert frequency_days(store) == 14  # a prospect, not tier A's 7
        monkeypatch.setitem(app.config, "PROSPECT_VISIT_FREQUENCY_DAYS", 10)
        assert frequency_days(store) == 10
        store.first_order_on = store.last_order_on = local_today()
        assert frequency_days(store) == 7
        store.last_order_on = local_today() - timedelta(days=365)  # lapsed: its tier's again
        assert frequency_days(store) == 7
        store.first_order_on = store.last_order_on = None
        store.visit_frequency_days = 3  # the store's own frequency wins
        assert frequency_days(store) == 3
        db.session.rollback()


def test_plan_candidates_use_the_prospect_frequency(app, client, org, tokens):
    admin, sup = tokens.headers("admin"), tokens.headers("sup-n1")
    rep = org.user["rep-n1a"]
    ids = plan_stores(client, org, tokens)
    day = next_monday()
    plan = client.post(
        "/api/plans",
        json={"rep_id": rep, "plan_date": day.isoformat(), "seconds": 0.3, "store_ids": ids[:2]},
        headers=sup,
    ).json
    prospect = add_store(client, admin, "new", rep, 35.70, 139.80, tier="A")
    customer = add_store(client, admin, "buyer", rep, 35.71, 139.81, tier="A")
    with app.app_context():
        h = History(org)
        h.catalogue()
        org.store.update(new=prospect, buyer=customer)
        # Both last seen 9 days before the plan's day; only the customer ever ordered.
        h.visit("rep-n1a", "new", day - timedelta(days=9), "10:00", 20)
        h.visit("rep-n1a", "buyer", day - timedelta(days=9), "10:00", 20, ordered=True)
        note_orders([prospect, customer])
        h.commit()
    page = client.get(f"/api/plans/{plan['id']}/candidates?per_page=50", headers=sup).json
    found = {c["store"]["id"]: (c["due"], c["overdue_days"]) for c in page["items"]}
    # Tier A is every 7 days: the customer is 2 days overdue; the prospect is due every 14.
    assert (found[customer], found[prospect]) == ((True, 2), (False, None))
