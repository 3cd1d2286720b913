"""A rep's day with data in both report tables, written through the API."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.api.visit_helpers import (
    TOKYO,
    catalogue,
    check_in,
    image_bytes,
    minutes_ago,
    upload,
)
from tests.writes.write_helpers import HOURS


@pytest.fixture(autouse=True)
def _photos(photo_dir):
    """Every write test stores its photos under its own tmp_path."""


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def new_store(client, headers, code: str, rep_id: int, **extra) -> int:
    body = {"code": code, "name": f"Store {code}", "channel": "modern", "tier": "A",
            "lat": 35.661, "lng": 139.771, "rep_id": rep_id, "hours": HOURS, **extra}  # fmt: skip
    return ok(client.post("/api/stores", json=body, headers=headers), 201)["id"]


@pytest.fixture
def day(app, client, org, tokens):
    """Homes for N1's reps, and rep-n1a's day: a published plan of two new stores, a check-in
    at the first with a photo and display checks of two own products and a rival one; nothing
    ordered, the visit still open."""
    admin, sup, rep = (tokens.headers(u) for u in ("admin", "sup-n1", "rep-n1a"))
    rep_id, cat = org.user["rep-n1a"], catalogue(app)
    home = {"home_lat": 35.662, "home_lng": 139.772, "shift_start": "08:30", "shift_end": "17:30"}
    for other in ("rep-n1a", "rep-n1b"):
        ok(client.patch(f"/api/users/{org.user[other]}", json=home, headers=admin))
    stores = [new_store(client, admin, f"d{i}", rep_id, lat=35.66 + i / 1000) for i in range(2)]
    when = minutes_ago(12)
    body = {"rep_id": rep_id, "plan_date": when.astimezone(TOKYO).date().isoformat(),
            "store_ids": stores, "seconds": 0.3}  # fmt: skip
    plan = ok(client.post("/api/plans", json=body, headers=sup), 201)
    ok(client.post(f"/api/plans/{plan['id']}/publish", headers=sup))
    visit = ok(check_in(client, rep, app, stores[0], when), 201)
    photo = ok(upload(client, rep, visit["id"], image_bytes(seed=5)), 201)
    checks = {"items": [
        {"product_id": cat.products[0], "on_shelf": True, "facings": 4, "shelf_level": 2},
        {"product_id": cat.products[1], "on_shelf": True, "facings": 2, "shelf_level": 1},
        {"product_id": cat.rival_product, "on_shelf": True, "facings": 6},
    ]}  # fmt: skip
    ok(client.put(f"/api/visits/{visit['id']}/display-checks", json=checks, headers=rep))
    return SimpleNamespace(
        rep_id=rep_id, stores=stores, plan=plan["id"], visit=visit["id"], photo=photo["id"],
        cat=cat, date=body["plan_date"],
    )  # fmt: skip
