"""The orders report on a known history (numbers worked out by hand), and its report tables
(`rep_day_orders`, `rep_day_order_totals`) equal to a rebuild after every kind of write."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from backend.extensions import db
from backend.models import (
    Brand,
    Channel,
    Order,
    OrderLine,
    Product,
    RepDayOrders,
    RepDayOrderTotals,
    Store,
    Tier,
)
from backend.models.visits import VisitReview
from backend.services.reports import rep_days
from tests.api.visit_helpers import check_in, key, minutes_ago
from tests.reports_factory import MON, NEXT_MON, TUE, WED, WEEK, History


def order(visit, products, **quantities) -> None:
    """An order at `visit`: product name -> quantity, at each product's list price."""
    lines = []
    for name, quantity in quantities.items():
        product = db.session.get(Product, products[name])
        lines.append(OrderLine(product_id=product.id, quantity=quantity,
                               unit_price=product.unit_price))  # fmt: skip
    db.session.add(Order(visit_id=visit.id, lines=lines))
    visit.successful = True
    db.session.flush()


@pytest.fixture
def orders(app, org):
    """The week of MON (2026-11-16). tea-1 150.00, tea-2 151.00 (Sakura), ume 99.50 (Ume):

    - rep-n1a (N1): n1-a (modern, B) Mon tea-1 ×4 + tea-2 ×2 = 902.00; t1 (traditional, A) Tue
      tea-1 ×1 + ume ×3 = 448.50; n1-a Wed no order; n1-a next Monday tea-1 ×5 (outside);
      n1-a Wed a visit held for review with ume ×7 (not counted);
    - rep-n2a (N2): n2-a (modern) Wed tea-2 ×10 = 1510.00;
    - rep-s1a (S1, area South): s1-a (modern) Mon tea-1 ×1 = 150.00.
    """
    with app.app_context():
        h = History(org)
        cat = h.catalogue()
        ume = Brand(name="Ume", is_own=True)
        db.session.add(Product(sku="UM-1", name="Ume soda", brand=ume, category="soda",
                               pack_size="350 ml", unit_price=Decimal("99.50")))  # fmt: skip
        db.session.flush()
        cat["ume"] = db.session.scalar(select(Product.id).where(Product.sku == "UM-1"))
        h.store("t1", "rep-n1a", channel=Channel.TRADITIONAL, tier=Tier.A)
        order(h.visit("rep-n1a", "n1-a", MON, "09:00", 20), cat, **{"tea-1": 4, "tea-2": 2})
        order(h.visit("rep-n1a", "t1", TUE, "10:00", 20), cat, **{"tea-1": 1, "ume": 3})
        h.visit("rep-n1a", "n1-a", WED, "09:00", 20)
        held = h.visit("rep-n1a", "n1-a", WED, "15:00", 20)
        held.review = VisitReview.PENDING
        order(held, cat, ume=7)
        order(h.visit("rep-n1a", "n1-a", NEXT_MON, "09:00", 20), cat, **{"tea-1": 5})
        order(h.visit("rep-n2a", "n2-a", WED, "10:00", 20), cat, **{"tea-2": 10})
        order(h.visit("rep-s1a", "s1-a", MON, "09:00", 20), cat, **{"tea-1": 1})
        h.commit()
        return cat


def report(client, tokens, user, **params):
    response = client.get("/api/reports/orders", query_string={**WEEK, **params},
                          headers=tokens.headers(user))  # fmt: skip
    assert response.status_code == 200, response.json
    return response.json


def metrics(orders, lines, units, value, per_order=None, drop=None):
    return {"orders": orders, "lines": lines, "units": units, "value": value,
            "lines_per_order": per_order, "drop_size": drop}  # fmt: skip


def test_orders_by_product_with_totals_and_best_sellers(client, tokens, orders):
    body = report(client, tokens, "admin")
    assert body["period"] == {"from": "2026-11-16", "to": "2026-11-22"}
    # 902.00 + 448.50 + 1510.00 + 150.00 over 4 orders of 2 + 2 + 1 + 1 lines.
    assert body["total"] == metrics(4, 6, 21, "3010.50", "1.50", "752.63")
    assert [(g["name"], g["lines"], g["units"], g["value"], g["share_of_value"])
            for g in body["groups"]] == [
        ("Sakura tea 2", 2, 12, "1812.00", "0.6019"),
        ("Sakura tea 1", 3, 6, "900.00", "0.2990"),
        ("Ume soda", 1, 3, "298.50", "0.0992"),
    ]  # fmt: skip
    assert body["groups"][0]["key"] == str(orders["tea-2"])
    assert body["groups"][0]["orders"] is None and body["groups"][0]["drop_size"] is None
    assert body["best_sellers"][0] == {
        "rank": 1, "product_id": orders["tea-2"], "product_name": "Sakura tea 2",
        "brand_name": "Sakura", "lines": 2, "units": 12, "value": "1812.00",
    }  # fmt: skip
    assert [b["product_name"] for b in report(client, tokens, "admin", top=2)["best_sellers"]] == [
        "Sakura tea 2",
        "Sakura tea 1",
    ]


def test_orders_by_brand_and_channel(client, tokens, orders):
    brands = report(client, tokens, "admin", group_by="brand")["groups"]
    assert [(g["name"], g["lines"], g["units"], g["value"]) for g in brands] == [
        ("Sakura", 5, 18, "2712.00"),
        ("Ume", 1, 3, "298.50"),
    ]
    channels = report(client, tokens, "admin", group_by="channel")["groups"]
    assert [{k: g[k] for k in ("key", "name", *metrics(0, 0, 0, 0))} for g in channels] == [
        {"key": "modern", "name": "modern", **metrics(3, 4, 17, "2562.00", "1.33", "854.00")},
        {"key": "traditional", "name": "traditional",
         **metrics(1, 2, 4, "448.50", "2.00", "448.50")},
    ]  # fmt: skip
    tiers = report(client, tokens, "admin", group_by="tier")["groups"]
    assert [(g["key"], g["orders"], g["value"]) for g in tiers] == [
        ("B", 3, "2562.00"),
        ("A", 1, "448.50"),
    ]


def test_orders_by_team_and_rep_in_the_managers_scope(client, tokens, org, orders):
    body = report(client, tokens, "mgr-north", group_by="team")
    assert [(g["key"], g["name"], g["orders"], g["lines"], g["units"], g["value"],
             g["lines_per_order"], g["drop_size"]) for g in body["groups"]] == [
        (str(org.team["N2"]), "N2", 1, 1, 10, "1510.00", "1.00", "1510.00"),
        (str(org.team["N1"]), "N1", 2, 4, 10, "1350.50", "2.00", "675.25"),
    ]  # fmt: skip
    assert body["total"] == metrics(3, 5, 20, "2860.50", "1.67", "953.50")
    reps = report(client, tokens, "sup-n1", group_by="rep")
    assert [(g["name"], g["value"]) for g in reps["groups"]] == [("Rep-N1A", "1350.50")]


def test_orders_report_is_for_leads_and_exports(client, tokens, orders):
    rep = client.get("/api/reports/orders", headers=tokens.headers("rep-n1a"))
    assert rep.status_code == 403
    csv = client.get("/api/reports/orders.csv", query_string=WEEK, headers=tokens.headers("admin"))
    assert csv.status_code == 200 and "3010.50" in csv.get_data(as_text=True)
    bad = client.get("/api/reports/orders", query_string={"group_by": "store"},
                     headers=tokens.headers("admin"))  # fmt: skip
    assert bad.status_code == 422


def assert_rebuilt(app) -> None:
    """The order report tables hold what a rebuild gives."""
    with app.app_context():
        assert rep_days.stale_rep_days(db.session.connection()) == []


def rows(app) -> list[tuple]:
    with app.app_context():
        return sorted(
            (r.rep_id, r.day, r.channel, r.product_id, r.orders, r.units,
             Decimal(r.value).quantize(Decimal("0.01")))
            for r in db.session.scalars(select(RepDayOrders))
        )  # fmt: skip


def test_order_tables_follow_every_write(app, client, tokens, org, orders):
    assert_rebuilt(app)
    rep = tokens.headers("rep-n1a")
    visit = check_in(client, {**rep, **key()}, app, org.store["n1-a"], minutes_ago(10)).json
    put = lambda lines: client.put(f"/api/visits/{visit['id']}/order",  # noqa: E731
                                   json={"lines": lines}, headers={**rep, **key()})  # fmt: skip
    assert put([{"product_id": orders["tea-1"], "quantity": 3}]).status_code == 200
    assert_rebuilt(app)
    assert put([{"product_id": orders["ume"], "quantity": 2}]).status_code == 200
    assert_rebuilt(app)
    with app.app_context():
        day = db.session.scalar(
            select(RepDayOrderTotals.value).where(RepDayOrderTotals.day > NEXT_MON)
        )
        assert Decimal(day).quantize(Decimal("0.01")) == Decimal("199.00")
    assert put([]).status_code == 200  # withdrawn
    assert_rebuilt(app)
    with app.app_context():
        assert (
            db.session.scalars(
                select(RepDayOrderTotals).where(RepDayOrderTotals.day > NEXT_MON)
            ).all()
            == []
        )
        # A store changing channel moves its orders; a line deleted alone drops out.
        db.session.get(Store, org.store["n1-a"]).channel = Channel.SPECIAL
        db.session.commit()
    assert_rebuilt(app)
    with app.app_context():
        line = db.session.scalars(select(OrderLine).where(OrderLine.quantity == 2)).first()
        db.session.delete(line)
        db.session.commit()
    assert_rebuilt(app)
    before = rows(app)
    with app.app_context():
        rep_days.refresh(db.session.connection(), rep_days.everything)
        db.session.commit()
    assert rows(app) == before
