"""Idempotent writes and the offline batch: replays, interleaving, failures and concurrency."""

from __future__ import annotations

import base64
import io
import json
import random
import threading
import uuid

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import IdempotencyKey, NearExpiry, Photo, StockCount, Visit
from tests.api.visit_helpers import (
    catalogue,
    check_in_body,
    image_bytes,
    minutes_ago,
    store_position,
)

pytestmark = pytest.mark.usefixtures("photo_dir")


def totals(app) -> dict[str, int]:
    with app.app_context():
        return {
            m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Visit, Photo, StockCount, NearExpiry, IdempotencyKey)
        }


# What one synced offline visit with one photo leaves in the database.
ONE_VISIT_ONE_PHOTO = {
    "Visit": 1,
    "Photo": 1,
    "StockCount": 1,
    "NearExpiry": 1,
    "IdempotencyKey": 6,
}


def operation(name: str, visit: str, body: dict) -> dict:
    return {"key": str(uuid.uuid4()), "op": name, "visit": visit, "body": body}


def offline_visit(app, org, cat, photos=2) -> list[dict]:
    """A device's queue for one visit: check-in, photos, records, check-out."""
    visit = str(uuid.uuid4())
    store = org.store["n1-a"]
    start = minutes_ago(50)
    ops = [
        {
            "key": str(uuid.uuid4()),
            "op": "check_in",
            "body": check_in_body(store, store_position(app, store), start, uuid=visit),
        }
    ]
    for i in range(photos):
        content = image_bytes(seed=100 + i, taken=start)
        photo = operation("photo", visit, {"kind": "shelf"})
        ops.append({**photo, "file_base64": base64.b64encode(content).decode()})
    p = cat.products
    expiry = {"product_id": p[1], "quantity": 3, "expiry_date": "2026-12-24"}
    ops += [
        operation("stock_counts", visit, {"items": [{"product_id": p[0], "shelf_qty": 4}]}),
        operation("near_expiry_items", visit, {"items": [expiry]}),
        operation("order", visit, {"lines": [{"product_id": p[0], "quantity": 6}]}),
        operation("check_out", visit, {"device_time": minutes_ago(30).isoformat()}),
    ]
    return ops


def sync(client, headers, operations, **extra):
    response = client.post("/api/sync", json={"operations": operations, **extra}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


@pytest.fixture
def cat(app, org):
    return catalogue(app)


def test_a_queued_offline_visit_syncs_in_one_batch_and_replays_change_nothing(
    app, client, org, tokens, cat
):
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(app, org, cat)
    first = sync(client, headers, ops, sent_at=minutes_ago(0).isoformat())
    assert [r["status"] for r in first["results"]] == [201, 201, 201, 200, 200, 200, 200]
    assert first["failed"] == 0 and not any(r["replayed"] for r in first["results"])
    visit = first["results"][-1]["body"]
    assert visit["status"] == "closed" and visit["successful"] and visit["flags"] == []
    before = totals(app)
    assert before == {
        "Visit": 1,
        "Photo": 2,
        "StockCount": 1,
        "NearExpiry": 1,
        "IdempotencyKey": 7,
    }
    for _ in range(3):
        again = sync(client, headers, ops)
        assert all(r["replayed"] for r in again["results"])
        assert [r["body"] for r in again["results"]] == [r["body"] for r in first["results"]]
    assert totals(app) == before


def test_interleaved_replays_alone_and_in_batches_in_any_order(app, client, org, tokens, cat):
    """Some operations went through alone before the connection dropped; the device then
    resends its whole queue, in pieces, more than once, in shuffled order."""
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(app, org, cat, photos=1)
    check_in = ops[0]
    alone = client.post(
        "/api/visits",
        json=check_in["body"],
        headers={**headers, "Idempotency-Key": check_in["key"]},
    )
    assert alone.status_code == 201
    visit_id = alone.json["id"]
    stock = ops[2]
    alone_stock = client.put(
        f"/api/visits/{visit_id}/stock",
        json=stock["body"],
        headers={**headers, "Idempotency-Key": stock["key"]},
    )
    assert alone_stock.status_code == 200
    first = sync(client, headers, ops)
    assert [r["replayed"] for r in first["results"]] == [True, False, True, False, False, False]
    assert first["results"][0]["body"] == alone.json
    rng = random.Random(4)
    for _ in range(3):
        shuffled = ops[:]
        rng.shuffle(shuffled)
        half = len(shuffled) // 2
        for part in (shuffled[:half], shuffled[half:]):
            assert all(r["replayed"] for r in sync(client, headers, part)["results"])
    assert totals(app) == ONE_VISIT_ONE_PHOTO


def test_one_bad_item_never_loses_the_others(app, client, org, tokens, cat):
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(app, org, cat, photos=1)
    ops[1]["file_base64"] = base64.b64encode(b"not a picture at all").decode()
    ops[2]["body"]["items"][0]["product_id"] = 999_999
    ops.insert(3, {"key": str(uuid.uuid4()), "op": "order", "visit": str(uuid.uuid4()),
                   "body": {"lines": []}})  # fmt: skip
    result = sync(client, headers, ops)
    statuses = [r["status"] for r in result["results"]]
    assert statuses == [201, 422, 422, 404, 200, 200, 200]
    assert result["failed"] == 3 and result["succeeded"] == 4
    assert "not a JPEG" in result["results"][1]["body"]["message"]
    assert "items" in result["results"][2]["body"]["errors"]["json"]
    assert totals(app) == {
        "Visit": 1,
        "Photo": 0,
        "StockCount": 0,
        "NearExpiry": 1,
        "IdempotencyKey": 4,
    }
    # Failed operations were not recorded: fixed, the same keys go through.
    ops[1]["file_base64"] = base64.b64encode(image_bytes(seed=1)).decode()
    retry = sync(client, headers, ops[1:2])
    assert retry["results"][0]["status"] == 409  # the visit is checked out by now


def test_same_key_with_another_payload_is_422(app, client, org, tokens, cat):
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(app, org, cat, photos=0)
    idem = {"Idempotency-Key": ops[0]["key"]}
    first = client.post("/api/visits", json=ops[0]["body"], headers={**headers, **idem})
    assert first.status_code == 201
    changed = {**ops[0]["body"], "accuracy_m": 99.0}
    response = client.post("/api/visits", json=changed, headers={**headers, **idem})
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]["headers"]
    in_batch = sync(client, headers, [{**ops[0], "body": changed}])
    assert in_batch["results"][0]["status"] == 422
    bad_key = client.post("/api/visits", json=changed, headers={**headers, "Idempotency-Key": "x"})
    assert bad_key.status_code == 422
    # Keys belong to their user: another rep's identical key is another request.
    other = tokens.headers("rep-n1b")
    body = check_in_body(org.store["n1-b"], store_position(app, org.store["n1-b"]), minutes_ago(1))
    assert client.post("/api/visits", json=body, headers={**other, **idem}).status_code == 201


def test_multipart_batch_carries_photos_as_parts(app, client, org, tokens, cat):
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(app, org, cat, photos=2)
    files = {}
    for i, op in enumerate(ops[1:3]):
        files[f"photo{i}"] = (io.BytesIO(base64.b64decode(op.pop("file_base64"))), f"{i}.jpg")
        op["file"] = f"photo{i}"
    data = {"batch": json.dumps({"operations": ops}), **files}
    response = client.post("/api/sync/multipart", data=data, headers=headers)
    assert response.status_code == 200, response.json
    assert [r["status"] for r in response.json["results"]][:3] == [201, 201, 201]
    missing = {"batch": json.dumps({"operations": [{**ops[1], "key": str(uuid.uuid4())}]})}
    result = client.post("/api/sync/multipart", data=missing, headers=headers).json
    assert result["results"][0]["status"] == 422
    broken = client.post("/api/sync/multipart", data={"batch": "{"}, headers=headers)
    assert broken.status_code == 422 and "batch" in broken.json["errors"]["form"]


SAME_KEY = "4c1e5b8e-1d0c-4a55-9a55-3c6a4b8b0b6e"


@pytest.mark.parametrize(
    "batch",
    [
        {"operations": []},
        {"operations": [{"key": "not-a-uuid", "op": "check_in"}]},
        {"operations": [{"key": str(uuid.uuid4()), "op": "dance"}]},
        {"operations": [{"key": str(uuid.uuid4()), "op": "check_out"}]},
        {"operations": [{"key": str(uuid.uuid4()), "op": "photo", "visit": 1}]},
        {"operations": [{"key": str(uuid.uuid4()), "op": "check_in", "visit": 1}]},
        {"operations": [{"key": SAME_KEY, "op": "order", "visit": 1}] * 2},
        {"operations": [{"key": str(uuid.uuid4()), "op": "order", "visit": "x"}]},
        {"operations": [], "extra": 1},
        {"operations": [[], []], "sent_at": ""},
    ],
)  # fmt: skip
def test_malformed_batches_are_422(client, org, tokens, batch):
    response = client.post("/api/sync", json=batch, headers=tokens.headers("rep-n1a"))
    assert response.status_code == 422, response.json


def test_batch_size_is_capped(app, client, org, tokens, monkeypatch):
    monkeypatch.setitem(app.config, "SYNC_MAX_OPERATIONS", 2)
    op = {"op": "order", "visit": 1, "body": {"lines": []}}
    batch = {"operations": [{**op, "key": str(uuid.uuid4())} for _ in range(3)]}
    assert (
        client.post("/api/sync", json=batch, headers=tokens.headers("rep-n1a")).status_code == 422
    )


def in_threads(count, target):
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        barrier.wait()
        results[i] = target()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_replays_of_one_key_create_one_visit(app, org, tokens):
    headers = {**tokens.headers("rep-n1a"), "Idempotency-Key": str(uuid.uuid4())}
    body = check_in_body(org.store["n1-a"], store_position(app, org.store["n1-a"]), minutes_ago(5))

    def post():
        response = app.test_client().post("/api/visits", json=body, headers=headers)
        return response.status_code, response.json

    results = in_threads(6, post)
    assert {status for status, _ in results} == {201}
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1
    assert totals(app)["Visit"] == 1 and totals(app)["IdempotencyKey"] == 1


def test_concurrent_replays_of_a_batch_duplicate_nothing(app, org, tokens, cat):
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(app, org, cat, photos=1)

    def post():
        response = app.test_client().post("/api/sync", json={"operations": ops}, headers=headers)
        return response.status_code, response.json

    results = in_threads(4, post)
    assert all(status == 200 for status, _ in results), results
    bodies = {
        json.dumps([r["body"] for r in body["results"]], sort_keys=True) for _, body in results
    }
    assert len(bodies) == 1
    assert all(body["failed"] == 0 for _, body in results)
    assert totals(app) == ONE_VISIT_ONE_PHOTO


def test_an_out_of_range_id_fails_its_item_only(app, client, org, tokens):
    body = check_in_body(org.store["n1-a"], store_position(app, org.store["n1-a"]), minutes_ago(5))
    ops = [
        {"key": str(uuid.uuid4()), "op": "check_in", "body": {**body, "store_id": 2**40}},
        {"key": str(uuid.uuid4()), "op": "check_in", "body": body},
    ]
    result = sync(client, tokens.headers("rep-n1a"), ops)
    assert [r["status"] for r in result["results"]] == [422, 201]


def test_batches_and_photo_uploads_are_documented_by_hand(client):
    paths = client.get("/api/openapi.json").json["paths"]
    multipart = paths["/api/sync/multipart"]["post"]["requestBody"]["content"]
    schema = multipart["multipart/form-data"]["schema"]
    assert schema["additionalProperties"]["format"] == "binary" and "batch" in schema["required"]
    operation = paths["/api/sync"]["post"]
    assert "application/json" in operation["requestBody"]["content"]
    upload = paths["/api/visits/{visit_id}/photos"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"]["format"] == "binary"
    assert {"200", "201", "401", "403", "404", "409", "413", "422"} <= set(upload["responses"])
    headers = {p["name"] for p in upload["parameters"] if p["in"] == "header"}
    assert headers == {"Idempotency-Key", "X-Device-Time"}


def test_after_a_server_error_the_visits_later_operations_wait(
    app, client, org, tokens, cat, tmp_path, monkeypatch
):
    """Photo storage down during a batch: the photos fail (500) and the check-out is not run
    (424) so it cannot close the visit first; once storage is back the same batch delivers
    everything, in order, once."""
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(app, org, cat, photos=2)
    broken = tmp_path / "not-a-directory"
    broken.write_text("")
    monkeypatch.setitem(app.config, "PHOTO_DIR", str(broken))
    first = sync(client, headers, ops)
    assert [r["status"] for r in first["results"]] == [201, 500, 424, 424, 424, 424, 424]
    monkeypatch.setitem(app.config, "PHOTO_DIR", str(tmp_path / "photos"))
    again = sync(client, headers, ops)
    assert [r["status"] for r in again["results"]] == [201, 201, 201, 200, 200, 200, 200]
    assert again["results"][0]["replayed"] and again["results"][-1]["body"]["status"] == "closed"
    assert totals(app) == {**ONE_VISIT_ONE_PHOTO, "Photo": 2, "IdempotencyKey": 7}
