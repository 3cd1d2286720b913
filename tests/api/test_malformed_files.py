"""Malformed files answer 422 naming the problem, never 500: truncated JPEG, PNG and WebP, a
JPEG whose EXIF segment is cut, an XLSX declaring XML entities. Inside a sync batch each is a
4xx item, which the phone keeps as failed instead of sending it again for ever."""

from __future__ import annotations

import base64
import io
import struct
import uuid
import zipfile

import pytest
from openpyxl import Workbook

from tests.api.visit_helpers import check_in, image_bytes, minutes_ago, upload

pytestmark = pytest.mark.usefixtures("photo_dir")


def cut(content: bytes, fraction: float) -> bytes:
    return content[: int(len(content) * fraction)]


def exif_segment(jpeg: bytes) -> tuple[int, int]:
    """Where the APP1 (EXIF) segment starts, and its length field."""
    start = jpeg.index(b"\xff\xe1")
    return start, struct.unpack(">H", jpeg[start + 2 : start + 4])[0]


def exif_cut_short() -> bytes:
    """The file ends half-way through its EXIF segment."""
    jpeg = picture(60)
    start, length = exif_segment(jpeg)
    return jpeg[: start + 4 + length // 2]


def exif_cut_out() -> bytes:
    """Half of the EXIF segment is missing, its length field unchanged."""
    jpeg = picture(61)
    start, length = exif_segment(jpeg)
    return jpeg[: start + 4 + length // 2] + jpeg[start + 2 + length :]


def picture(seed: int, fmt: str = "JPEG") -> bytes:
    return image_bytes(seed=seed, size=(1200, 900), fmt=fmt)


def exif_tag_of_the_wrong_type() -> bytes:
    """GPSTimeStamp as ASCII text (it is numbers): Pillow fails rewriting it on transposing."""
    jpeg = image_bytes(seed=66, size=(400, 300), taken=minutes_ago(30), orientation=6)
    latitude_ref = b"\x00\x01\x00\x02\x00\x00\x00\x02N\x00"  # tag 1, ASCII, 2 bytes: "N"
    assert jpeg.count(latitude_ref) == 1
    return jpeg.replace(latitude_ref, b"\x00\x07" + latitude_ref[2:])  # now tag 7, GPSTimeStamp


PICTURES = {
    "jpeg-cut-early": (cut(picture(62), 0.01), "JPEG file is truncated"),
    "jpeg-cut-half": (cut(picture(63), 0.5), "JPEG file is truncated"),
    "png-cut": (cut(picture(64, "PNG"), 0.5), "PNG file is truncated"),
    "webp-cut": (cut(picture(65, "WEBP"), 0.5), "WebP file is truncated"),
    "exif-cut-short": (exif_cut_short(), "JPEG file is truncated"),
    "exif-cut-out": (exif_cut_out(), "JPEG file is truncated or damaged"),
    "exif-bad-tag-type": (exif_tag_of_the_wrong_type(), "EXIF data is damaged"),
}  # fmt: skip


@pytest.fixture
def visit(app, client, org, tokens):
    response = check_in(client, tokens.headers("rep-n1a"), app, org.store["n1-a"], minutes_ago(9))
    return response.json["id"], response.json["uuid"]


@pytest.mark.parametrize(("content", "words"), PICTURES.values(), ids=PICTURES.keys())
def test_a_malformed_picture_is_422_alone_and_in_a_batch(client, tokens, visit, content, words):
    visit_id, visit_uuid = visit
    headers = tokens.headers("rep-n1a")
    response = upload(client, headers, visit_id, content)
    assert response.status_code == 422, response.json
    reason = "photo_exif_damaged" if "EXIF" in words else "photo_damaged"
    assert words in response.json["message"] and response.json["reason"] == reason
    assert response.json["errors"]["files"]["file"]
    item = {"key": str(uuid.uuid4()), "op": "photo", "visit": visit_uuid, "body": {"kind": "shelf"},
            "file_base64": base64.b64encode(content).decode()}  # fmt: skip
    batch = client.post("/api/sync", json={"operations": [item]}, headers=headers)
    assert batch.status_code == 200, batch.json
    result = batch.json["results"][0]
    assert result["status"] == 422 and words in result["body"]["message"]


def workbook() -> bytes:
    book = Workbook()
    book.active.append(["code", "name", "channel", "tier", "lat", "lng"])
    book.active.append(["X-1", "PLACEHOLDER", "modern", "A", 35.6, 139.7])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_doctype(doctype: str, name: str) -> bytes:
    """The workbook with `doctype` before its sheet's XML and the store's name set to `name`."""
    source = zipfile.ZipFile(io.BytesIO(workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for part in source.namelist():
            data = source.read(part)
            if part == "xl/worksheets/sheet1.xml":
                data = doctype.encode() + data.replace(b"PLACEHOLDER", name.encode())
            target.writestr(part, data)
    return out.getvalue()


LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
XLSX = {
    "billion-laughs": with_doctype(f'<!DOCTYPE w [<!ENTITY l0 "lol">{LAUGHS}]>', "&l9;"),
    "internal-entity": with_doctype('<!DOCTYPE w [<!ENTITY e "Entity store">]>', "&e;"),
    "external-entity": with_doctype('<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/hosts">]>', "&e;"),
}  # fmt: skip


@pytest.mark.parametrize("content", XLSX.values(), ids=XLSX.keys())
def test_an_xlsx_declaring_entities_is_422(client, org, tokens, content):
    headers = tokens.headers("admin")
    response = client.post(
        "/api/stores/import",
        data={"file": (io.BytesIO(content), "stores.xlsx"), "dry_run": "true"},
        headers=headers,
    )
    assert response.status_code == 422, response.json
    assert "declares XML entities" in response.json["message"]
    assert response.json["errors"]["files"]["file"]


def test_a_truncated_xlsx_is_422(client, org, tokens):
    response = client.post(
        "/api/stores/import",
        data={"file": (io.BytesIO(cut(workbook(), 0.7)), "stores.xlsx")},
        headers=tokens.headers("admin"),
    )
    assert response.status_code == 422 and "Not a readable XLSX" in response.json["message"]
