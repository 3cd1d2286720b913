"""The PWA in Chromium: a rep's offline day, retries and refusals, the supervisor's screen,
languages and installability. Screenshots of each main screen go to tests/browser/artifacts/."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.pwa_helpers import (
    camera_photo,
    open_section,
    outbox_counts,
    record_visit,
    rep_on_route,
    shown_percent,
    sign_in,
    tokyo_today,
    wait_for_service_worker,
    wait_outbox,
    wait_until,
)

pytestmark = pytest.mark.browser


def test_offline_day_survives_reload_and_syncs_once(server, phone, artifacts, tmp_path):
    plan = server.publish_plan("rep-1", "sup-east")
    stops = sorted(plan["stops"], key=lambda s: s["sequence"])[:3]
    ctx, page = phone()

    def shots(name):
        page.screenshot(path=str(artifacts / f"rep-{name}.png"))

    page.goto("/")
    shots("login")
    sign_in(page, "rep-1")
    page.wait_for_selector("#day-summary")
    wait_for_service_worker(page)
    page.wait_for_load_state("networkidle")
    shots("today")

    ctx.set_offline(True)
    for n, stop in enumerate(stops):
        record_visit(
            page, stop, camera_photo(tmp_path / f"p{n}.jpg", n), n, shots if n == 0 else None
        )
    # Background Sync is asked for, so the browser may send the queue without the page.
    tags = page.evaluate("navigator.serviceWorker.ready.then((r) => r.sync.getTags())")
    assert "outbox" in tags
    counts = outbox_counts(page)
    # Per visit: check-in, photo, 5 kinds of records, check-out.
    assert counts["pending"] == 3 * 8, counts
    assert counts["sent"] == 0

    # The photo was downscaled on the phone before it was queued.
    sizes = page.evaluate(
        """import('/app/js/outbox.js').then(async (m) => Promise.all((await m.items())
            .filter((i) => i.op === 'photo').map(async (i) => {
              const b = await createImageBitmap(i.blob);
              return [b.width, b.height, i.blob.type];
            })))"""
    )
    assert sizes == [[1600, 1200, "image/jpeg"]] * 3

    page.reload()  # still offline: the service worker serves the shell, IndexedDB the queue
    page.wait_for_selector("#day-summary")
    assert "3 of" in page.text_content("#day-summary")
    page.goto("/#/outbox")
    page.wait_for_selector("#outbox-summary")
    assert page.locator(".outbox-item[data-status=pending]").count() == 24
    shots("outbox-offline")

    ctx.set_offline(False)  # the `online` event sends the queue
    counts = wait_outbox(page, lambda c: c["sent"] == 24)
    assert counts == {"pending": 0, "sending": 0, "sent": 24, "failed": 0}, counts

    today = tokyo_today()
    rep_id = plan["rep_id"]
    query = f"/api/visits?rep_id={rep_id}&date_from={today}&date_to={today}"
    status, listing = server.call("GET", query, user="sup-east")
    assert status == 200
    assert listing["meta"]["total"] == 3
    assert {v["store_id"] for v in listing["items"]} == {s["store_id"] for s in stops}
    for item in listing["items"]:
        assert item["planned"] and item["status"] == "closed"
        assert item["inside_geofence"], item["flags"]
        assert not [f for f in item["flags"] if f["kind"] == "photo_reused"], item["flags"]
        _, visit = server.call("GET", f"/api/visits/{item['id']}", user="sup-east")
        assert len(visit["photos"]) == 1
        assert visit["photos"][0]["width"] == 1600
        assert len(visit["display_checks"]) >= 1
        assert len(visit["stock_counts"]) == 1
        assert len(visit["near_expiry_items"]) == 1
        assert len(visit["competitor_observations"]) == 1
        assert visit["order"]["lines"][0]["quantity"] == 16
        assert visit["successful"]

    # Forcing the whole outbox out again creates nothing new (same idempotency keys).
    result = page.evaluate("import('/app/js/outbox.js').then((m) => m.resendAll())")
    assert result["ok"] == 24 and result["failed"] == 0, result
    _, again = server.call("GET", query, user="sup-east")
    assert again["meta"]["total"] == 3
    for item in again["items"]:
        _, visit = server.call("GET", f"/api/visits/{item['id']}", user="sup-east")
        assert len(visit["photos"]) == 1
    page.goto("/#/outbox")
    page.wait_for_selector("#outbox-summary")
    shots("outbox-sent")
    assert not page.errors, page.errors

    # The supervisor sees the 3 visits and the completion rate the API reports.
    _, lead = phone()
    sign_in(lead, "sup-east")
    lead.wait_for_selector("#team-visits")
    wait_until(lead, "document.querySelectorAll('#team-visits tbody tr').length >= 3")
    rows = lead.locator("#team-visits tbody tr")
    assert rows.count() == 3
    completion = lead.text_content("#kpi-completion")
    status, report = server.call(
        "GET", f"/api/reports/kpis?period=day&date={today}", user="sup-east"
    )
    assert status == 200, report
    rate = report["total"]["completion_rate"]
    assert f"{rate['numerator']}/{rate['denominator']}" in completion
    assert shown_percent(rate["rate"]) in completion
    lead.screenshot(path=str(artifacts / "supervisor-team.png"), full_page=True)
    # The week holds the demo's history too; then back to today, where only these 3 visits are.
    lead.select_option("#team-period", "week")
    wait_until(lead, "document.querySelector('.lead[data-period=week] #team-visits') !== null")
    assert lead.locator("#team-visits tbody tr").count() >= 3
    lead.screenshot(path=str(artifacts / "supervisor-week.png"), full_page=True)
    lead.select_option("#team-period", "day")
    wait_until(lead, "document.querySelector('.lead[data-period=day] #team-visits') !== null")
    lead.goto("/#/exceptions")
    lead.wait_for_selector("h3")
    lead.screenshot(path=str(artifacts / "supervisor-exceptions.png"))
    lead.goto("/#/photos")
    lead.wait_for_selector("#photo-review li")
    assert lead.locator("#photo-review li").count() == 3
    lead.screenshot(path=str(artifacts / "supervisor-photos.png"))
    # Review: approve one, reject one with a comment; the rep reads the verdicts.
    lead.locator("#photo-review li").first.locator("button", has_text="Approve").click()
    wait_until(lead, "document.querySelectorAll('#photo-review li').length === 2")
    first = lead.locator("#photo-review li").first
    first.locator("input").fill("Shelf not visible")
    first.locator("button", has_text="Reject").click()
    wait_until(lead, "document.querySelectorAll('#photo-review li').length === 1")
    page.goto("/#/more")
    page.wait_for_selector("#photo-feedback li")
    feedback = page.text_content("#photo-feedback")
    assert "Approved." in feedback and "Shelf not visible" in feedback
    page.screenshot(path=str(artifacts / "rep-more-feedback.png"))
    lead.goto(f"/#/visit-detail/{listing['items'][0]['id']}")
    lead.wait_for_selector(".thumbs")
    lead.screenshot(path=str(artifacts / "supervisor-visit.png"), full_page=True)
    assert not lead.errors, lead.errors

    # The area manager's reports (charts and exports), or a notice where the API is missing.
    _, manager = phone()
    sign_in(manager, "manager")
    manager.wait_for_selector("#team-visits")
    manager.goto("/#/reports")
    manager.wait_for_selector("#display-kpis, main p.muted")
    manager.screenshot(path=str(artifacts / "manager-reports.png"), full_page=True)
    assert not manager.errors, manager.errors


def test_server_500_retried_and_422_shown_and_kept(server, phone, artifacts, tmp_path):
    # Without Background Sync every send comes from the page, where page.route sees it
    # (Playwright does not route a service worker's own fetches).
    plan, stops, ctx, page = rep_on_route(server, phone, "rep-5", background_sync=False)
    stop = stops[0]

    failures = {"left": 1}

    def first_send_fails(route):
        if failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=500, content_type="application/json", body='{"code": 500}')
        else:
            route.continue_()

    page.route("**/api/sync/multipart", first_send_fails)
    ctx.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    page.click(f"a.stop[data-store-id='{stop['store_id']}']")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    counts = wait_outbox(page, lambda c: failures["left"] == 0 and c["pending"] == 1)
    assert failures["left"] == 0 and counts["pending"] == 1, counts
    page.goto("/#/outbox")
    page.wait_for_selector(".outbox-item[data-status=pending]")
    assert "Server 500" in page.text_content(".outbox-item")
    page.click("#send-now")
    counts = wait_outbox(page, lambda c: c["sent"] == 1)
    assert counts["sent"] == 1 and counts["pending"] == 0, counts
    today = tokyo_today()
    query = f"/api/visits?rep_id={plan['rep_id']}&date_from={today}&date_to={today}"
    assert server.call("GET", query, user="sup-east")[1]["meta"]["total"] == 1

    # An order the server refuses (quantity above its limit): 422, shown and kept.
    page.go_back()
    page.wait_for_selector("#visit")
    order = open_section(page, "order")
    order.locator("input[type=number]").first.fill("2000000")
    order.locator("[data-save=order]").click()
    counts = wait_outbox(page, lambda c: c["failed"] == 1)
    assert counts["failed"] == 1, counts
    page.goto("/#/outbox")
    page.wait_for_selector(".outbox-item[data-status=failed]")
    failed = page.locator(".outbox-item[data-status=failed]")
    assert failed.count() == 1
    assert "422" in failed.locator(".error").text_content()
    page.screenshot(path=str(artifacts / "rep-outbox-422.png"))
    page.reload()
    page.wait_for_selector(".outbox-item[data-status=failed]")
    assert page.locator(".outbox-item[data-status=failed] .error").count() == 1
    assert "422" in page.text_content("#outbox-badge") or page.is_visible("#outbox-badge")
    assert not page.errors, page.errors


def test_installable_and_chinese(server, playwright, artifacts, tmp_path):
    # A persistent profile: Chromium never offers to install from an incognito context.
    ctx = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path="/usr/bin/chromium",
        args=["--no-sandbox"],
        base_url=server.url,
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        timezone_id="Asia/Tokyo",
    )
    try:
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        page.goto("/")
        page.wait_for_selector("form")
        assert page.text_content("h2") == "登录"
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"
        wait_for_service_worker(page)
        page.screenshot(path=str(artifacts / "login-zh-Hans.png"))
        # One versioned shell cache, named after the digest the server put in sw.js.
        caches = page.evaluate("caches.keys()")
        sw = page.request.get("/sw.js").text()
        version = re.search(r"const VERSION = '([^']+)';", sw)[1]
        assert caches == [f"terminus-shell-{version}"], caches
        cdp = ctx.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        manifest = cdp.send("Page.getAppManifest")
        assert not manifest.get("errors"), manifest["errors"]

        # The language switch: English, kept across a reload.
        page.select_option("select.lang", "en")
        wait_until(page, "document.querySelector('h2').textContent === 'Sign in'")
        page.reload()
        page.wait_for_selector("form h2")
        assert page.text_content("h2") == "Sign in"
    finally:
        ctx.close()


def test_tap_targets_and_labels_on_a_small_phone(server, phone, artifacts):
    _, stops, ctx, page = rep_on_route(server, phone, "rep-7")
    # Stores nearby, for an unplanned visit (GET /api/stores?near_lat&near_lng&radius_m).
    last = stops[-1]
    ctx.set_geolocation({"latitude": last["lat"], "longitude": last["lng"]})
    page.goto("/#/nearby")
    page.wait_for_selector("#nearby-list a.stop")
    assert page.locator("#nearby-list a.stop").first.get_attribute("href") == (
        f"#/store/{last['store_id']}"
    )
    page.screenshot(path=str(artifacts / "rep-nearby.png"))
    page.goto("/#/today")
    page.wait_for_selector("#day-summary")
    with page.expect_response("**/api/plans/*/replan") as replan:
        page.click("#replan")
    assert replan.value.status == 200
    page.wait_for_selector("#toast:not([hidden])")
    assert "re-planned" in page.text_content("#toast")
    page.wait_for_selector("#day-summary")
    page.click("a.stop >> nth=0")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    for name in ("display_checks", "stock_counts", "order"):
        open_section(page, name)
    small = page.evaluate(
        """[...document.querySelectorAll(
              'button, a.btn, a.stop, summary, select, input:not([type=checkbox]), label.check')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.tagName, el.textContent.trim().slice(0, 30),
                          el.getBoundingClientRect().height])
            .filter(([, , h]) => h < 44)"""
    )
    assert small == [], small
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input, select, textarea')]
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert unlabelled == [], unlabelled
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_refusal_after_a_5xx_in_the_same_batch_is_retried_not_failed(server, phone):
    """The batch answers item by item: a check-in that met a 5xx makes the visit's later
    items fail too (404). The client must keep those waiting, not mark them failed.
    The first answer is staged by the test (a server cannot be made to 500 on one item)."""
    plan, stops, ctx, page = rep_on_route(server, phone, "rep-8", background_sync=False)
    stop = stops[0]
    ctx.set_offline(True)
    ctx.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    page.click(f"a.stop[data-store-id='{stop['store_id']}']")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    order = open_section(page, "order")
    order.locator("input[type=number]").first.fill("2")
    order.locator("[data-save=order]").click()
    items = page.evaluate(
        "import('/app/js/outbox.js').then(async (m) => (await m.items())"
        ".map((i) => ({ key: i.key, op: i.op })))"
    )
    assert [i["op"] for i in items] == ["check_in", "order"]
    staged = {
        "results": [
            {**items[0], "status": 500, "replayed": False, "body": {"message": "boom"}},
            {**items[1], "status": 404, "replayed": False, "body": {"message": "No visit"}},
        ],
        "succeeded": 0,
        "failed": 2,
    }
    answered = {"staged": False}

    def once(route):
        if answered["staged"]:
            route.continue_()
        else:
            answered["staged"] = True
            route.fulfill(status=200, content_type="application/json", body=json.dumps(staged))

    page.route("**/api/sync/multipart", once)
    ctx.set_offline(False)
    counts = wait_outbox(page, lambda c: answered["staged"] and not c["sending"])
    assert counts["failed"] == 0 and counts["pending"] == 2, counts
    page.goto("/#/outbox")
    page.click("#send-now")
    counts = wait_outbox(page, lambda c: c["sent"] == 2)
    assert counts == {"pending": 0, "sending": 0, "sent": 2, "failed": 0}, counts
    today = tokyo_today()
    query = f"/api/visits?rep_id={plan['rep_id']}&date_from={today}&date_to={today}"
    _, listing = server.call("GET", query, user="sup-east")
    assert listing["meta"]["total"] == 1
    _, visit = server.call("GET", f"/api/visits/{listing['items'][0]['id']}", user="sup-east")
    assert visit["order"]["lines"][0]["quantity"] == 2
