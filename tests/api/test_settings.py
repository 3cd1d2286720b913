"""GET /api/settings: the business time zone, currency and day every screen formats with."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


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
    }
    assert ZoneInfo(body["timezone"])


def test_settings_need_a_signed_in_user(client, database):
    assert client.get("/api/settings").status_code == 401
