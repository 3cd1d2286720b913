"""One storage contract, run against every backend: the local directory and S3 (moto's server
on the loopback). What the photo code relies on must hold on both."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from backend.errors import NotFoundError
from backend.services import photo_storage
from backend.services.photo_storage import LocalStorage
from backend.services.photo_storage.s3 import S3Storage

FULL, THUMB = b"\xff\xd8full image\xff\xd9", b"\xff\xd8thumbnail\xff\xd9"
SHA = hashlib.sha256(b"an upload").hexdigest()


def s3_storage(settings: dict) -> S3Storage:
    return S3Storage.from_settings({k: v for k, v in settings.items() if k.startswith("PHOTO_S3_")})


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "photos")
    return s3_storage(request.getfixturevalue("s3_settings"))


def read(storage, key: str) -> bytes:
    image = storage.open(key)
    try:
        content = image.stream.read()
    finally:
        image.stream.close()
    assert image.length == len(content)
    return content


def test_a_saved_file_reads_back_whole(storage):
    key = photo_storage.key_for(SHA, "full")
    assert not storage.exists(key)
    storage.save(key, FULL)
    assert storage.exists(key)
    assert read(storage, key) == FULL


def test_saving_a_stored_key_again_keeps_the_first_file(storage):
    # Names are content hashes: a second save of a name is the same content, and a no-op.
    key = photo_storage.key_for(SHA, "thumb")
    storage.save(key, THUMB)
    storage.save(key, b"something else")
    assert read(storage, key) == THUMB


def test_a_missing_file_is_not_found(storage):
    with pytest.raises(NotFoundError):
        storage.open(photo_storage.key_for(SHA, "full"))


def test_delete_removes_the_file_and_a_missing_file_is_no_error(storage):
    key = photo_storage.key_for(SHA, "full")
    storage.save(key, FULL)
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(NotFoundError):
        storage.open(key)
    storage.delete(key)


def test_full_image_and_thumbnail_are_two_files(storage):
    full, thumb = photo_storage.key_for(SHA, "full"), photo_storage.key_for(SHA, "thumb")
    storage.save(full, FULL)
    storage.save(thumb, THUMB)
    assert (read(storage, full), read(storage, thumb)) == (FULL, THUMB)
    photo_storage.delete_photo(SHA, storage)
    assert not storage.exists(full) and not storage.exists(thumb)


def test_storage_reports_itself_healthy(storage):
    assert storage.health() == "ok"


def test_signed_url_serves_the_file_without_credentials_or_is_absent(storage):
    key = photo_storage.key_for(SHA, "full")
    storage.save(key, FULL)
    url = storage.signed_url(key, 60)
    if storage.name == "local":
        assert url is None  # served only by the scoped API path
        return
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == FULL
        assert response.headers["Content-Type"] == "image/jpeg"
    # Without the signature the object store refuses: the bucket is not public.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url.split("?")[0], timeout=10)
    assert refused.value.code == 403


def test_bad_names_are_refused_before_any_storage():
    for sha, size in (("../" + SHA[3:], "full"), (SHA, "huge"), (SHA.upper(), "full")):
        with pytest.raises(ValueError):
            photo_storage.key_for(sha, size)


def test_local_writes_leave_no_temporary_files(tmp_path):
    storage = LocalStorage(tmp_path / "photos")
    storage.save(photo_storage.key_for(SHA, "full"), FULL)
    names = [p.name for p in (tmp_path / "photos").rglob("*")]
    assert names == [SHA[:2], f"{SHA}.jpg"]


def test_s3_keys_live_under_the_prefix(s3_settings):
    storage = s3_storage(s3_settings)
    storage.save(photo_storage.key_for(SHA, "full"), FULL)
    client = storage.client
    keys = [
        o["Key"] for o in client.list_objects_v2(Bucket=s3_settings["PHOTO_S3_BUCKET"])["Contents"]
    ]
    assert keys == [f"terminus/photos/{SHA[:2]}/{SHA}.jpg"]


def test_s3_signed_url_is_valid_for_the_seconds_asked(s3_settings):
    # The signature covers X-Amz-Expires; S3 and MinIO refuse the URL after it (moto does not
    # enforce expiry, so the test reads the signed parameter).
    storage = s3_storage(s3_settings)
    query = parse_qs(urlsplit(storage.signed_url(photo_storage.key_for(SHA, "full"), 90)).query)
    assert query["X-Amz-Expires"] == ["90"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and "X-Amz-Signature" in query


def test_s3_health_fails_for_a_missing_bucket(s3_settings):
    storage = s3_storage({**s3_settings, "PHOTO_S3_BUCKET": "no-such-bucket"})
    with pytest.raises(ClientError):
        storage.health()


def test_s3_without_keys_uses_the_default_credential_chain(s3_settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    storage = s3_storage(
        {**s3_settings, "PHOTO_S3_ACCESS_KEY_ID": "", "PHOTO_S3_SECRET_ACCESS_KEY": ""}
    )
    assert storage.health() == "ok"
    assert isinstance(boto3.session.Session().get_credentials().access_key, str)
