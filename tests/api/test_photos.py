"""Photo upload: formats, orientation, camera time, metadata stripped, limits, dedupe, serving."""

from __future__ import annotations

import base64
import io
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from PIL import ExifTags, Image

from backend.models import utcnow
from tests.api.visit_helpers import (
    check_in,
    image_bytes,
    minutes_ago,
    png_bomb,
    upload,
)

pytestmark = pytest.mark.usefixtures("photo_dir")


@pytest.fixture
def visit(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    response = check_in(client, headers, app, org.store["n1-a"], minutes_ago(10))
    return response.json["id"], headers


def stored_image(client, headers, photo, size="full") -> Image.Image:
    response = client.get(f"/api/photos/{photo['id']}/image?size={size}", headers=headers)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, no-store"
    return Image.open(io.BytesIO(response.data))


def test_jpeg_is_turned_upright_resized_and_stripped_of_all_metadata(client, visit, tmp_path):
    visit_id, headers = visit
    taken = minutes_ago(12).replace(microsecond=0)
    # 2400 × 1200 landscape pixels, EXIF orientation 6: the camera was held upright.
    content = image_bytes(seed=1, size=(2400, 1200), taken=taken, orientation=6)
    assert Image.open(io.BytesIO(content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    response = upload(client, headers, visit_id, content)
    assert response.status_code == 201, response.json
    photo = response.json
    assert (photo["width"], photo["height"]) == (800, 1600)
    assert photo["taken_at"] == taken.isoformat()
    assert photo["source_format"] == "JPEG" and photo["kind"] == "shelf"
    full = stored_image(client, headers, photo)
    assert full.size == (800, 1600)
    exif = full.getexif()
    assert len(exif) == 0 and not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert not {"exif", "icc_profile", "xmp"} & set(full.info)
    thumb = stored_image(client, headers, photo, "thumb")
    assert max(thumb.size) == 320 and len(thumb.getexif()) == 0
    # Stored under generated names in the photo directory, not in any static folder.
    files = sorted(p.name for p in (tmp_path / "photos").rglob("*.jpg"))
    assert files == [f"{photo['sha256']}.jpg", f"{photo['sha256']}.thumb.jpg"]
    raw = (tmp_path / "photos" / photo["sha256"][:2] / f"{photo['sha256']}.jpg").read_bytes()
    assert b"Exif" not in raw


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_png_webp_and_heic_are_accepted(client, visit, fmt):
    visit_id, headers = visit
    picture = Image.new("RGBA", (300, 200), (255, 0, 0, 128))
    out = io.BytesIO()
    picture.save(out, fmt)
    response = upload(client, headers, visit_id, out.getvalue(), name=f"x.{fmt.lower()}")
    assert response.status_code == 201, response.json
    assert response.json["source_format"] == fmt
    stored = stored_image(client, headers, response.json)
    assert stored.mode == "RGB" and stored.size == (300, 200)


def test_the_same_file_twice_is_one_photo_stored_once(client, visit, tmp_path):
    visit_id, headers = visit
    content = image_bytes(seed=2)
    first = upload(client, headers, visit_id, content)
    again = upload(client, headers, visit_id, content, kind="other")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert len(list((tmp_path / "photos").rglob("*.jpg"))) == 2


def truncated_jpeg() -> bytes:
    content = image_bytes(seed=3, size=(1200, 900))
    return content[: len(content) // 2]


@pytest.mark.parametrize(
    ("content", "name", "status", "words"),
    [
        (b"just some text, not a picture\n" * 20, "shelf.jpg", 422, "not a JPEG"),
        (truncated_jpeg(), "shelf.jpg", 422, "truncated"),
        (png_bomb(), "shelf.png", 413, "400,000,000 pixels"),
        (b"GIF89a" + b"\x00" * 100, "shelf.gif", 422, "not a JPEG"),
        (b"", "empty.jpg", 422, "not a JPEG"),
    ],
    ids=["text-named-jpg", "truncated", "png-bomb", "gif", "empty"],
)
def test_bad_uploads_are_refused_with_a_clear_message(client, visit, content, name, status, words):
    visit_id, headers = visit
    response = upload(client, headers, visit_id, content, name=name)
    assert response.status_code == status, response.json
    assert words in response.json["message"]
    assert "file" in response.json["errors"]["files"]


def test_oversize_uploads_are_413(app, client, visit, monkeypatch):
    visit_id, headers = visit
    content = image_bytes(seed=4, size=(1200, 900))
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", len(content) - 1)
    response = upload(client, headers, visit_id, content)
    assert response.status_code == 413 and "at most" in response.json["message"]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    body = upload(client, headers, visit_id, content + b"\x00" * 60_000)
    assert body.status_code == 413 and body.json["code"] == 413


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_picture_over_the_pixel_limit_is_refused_before_decoding(app, client, visit, monkeypatch):
    visit_id, headers = visit
    monkeypatch.setitem(app.config, "PHOTO_MAX_PIXELS", 1000 * 1000)
    response = upload(client, headers, visit_id, image_bytes(seed=5, size=(1200, 900)))
    assert response.status_code == 413
    assert "1,200 × 900 pixels" in response.json["message"]


@pytest.mark.parametrize(
    "form",
    [{"kind": "selfie"}, {}],
)
def test_upload_form_is_validated(client, visit, form):
    visit_id, headers = visit
    data = {"file": (io.BytesIO(image_bytes(seed=6)), "x.jpg"), **form}
    response = client.post(f"/api/visits/{visit_id}/photos", data=data, headers=headers)
    assert response.status_code == 422 and "kind" in response.json["errors"]["form"]
    missing = client.post(f"/api/visits/{visit_id}/photos", data={"kind": "shelf"}, headers=headers)
    assert missing.status_code == 422


def test_image_size_parameter_is_validated(client, visit):
    visit_id, headers = visit
    photo = upload(client, headers, visit_id, image_bytes(seed=7)).json
    response = client.get(f"/api/photos/{photo['id']}/image?size=huge", headers=headers)
    assert response.status_code == 422


def test_photo_storage_is_outside_the_static_folder(app, tmp_path):
    static = Path(app.static_folder).resolve() if app.static_folder else None
    assert static is None or not (tmp_path / "photos").resolve().is_relative_to(static)


def test_camera_time_uses_the_exif_offset_when_present():
    from zoneinfo import ZoneInfo

    from backend.services.photo_images import camera_time

    exif = Image.Exif()
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.DateTimeOriginal] = "2026:11:23 09:00:00"
    tokyo = camera_time(exif, ZoneInfo("Asia/Tokyo"))
    sub[ExifTags.Base.OffsetTimeOriginal] = "+01:00"
    paris = camera_time(exif, ZoneInfo("Asia/Tokyo"))
    assert paris - tokyo == timedelta(hours=8)
    sub[ExifTags.Base.DateTimeOriginal] = "not a date"
    assert camera_time(exif, ZoneInfo("Asia/Tokyo")) is None


def upload_taken(client, headers, visit_id, content: bytes, taken_at: str):
    return client.post(
        f"/api/visits/{visit_id}/photos",
        data={"file": (io.BytesIO(content), "shelf.jpg"), "kind": "shelf", "taken_at": taken_at},
        headers=headers,
        content_type="multipart/form-data",
    )


def flags_of(client, headers, visit_id) -> list[tuple[str, int]]:
    visit = client.get(f"/api/visits/{visit_id}", headers=headers).json
    return [(f["kind"], f["photo_id"]) for f in visit["flags"]]


def test_the_apps_capture_time_is_kept_when_the_image_has_no_exif_date(client, visit):
    # The PWA re-encodes photos on a canvas (no EXIF left) and sends the original's date.
    visit_id, headers = visit
    taken = minutes_ago(5 * 60).replace(microsecond=0)
    content = image_bytes(seed=20)
    response = upload_taken(client, headers, visit_id, content, taken.isoformat())
    assert response.status_code == 201, response.json
    photo = response.json
    assert photo["taken_at"] == taken.isoformat()
    # Taken five hours before a check-in ten minutes ago: the flag fires for an app photo.
    assert flags_of(client, headers, visit_id) == [("photo_old", photo["id"])]


def test_the_cameras_exif_date_wins_over_the_apps_time(client, visit):
    visit_id, headers = visit
    camera = minutes_ago(8).replace(microsecond=0)
    content = image_bytes(seed=21, taken=camera)
    response = upload_taken(client, headers, visit_id, content, minutes_ago(600).isoformat())
    assert response.status_code == 201
    assert response.json["taken_at"] == camera.isoformat()
    assert flags_of(client, headers, visit_id) == []


def test_a_capture_time_without_offset_is_refused_a_future_one_dropped(app, client, visit):
    visit_id, headers = visit
    skew = app.config["CLOCK_SKEW_MINUTES"]
    for value in ("2026-12-01T09:00:00", "yesterday"):
        response = upload_taken(client, headers, visit_id, image_bytes(seed=22), value)
        assert response.status_code == 422, value
        assert "taken_at" in response.json["errors"]["form"], response.json
    # A fast device clock must not fail the rep's queued photo: kept, without the time.
    ahead = (utcnow() + timedelta(minutes=skew + 5)).isoformat()
    response = upload_taken(client, headers, visit_id, image_bytes(seed=22), ahead)
    assert response.status_code == 201 and response.json["taken_at"] is None
    # A device clock a little ahead (within CLOCK_SKEW_MINUTES) is trusted.
    within = utcnow() + timedelta(minutes=skew - 5)
    response = upload_taken(client, headers, visit_id, image_bytes(seed=23), within.isoformat())
    assert response.status_code == 201 and response.json["taken_at"] is not None


def test_the_offline_batch_carries_the_capture_time(client, visit):
    visit_id, headers = visit
    uuid = client.get(f"/api/visits/{visit_id}", headers=headers).json["uuid"]
    taken = minutes_ago(4 * 60).replace(microsecond=0)
    item = {
        "key": str(uuid4()),
        "op": "photo",
        "visit": uuid,
        "body": {"kind": "shelf", "taken_at": taken.isoformat()},
        "file_base64": base64.b64encode(image_bytes(seed=23)).decode(),
    }
    response = client.post("/api/sync", json={"operations": [item]}, headers=headers)
    result = response.json["results"][0]
    assert result["status"] == 201, result
    assert result["body"]["taken_at"] == taken.isoformat()
    assert flags_of(client, headers, visit_id) == [("photo_old", result["body"]["id"])]


def test_an_unchanged_image_answers_304_to_its_etag(client, visit):
    visit_id, headers = visit
    photo = upload(client, headers, visit_id, image_bytes(seed=24)).json
    first = client.get(photo["image_url"], headers=headers)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(
        photo["image_url"], headers={**headers, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    thumb = client.get(
        photo["thumbnail_url"], headers={**headers, "If-None-Match": first.headers["ETag"]}
    )
    assert thumb.status_code == 200  # the thumbnail is another file, another tag


def test_with_local_storage_the_url_is_the_scoped_image_path(client, org, tokens, visit):
    visit_id, headers = visit
    photo = upload(client, headers, visit_id, image_bytes(seed=25)).json
    response = client.get(f"/api/photos/{photo['id']}/url?size=thumb", headers=headers)
    assert response.status_code == 200
    assert response.json == {"url": photo["thumbnail_url"], "expires_at": None}
    assert photo["image_deleted_at"] is None
    other = tokens.headers("rep-s1a")
    assert client.get(f"/api/photos/{photo['id']}/url", headers=other).status_code == 404
    bad = client.get(f"/api/photos/{photo['id']}/url?size=huge", headers=headers)
    assert bad.status_code == 422


def test_a_missing_file_answers_404_not_500(client, visit, photo_dir):
    visit_id, headers = visit
    photo = upload(client, headers, visit_id, image_bytes(seed=26)).json
    for path in photo_dir.rglob(f"{photo['sha256']}*"):
        path.unlink()
    response = client.get(photo["image_url"], headers=headers)
    assert response.status_code == 404 and response.json["reason"] == "not_found"
