"""Brand and product writes through the executor: replays create once; a product's failed
move to another brand rolls back, the day's display counts as they were."""

from __future__ import annotations

from backend.extensions import db
from backend.models import Brand, Product
from tests.writes.write_helpers import assert_replays, assert_rolls_back, count


def test_a_brand_replayed_under_its_key_is_created_once(app, client, org, tokens):
    admin = tokens.headers("admin")

    def send(extra, name="Kawa"):
        return client.post("/api/brands", json={"name": name}, headers={**admin, **extra})

    assert_replays(send, lambda k: send(k, "Other"), 201)
    with app.app_context():
        assert count(Brand) == 1
    assert send({}).status_code == 409  # without a key, as before: the name is taken
    assert send({}, "Third").status_code == 201


def test_a_product_replayed_under_its_key_is_created_once(app, client, tokens, day):
    admin = tokens.headers("admin")
    body = {"sku": "NEW-1", "name": "New tea", "brand_id": day.cat.own, "category": "tea",
            "pack_size": "500 ml"}  # fmt: skip

    def send(extra, **changes):
        return client.post("/api/products", json={**body, **changes}, headers={**admin, **extra})

    with app.app_context():
        before = count(Product)
    assert_replays(send, lambda k: send(k, name="Renamed"), 201)
    with app.app_context():
        assert count(Product) == before + 1
    assert send({}).status_code == 409
    assert send({}, sku="NEW-2").status_code == 201


def test_a_failed_brand_move_leaves_the_day_as_it_was(app, client, tokens, day, monkeypatch):
    """The checked own product moving to the rival brand lowers the day's own facings."""
    admin = tokens.headers("admin")
    product = day.cat.products[0]
    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.products.update_product",
        lambda k: client.patch(
            f"/api/products/{product}", json={"brand_id": day.cat.rival}, headers={**admin, **k}
        ),
        lambda: db.session.get(Product, product).brand_id,
    )
