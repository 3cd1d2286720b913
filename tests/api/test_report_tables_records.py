"""The report tables of what reps record (`rep_day_competitor_prices`,
`rep_day_price_deviations`, `rep_day_returns`) equal a rebuild after every kind of write: the
rep's records, a lead's decision on a return, a store changing channel, a record deleted alone
or in bulk, and the visit itself deleted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from backend.extensions import db
from backend.models import (
    AgreedPrice,
    Channel,
    CompetitorObservation,
    RepDayCompetitorPrices,
    RepDayPriceDeviations,
    RepDayReturns,
    ReturnRequest,
    Store,
    Visit,
)
from backend.services.reports import rep_days
from tests.api.visit_helpers import catalogue, check_in, minutes_ago

TABLES = (RepDayCompetitorPrices, RepDayPriceDeviations, RepDayReturns)
LONG_AGO = date(2020, 1, 1)


def assert_rebuilt(app) -> None:
    with app.app_context():
        assert rep_days.stale_rep_days(db.session.connection()) == []


def rows(app, model) -> list[tuple]:
    """The table's rows without their ids."""
    with app.app_context():
        columns = [c for c in model.__table__.c if c.name != "id"]
        return sorted(tuple(r) for r in db.session.execute(select(*columns)))


@pytest.fixture
def recorded(app, client, tokens, org):
    """rep-n1a's visit at n1-a with a competitor price, a shelf price below the agreement and
    two returns; returns (visit id, catalogue, PUT helper)."""
    cat = catalogue(app)
    with app.app_context():
        db.session.add(AgreedPrice(product_id=cat.products[0], price=Decimal("150.00"),
                                   valid_from=LONG_AGO))  # fmt: skip
        db.session.commit()
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(10)).json["id"]

    def put(what, items):
        response = client.put(f"/api/visits/{visit}/{what}", json={"items": items},
                              headers=headers)  # fmt: skip
        assert response.status_code == 200, response.json
        return response.json["items"]

    put("competitors", [{"brand_id": cat.rival, "product_id": cat.rival_product,
                         "regular_price": "160.00", "promo_price": "128.00",
                         "promo_type": "discount"},
                        {"brand_id": cat.rival, "product_name": "Fuji new", "new_product": True,
                         "regular_price": "99.90"}])  # fmt: skip
    put("display-checks", [{"product_id": cat.products[0], "on_shelf": True, "facings": 2,
                            "shelf_price": "139.50"}])  # fmt: skip
    damaged = [(cat.products[0], 4), (cat.products[1], 2)]
    put("returns", [{"product_id": p, "quantity": q, "reason": "damaged"} for p, q in damaged])
    return visit, cat, put


def test_the_records_are_copied_per_rep_day(app, org, recorded):
    assert_rebuilt(app)
    t = RepDayCompetitorPrices
    with app.app_context():
        seen = db.session.execute(
            select(t.store_id, t.channel, t.product_text, t.new_product, t.regular_price,
                   t.promo_price).order_by(t.observation_id)
        ).all()  # fmt: skip
        deviation = db.session.execute(select(RepDayPriceDeviations.amount)).scalars().all()
        returns = db.session.execute(
            select(RepDayReturns.requests, RepDayReturns.quantity).order_by(RepDayReturns.quantity)
        ).all()
    store = org.store["n1-a"]
    assert [tuple(r) for r in seen] == [
        (store, Channel.MODERN, "", False, Decimal("160.00"), Decimal("128.00")),
        (store, Channel.MODERN, "Fuji new", True, Decimal("99.90"), None),
    ]
    assert deviation == [Decimal("10.50")]  # agreed 150.00 - shelf 139.50
    assert [tuple(r) for r in returns] == [(1, 2), (1, 4)]


def test_the_tables_follow_every_write(app, client, tokens, org, recorded):
    visit, cat, put = recorded
    # A lead's decision moves the request to another status row.
    request = rows(app, RepDayReturns)
    with app.app_context():
        first = db.session.scalars(select(ReturnRequest.id).order_by(ReturnRequest.id)).first()
    decided = client.patch(f"/api/returns/{first}", json={"status": "approved"},
                           headers=tokens.headers("sup-n1"))  # fmt: skip
    assert decided.status_code == 200, decided.json
    assert_rebuilt(app)
    assert rows(app, RepDayReturns) != request
    # The rep rewrites the records: a clean price clears the deviation.
    put("display-checks", [{"product_id": cat.products[0], "on_shelf": True, "facings": 2,
                            "shelf_price": "150.00"}])  # fmt: skip
    put("competitors", [{"brand_id": cat.rival, "product_name": "Fuji", "regular_price": "170.00"}])
    assert_rebuilt(app)
    assert rows(app, RepDayPriceDeviations) == []
    assert len(rows(app, RepDayCompetitorPrices)) == 1
    with app.app_context():
        # The store's channel is copied: changing it moves the rows.
        db.session.get(Store, org.store["n1-a"]).channel = Channel.SPECIAL
        db.session.commit()
    assert_rebuilt(app)
    with app.app_context():
        # A bulk delete of records, then the visit itself.
        db.session.execute(
            delete(CompetitorObservation).where(CompetitorObservation.visit_id == visit)
        )
        db.session.commit()
    assert_rebuilt(app)
    assert rows(app, RepDayCompetitorPrices) == []
    with app.app_context():
        db.session.delete(db.session.get(Visit, visit))
        db.session.commit()
    assert_rebuilt(app)
    assert all(rows(app, model) == [] for model in TABLES)


def test_a_rebuild_gives_the_same_rows(app, recorded):
    before = {model: rows(app, model) for model in TABLES}
    with app.app_context():
        rep_days.refresh(db.session.connection(), rep_days.everything)
        db.session.commit()
    assert {model: rows(app, model) for model in TABLES} == before
