"""Two web servers, one database, one S3 bucket: a photo uploaded through one is served by the
other. Each server has its own empty PHOTO_DIR, so nothing can come from a shared disk.

The database is the test database (the SQLite file, or this worker's PostgreSQL schema when
TERMINUS_TEST_DATABASE_URL is set); the bucket lives on moto's S3 server on the loopback.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from bench import server as bench_server
from tests.api.visit_helpers import check_in_body, image_bytes, minutes_ago, store_position
from tests.faults.harness import server_url
from tests.org_factory import PASSWORD


def call(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, bytes, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def call_json(port: int, method: str, path: str, body: dict, headers=None) -> tuple[int, dict]:
    status, raw, _ = call(
        port,
        method,
        path,
        json.dumps(body),
        {**(headers or {}), "Content-Type": "application/json"},
    )
    return status, json.loads(raw)


def server_env(app, s3_settings: dict, photo_dir, name: str) -> dict[str, str]:
    return {
        **os.environ,
        **{f"TERMINUS_{k}": v for k, v in s3_settings.items()},
        "TERMINUS_DATABASE_URL": server_url(app, name),
        "TERMINUS_PHOTO_DIR": str(photo_dir),
        "TERMINUS_SECRET_KEY": "test",
        "TERMINUS_LOG_LEVEL": "CRITICAL",
    }


def test_each_server_serves_the_photos_the_other_stored(app, org, s3_settings, tmp_path):
    lat, lng = store_position(app, org.store["n1-a"])
    with ExitStack() as servers:
        launches = [
            bench_server.gunicorn(
                server_env(app, s3_settings, tmp_path / name / "photos", f"terminus-{name}"), 1
            )
            for name in ("a", "b")
        ]
        # Both start at once: each boot imports the whole app, which takes seconds.
        with ThreadPoolExecutor(2) as pool:
            ports = list(pool.map(servers.enter_context, launches))
        first, second = ports
        status, login = call_json(
            first, "POST", "/api/auth/login", {"username": "rep-n1a", "password": PASSWORD}
        )
        assert status == 200, login
        rep = {"Authorization": f"Bearer {login['token']}"}
        body = check_in_body(org.store["n1-a"], (lat, lng), minutes_ago(5))
        status, visit = call_json(first, "POST", "/api/visits", body, rep)
        assert status == 201, visit

        uploads = {}
        for port, seed in ((first, 1), (second, 2)):
            content = image_bytes(seed=seed)
            boundary, data = encode_multipart(
                {"kind": "shelf", "file": FileStorage(io.BytesIO(content), "shelf.jpg")}
            )
            headers = {**rep, "Content-Type": f"multipart/form-data; boundary={boundary}"}
            status, raw, _ = call(port, "POST", f"/api/visits/{visit['id']}/photos", data, headers)
            assert status == 201, raw
            uploads[port] = json.loads(raw)

        for uploader, reader in ((first, second), (second, first)):
            photo = uploads[uploader]
            served = {}
            for port in (uploader, reader):
                status, image, headers = call(
                    port, "GET", f"/api/photos/{photo['id']}/image", None, rep
                )
                assert status == 200 and headers["Content-Type"] == "image/jpeg", image
                served[port] = image
            assert served[reader] == served[uploader] and served[reader][:2] == b"\xff\xd8"
            # The signed URL from the other server fetches the same bytes straight from S3.
            status, raw, _ = call(
                reader, "GET", f"/api/photos/{photo['id']}/url?size=full", None, rep
            )
            answer = json.loads(raw)
            assert status == 200 and answer["expires_at"], answer
            assert answer["url"].startswith(s3_settings["PHOTO_S3_ENDPOINT_URL"])
            with urllib.request.urlopen(answer["url"], timeout=10) as response:
                assert response.read() == served[uploader]

    # Nothing was written to either server's own disk.
    assert not list(tmp_path.rglob("*.jpg"))
