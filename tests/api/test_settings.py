"""GET /api/settings: the business time zone, currency and day every screen formats with; the
map's tile server and credit; the PWA's offline wipe period. The map settings are checked when
the app starts (a clear ConfigError, never a broken map)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from backend import create_app
from backend.config import ConfigError
from backend.headers import tile_source


def test_settings_give_the_business_day_not_the_servers(app, client, org, tokens, monkeypatch):
    # 23:30 UTC on 1 December is already 2 December in Tokyo.
    moment = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr("backend.services.reports.ranges.datetime", Clock)
    body = client.get("/api/settings", headers=tokens.headers("rep-n1a")).json
    assert body == {
        "timezone": "Asia/Tokyo",
        "currency": "JPY",
        "today": "2026-12-02",
        "working_days": [0, 1, 2, 3, 4],
        "map_tile_url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "map_tile_attribution": "© OpenStreetMap contributors",
        "offline_wipe_days": 14,
    }
    assert ZoneInfo(body["timezone"])


def test_settings_need_a_signed_in_user(client, database):
    assert client.get("/api/settings").status_code == 401


def test_settings_answer_the_configured_tiles_and_wipe_period(app, client, org, tokens):
    saved = {
        k: app.config[k] for k in ("MAP_TILE_URL", "MAP_TILE_ATTRIBUTION", "OFFLINE_WIPE_DAYS")
    }
    app.config.update(
        MAP_TILE_URL="https://{s}.tiles.example.jp/base/{z}/{x}/{y}{r}.png?key=k",
        MAP_TILE_ATTRIBUTION="<b>Tiles</b> © Example & OSM",
        OFFLINE_WIPE_DAYS=0,
    )
    try:
        body = client.get("/api/settings", headers=tokens.headers("sup-n1")).json
    finally:
        app.config.update(saved)
    assert body["map_tile_url"] == "https://{s}.tiles.example.jp/base/{z}/{x}/{y}{r}.png?key=k"
    # Plain text, as configured: the PWA escapes it where it shows it.
    assert body["map_tile_attribution"] == "<b>Tiles</b> © Example & OSM"
    assert body["offline_wipe_days"] == 0


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles-{s}.example.com/{z}/{x}/{-y}.png", "https://*.example.com"),
        ("HTTPS://Tiles.Example.COM:8443/t/{z}/{x}/{y}.png", "https://tiles.example.com:8443"),
        ("http://localhost:8080/{z}/{x}/{y}.png", "http://localhost:8080"),
        ("http://127.0.0.1/{z}/{x}/{y}.png", "http://127.0.0.1"),
    ],
)
def test_the_tile_source_is_the_templates_origin(url, source):
    assert tile_source(url) == source


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://tiles.example.com/{z}/{x}/{y}.png", "http:// or https://"),
        ("javascript:alert(1)//{z}/{x}/{y}", "http:// or https://"),
        ("tile.openstreetmap.org/{z}/{x}/{y}.png", "http:// or https://"),
        ("", "http:// or https://"),
        ("https://tiles.example.com/{z}/{x}.png", "placeholders"),
        ("https://u:p@tiles.example.com/{z}/{x}/{y}.png", "user name"),
        ("https://{s}.com/{z}/{x}/{y}.png", "subdomain"),
        ("https://a.{s}.example.com/{z}/{x}/{y}.png", "host name"),
        ("https://*.example.com/{z}/{x}/{y}.png", "host name"),
        ("https://tiles.example.com;script-src/{z}/{x}/{y}.png", "host name"),
        ("https://tiles.example.com:{port}/{z}/{x}/{y}.png", "port"),
    ],
)
def test_a_tile_url_the_browser_cannot_use_is_refused(url, why):
    with pytest.raises(ConfigError, match="MAP_TILE_URL") as refused:
        tile_source(url)
    assert why in str(refused.value)


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"MAP_TILE_URL": "ftp://tiles.example.com/{z}/{x}/{y}.png"}, "MAP_TILE_URL"),
        ({"OFFLINE_WIPE_DAYS": -1}, "OFFLINE_WIPE_DAYS"),
    ],
)
def test_the_app_refuses_to_start_with_a_bad_map_or_wipe_setting(tmp_path, overrides, setting):
    with pytest.raises(ConfigError, match=setting):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **overrides})


def test_the_wipe_period_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TERMINUS_OFFLINE_WIPE_DAYS", "3")
    monkeypatch.setenv("TERMINUS_MAP_TILE_URL", "https://{s}.example.org/{z}/{x}/{y}.png")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["OFFLINE_WIPE_DAYS"] == 3
    assert tile_source(app.config["MAP_TILE_URL"]) == "https://*.example.org"
