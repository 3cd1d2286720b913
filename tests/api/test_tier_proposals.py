"""Tier proposals from known order histories: ranks, shares, ties, the period's edges, lapsed
stores and prospects apart, scope, the export, and accepting proposals."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import Order, OrderLine, Store, Tier, Visit
from backend.services.customer_status import note_orders
from tests.reports_factory import History

AS_OF = date(2026, 11, 30)  # period 2026-09-01 .. 2026-11-30; lapsed before 2026-10-01
QUERY = "/api/reports/tier-proposals?as_of=2026-11-30"
# code: (current tier, [(visit date, [line quantities at 100.00])])
STORES = {
    "s1": (Tier.C, [(date(2026, 10, 5), [10]), (date(2026, 10, 20), [10]),
                    (date(2026, 11, 2), [10])]),
    "s2": (Tier.B, [(date(2026, 10, 6), [5, 10]), (date(2026, 11, 3), [5, 10])]),
    "s3": (Tier.B, [(date(2026, 11, 10), [20])]),
    "s4": (Tier.A, [(date(2026, 11, 11), [20])]),
    "s5": (Tier.A, [(date(2026, 11, 12), [10])]),
    # The period's first day counts.
    "s6": (Tier.C, [(date(2026, 9, 1), [3]), (date(2026, 10, 14), [2])]),
    # Ordered exactly 60 days before as_of (still active); the day before the period does not count.
    "s7": (Tier.C, [(date(2026, 8, 31), [50]), (date(2026, 10, 1), [3])]),
    # The biggest buyer of the period, but nothing since 2026-09-30: lapsed.
    "l1": (Tier.A, [(date(2026, 9, 15), [90]), (date(2026, 9, 30), [1])]),
    # Last ordered long before the period: lapsed, no orders in it.
    "l2": (Tier.C, [(date(2026, 6, 1), [4])]),
    "p1": (Tier.A, []),
    # First ordered after as_of: a prospect on as_of.
    "p2": (Tier.B, [(date(2026, 12, 5), [7])]),
}  # fmt: skip


def _order(h: History, products: list[int], code: str, day: date, quantities: list[int]) -> None:
    visit = h.visit("rep-n1a" if code != "s1-a" else "rep-s1a", code, day, "10:00", 20)
    products = products[: len(quantities)]
    order = Order(visit_id=visit.id)
    order.lines = [
        OrderLine(product_id=p, quantity=q, unit_price=Decimal("100.00"))
        for p, q in zip(products, quantities, strict=True)
    ]
    db.session.add(order)
    visit.successful = True


@pytest.fixture
def orders(app, org):
    with app.app_context():
        h = History(org)
        cat = h.catalogue()
        products = [cat["tea-1"], cat["tea-2"]]
        for code, (tier, history) in STORES.items():
            h.store(code, "rep-n1a", tier=tier)
            for day, quantities in history:
                _order(h, products, code, day, quantities)
        # Another area's big buyer: outside North's scope.
        _order(h, products, "s1-a", date(2026, 11, 1), [500])
        db.session.flush()
        note_orders(db.session.scalars(select(Store.id)))
        h.commit()
        return {code: org.store[code] for code in (*STORES, "n1-a", "n1-b", "n1-free", "s1-a")}


def _rows(items):
    return [
        (r["store_code"], r["rank"], r["orders"], r["order_value"], r["current_tier"],
         r["proposed_tier"], r["changed"], r["customer_status"], r["last_order_on"])
        for r in items
    ]  # fmt: skip


def test_ranks_shares_ties_and_stores_apart(client, tokens, orders):
    report = client.get(QUERY, headers=tokens.headers("sup-n1"))
    assert report.status_code == 200, report.json
    body = report.json
    assert body["period"] == {"from": "2026-09-01", "to": "2026-11-30"}
    assert body["lapsed_after_days"] == 60
    assert body["shares"] == [{"tier": "A", "percent": 20}, {"tier": "B", "percent": 30}]
    # 7 ranked: A the first round(1.4) = 1, B up to round(3.5) = 4, C the rest.
    assert _rows(body["proposals"]) == [
        ("s1", 1, 3, "3000.00", "C", "A", True, "active", "2026-11-02"),
        ("s2", 2, 2, "3000.00", "B", "B", False, "active", "2026-11-03"),
        ("s3", 3, 1, "2000.00", "B", "B", False, "active", "2026-11-10"),
        ("s4", 4, 1, "2000.00", "A", "B", True, "active", "2026-11-11"),
        ("s5", 5, 1, "1000.00", "A", "C", True, "active", "2026-11-12"),
        ("s6", 6, 2, "500.00", "C", "C", False, "active", "2026-10-14"),
        ("s7", 7, 1, "300.00", "C", "C", False, "active", "2026-10-01"),
    ]
    assert _rows(body["lapsed"]) == [
        ("l1", None, 2, "9100.00", "A", "C", True, "lapsed", "2026-09-30"),
        ("l2", None, 0, "0.00", "C", "C", False, "lapsed", "2026-06-01"),
    ]
    assert _rows(body["prospects"]) == [
        (code, None, 0, "0.00", tier, None, False, "prospect", None)
        for code, tier in sorted(
            [("p1", "A"), ("p2", "B"), ("n1-a", "B"), ("n1-b", "B"), ("n1-free", "B")],
            key=lambda item: orders[item[0]],
        )
    ]
    assert body["total"] == {
        "stores": 14,
        "ranked": 7,
        "lapsed": 2,
        "prospects": 5,
        "changes": 4,
        "order_value": "20900.00",
        "proposed": {"A": 1, "B": 3, "C": 5},
    }


def test_scope_and_filters(client, tokens, org, orders):
    admin = client.get(QUERY, headers=tokens.headers("admin")).json
    assert [(r["store_code"], r["proposed_tier"]) for r in admin["proposals"][:2]] == [
        ("s1-a", "A"),  # 50000.00: the top of all 8 ranked (A: round(1.6) = 2)
        ("s1", "A"),
    ]
    south = client.get(f"{QUERY}&area_id={org.area['South']}", headers=tokens.headers("admin"))
    # One ranked store: A takes round(0.2) = 0 stores, B up to round(0.5) = 1.
    assert _rows(south.json["proposals"]) == [
        ("s1-a", 1, 1, "50000.00", "B", "B", False, "active", "2026-11-01")
    ]
    manager = client.get(QUERY + "&channel=traditional", headers=tokens.headers("mgr-north"))
    assert manager.json["total"]["stores"] == 0
    assert client.get(QUERY, headers=tokens.headers("rep-n1a")).status_code == 403
    assert client.get(QUERY + "&team_id=999", headers=tokens.headers("sup-n1")).status_code == 404


def test_shares_from_the_setting(app, client, tokens, orders, monkeypatch):
    monkeypatch.setitem(app.config, "TIER_SHARES", "A=50")
    body = client.get(QUERY, headers=tokens.headers("sup-n1")).json
    assert [r["proposed_tier"] for r in body["proposals"]] == ["A"] * 4 + ["C"] * 3
    monkeypatch.setitem(app.config, "TIER_PERIOD_DAYS", 30)
    body = client.get(QUERY, headers=tokens.headers("sup-n1")).json
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    assert _rows(body["proposals"])[:2] == [
        ("s3", 1, 1, "2000.00", "B", "A", True, "active", "2026-11-10"),
        ("s4", 2, 1, "2000.00", "A", "A", False, "active", "2026-11-11"),
    ]


def test_export_lists_every_section(client, tokens, orders):
    response = client.get(
        "/api/reports/tier-proposals.csv?as_of=2026-11-30", headers=tokens.headers("sup-n1")
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["section"] for r in rows].count("proposals") == 7
    assert [r["section"] for r in rows].count("lapsed") == 2
    assert [r["section"] for r in rows].count("prospects") == 5
    first = next(r for r in rows if r["section"] == "proposals")
    assert (first["store_code"], first["order_value"], first["proposed_tier"]) == (
        "s1",
        "3000.00",
        "A",
    )


def _tiers(app, stores) -> dict[str, str]:
    with app.app_context():
        return {
            code: db.session.get(Store, store_id).tier.value for code, store_id in stores.items()
        }


def test_accept_some_then_all(app, client, tokens, orders):
    manager = tokens.headers("mgr-north")
    picked = client.post(
        "/api/tier-proposals/accept",
        json={"as_of": "2026-11-30", "store_ids": [orders["s5"], orders["s1"], orders["s2"]]},
        headers=manager,
    )
    assert picked.status_code == 200, picked.json
    assert picked.json == {"changed": 2, "store_ids": sorted([orders["s1"], orders["s5"]])}
    tiers = _tiers(app, orders)
    assert (tiers["s1"], tiers["s5"], tiers["s4"], tiers["l1"]) == ("A", "C", "A", "A")
    rest = client.post("/api/tier-proposals/accept", json={"as_of": "2026-11-30"}, headers=manager)
    assert rest.json == {"changed": 2, "store_ids": sorted([orders["s4"], orders["l1"]])}
    tiers = _tiers(app, orders)
    assert (tiers["s4"], tiers["l1"], tiers["p1"], tiers["p2"]) == ("B", "C", "A", "B")
    after = client.get(QUERY, headers=tokens.headers("sup-n1")).json
    assert after["total"]["changes"] == 0


def test_accept_roles_and_scope(client, tokens, orders):
    body = {"as_of": "2026-11-30", "store_ids": [orders["s1"]]}
    assert (
        client.post(
            "/api/tier-proposals/accept", json=body, headers=tokens.headers("sup-n1")
        ).status_code
        == 403
    )
    outside = {"as_of": "2026-11-30", "store_ids": [orders["s1-a"]]}
    refused = client.post(
        "/api/tier-proposals/accept", json=outside, headers=tokens.headers("mgr-north")
    )
    assert refused.status_code == 404
    bad = client.post(
        "/api/tier-proposals/accept", json={"store_ids": []}, headers=tokens.headers("admin")
    )
    assert bad.status_code == 422
    admin = client.post("/api/tier-proposals/accept", json=body, headers=tokens.headers("admin"))
    assert admin.json == {"changed": 1, "store_ids": [orders["s1"]]}


def test_a_line_without_price_counts_nothing(app, client, tokens, orders):
    with app.app_context():
        line = db.session.scalars(
            select(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Visit, Visit.id == Order.visit_id)
            .where(Visit.store_id == orders["s7"], Visit.visit_date == date(2026, 10, 1))
        ).one()
        line.unit_price = None
        db.session.commit()
    body = client.get(QUERY, headers=tokens.headers("sup-n1")).json
    assert _rows(body["proposals"])[-1] == (
        "s7",
        7,
        1,
        "0.00",
        "C",
        "C",
        False,
        "active",
        "2026-10-01",
    )
