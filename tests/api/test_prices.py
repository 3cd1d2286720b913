"""The agreed price list and promotions: admins write, leads read (a one-store promotion only
who sees that store), reps neither; own products only; dates in order."""

from __future__ import annotations

import pytest

from tests.api.visit_helpers import catalogue


def agree(client, tokens, **body):
    return client.post("/api/agreed-prices", json=body, headers=tokens.headers("admin"))


def promote(client, tokens, **body):
    return client.post("/api/promotions", json=body, headers=tokens.headers("admin"))


def test_admin_agrees_prices_and_leads_list_them_in_force(app, client, tokens, org):
    cat = catalogue(app)
    first = agree(client, tokens, product_id=cat.products[0], price="150", valid_from="2026-01-01",
                  valid_to="2026-06-30")  # fmt: skip
    assert first.status_code == 201, first.json
    assert first.json == {
        "id": first.json["id"],
        "product_id": cat.products[0],
        "product_name": "Sakura tea 0",
        "channel": None,
        "price": "150.00",
        "valid_from": "2026-01-01",
        "valid_to": "2026-06-30",
    }
    later = agree(client, tokens, product_id=cat.products[0], channel="modern", price=140.5,
                  valid_from="2026-07-01")  # fmt: skip
    assert later.status_code == 201, later.json
    other = agree(
        client, tokens, product_id=cat.products[1], price="99.90", valid_from="2026-01-01"
    )
    assert other.status_code == 201, other.json

    def listed(query):
        response = client.get(f"/api/agreed-prices?{query}", headers=tokens.headers("sup-n1"))
        assert response.status_code == 200, response.json
        return [(i["product_id"], i["channel"], i["price"]) for i in response.json["items"]]

    p0, p1 = cat.products[0], cat.products[1]
    assert listed("") == [(p0, None, "150.00"), (p0, "modern", "140.50"), (p1, None, "99.90")]
    assert listed("on=2026-05-01") == [(p0, None, "150.00"), (p1, None, "99.90")]
    assert listed(f"on=2026-07-01&product_id={p0}") == [(p0, "modern", "140.50")]
    assert listed("channel=modern") == [(p0, "modern", "140.50")]
    page = client.get("/api/agreed-prices?per_page=1&page=2", headers=tokens.headers("mgr-north"))
    assert page.json["meta"] == {"page": 2, "per_page": 1, "total": 3, "pages": 3}


def test_only_admins_write_and_reps_do_not_read(app, client, tokens, org):
    cat = catalogue(app)
    body = {"product_id": cat.products[0], "price": "150", "valid_from": "2026-01-01"}
    for user in ("sup-n1", "mgr-north", "rep-n1a"):
        response = client.post("/api/agreed-prices", json=body, headers=tokens.headers(user))
        assert response.status_code == 403, (user, response.json)
    assert client.get("/api/agreed-prices", headers=tokens.headers("rep-n1a")).status_code == 403
    assert client.get("/api/promotions", headers=tokens.headers("rep-n1a")).status_code == 403


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"product_id": "rival"}, "product_id", "Agreed prices are for our own products."),
        ({"product_id": 999_999}, "product_id", "No such product."),
        ({"valid_to": "2025-12-31"}, "valid_to", "Must not be before valid_from."),
        ({"price": "-1"}, "price", None),
    ],
)
def test_bad_agreed_prices_are_422(app, client, tokens, org, change, field, says):
    cat = catalogue(app)
    if change.get("product_id") == "rival":
        change = {"product_id": cat.rival_product}
    body = {"product_id": cat.products[0], "price": "150", "valid_from": "2026-01-01", **change}
    response = agree(client, tokens, **body)
    assert response.status_code == 422, response.json
    errors = response.json["errors"]["json"][field]
    assert says is None or errors == [says], errors
    assert client.get("/api/agreed-prices", headers=tokens.headers("admin")).json["items"] == []


def test_agreed_price_changed_then_deleted(app, client, tokens, org):
    cat = catalogue(app)
    price = agree(client, tokens, product_id=cat.products[0], price="150", valid_from="2026-01-01")
    url = f"/api/agreed-prices/{price.json['id']}"
    admin = tokens.headers("admin")
    bad = client.patch(url, json={"valid_to": "2025-01-01"}, headers=admin)
    assert bad.status_code == 422, bad.json
    assert bad.json["errors"]["json"] == {"valid_to": ["Must not be before valid_from."]}
    changed = client.patch(url, json={"valid_to": "2026-03-31", "price": "149"}, headers=admin)
    assert changed.status_code == 200, changed.json
    assert (changed.json["price"], changed.json["valid_to"]) == ("149.00", "2026-03-31")
    assert client.get(url, headers=tokens.headers("sup-n2")).json["price"] == "149.00"
    assert (
        client.patch(url, json={"price": "1"}, headers=tokens.headers("sup-n1")).status_code == 403
    )
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url, headers=admin).status_code == 404
    assert client.delete(url, headers=admin).status_code == 404


def test_promotions_follow_their_store(app, client, tokens, org):
    cat = catalogue(app)
    everywhere = promote(client, tokens, name="Spring sale", product_id=cat.products[0],
                         promo_price="120", starts_on="2026-03-01",
                         ends_on="2026-03-31")  # fmt: skip
    assert everywhere.status_code == 201, everywhere.json
    assert everywhere.json == {
        "id": everywhere.json["id"],
        "name": "Spring sale",
        "product_id": cat.products[0],
        "product_name": "Sakura tea 0",
        "channel": None,
        "store_id": None,
        "promo_price": "120.00",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-31",
    }
    local = promote(client, tokens, name="n1-a opening", product_id=cat.products[1],
                    store_id=org.store["n1-a"], channel="modern", starts_on="2026-04-01",
                    ends_on="2026-04-07")  # fmt: skip
    assert local.status_code == 201, local.json
    assert (local.json["promo_price"], local.json["store_id"]) == (None, org.store["n1-a"])

    def names(user, query=""):
        response = client.get(f"/api/promotions?{query}", headers=tokens.headers(user))
        assert response.status_code == 200, response.json
        return [p["name"] for p in response.json["items"]]

    assert names("sup-n1") == ["n1-a opening", "Spring sale"]
    assert names("mgr-north") == ["n1-a opening", "Spring sale"]
    assert names("sup-n2") == ["Spring sale"]
    assert names("mgr-south") == ["Spring sale"]
    assert names("sup-n1", "on=2026-04-07") == ["n1-a opening"]
    assert names("sup-n1", "on=2026-04-08") == []
    assert names("sup-n1", f"store_id={org.store['n1-a']}") == ["n1-a opening"]
    url = f"/api/promotions/{local.json['id']}"
    assert client.get(url, headers=tokens.headers("sup-n2")).status_code == 404
    assert client.get(url, headers=tokens.headers("sup-n1")).json["name"] == "n1-a opening"


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"ends_on": "2026-02-28"}, "ends_on", "Must not be before starts_on."),
        ({"store_id": 999_999}, "store_id", "No such store."),
        ({"name": ""}, "name", None),
        ({"product_id": "rival"}, "product_id", "Agreed prices are for our own products."),
    ],
)
def test_bad_promotions_are_422(app, client, tokens, org, change, field, says):
    cat = catalogue(app)
    if change.get("product_id") == "rival":
        change = {"product_id": cat.rival_product}
    body = {"name": "Sale", "product_id": cat.products[0], "starts_on": "2026-03-01",
            "ends_on": "2026-03-31", **change}  # fmt: skip
    response = promote(client, tokens, **body)
    assert response.status_code == 422, response.json
    errors = response.json["errors"]["json"][field]
    assert says is None or errors == [says], errors


def test_promotion_changed_then_deleted(app, client, tokens, org):
    cat = catalogue(app)
    made = promote(client, tokens, name="Sale", product_id=cat.products[0], promo_price="120",
                   starts_on="2026-03-01", ends_on="2026-03-31")  # fmt: skip
    url = f"/api/promotions/{made.json['id']}"
    admin = tokens.headers("admin")
    bad = client.patch(url, json={"starts_on": "2026-04-01"}, headers=admin)
    assert bad.status_code == 422, bad.json
    assert bad.json["errors"]["json"] == {"ends_on": ["Must not be before starts_on."]}
    changed = client.patch(url, json={"promo_price": None, "ends_on": "2026-04-30"}, headers=admin)
    assert changed.status_code == 200, changed.json
    assert (changed.json["promo_price"], changed.json["ends_on"]) == (None, "2026-04-30")
    assert client.delete(url, headers=tokens.headers("sup-n1")).status_code == 403
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url, headers=admin).status_code == 404
