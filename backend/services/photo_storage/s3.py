"""Photo storage in an S3-compatible object store (AWS S3, MinIO...): `<prefix>/ab/ab12….jpg`.

A PutObject is atomic (a reader sees the whole object or none), so no temporary name is needed.
Empty credentials leave boto3 its default chain (environment, profile, instance role).
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ...errors import NotFoundError
from .base import StoredImage

_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    name = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str = ""):
        self.client, self.bucket = client, bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    @classmethod
    def from_settings(cls, settings: dict[str, str]) -> S3Storage:
        endpoint = settings["PHOTO_S3_ENDPOINT_URL"] or None
        config = Config(
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # MinIO and other self-hosted endpoints serve buckets by path, not by host name.
            s3={"addressing_style": "path" if endpoint else "auto"},
        )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            region_name=settings["PHOTO_S3_REGION"] or None,
            aws_access_key_id=settings["PHOTO_S3_ACCESS_KEY_ID"] or None,
            aws_secret_access_key=settings["PHOTO_S3_SECRET_ACCESS_KEY"] or None,
            config=config,
        )
        return cls(client, settings["PHOTO_S3_BUCKET"], settings["PHOTO_S3_PREFIX"])

    def _key(self, key: str) -> str:
        return self.prefix + key

    def save(self, key: str, content: bytes) -> None:
        if self.exists(key):
            return
        self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=content, ContentType="image/jpeg"
        )

    def open(self, key: str) -> StoredImage:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                raise NotFoundError("The image file is missing from photo storage.") from None
            raise
        return StoredImage(stream=answer["Body"], length=answer["ContentLength"])

    def signed_url(self, key: str, expires_in: int) -> str | None:
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._key(key),
                "ResponseContentType": "image/jpeg",
                "ResponseCacheControl": f"private, max-age={expires_in}",
            },
            ExpiresIn=expires_in,
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return False
            raise
        return True

    def health(self) -> str:
        self.client.head_bucket(Bucket=self.bucket)
        return "ok"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
