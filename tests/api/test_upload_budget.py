"""The cheap checks come before a photo is decoded: scope, ownership and exact duplicates cost no
decoding; the pixels decoded are bounded per batch and per user at a time; formats decoded at
full size have a lower pixel ceiling; a store import stops reading at its row limit."""

from __future__ import annotations

import base64
import csv
import io
import uuid

import pytest
from openpyxl import Workbook
from PIL import ImageFile

from backend.services import photo_budget
from tests.api.visit_helpers import check_in, image_bytes, minutes_ago, png_bomb, upload

pytestmark = pytest.mark.usefixtures("photo_dir")


@pytest.fixture
def decodes(monkeypatch) -> list[str]:
    """Every picture Pillow decodes (its format), from any code path."""
    seen: list[str] = []
    load = ImageFile.ImageFile.load

    def counting(image):
        if image.tile:  # not loaded yet: this call decodes it
            seen.append(image.format)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting)
    return seen


@pytest.fixture
def visit(app, client, org, tokens):
    """rep-n1a's open visit: (id, uuid)."""
    response = check_in(client, tokens.headers("rep-n1a"), app, org.store["n1-a"], minutes_ago(9))
    assert response.status_code == 201, response.json
    return response.json["id"], response.json["uuid"]


def photo_op(visit_uuid: str, content: bytes) -> dict:
    return {
        "key": str(uuid.uuid4()),
        "op": "photo",
        "visit": visit_uuid,
        "body": {"kind": "shelf"},
        "file_base64": base64.b64encode(content).decode(),
    }


def sync(client, headers, operations) -> list[dict]:
    response = client.post("/api/sync", json={"operations": operations}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json["results"]


def test_a_photo_for_a_visit_out_of_scope_is_never_decoded(client, tokens, visit, decodes):
    visit_id, visit_uuid = visit
    content = image_bytes(seed=40, size=(1600, 1200))
    for rep in ("rep-n2a", "rep-n1b"):  # another team's rep; a teammate
        response = upload(client, tokens.headers(rep), visit_id, content)
        assert response.status_code in (403, 404), response.json
        results = sync(client, tokens.headers(rep), [photo_op(visit_uuid, content)])
        assert results[0]["status"] == 404, results
    big = png_bomb(4000, 4000)  # 16 MP: at the ceiling, a full-size decode
    ops = [photo_op(visit_uuid, big) for _ in range(10)]
    results = sync(client, tokens.headers("rep-n2a"), ops)
    assert [r["status"] for r in results] == [404] * 10
    assert decodes == []


def test_a_photo_for_a_closed_visit_is_not_decoded(client, tokens, visit, decodes):
    visit_id, _ = visit
    headers = tokens.headers("rep-n1a")
    checkout = {"device_time": minutes_ago(1).isoformat()}
    closed = client.post(f"/api/visits/{visit_id}/checkout", json=checkout, headers=headers)
    assert closed.status_code == 200, closed.json
    response = upload(client, headers, visit_id, image_bytes(seed=41))
    assert response.status_code == 409 and decodes == []


def test_a_duplicate_of_a_photo_of_the_visit_is_not_decoded_again(client, tokens, visit, decodes):
    visit_id, visit_uuid = visit
    headers = tokens.headers("rep-n1a")
    content = image_bytes(seed=42)
    first = upload(client, headers, visit_id, content)
    assert first.status_code == 201 and decodes == ["JPEG"]
    again = upload(client, headers, visit_id, content)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    results = sync(client, headers, [photo_op(visit_uuid, content)])
    assert results[0]["status"] == 200 and results[0]["body"]["id"] == first.json["id"]
    assert decodes == ["JPEG"]


def test_a_batch_decodes_at_most_its_pixel_budget(app, client, tokens, visit, decodes, monkeypatch):
    _, visit_uuid = visit
    photos = [image_bytes(seed=50 + i, size=(1000, 1000)) for i in range(4)]  # 1 MP each
    monkeypatch.setitem(app.config, "PHOTO_DECODE_BATCH_PIXELS", 2_500_000)
    results = sync(client, tokens.headers("rep-n1a"), [photo_op(visit_uuid, c) for c in photos])
    assert [r["status"] for r in results] == [201, 201, 429, 424]
    refused = results[2]["body"]
    assert refused["reason"] == "photo_decode_budget"
    assert "at most 2,500,000 are decoded per batch" in refused["message"]
    assert len(decodes) == 2
    # The phone sends the refused ones again in its next batch: they go through.
    again = sync(client, tokens.headers("rep-n1a"), [photo_op(visit_uuid, c) for c in photos[2:]])
    assert [r["status"] for r in again] == [201, 201]


def test_one_user_decodes_at_most_the_budget_at_a_time(app):
    with photo_budget.claim(1, 60, user_limit=100):
        with pytest.raises(photo_budget.DecodeBudgetError) as refused:  # noqa: SIM117
            with photo_budget.claim(1, 50, user_limit=100):
                pass
        assert refused.value.status_code == 429
        with photo_budget.claim(2, 100, user_limit=100):  # another user
            pass
        with photo_budget.claim(1, 40, user_limit=100):  # within the budget
            pass
    with photo_budget.claim(1, 150, user_limit=100):  # alone, even one over it goes through
        pass
    assert photo_budget._in_flight == {}


def test_a_png_over_the_full_decode_ceiling_is_refused_before_decoding(
    client, tokens, visit, decodes
):
    visit_id, visit_uuid = visit
    headers = tokens.headers("rep-n1a")
    content = png_bomb(5000, 4000)  # 20 MP: under the JPEG ceiling, over the PNG one
    response = upload(client, headers, visit_id, content, name="shelf.png")
    assert response.status_code == 413, response.json
    assert "5,000 × 4,000 pixels" in response.json["message"]
    assert "at most 16,000,000 pixels are accepted for a PNG" in response.json["message"]
    results = sync(client, headers, [photo_op(visit_uuid, content)])
    assert results[0]["status"] == 413 and decodes == []
    # A JPEG of the same size is decoded scaled down (1/2 to 1/8): accepted.
    jpeg = upload(client, headers, visit_id, image_bytes(seed=43, size=(5000, 4000)))
    assert jpeg.status_code == 201, jpeg.json


@pytest.fixture
def rows_read(monkeypatch) -> list[int]:
    """How many rows the CSV reader has handed out."""
    count = [0]
    reader = csv.reader

    def counting(*args, **kwargs):
        for row in reader(*args, **kwargs):
            count[0] += 1
            yield row

    monkeypatch.setattr(csv, "reader", counting)
    return count


HEADER = ["code", "name", "channel", "tier", "lat", "lng"]


def rows(n: int) -> list[list[str]]:
    return [[f"R-{i}", f"Store {i}", "modern", "A", "35.6", "139.7"] for i in range(n)]


def import_file(client, tokens, content: bytes, name: str):
    return client.post(
        "/api/stores/import",
        data={"file": (io.BytesIO(content), name), "dry_run": "true"},
        headers=tokens.headers("admin"),
    )


def test_a_csv_import_stops_reading_at_its_row_limit(
    app, client, org, tokens, monkeypatch, rows_read
):
    monkeypatch.setitem(app.config, "STORE_IMPORT_MAX_ROWS", 50)
    text = "\n".join(",".join(r) for r in [HEADER, *rows(5000)])
    response = import_file(client, tokens, text.encode(), "stores.csv")
    assert response.status_code == 422 and "At most 50 rows" in response.json["message"]
    assert rows_read[0] <= 52  # the header, 50 rows and the one too many


def test_an_xlsx_import_stops_reading_at_its_row_limit(app, client, org, tokens, monkeypatch):
    from backend.services import store_import

    monkeypatch.setitem(app.config, "STORE_IMPORT_MAX_ROWS", 50)
    book = Workbook()
    for row in [HEADER, *rows(5000)]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    cells = [0]
    cell_text = store_import._cell_text

    def counting(value):
        cells[0] += 1
        return cell_text(value)

    monkeypatch.setattr(store_import, "_cell_text", counting)
    response = import_file(client, tokens, out.getvalue(), "stores.xlsx")
    assert response.status_code == 422 and "At most 50 rows" in response.json["message"]
    assert cells[0] <= 52 * len(HEADER)
