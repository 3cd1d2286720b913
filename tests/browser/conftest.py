"""Browser tests: the real app served over http://127.0.0.1 (so the service worker runs), a
fresh SQLite database with the demo territory, and Debian's Chromium driven by Playwright.

Locally they skip when /usr/bin/chromium (or Playwright) is missing; with CI=true they fail.
They run on the SQLite pass of `make test` only: they bring their own server and database.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser.pwa_helpers import watched_page

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "terminus-demo"
TOKYO = ZoneInfo("Asia/Tokyo")
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TERMINUS_TEST_DATABASE_URL", "").startswith("postgresql"):
        skip = pytest.mark.skip(reason="browser tests run on the SQLite pass (own server)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)


def missing_browser() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Python Playwright is not installed (pip install -e '.[dev]')"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tokyo_today() -> str:
    return datetime.now(TOKYO).date().isoformat()


class Server:
    """The app in a subprocess (`flask run`), plus a tiny JSON client for its API."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "FLASK_APP": "backend",
            "TERMINUS_DATABASE_URL": f"sqlite:///{tmp / 'browser.db'}",
            "TERMINUS_SECRET_KEY": "browser-tests",
            "TERMINUS_PHOTO_DIR": str(tmp / "photos"),
            "TERMINUS_PASSWORD_TIME_COST": "1",
            "TERMINUS_PASSWORD_MEMORY_KIB": "8",
            "TERMINUS_PASSWORD_PARALLELISM": "1",
            "TERMINUS_LOGIN_RATE_LIMIT": "1000 per minute",
            "TERMINUS_LOGIN_RATE_LIMIT_PER_ADDRESS": "1000 per minute",
            # Every day a working day, so "tomorrow" has routes to plan whatever day CI runs.
            "TERMINUS_WORKING_DAYS": "mon-sun",
        }
        self.env.pop("TERMINUS_TEST_DATABASE_URL", None)
        flask = [sys.executable, "-m", "flask"]
        for args in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run([*flask, *args], cwd=ROOT, env=self.env, check=True, capture_output=True)
        self.log = open(tmp / "server.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*flask, "run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the app did not start")
        self.tokens: dict[str, str] = {}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def call(self, method: str, path: str, body=None, user: str | None = None):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        req = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def token(self, user: str) -> str:
        if user not in self.tokens:
            status, body = self.call(
                "POST", "/api/auth/login", {"username": user, "password": PASSWORD}
            )
            assert status == 200, body
            self.tokens[user] = body["token"]
        return self.tokens[user]

    def user(self, username: str) -> dict:
        status, body = self.call("GET", "/api/auth/me", user=username)
        assert status == 200
        return body

    def publish_plan(self, rep: str, supervisor: str) -> dict:
        """Today's (Tokyo) published route for `rep`: the living demo's, or else planned and
        published by `supervisor`."""
        rep_id = self.user(rep)["id"]
        day = tokyo_today()
        status, plans = self.call(
            "GET", f"/api/plans?rep_id={rep_id}&date_from={day}&date_to={day}", user=supervisor
        )
        assert status == 200, plans
        published = [p for p in plans["items"] if p["status"] == "published"]
        if published:
            return published[0]
        status, plan = self.call(
            "POST", "/api/plans", {"rep_id": rep_id, "plan_date": tokyo_today()}, user=supervisor
        )
        assert status == 201, plan
        status, plan = self.call("POST", f"/api/plans/{plan['id']}/publish", user=supervisor)
        assert status == 200, plan
        return plan


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("browser"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def playwright():
    reason = missing_browser()
    if reason:
        if CI:
            pytest.fail(f"CI: browser tests must run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield b
    b.close()


@pytest.fixture
def phone(browser, server):
    """A 360 px wide phone in Tokyo (or `timezone`) with location allowed; console errors are
    collected."""

    def make(locale: str = "en-US", background_sync: bool = True, timezone: str = "Asia/Tokyo"):
        ctx = browser.new_context(
            base_url=server.url,
            viewport={"width": 360, "height": 740},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale=locale,
            timezone_id=timezone,
            geolocation={"latitude": 35.68, "longitude": 139.77},
            # Chrome grants Background Sync to sites by default; a Playwright context must ask.
            permissions=["geolocation", "background-sync"] if background_sync else ["geolocation"],
        )
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        page = watched_page(ctx)
        return ctx, page

    contexts: list = []
    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
