"""The photo endpoints, readiness and retention with S3 storage (moto's server on the loopback)."""

from __future__ import annotations

import urllib.request
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from backend.config import ConfigError
from backend.extensions import db
from backend.models import Photo, utcnow
from backend.services import photo_retention, photo_storage
from backend.writes import execute
from tests.api.visit_helpers import check_in, image_bytes, minutes_ago, upload

MINUTE = timedelta(minutes=1)


@pytest.fixture
def rep(org, tokens):
    return tokens.headers("rep-n1a")


@pytest.fixture
def photo(s3_app, client, org, rep, tmp_path, monkeypatch):
    monkeypatch.setitem(s3_app.config, "PHOTO_DIR", str(tmp_path / "unused"))
    visit = check_in(client, rep, s3_app, org.store["n1-a"], minutes_ago(10)).json
    response = upload(client, rep, visit["id"], image_bytes(seed=9, size=(2000, 1500)))
    assert response.status_code == 201, response.json
    return response.json


def bucket_keys(app) -> list[str]:
    with app.app_context():
        storage = photo_storage.current()
        listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def test_an_upload_is_stored_in_the_bucket_and_streamed_back(s3_app, client, rep, photo, tmp_path):
    sha = photo["sha256"]
    prefix = f"terminus/photos/{sha[:2]}/{sha}"
    assert bucket_keys(s3_app) == [f"{prefix}.jpg", f"{prefix}.thumb.jpg"]
    assert not (tmp_path / "unused").exists()  # nothing on this machine's disk
    full = client.get(photo["image_url"], headers=rep)
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    assert full.data[:2] == b"\xff\xd8" and len(full.data) == photo["size_bytes"]
    assert full.headers["Content-Length"] == str(photo["size_bytes"])
    thumb = client.get(photo["thumbnail_url"], headers=rep)
    assert thumb.status_code == 200 and len(thumb.data) < len(full.data)


def test_the_url_endpoint_answers_a_presigned_url(s3_app, client, org, tokens, rep, photo):
    before = utcnow()
    response = client.get(f"/api/photos/{photo['id']}/url?size=thumb", headers=rep)
    assert response.status_code == 200, response.json
    seconds = s3_app.config["PHOTO_SIGNED_URL_SECONDS"]
    assert f"X-Amz-Expires={seconds}" in response.json["url"]
    expires = response.json["expires_at"]
    assert abs(datetime.fromisoformat(expires) - (before + timedelta(seconds=seconds))) < MINUTE
    with urllib.request.urlopen(response.json["url"], timeout=10) as fetched:
        assert fetched.read() == client.get(photo["thumbnail_url"], headers=rep).data
    # Scope still decides who gets a URL at all.
    outsider = tokens.headers("rep-s1a")
    assert client.get(f"/api/photos/{photo['id']}/url", headers=outsider).status_code == 404


def test_readiness_checks_the_bucket(s3_app, client, monkeypatch):
    assert client.get("/api/ready").json["checks"]["photo_storage"] == "ok"
    monkeypatch.setitem(s3_app.config, "PHOTO_S3_BUCKET", "no-such-bucket")
    response = client.get("/api/ready")
    assert response.status_code == 503 and response.json["message"] == "Not ready: photo_storage"
    assert response.json["errors"]["checks"]["photo_storage"].startswith("ClientError")


def test_retention_deletes_the_objects(s3_app, client, rep, photo, monkeypatch):
    monkeypatch.setitem(s3_app.config, "PHOTO_RETENTION_DAYS", 7)
    with s3_app.app_context():
        db.session.execute(sa.update(Photo).values(created_at=utcnow() - timedelta(days=8)))
        db.session.commit()
        report = execute(photo_retention.delete_expired)
        photo_retention.remove_files(report)
    assert (report.photos, report.files) == (1, 1)
    assert bucket_keys(s3_app) == []
    assert client.get(photo["image_url"], headers=rep).status_code == 410


def test_an_unknown_backend_or_a_bucketless_s3_refuses_to_start():
    from backend import create_app

    with pytest.raises(ConfigError, match="PHOTO_STORAGE"):
        create_app({"PHOTO_STORAGE": "ftp", "DATABASE_URL": "sqlite://"})
    with pytest.raises(ConfigError, match="PHOTO_S3_BUCKET"):
        create_app({"PHOTO_STORAGE": "s3", "DATABASE_URL": "sqlite://"})
