"""The living demo as a new user meets it: after a plain `flask demo load`, every role has
something true to look at, at phone and laptop width. Screenshots go to tests/browser/artifacts/
as demo-<role>-<screen>-<width>.png."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.pwa_helpers import watched_page

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)


def open_as(browser, server, username: str, width: int, timezone: str = "Asia/Tokyo"):
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": width, "height": 860},
        timezone_id=timezone,
        geolocation={"latitude": 35.68, "longitude": 139.77},
        permissions=["geolocation"],
    )
    ctx.set_default_timeout(20000)
    page = watched_page(ctx)
    page.goto("/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "terminus-demo")
    page.click("button[type=submit]")
    return ctx, page


def tokyo_today() -> str:
    return datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()


def percents(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)\s?%", text)]


@pytest.mark.parametrize("timezone", ["Asia/Tokyo", "America/New_York"])
def test_rep_1_sees_todays_route_from_any_time_zone(browser, server, artifacts, timezone):
    """New York is 14 hours behind Tokyo: for most of the day the phone's date differs."""
    for width in WIDTHS:
        ctx, page = open_as(browser, server, "rep-1", width, timezone)
        page.wait_for_selector("#day-summary")
        assert page.locator("ol.stops li").count() >= 10
        assert page.evaluate("import('/app/js/clock.js').then((m) => m.businessDay())") == (
            tokyo_today()
        )
        zone = timezone.split("/")[1].lower()
        page.screenshot(path=str(artifacts / f"demo-rep-today-{zone}-{width}.png"), full_page=True)
        assert not page.errors, page.errors
        ctx.close()


def counts(rate: dict) -> str:
    """A rate's counts as the screens show them under the percentage."""
    return f"{rate['numerator']}/{rate['denominator']}"


def test_supervisor_sees_four_weeks_of_rates_per_rep(browser, server, artifacts):
    for width in WIDTHS:
        ctx, page = open_as(browser, server, "sup-east", width)
        page.wait_for_selector("#team-period")
        page.select_option("#team-period", "weeks4")
        rows = page.locator(".lead[data-period=weeks4] #rep-rates tbody tr")
        rows.first.wait_for()
        assert rows.count() == 4  # the four reps of Tokyo East
        completions, successes = set(), set()
        for i in range(rows.count()):
            row = rows.nth(i)
            completion = percents(row.locator("td.completion").text_content())
            success = percents(row.locator("td.success").text_content())
            assert completion and completion[0] > 0 and success and success[0] > 0
            completions.add(completion[0])
            successes.add(success[0])
        assert len(completions) > 1 and len(successes) > 1  # reps differ
        # Each rep's counts are the KPI report's, as the server defines them (none recomputed).
        day = date.fromisoformat(
            page.evaluate("import('/app/js/clock.js').then((m) => m.businessDay())")
        )
        span = f"date_from={day - timedelta(days=27)}&date_to={day}"
        query = f"/api/reports/kpis?period=custom&{span}&group_by=rep"
        _, report = server.call("GET", query, user="sup-east")
        expected = {
            str(g["id"]): (counts(g["completion_rate"]), counts(g["success_rate"]))
            for g in report["groups"]
        }
        shown = {
            rows.nth(i).get_attribute("data-rep-id"): tuple(
                rows.nth(i).locator(f"td.{k} .muted").text_content()
                for k in ("completion", "success")
            )
            for i in range(rows.count())
        }
        assert shown == expected
        page.screenshot(path=str(artifacts / f"demo-supervisor-team-{width}.png"), full_page=True)
        page.goto("/#/exceptions")
        page.wait_for_selector("#exceptions li, #exceptions tr")
        page.screenshot(path=str(artifacts / f"demo-supervisor-exceptions-{width}.png"))
        page.goto("/#/photos")
        page.wait_for_selector(".lead[data-period=weeks4] #photo-review li")
        # The queue says how many wait, and that only the first ones are shown (no silent cut).
        _, queue = server.call(
            "GET",
            f"/api/reports/photos?period=custom&{span}&status=pending&per_page=1",
            user="sup-east",
        )
        waiting = queue["meta"]["total"]
        shown = page.locator("#photo-review li").count()
        print(f"four weeks' review queue: {waiting} photos, {shown} shown")
        assert page.text_content("#photos-count") == f"{waiting} photo(s) to review"
        assert shown == min(waiting, 50)
        if waiting > shown:
            assert (
                page.text_content("#photos-shown") == f"The first {shown} of {waiting} are shown."
            )
        page.screenshot(path=str(artifacts / f"demo-supervisor-photos-{width}.png"))
        assert not page.errors, page.errors
        ctx.close()


def test_manager_reports_have_rows(browser, server, artifacts):
    for width in WIDTHS:
        ctx, page = open_as(browser, server, "manager", width)
        page.wait_for_selector("#team-period")
        page.goto("/#/reports")
        page.wait_for_selector("#team-period")
        page.select_option("#team-period", "weeks4")
        prices = page.locator(".lead[data-period=weeks4] #competitor-prices tbody tr")
        prices.first.wait_for()
        assert prices.count() > 0
        display = page.text_content("#display-kpis")
        assert all(p > 0 for p in percents(display)[:2]), display  # OOS rate, eye-level share
        assert page.locator("#expiry-chart li").count() > 0
        page.screenshot(path=str(artifacts / f"demo-manager-reports-{width}.png"), full_page=True)
        assert not page.errors, page.errors
        ctx.close()
