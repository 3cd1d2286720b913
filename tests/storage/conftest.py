"""An S3-protocol server (moto's server mode) on the loopback, and app settings that use it.

Production uses a real S3 or MinIO; moto speaks the same protocol, so the S3 backend's code
(boto3, presigned URLs) runs exactly as it would there.
"""

from __future__ import annotations

import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from bench.server import free_port

CREDENTIALS = {"PHOTO_S3_ACCESS_KEY_ID": "testing", "PHOTO_S3_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of an S3 server started for this test session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_settings(s3_endpoint):
    """PHOTO_* settings of a fresh bucket (so tests never see each other's files)."""
    bucket = f"photos-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)
    return {
        "PHOTO_STORAGE": "s3",
        "PHOTO_S3_BUCKET": bucket,
        "PHOTO_S3_PREFIX": "terminus/photos",
        "PHOTO_S3_ENDPOINT_URL": s3_endpoint,
        "PHOTO_S3_REGION": "us-east-1",
        **CREDENTIALS,
    }


@pytest.fixture
def s3_app(app, s3_settings, monkeypatch):
    """The test app storing photos in this test's bucket."""
    for key, value in s3_settings.items():
        monkeypatch.setitem(app.config, key, value)
    return app
