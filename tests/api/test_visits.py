"""Visits: the full visit of a rep through the API, planned/unplanned, one open visit, the
end-of-day close, record validation and scoping (404 out of scope)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import (
    CompetitorObservation,
    DisplayCheck,
    FlagKind,
    IdempotencyKey,
    NearExpiry,
    OrderLine,
    Photo,
    PlannedStop,
    StockCount,
    Visit,
    VisitStatus,
)
from backend.services import visits as visit_service
from tests.api.visit_helpers import (
    catalogue,
    check_in,
    check_in_body,
    image_bytes,
    local_today,
    minutes_ago,
    publish_plan,
    store_position,
    upload,
)

pytestmark = pytest.mark.usefixtures("photo_dir")


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                Visit,
                Photo,
                DisplayCheck,
                StockCount,
                NearExpiry,
                CompetitorObservation,
                OrderLine,
                IdempotencyKey,
            )
        }


def full_visit_requests(org, cat, position, photo_seed=1):
    """The requests of a rep's full visit, as (method, path-template, kwargs, key)."""
    start = minutes_ago(40)
    store = org.store["n1-a"]
    near = (position[0] + 0.0002, position[1] + 0.0002)  # ~30 m away
    products = cat.products[:5]
    photos = [
        image_bytes(seed=photo_seed + i, taken=start + timedelta(minutes=2)) for i in range(3)
    ]
    return [
        ("POST", "/api/visits", {"json": check_in_body(store, near, start)}),
        *[
            ("PHOTO", "/api/visits/{visit}/photos", {"content": photo, "kind": kind})
            for photo, kind in zip(photos, ["shelf", "promo_display", "competitor"], strict=True)
        ],
        (
            "PUT",
            "/api/visits/{visit}/display-checks",
            {
                "json": {
                    "items": [
                        {
                            "product_id": p,
                            "on_shelf": i != 4,
                            "facings": 0 if i == 4 else 3 + i,
                            "shelf_level": 1 + i % 4,  # 2 = eye level
                            "fifo_ok": True,
                            "out_of_stock": i == 4,
                            "price_tag_present": True,
                            "price_tag_correct": i != 2,
                            "shelf_clean": True,
                            "pop_present": i == 0,
                            "promo_display": i == 0,
                        }
                        for i, p in enumerate(products)
                    ]
                }
            },
        ),
        (
            "PUT",
            "/api/visits/{visit}/stock",
            {
                "json": {
                    "items": [
                        {
                            "product_id": p,
                            "shelf_qty": 10 + i,
                            "backroom_qty": 24,
                            "suggested_order_qty": 12,
                        }
                        for i, p in enumerate(products)
                    ]
                }
            },
        ),
        (
            "PUT",
            "/api/visits/{visit}/near-expiry",
            {
                "json": {
                    "items": [
                        {"product_id": products[0], "quantity": 6, "expiry_date": "2026-12-01"},
                        {"product_id": products[1], "quantity": 2, "expiry_date": "2026-12-03"},
                    ]
                }
            },
        ),
        (
            "PUT",
            "/api/visits/{visit}/competitors",
            {
                "json": {
                    "items": [
                        {
                            "brand_id": cat.rival,
                            "product_id": cat.rival_product,
                            "regular_price": "160.00",
                            "promo_price": "128.00",
                            "promo_type": "discount",
                            "new_product": True,
                            "display_notes": "End cap near the entrance",
                            "photo_id": "{photo3}",
                        }
                    ]
                }
            },
        ),
        (
            "PUT",
            "/api/visits/{visit}/order",
            {
                "json": {
                    "lines": [
                        {"product_id": products[0], "quantity": 24},
                        {"product_id": products[1], "quantity": 12},
                    ]
                }
            },
        ),
        (
            "POST",
            "/api/visits/{visit}/checkout",
            {"json": {"device_time": minutes_ago(1).isoformat(), "lat": near[0], "lng": near[1]}},
        ),
    ]


def send(client, headers, request, ids, idem_key):
    method, path, kwargs = request
    path = path.format(**ids)
    headers = {**headers, "Idempotency-Key": idem_key}
    if method == "PHOTO":
        return upload(client, headers, ids["visit"], kwargs["content"], kind=kwargs["kind"])
    body = kwargs["json"]
    if "items" in body and "photo3" in ids:
        body = {
            "items": [
                {**item, "photo_id": ids["photo3"]} if item.get("photo_id") else item
                for item in body["items"]
            ]
        }
    return client.open(path, method=method, json=body, headers=headers)


def test_full_visit_is_planned_successful_inside_geofence_and_replays_change_nothing(
    app, client, org, tokens
):
    cat = catalogue(app)
    [stop_id] = publish_plan(app, org.user["rep-n1a"], [org.store["n1-a"]], local_today())
    headers = tokens.headers("rep-n1a")
    requests = full_visit_requests(org, cat, store_position(app, org.store["n1-a"]))
    keys = [str(uuid.uuid4()) for _ in requests]
    ids: dict[str, int] = {}
    first = []
    for i, (request, idem_key) in enumerate(zip(requests, keys, strict=True)):
        response = send(client, headers, request, ids, idem_key)
        assert response.status_code in (200, 201), (request[1], response.json)
        first.append((response.status_code, response.json))
        if i == 0:
            ids["visit"] = response.json["id"]
        if i == 3:
            ids["photo3"] = response.json["id"]
    before = counts(app)
    detail = client.get(f"/api/visits/{ids['visit']}", headers=headers).json

    assert detail["planned"] and detail["planned_stop_id"] == stop_id
    assert detail["successful"] and detail["inside_geofence"] and detail["flags"] == []
    assert detail["status"] == "closed" and 38 <= detail["duration_minutes"] <= 40
    assert detail["checkin_distance_m"] < 50
    assert len(detail["photos"]) == 3 and len(detail["display_checks"]) == 5
    assert len(detail["stock_counts"]) == 5 and len(detail["near_expiry_items"]) == 2
    assert detail["competitor_observations"][0]["photo_id"] == ids["photo3"]
    assert detail["order"]["total"] == "5412.00"  # 24 × 150 + 12 × 151
    assert before == {
        "Visit": 1,
        "Photo": 3,
        "DisplayCheck": 5,
        "StockCount": 5,
        "NearExpiry": 2,
        "CompetitorObservation": 1,
        "OrderLine": 2,
        "IdempotencyKey": len(requests),
    }
    with app.app_context():
        assert db.session.get(PlannedStop, stop_id).done_at is not None

    for _ in range(3):
        for request, idem_key, (status, body) in zip(requests, keys, first, strict=True):
            response = send(client, headers, request, ids, idem_key)
            assert (response.status_code, response.json) == (status, body)
            assert response.headers["Idempotent-Replayed"] == "true"
    assert counts(app) == before
    assert client.get(f"/api/visits/{ids['visit']}", headers=headers).json == detail


def test_visit_without_a_published_plan_is_unplanned(app, client, org, tokens):
    rep = org.user["rep-n1a"]
    publish_plan(app, rep, [org.store["n1-a"]], local_today() - timedelta(days=1))
    position = store_position(app, org.store["n1-a"])
    response = client.post(
        "/api/visits",
        json=check_in_body(org.store["n1-a"], position, minutes_ago(5)),
        headers=tokens.headers("rep-n1a"),
    )
    assert response.status_code == 201, response.json
    assert response.json["planned"] is False and response.json["planned_stop_id"] is None


def test_a_store_on_the_plan_but_not_assigned_to_the_rep_can_be_visited(app, client, org, tokens):
    free = org.store["n1-free"]
    publish_plan(app, org.user["rep-n1a"], [free], local_today())
    body = check_in_body(free, store_position(app, free), minutes_ago(5))
    response = client.post("/api/visits", json=body, headers=tokens.headers("rep-n1a"))
    assert response.status_code == 201 and response.json["planned"] is True
    other = client.post(
        "/api/visits",
        json={**body, "store_id": org.store["n1-b"]},
        headers=tokens.headers("rep-n1a"),
    )
    assert other.status_code == 422 and "store_id" in other.json["errors"]["json"]


def test_only_one_visit_is_open_at_a_time(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    first = check_in(client, headers, app, org.store["n1-a"], minutes_ago(30))
    assert first.status_code == 201
    second = check_in(client, headers, app, org.store["n1-a"], minutes_ago(5))
    assert second.status_code == 409 and "still open" in second.json["message"]
    out = client.post(
        f"/api/visits/{first.json['id']}/checkout",
        json={"device_time": minutes_ago(6).isoformat()},
        headers=headers,
    )
    assert out.status_code == 200
    third = check_in(client, headers, app, org.store["n1-a"], minutes_ago(5))
    assert third.status_code == 201


def test_a_visit_left_open_is_closed_with_a_flag_at_the_end_of_the_day(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    position = store_position(app, org.store["n1-a"])
    yesterday = minutes_ago(26 * 60)
    # Checked in yesterday, online (received then: a check-in first received today is held).
    with time_machine.travel(yesterday, tick=True):
        body = check_in_body(org.store["n1-a"], position, yesterday)
        old = client.post("/api/visits", json=body, headers=headers).json
    # The end-of-day job (flask visits close-open) closes it ...
    runner = app.test_cli_runner()
    result = runner.invoke(args=["visits", "close-open"])
    assert "Closed 1 visit" in result.output
    closed = client.get(f"/api/visits/{old['id']}", headers=headers).json
    assert closed["status"] == "auto_closed"
    assert [f["kind"] for f in closed["flags"]] == ["left_open"]
    # ... and a late check-out synced from the device still lands and clears the flag.
    late = client.post(
        f"/api/visits/{old['id']}/checkout",
        json={"device_time": (yesterday + timedelta(minutes=20)).isoformat()},
        headers=headers,
    ).json
    assert late["status"] == "closed" and late["flags"] == []


def test_a_new_day_check_in_closes_yesterdays_open_visit(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    position = store_position(app, org.store["n1-a"])
    old = client.post(
        "/api/visits",
        json=check_in_body(org.store["n1-a"], position, minutes_ago(26 * 60)),
        headers=headers,
    ).json
    new = check_in(client, headers, app, org.store["n1-a"], minutes_ago(1))
    assert new.status_code == 201
    with app.app_context():
        assert db.session.get(Visit, old["id"]).status is VisitStatus.AUTO_CLOSED
        assert visit_service.close_left_open() == 0


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("display-checks", {"items": [{"product_id": 999, "on_shelf": True}]}, "items"),
        (
            "display-checks",
            {"items": [{"product_id": "{p0}", "on_shelf": True, "shelf_level": 5}]},
            "items",
        ),
        (
            "display-checks",
            {"items": [{"product_id": "{p0}", "on_shelf": False, "facings": 2}]},
            "items",
        ),
        ("display-checks", {"items": [{"product_id": "{p0}", "on_shelf": True}] * 2}, "items"),
        ("stock", {"items": [{"product_id": "{p0}", "shelf_qty": -1}]}, "items"),
        (
            "near-expiry",
            {"items": [{"product_id": "{p0}", "quantity": 0, "expiry_date": "2026-12-01"}]},
            "items",
        ),
        ("near-expiry", {"items": [{"product_id": "{p0}", "quantity": 1}]}, "items"),
        ("returns", {"items": [{"product_id": "{p0}", "quantity": 1, "reason": "bored"}]}, "items"),
        ("competitors", {"items": [{"brand_id": "{own}", "product_name": "X"}]}, "items"),
        ("competitors", {"items": [{"brand_id": "{rival}"}]}, "items"),
        ("competitors", {"items": [{"brand_id": "{rival}", "product_id": "{p0}"}]}, "items"),
        (
            "competitors",
            {"items": [{"brand_id": "{rival}", "product_name": "X", "photo_id": 9}]},
            "items",
        ),
        (
            "competitors",
            {"items": [{"brand_id": "{rival}", "product_name": "X", "promo_price": "1"}]},
            "items",
        ),
        ("order", {"lines": [{"product_id": "{p0}", "quantity": 0}]}, "lines"),
        ("order", {"lines": [{"product_id": 999, "quantity": 1}]}, "lines"),
        ("order", {"lines": [], "surprise": 1}, "surprise"),
        ("checkout", {"device_time": "2000-01-01T00:00:00+00:00"}, "device_time"),
        ("checkout", {"device_time": "2026-11-23T10:00:00"}, "device_time"),
    ],
)
def test_invalid_records_are_422_naming_the_field(app, client, org, tokens, path, body, field):
    cat = catalogue(app)
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(9)).json
    values = {"{p0}": cat.products[0], "{own}": cat.own, "{rival}": cat.rival}

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return values.get(value, value) if isinstance(value, str) else value

    method = client.post if path == "checkout" else client.put
    response = method(f"/api/visits/{visit['id']}/{path}", json=fill(body), headers=headers)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"], response.json


def test_a_checked_out_visit_no_longer_changes(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    visit = check_in(client, headers, app, org.store["n1-a"], minutes_ago(20)).json
    client.post(
        f"/api/visits/{visit['id']}/checkout",
        json={"device_time": minutes_ago(1).isoformat()},
        headers=headers,
    )
    again = client.post(
        f"/api/visits/{visit['id']}/checkout",
        json={"device_time": minutes_ago(0).isoformat()},
        headers=headers,
    )
    assert again.status_code == 409
    late = upload(client, headers, visit["id"], image_bytes(seed=5))
    assert late.status_code == 409


def test_only_reps_check_in(client, org, tokens):
    response = client.post(
        "/api/visits",
        json=check_in_body(org.store["n1-a"], (35.66, 139.77), minutes_ago(1)),
        headers=tokens.headers("sup-n1"),
    )
    assert response.status_code == 403


VISIBLE = {
    "admin": {"rep-n1a", "rep-n1b", "rep-n2a", "rep-s1a"},
    "mgr-north": {"rep-n1a", "rep-n1b", "rep-n2a"},
    "mgr-south": {"rep-s1a"},
    "sup-n1": {"rep-n1a", "rep-n1b"},
    "sup-n2": {"rep-n2a"},
    "rep-n1a": {"rep-n1a"},
    "rep-n1b": {"rep-n1b"},
}


@pytest.fixture
def one_visit_each(app, client, org, tokens):
    """An open visit with one photo for each of four reps at their own store."""
    made = {}
    pairs = [("rep-n1a", "n1-a"), ("rep-n1b", "n1-b"), ("rep-n2a", "n2-a"), ("rep-s1a", "s1-a")]
    for rep, store in pairs:
        headers = tokens.headers(rep)
        visit = check_in(client, headers, app, org.store[store], minutes_ago(10)).json
        photo = upload(client, headers, visit["id"], image_bytes(seed=len(made) + 10)).json
        made[rep] = (visit["id"], photo["id"])
    return made


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_visits_and_photos_are_scoped(client, org, tokens, one_visit_each, username):
    headers = tokens.headers(username)
    listed = client.get("/api/visits", headers=headers).json
    visible = VISIBLE[username]
    assert {item["rep_id"] for item in listed["items"]} == {org.user[r] for r in visible}
    for rep, (visit_id, photo_id) in one_visit_each.items():
        expected = 200 if rep in visible else 404
        assert client.get(f"/api/visits/{visit_id}", headers=headers).status_code == expected
        assert client.get(f"/api/photos/{photo_id}", headers=headers).status_code == expected
        image = client.get(f"/api/photos/{photo_id}/image?size=thumb", headers=headers)
        assert image.status_code == expected
        if not username.startswith("rep"):
            continue
        # A rep writes only their own visits; another rep's is not found.
        write = client.put(
            f"/api/visits/{visit_id}/order", json={"lines": []}, headers=headers
        ).status_code
        assert write == (200 if rep == username else 404)
        photo = upload(client, headers, visit_id, image_bytes(seed=99)).status_code
        assert photo == (201 if rep == username else 404)


def test_list_filters(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    position = store_position(app, org.store["n1-a"])
    far = (position[0] + 0.01, position[1])
    visit = client.post(
        "/api/visits", json=check_in_body(org.store["n1-a"], far, minutes_ago(9)), headers=headers
    ).json
    sup = tokens.headers("sup-n1")
    assert client.get("/api/visits?flagged=true", headers=sup).json["meta"]["total"] == 1
    assert client.get("/api/visits?flagged=false", headers=sup).json["meta"]["total"] == 0
    flag = FlagKind.OUTSIDE_GEOFENCE.value
    assert client.get(f"/api/visits?flag={flag}", headers=sup).json["items"][0]["id"] == visit["id"]
    today = local_today().isoformat()
    query = f"/api/visits?date_from={today}&status=open"
    assert client.get(query, headers=sup).json["meta"]["total"] == 1
    assert client.get("/api/visits?successful=true", headers=sup).json["meta"]["total"] == 0
    assert client.get("/api/visits?flag=nonsense", headers=sup).status_code == 422
