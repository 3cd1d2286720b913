"""Price deviations: a display check's shelf price below the lowest agreed price, or a special
price no promotion covers (or below its promo price), becomes a deviation and one flag on the
visit, recomputed on every display-check write; and the price-deviation report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from backend.extensions import db
from backend.models import (
    AgreedPrice,
    Channel,
    FlagKind,
    PriceDeviation,
    Promotion,
    Store,
    Visit,
)
from backend.services import price_deviations
from tests.api.visit_helpers import catalogue, check_in, local_today, minutes_ago
from tests.reports_factory import MON, NEXT_MON, WED, History

LONG_AGO = date(2020, 1, 1)


def add(app, *rows):
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


@pytest.fixture
def cat(app, org):
    """The catalogue's prices: tea 0 agreed at 150.00 everywhere but 140.00 at modern stores;
    tea 1 at 160.00 until yesterday, 155.00 since; tea 2 with a 120.00 promotion at n1-a today;
    tea 3 under a promotion with no floor; tea 4 and 5 without an agreed price."""
    cat = catalogue(app)
    p = cat.products
    today = local_today()
    yesterday = today - timedelta(days=1)
    add(
        app,
        AgreedPrice(product_id=p[0], price=Decimal("150.00"), valid_from=LONG_AGO),
        AgreedPrice(product_id=p[0], channel=Channel.MODERN, price=Decimal("140.00"),
                    valid_from=LONG_AGO),
        AgreedPrice(product_id=p[1], price=Decimal("160.00"), valid_from=LONG_AGO,
                    valid_to=yesterday),
        AgreedPrice(product_id=p[1], price=Decimal("155.00"), valid_from=yesterday),
        AgreedPrice(product_id=p[2], price=Decimal("150.00"), valid_from=LONG_AGO),
        AgreedPrice(product_id=p[3], price=Decimal("150.00"), valid_from=LONG_AGO),
    )  # fmt: skip
    cat.promotions = add(
        app,
        Promotion(name="n1-a tea 2", product_id=p[2], store_id=org.store["n1-a"],
                  promo_price=Decimal("120.00"), starts_on=today, ends_on=today),
        Promotion(name="Tea 3 bundle", product_id=p[3], promo_price=None,
                  starts_on=yesterday, ends_on=today),
        Promotion(name="Tea 4 last week", product_id=p[4], promo_price=Decimal("1.00"),
                  starts_on=today - timedelta(days=9), ends_on=yesterday),
    )  # fmt: skip
    return cat


def visit_at(app, client, tokens, org, store="n1-a", rep="rep-n1a"):
    response = check_in(client, tokens.headers(rep), app, org.store[store], minutes_ago(9))
    assert response.status_code == 201, response.json
    return response.json["id"]


def checks(client, tokens, visit_id, prices, rep="rep-n1a"):
    """PUT display checks: {product_id: (shelf_price, special_price)}."""
    items = [
        {"product_id": pid, "on_shelf": True, "facings": 2, "shelf_price": price,
         "special_price": special}
        for pid, (price, special) in prices.items()
    ]  # fmt: skip
    response = client.put(
        f"/api/visits/{visit_id}/display-checks", json={"items": items}, headers=tokens.headers(rep)
    )
    assert response.status_code == 200, response.json
    return response.json["items"]


def deviations(app, visit_id):
    with app.app_context():
        rows = db.session.scalars(
            sa.select(PriceDeviation)
            .where(PriceDeviation.visit_id == visit_id)
            .order_by(PriceDeviation.product_id)
        )
        return [
            (r.product_id, r.kind.value, r.shelf_price, r.agreed_price, r.promotion_id)
            for r in rows
        ]


def price_flags(client, tokens, visit_id):
    visit = client.get(f"/api/visits/{visit_id}", headers=tokens.headers("sup-n1")).json
    return [f for f in visit["flags"] if f["kind"] == FlagKind.PRICE_DEVIATION.value]


def test_shelf_prices_against_the_agreement(app, client, tokens, org, cat):
    p = cat.products
    visit_id = visit_at(app, client, tokens, org)
    saved = checks(client, tokens, visit_id, {
        p[0]: ("139.50", None),  # below the modern price 140.00 (not the 150.00 of all channels)
        p[1]: ("154.99", False),  # below 155.00, in force since yesterday
        p[2]: ("125.00", True),  # a special price under the n1-a promotion, above its 120.00
        p[3]: ("10.00", True),  # a special price under a promotion with no floor
        p[4]: ("170.00", True),  # a special price, no promotion (last week's is over)
        p[5]: ("1.00", None),  # no agreed price
        cat.rival_product: ("1.00", True),  # a competitor's product: not ours to agree
    })  # fmt: skip
    assert [(i["shelf_price"], i["special_price"]) for i in saved[:2]] == [
        ("139.50", None),
        ("154.99", False),
    ]
    assert deviations(app, visit_id) == [
        (p[0], "below_agreed", Decimal("139.50"), Decimal("140.00"), None),
        (p[1], "below_agreed", Decimal("154.99"), Decimal("155.00"), None),
        (p[4], "unagreed_special", Decimal("170.00"), None, None),
    ]
    flags = [
        (f["message"], f["photo_id"], f["detail"]) for f in price_flags(client, tokens, visit_id)
    ]
    assert flags == [
        (
            "3 own product(s) priced off the agreement: Sakura tea 0 500 ml, Sakura tea 1 500 ml, "
            "Sakura tea 4 500 ml.",
            None,
            {
                "count": 3,
                "product_names": "Sakura tea 0 500 ml, Sakura tea 1 500 ml, Sakura tea 4 500 ml",
                "products": [
                    {"product_id": p[0], "product_name": "Sakura tea 0 500 ml",
                     "kind": "below_agreed",
                     "shelf_price": "139.50", "agreed_price": "140.00"},
                    {"product_id": p[1], "product_name": "Sakura tea 1 500 ml",
                     "kind": "below_agreed",
                     "shelf_price": "154.99", "agreed_price": "155.00"},
                    {"product_id": p[4], "product_name": "Sakura tea 4 500 ml",
                     "kind": "unagreed_special", "shelf_price": "170.00", "agreed_price": None},
                ],
            },
        )
    ]  # fmt: skip


def test_a_promotion_sets_the_floor(app, client, tokens, org, cat):
    p, promo = cat.products, cat.promotions[0]
    visit_id = visit_at(app, client, tokens, org)
    checks(client, tokens, visit_id, {p[2]: ("119.99", True), p[0]: ("140.00", None)})
    assert deviations(app, visit_id) == [
        (p[2], "unagreed_special", Decimal("119.99"), Decimal("120.00"), promo),
    ]
    # Not marked special, the price is still below the lowest agreed price.
    checks(client, tokens, visit_id, {p[2]: ("119.99", False)})
    assert deviations(app, visit_id) == [
        (p[2], "below_agreed", Decimal("119.99"), Decimal("120.00"), promo),
    ]
    # At a store the promotion is not for, the agreed 150.00 is the floor.
    other = visit_at(app, client, tokens, org, store="n1-b", rep="rep-n1b")
    checks(client, tokens, other, {p[2]: ("125.00", True)}, rep="rep-n1b")
    assert deviations(app, other) == [
        (p[2], "unagreed_special", Decimal("125.00"), Decimal("150.00"), None),
    ]


def test_the_channel_price_applies_only_to_its_channel(app, client, tokens, org, cat):
    with app.app_context():
        db.session.get(Store, org.store["n1-b"]).channel = Channel.TRADITIONAL
        db.session.commit()
    visit_id = visit_at(app, client, tokens, org, store="n1-b", rep="rep-n1b")
    checks(client, tokens, visit_id, {cat.products[0]: ("145.00", None)}, rep="rep-n1b")
    assert deviations(app, visit_id) == [
        (cat.products[0], "below_agreed", Decimal("145.00"), Decimal("150.00"), None),
    ]


def test_a_clean_rewrite_clears_the_deviations_and_the_flag(app, client, tokens, org, cat):
    p = cat.products
    visit_id = visit_at(app, client, tokens, org)
    checks(client, tokens, visit_id, {p[0]: ("100.00", None), p[4]: (None, True)})
    assert deviations(app, visit_id) == [
        (p[0], "below_agreed", Decimal("100.00"), Decimal("140.00"), None),
        (p[4], "unagreed_special", None, None, None),
    ]
    assert [f["detail"]["count"] for f in price_flags(client, tokens, visit_id)] == [2]
    checks(client, tokens, visit_id, {p[0]: ("140.00", None), p[4]: ("99.00", False)})
    assert deviations(app, visit_id) == []
    assert price_flags(client, tokens, visit_id) == []


def test_negative_shelf_prices_are_422(app, client, tokens, org, cat):
    visit_id = visit_at(app, client, tokens, org)
    item = {"product_id": cat.products[0], "on_shelf": True, "shelf_price": "-0.01"}
    response = client.put(f"/api/visits/{visit_id}/display-checks", json={"items": [item]},
                          headers=tokens.headers("rep-n1a"))  # fmt: skip
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]["json"]["items"]["0"]) == ["shelf_price"]


@pytest.fixture
def history(app, org):
    """Tea 1 agreed at 150.00 (all channels), tea 2 at 151.00; a promotion of tea 2 at t1 on
    WED at 130.00. In ISO week 2026-W47 and the week after (NEXT_MON):

    - MON n1-a (modern, rep-n1a): tea 1 at 140.00 (below, 10.00), tea 2 special 151.00 (no
      promotion: unagreed, 0.00)
    - WED t1 (traditional, rep-n1a): tea 2 special 129.50 (below the promotion's 130.00: 0.50)
    - WED n2-a (modern, rep-n2a, team N2): tea 1 at 149.00 (1.00)
    - NEXT_MON n1-a: tea 1 at 150.00 (agreed: nothing)
    """
    with app.app_context():
        h = History(org)
        cat = h.catalogue()
        h.store("t1", "rep-n1a", channel=Channel.TRADITIONAL)
        tea1, tea2 = cat["tea-1"], cat["tea-2"]
        db.session.add_all([
            AgreedPrice(product_id=tea1, price=Decimal("150.00"), valid_from=LONG_AGO),
            AgreedPrice(product_id=tea2, price=Decimal("151.00"), valid_from=LONG_AGO),
        ])  # fmt: skip
        promo = Promotion(name="t1 tea 2", product_id=tea2, store_id=org.store["t1"],
                          promo_price=Decimal("130.00"), starts_on=WED, ends_on=WED)  # fmt: skip
        db.session.add(promo)
        visits = {
            "mon": h.visit("rep-n1a", "n1-a", MON, "09:00", 20),
            "t1": h.visit("rep-n1a", "t1", WED, "09:00", 20),
            "n2": h.visit("rep-n2a", "n2-a", WED, "10:00", 20),
            "next": h.visit("rep-n1a", "n1-a", NEXT_MON, "09:00", 20),
        }
        h.display(visits["mon"], tea1, shelf_price=Decimal("140.00"))
        h.display(visits["mon"], tea2, shelf_price=Decimal("151.00"), special_price=True)
        h.display(visits["t1"], tea2, shelf_price=Decimal("129.50"), special_price=True)
        h.display(visits["n2"], tea1, shelf_price=Decimal("149.00"))
        h.display(visits["next"], tea1, shelf_price=Decimal("150.00"))
        db.session.flush()
        for visit in visits.values():
            price_deviations.recompute(db.session.get(Visit, visit.id))
        h.commit()
        return {
            **cat,
            "promo": promo.id,
            **{f"visit_{k}": v.id for k, v in visits.items()},
        }


TWO_WEEKS = "period=custom&date_from=2026-11-16&date_to=2026-11-29"


def report(client, tokens, query, user="mgr-north"):
    response = client.get(f"/api/reports/price-deviations?{query}", headers=tokens.headers(user))
    assert response.status_code == 200, response.json
    return response.json


def counts(deviations, below, special, visits, stores, amount):
    return {"deviations": deviations, "below_agreed": below, "unagreed_special": special,
            "visits": visits, "stores": stores, "amount": amount}  # fmt: skip


def test_report_by_store_channel_and_week(client, tokens, org, history):
    by_store = report(client, tokens, f"{TWO_WEEKS}&group_by=store")
    assert by_store["period"] == {"from": "2026-11-16", "to": "2026-11-29"}
    assert by_store["groups"] == [
        {"key": str(org.store["n1-a"]), "name": "Store n1-a", **counts(2, 1, 1, 1, 1, "10.00")},
        {"key": str(org.store["n2-a"]), "name": "Store n2-a", **counts(1, 1, 0, 1, 1, "1.00")},
        {"key": str(org.store["t1"]), "name": "Store t1", **counts(1, 0, 1, 1, 1, "0.50")},
    ]
    assert by_store["total"] == counts(4, 2, 2, 3, 3, "11.50")
    by_channel = report(client, tokens, f"{TWO_WEEKS}&group_by=channel")
    assert by_channel["groups"] == [
        {"key": "modern", "name": "modern", **counts(3, 2, 1, 2, 2, "11.00")},
        {"key": "traditional", "name": "traditional", **counts(1, 0, 1, 1, 1, "0.50")},
    ]
    by_week = report(client, tokens, f"{TWO_WEEKS}&group_by=week")
    assert by_week["groups"] == [
        {"key": "2026-11-16", "name": "2026-W47", **counts(4, 2, 2, 3, 3, "11.50")},
    ]


def test_report_items_newest_first(client, tokens, org, history):
    body = report(client, tokens, f"{TWO_WEEKS}&per_page=2")
    assert body["meta"] == {"page": 1, "per_page": 2, "total": 4, "pages": 2}
    first = body["items"][0]
    assert first == {
        "id": first["id"],
        "visit_id": history["visit_n2"],
        "visit_date": "2026-11-18",
        "week": "2026-W47",
        "store_id": org.store["n2-a"],
        "store_name": "Store n2-a",
        "channel": "modern",
        "rep_id": org.user["rep-n2a"],
        "rep_name": "Rep-N2A",
        "team_name": "N2",
        "product_id": history["tea-1"],
        "product_name": "Sakura tea 1",
        "kind": "below_agreed",
        "shelf_price": "149.00",
        "agreed_price": "150.00",
        "amount": "1.00",
        "promotion_id": None,
        "promotion_name": None,
    }
    second = body["items"][1]
    assert (second["visit_id"], second["kind"], second["promotion_name"], second["amount"]) == (
        history["visit_t1"], "unagreed_special", "t1 tea 2", "0.50",
    )  # fmt: skip
    rest = report(client, tokens, f"{TWO_WEEKS}&per_page=2&page=2")["items"]
    assert [(i["product_name"], i["kind"], i["amount"]) for i in rest] == [
        ("Sakura tea 1", "below_agreed", "10.00"),
        ("Sakura tea 2", "unagreed_special", "0.00"),
    ]


def test_report_filters_and_scope(client, tokens, org, history):
    def total(query, user="mgr-north"):
        return report(client, tokens, f"{TWO_WEEKS}&{query}", user)["total"]["deviations"]

    assert total("channel=traditional") == 1
    assert total(f"store_id={org.store['n1-a']}") == 2
    assert total(f"product_id={history['tea-2']}") == 2
    assert total("kind=unagreed_special") == 2
    assert total(f"team_id={org.team['N2']}") == 1
    assert total("", user="sup-n1") == 3
    assert total("", user="sup-n2") == 1
    assert total("", user="mgr-south") == 0
    assert total("", user="admin") == 4
    week = report(client, tokens, "period=week&date=2026-11-23")
    assert (week["total"]["deviations"], week["groups"]) == (0, [])
    refused = client.get("/api/reports/price-deviations", headers=tokens.headers("rep-n1a"))
    assert refused.status_code == 403
    hidden = client.get(f"/api/reports/price-deviations?team_id={org.team['N2']}",
                        headers=tokens.headers("sup-n1"))  # fmt: skip
    assert hidden.status_code == 404


def test_report_exports_every_deviation(client, tokens, org, history):
    response = client.get(f"/api/reports/price-deviations.csv?{TWO_WEEKS}&per_page=1",
                          headers=tokens.headers("mgr-north"))  # fmt: skip
    assert response.status_code == 200
    lines = response.get_data(as_text=True).strip().splitlines()
    sections = [line.split(",")[0] for line in lines[1:]]
    assert sections == ["groups"] * 3 + ["items"] * 4 + ["total"]
