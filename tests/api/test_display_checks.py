"""Display checks: one answer per question. Shelf height is `shelf_level` (2 = eye level, which
the eye-level share counts), availability is on the shelf, out of stock or neither; the API
refuses the old separate eye-level answer and contradictions, and so does the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from backend.extensions import db
from backend.models import DisplayCheck
from tests.api.visit_helpers import catalogue, check_in, local_today, minutes_ago


@pytest.fixture
def visit(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    response = check_in(client, headers, app, org.store["n1-a"], minutes_ago(9))
    assert response.status_code == 201, response.json
    return response.json


def put_checks(client, tokens, visit, items):
    return client.put(
        f"/api/visits/{visit['id']}/display-checks",
        json={"items": items},
        headers=tokens.headers("rep-n1a"),
    )


@pytest.mark.parametrize(
    ("item", "field", "says"),
    [
        ({"on_shelf": True, "out_of_stock": True}, "out_of_stock", "is not out of stock"),
        ({"on_shelf": False, "out_of_stock": True, "facings": 3}, "facings", "no facings"),
        ({"on_shelf": False, "facings": 1}, "facings", "no facings"),
        ({"on_shelf": True, "eye_level": True}, "eye_level", "send shelf_level instead (2 = eye"),
        ({"on_shelf": True, "shelf_level": 2, "eye_level": False}, "eye_level", "shelf_level"),
    ],
)
def test_contradictions_and_the_old_eye_level_answer_are_422(
    app, client, tokens, visit, item, field, says
):
    cat = catalogue(app)
    good = {"product_id": cat.products[1], "on_shelf": True, "facings": 2}
    response = put_checks(client, tokens, visit, [good, {"product_id": cat.products[0], **item}])
    assert response.status_code == 422, response.json
    errors = response.json["errors"]["json"]["items"]
    assert list(errors) == ["1"], errors
    assert says.lower() in " ".join(errors["1"][field]).lower(), errors
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DisplayCheck)) == 0


def test_eye_level_is_read_from_the_shelf_level(app, client, tokens, visit):
    cat = catalogue(app)
    items = [
        {"product_id": cat.products[0], "on_shelf": True, "facings": 3, "shelf_level": 2},
        {"product_id": cat.products[1], "on_shelf": True, "facings": 1, "shelf_level": 4},
        {"product_id": cat.products[2], "on_shelf": False, "out_of_stock": True},
        {"product_id": cat.products[3], "on_shelf": False},
    ]
    response = put_checks(client, tokens, visit, items)
    assert response.status_code == 200, response.json
    got = [
        (i["shelf_level"], i["eye_level"], i["on_shelf"], i["out_of_stock"], i["facings"])
        for i in response.json["items"]
    ]
    assert got == [
        (2, True, True, False, 3),
        (4, False, True, False, 1),
        (None, False, False, True, 0),
        (None, False, False, False, 0),
    ]


@pytest.mark.parametrize(
    "values",
    [
        {"on_shelf": True, "out_of_stock": True, "facings": 0},
        {"on_shelf": False, "out_of_stock": True, "facings": 2},
        {"on_shelf": False, "out_of_stock": False, "facings": 1},
    ],
)
def test_the_database_refuses_a_contradiction(app, client, tokens, visit, values):
    cat = catalogue(app)
    row = {"visit_id": visit["id"], "product_id": cat.products[0], **values}
    with app.app_context():
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.insert(DisplayCheck), [row])
        db.session.rollback()
        db.session.execute(sa.insert(DisplayCheck), [{**row, "on_shelf": False, "facings": 0}])
        db.session.commit()  # the same row without the contradiction is fine


def test_eye_level_chosen_as_the_shelf_for_half_the_products_is_a_50_percent_share(
    app, client, tokens, visit
):
    """The reported bug: eye level picked as the shelf gave an eye-level share of 0 %."""
    cat = catalogue(app)
    items = [
        {"product_id": p, "on_shelf": True, "facings": 2, "shelf_level": level}
        for p, level in zip(cat.products[:4], (2, 1, 2, 3), strict=True)
    ]
    items += [
        {"product_id": cat.products[4], "on_shelf": False, "out_of_stock": True, "shelf_level": 2},
        {"product_id": cat.rival_product, "on_shelf": True, "facings": 5, "shelf_level": 2},
    ]
    assert put_checks(client, tokens, visit, items).status_code == 200
    response = client.get(
        "/api/reports/display-compliance",
        query_string={"period": "day", "date": local_today().isoformat()},
        headers=tokens.headers("mgr-north"),
    )
    assert response.status_code == 200, response.json
    share = response.json["total"]["eye_level_share"]
    assert share == {"numerator": 2, "denominator": 4, "rate": 0.5}
    assert response.json["total"]["out_of_stock_rate"]["numerator"] == 1
