"""The display check in the PWA: availability is one answer (on the shelf, out of stock, not
stocked here), eye level is a shelf level and counts in the manager's eye-level share, and
facings typed for a product that is not on the shelf stop the save with a message on it."""

from __future__ import annotations

import re

import pytest

from tests.browser.pwa_helpers import (
    open_section,
    sign_in,
    tokyo_today,
    wait_for_service_worker,
    wait_outbox,
)

pytestmark = pytest.mark.browser

REP, SUPERVISOR = "rep-2", "sup-west"  # no other browser test visits with rep-2
QUEUED_DISPLAY_CHECKS = """import('/app/js/outbox.js').then(async (m) =>
    (await m.items()).filter((i) => i.op === 'display_checks').length)"""


def eye_level_share(server, rep_id: int) -> dict:
    query = f"/api/reports/display-compliance?period=day&date={tokyo_today()}&rep_id={rep_id}"
    status, body = server.call("GET", query, user="manager")
    assert status == 200, body
    return body["total"]["eye_level_share"]


def test_eye_level_shelf_counts_and_facings_off_the_shelf_are_refused(server, phone, artifacts):
    plan = server.publish_plan(REP, SUPERVISOR)
    stop = min(plan["stops"], key=lambda s: s["sequence"])
    before = eye_level_share(server, plan["rep_id"])
    ctx, page = phone()
    sign_in(page, REP)
    page.wait_for_selector("#day-summary")
    wait_for_service_worker(page)
    ctx.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    page.click(f"a.stop[data-store-id='{stop['store_id']}']")
    page.click("#check-in")
    page.wait_for_selector("#visit")

    display = open_section(page, "display_checks")
    rows = display.locator(".prod")
    eye, top, gone = rows.nth(0), rows.nth(1), rows.nth(2)
    eye.locator("input[type=number]").fill("3")
    eye.get_by_label("Shelf", exact=True).select_option(label="Eye level")
    top.locator("input[type=number]").fill("2")
    top.get_by_label("Shelf", exact=True).select_option(label="Top")
    for i in range(3, rows.count()):
        rows.nth(i).get_by_label("Not stocked here").check()
    # Facings typed, then out of stock: the facings and the shelf are no longer asked...
    gone.locator("input[type=number]").fill("3")
    gone.get_by_label("Out of stock").check()
    for question in (gone.locator("input[type=number]"), gone.get_by_label("Shelf", exact=True)):
        assert question.is_disabled() and question.is_hidden()
    gone.get_by_label("On the shelf", exact=True).check()
    assert gone.locator("input[type=number]").is_enabled()
    assert gone.locator("input[type=number]").input_value() == "3"  # kept, not dropped
    gone.get_by_label("Out of stock").check()
    # ...and saving says so on that product instead of dropping the typed facings.
    display.locator("[data-save=display_checks]").click()
    alert = gone.locator("[role=alert]")
    alert.wait_for()
    message = "Out of stock with 3 facings: clear the facings or choose on the shelf."
    assert message in alert.text_content()
    assert rows.nth(0).locator("[role=alert]").is_hidden()
    assert page.evaluate(QUEUED_DISPLAY_CHECKS) == 0
    page.screenshot(path=str(artifacts / "rep-display-check-facings-off-shelf.png"))

    alert.get_by_role("button", name="Clear the facings").click()
    assert alert.is_hidden()
    display.locator("[data-save=display_checks]").click()
    counts = wait_outbox(page, lambda c: c["pending"] + c["sending"] == 0)
    assert counts["failed"] == 0 and page.evaluate(QUEUED_DISPLAY_CHECKS) == 1, counts

    # Eye level for one of the two products on the shelf: a 50 % eye-level share.
    after = eye_level_share(server, plan["rep_id"])
    added = (
        after["numerator"] - before["numerator"],
        after["denominator"] - before["denominator"],
    )
    assert added == (1, 2), (before, after)
    if before["denominator"] == 0:
        assert after["rate"] == 0.5
    status, visits = server.call(
        "GET", f"/api/visits?rep_id={plan['rep_id']}&store_id={stop['store_id']}", user="manager"
    )
    assert status == 200, visits
    visit_id = max(v["id"] for v in visits["items"])
    _, visit = server.call("GET", f"/api/visits/{visit_id}", user="manager")
    stored = {c["product_id"]: c for c in visit["display_checks"]}
    ids = [int(row.get_attribute("data-product-id")) for row in (eye, top, gone)]
    assert [(stored[i]["on_shelf"], stored[i]["out_of_stock"], stored[i]["facings"],
             stored[i]["shelf_level"], stored[i]["eye_level"]) for i in ids] == [
        (True, False, 3, 2, True), (True, False, 2, 1, False), (False, True, 0, None, False)
    ]  # fmt: skip

    page.click("#check-out")
    page.wait_for_url(re.compile(r"#/today$"))
    assert not page.errors, page.errors
