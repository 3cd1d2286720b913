"""A visit held for review in Chromium: the supervisor sees why its time is doubtful on the
exceptions screen, accepts it there, and the rep-day's KPIs count it from then on.
Screenshot: artifacts/review-held-visit.png."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.browser.conftest import TOKYO
from tests.browser.pwa_helpers import open_lead, wait_until

pytestmark = pytest.mark.browser

REP, SUP = "rep-5", "sup-east"


def kpi_visits(server, day: str, rep_id: int) -> int:
    query = f"period=day&date={day}&rep_id={rep_id}"
    status, body = server.call("GET", f"/api/reports/kpis?{query}", user=SUP)
    assert status == 200, body
    return body["total"]["visits"]


def test_a_supervisor_accepts_a_visit_sent_after_its_day_closed(browser, server, artifacts):
    """The rep's check-in at 17:00 yesterday reaches the server today (its day has closed):
    held out of yesterday's KPIs until the supervisor accepts it on the exceptions screen."""
    rep_id = server.user(REP)["id"]
    status, stores = server.call("GET", "/api/stores?per_page=1", user=REP)
    assert status == 200, stores
    store = stores["items"][0]
    yesterday = datetime.now(TOKYO).date() - timedelta(days=1)
    device_time = datetime.combine(yesterday, datetime.min.time(), TOKYO) + timedelta(hours=17)
    before = kpi_visits(server, yesterday.isoformat(), rep_id)
    body = {"store_id": store["id"], "lat": store["lat"], "lng": store["lng"], "accuracy_m": 10}
    status, visit = server.call(
        "POST", "/api/visits", {**body, "device_time": device_time.isoformat()}, user=REP
    )
    assert status == 201, visit
    assert visit["review"] == "pending", visit["flags"]
    assert kpi_visits(server, yesterday.isoformat(), rep_id) == before

    ctx, page = open_lead(browser, server, SUP, 1280)
    page.goto("/#/exceptions")
    page.wait_for_selector("#team-day")
    page.fill("#team-day", yesterday.isoformat())
    page.dispatch_event("#team-day", "change")
    box = f"#visit-review-{visit['id']}"
    page.wait_for_selector(box)
    row = page.locator("#exceptions tr", has=page.locator(box))
    # The rule it broke, worded for people.
    assert f"The check-in reached the server after its day ({yesterday}) had closed." in (
        row.inner_text()
    )
    assert page.inner_text(box) == "Held: out of the KPIs until reviewed"
    page.screenshot(path=str(artifacts / "review-held-visit.png"), full_page=True)
    row.locator("button[data-decision=accepted]").click()
    wait_until(page, f"document.querySelector({box!r}).textContent.startsWith('Accepted')")
    assert page.inner_text(box) == "Accepted: counts in the KPIs"
    assert kpi_visits(server, yesterday.isoformat(), rep_id) == before + 1
    assert page.errors == []
    ctx.close()
