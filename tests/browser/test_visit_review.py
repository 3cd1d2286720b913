"""A visit held for review in Chromium: the supervisor sees why its time is doubtful on the
exceptions screen, accepts it there, and the rep-day's KPIs count it from then on.
Screenshot: artifacts/review-held-visit.png."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.browser.conftest import TOKYO
from tests.browser.made_people import SUPERVISOR as SUP
from tests.browser.made_people import Made
from tests.browser.pwa_helpers import open_lead, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def made(server):
    """A rep of sup-east's with one store: no other test's visit is open for them."""
    made = Made(server)
    rep = made.rep("rep", "review-rep", "Ren Review")
    made.store("store", rep, "REVIEW-1", "Review corner shop", (35.671, 139.765))
    yield made
    made.retire()


def kpi_visits(server, day: str, rep_id: int) -> int:
    query = f"period=day&date={day}&rep_id={rep_id}"
    status, body = server.call("GET", f"/api/reports/kpis?{query}", user=SUP)
    assert status == 200, body
    return body["total"]["visits"]


def test_a_supervisor_accepts_a_visit_sent_after_its_day_closed(browser, server, made, artifacts):
    """The rep's check-in at 17:00 yesterday reaches the server today (its day has closed):
    held out of yesterday's KPIs until the supervisor accepts it on the exceptions screen."""
    rep, store = made.users["rep"], made.stores["store"]
    rep_id = rep["id"]
    yesterday = datetime.now(TOKYO).date() - timedelta(days=1)
    device_time = datetime.combine(yesterday, datetime.min.time(), TOKYO) + timedelta(hours=17)
    before = kpi_visits(server, yesterday.isoformat(), rep_id)
    body = {"store_id": store["id"], "lat": store["lat"], "lng": store["lng"], "accuracy_m": 10}
    status, visit = server.call(
        "POST",
        "/api/visits",
        {**body, "device_time": device_time.isoformat()},
        user=rep["username"],
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
