"""Issue 17's acceptance walk in Chromium: a rep's visit records a return, competitor facings,
an own shelf price below the agreed one and a near-expiry action (with a complaint and a visit
note); the supervisor approves the return on the returns screen; the reports show each item;
the next visit to the store (offline, from the prefetched data) asks what became of the
near-expiry item. Screenshots at 390 × 844 go to artifacts/."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.browser.pwa_helpers import (
    open_lead,
    open_section,
    sign_in,
    tokyo_today,
    wait_for_service_worker,
    wait_outbox,
    wait_until,
)

pytestmark = pytest.mark.browser

REP, SUPERVISOR = "rep-7", "sup-east"  # rep-7's last stop: no other browser test records there
PHONE = {"width": 390, "height": 844}
CACHED_FOLLOW_UPS = """import('/app/js/db.js').then(async (m) => {{
    const hit = await m.get('cache', '{user}:/api/stores/{store}/expiry-followups');
    return Boolean(hit && hit.data.some((i) => i.near_expiry_id === {item}));
}})"""


def drained(counts: dict) -> bool:
    return counts["pending"] + counts["sending"] == 0


def report(server, name: str, query: str) -> dict:
    status, body = server.call("GET", f"/api/reports/{name}?{query}", user="manager")
    assert status == 200, body
    return body


def returns_by_status(server, store_id: int) -> dict:
    body = report(server, "returns", f"period=day&store_id={store_id}&group_by=status")
    return {g["name"]: g for g in body["groups"]}


def display_shares(server, rep_id: int) -> tuple[tuple[int, int], tuple[int, int]]:
    total = report(server, "display-compliance", f"period=day&rep_id={rep_id}")["total"]
    sos, eye = total["share_of_shelf"], total["eye_level_share_of_shelf"]
    return (sos["numerator"], sos["denominator"]), (eye["numerator"], eye["denominator"])


def expiry_by_action(server, rep_id: int) -> dict:
    body = report(server, "near-expiry", f"group_by=action&rep_id={rep_id}")
    return {g["name"]: g for g in body["groups"]}


def agreed_price(server, product_id: int, channel: str) -> str:
    """A price agreed today for the store's channel: it wins over any other in force."""
    body = {"product_id": product_id, "channel": channel, "price": "200.00"}
    body |= {"valid_from": tokyo_today(), "valid_to": None}
    status, price = server.call("POST", "/api/agreed-prices", body, user="admin")
    assert status == 201, price
    return price["price"]


def unpromoted_product(server, catalogue: list[dict], store: dict) -> dict:
    """An own product no promotion covers at the store today (a promotion lowers the floor)."""
    status, promotions = server.call(
        "GET", f"/api/promotions?on={tokyo_today()}&per_page=100", user="admin"
    )
    assert status == 200, promotions
    covered = {
        p["product_id"]
        for p in promotions["items"]
        if p["channel"] in (None, store["channel"]) and p["store_id"] in (None, store["id"])
    }
    return next(p for p in catalogue if p["is_own"] and p["id"] not in covered)


def move_to_yesterday(server, visit_id: int) -> None:
    """The first visit happened the day before: the next day's visit asks for its follow-up
    (the open list of a day holds the items of earlier days)."""
    db = server.env["TERMINUS_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as con:
        moved = con.execute(
            "UPDATE visits SET visit_date = date(visit_date, '-1 day'),"
            " checked_in_at = datetime(checked_in_at, '-1 day'),"
            " checkin_received_at = datetime(checkin_received_at, '-1 day'),"
            " checked_out_at = datetime(checked_out_at, '-1 day'),"
            " checkout_received_at = datetime(checkout_received_at, '-1 day') WHERE id = ?",
            (visit_id,),
        ).rowcount
    assert moved == 1


def close_open_visits(server, rep_id: int) -> None:
    """Another test may leave the rep checked in elsewhere (the server allows one open visit)."""
    status, page = server.call("GET", f"/api/visits?rep_id={rep_id}&status=open", user=REP)
    assert status == 200, page
    now = datetime.now(UTC).isoformat()
    for visit in page["items"]:
        path = f"/api/visits/{visit['id']}/checkout"
        status, body = server.call("POST", path, {"device_time": now}, user=REP)
        assert status == 200, body


def check_in(page, stop: dict) -> None:
    page.context.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    page.goto(f"/#/store/{stop['store_id']}")
    page.click("#check-in")
    page.wait_for_selector("#visit")


def check_out(page) -> None:
    page.click("#check-out")
    page.wait_for_url(re.compile(r"#/today$"))


def record_first_visit(page, product: dict, shelf_price: str, soon: str) -> dict:
    """Display check with the shelf price, competitor facings, near-expiry with its action, a
    return, a complaint and the note; returns the competitor facing row it filled."""
    display = open_section(page, "display_checks")
    row = display.locator(f".prod[data-product-id='{product['id']}']")
    row.locator("input[type=number]").fill("4")
    row.get_by_label("Shelf", exact=True).select_option(label="Eye level")
    row.get_by_label("Shelf price").fill(shelf_price)
    display.locator("[data-save=display_checks]").click()

    facings = open_section(page, "shelf_facings")
    rival = facings.locator(".facing").first
    rival.get_by_label("Facings").fill("6")
    rival.get_by_label("Eye level").fill("7")
    facings.locator("[data-save=shelf_facings]").click()
    alert = rival.locator("[role=alert]")
    alert.wait_for()
    assert alert.text_content() == "7 at eye level is more than the 6 facings."
    rival.get_by_label("Eye level").fill("2")
    facings.locator("[data-save=shelf_facings]").click()
    assert alert.is_hidden()

    expiry = open_section(page, "near_expiry_items")
    expiry.locator("button", has_text="Add a near-expiry item").click()
    expiry.get_by_label("Product").select_option(str(product["id"]))
    expiry.get_by_label("Quantity").fill("5")
    expiry.get_by_label("Expiry date").fill(soon)
    expiry.get_by_label("What was done").select_option("discount_agreed")
    expiry.locator("[data-save=near_expiry_items]").click()

    returns = open_section(page, "return_requests")
    page.click("#return-add")
    returns.get_by_label("Product").select_option(str(product["id"]))
    returns.get_by_label("Quantity").fill("3")
    returns.locator("[data-save=return_requests]").click()  # no reason yet: stopped, marked
    problem = returns.locator("[role=alert]")
    problem.wait_for()
    assert "Give the product, the quantity and the reason" in problem.text_content()
    returns.get_by_label("Reason").select_option("damaged")
    returns.get_by_label("Note").fill("Crushed case")
    returns.locator("[data-save=return_requests]").click()
    assert problem.is_hidden()

    open_section(page, "complaint")
    page.select_option("#complaint-category", "delivery")
    page.fill("#complaint-text", "Tuesday's delivery came two hours late")
    page.click("#complaint-send")
    page.wait_for_selector("#complaint-list li")
    open_section(page, "note")
    page.fill("#visit-note", "Owner asks for a second cooler")
    return {
        "brand_id": int(rival.get_attribute("data-brand-id")),
        "category": rival.get_attribute("data-category"),
    }


def test_visit_in_depth_then_approval_reports_and_follow_up(server, phone, browser, artifacts):
    plan = server.publish_plan(REP, SUPERVISOR)
    stop = max(plan["stops"], key=lambda s: s["sequence"])
    store_id, rep_id = stop["store_id"], plan["rep_id"]
    _, store = server.call("GET", f"/api/stores/{store_id}", user="admin")
    _, catalogue = server.call("GET", "/api/products?active=true&per_page=100", user="admin")
    product = unpromoted_product(server, catalogue["items"], store)
    assert agreed_price(server, product["id"], store["channel"]) == "200.00"
    soon = (date.fromisoformat(tokyo_today()) + timedelta(days=10)).isoformat()
    shares_before = display_shares(server, rep_id)
    returns_before = returns_by_status(server, store_id)
    deviations_before = report(server, "price-deviations", f"period=day&store_id={store_id}")
    expiry_before = expiry_by_action(server, rep_id)

    close_open_visits(server, rep_id)
    ctx, page = phone()
    page.set_viewport_size(PHONE)
    sign_in(page, REP)
    page.wait_for_selector("#day-summary")
    wait_for_service_worker(page)
    page.wait_for_load_state("networkidle")
    check_in(page, stop)
    facing = record_first_visit(page, product, "190", soon)
    page.screenshot(path=str(artifacts / "rep-visit-depth-390.png"), full_page=True)
    check_out(page)
    counts = wait_outbox(page, drained)
    assert counts["failed"] == 0, counts

    status, visits = server.call(
        "GET", f"/api/visits?store_id={store_id}&rep_id={rep_id}&per_page=1", user=SUPERVISOR
    )
    assert status == 200, visits
    _, visit = server.call("GET", f"/api/visits/{visits['items'][0]['id']}", user=SUPERVISOR)
    assert visit["note"] == "Owner asks for a second cooler"
    check = next(c for c in visit["display_checks"] if c["product_id"] == product["id"])
    assert (check["facings"], check["shelf_level"], check["shelf_price"]) == (4, 2, "190.00")
    assert check["special_price"] is False
    assert [
        (f["brand_id"], f["category"], f["facings"], f["eye_level_facings"])
        for f in visit["shelf_facings"]
    ] == [(facing["brand_id"], facing["category"], 6, 2)]
    assert [
        (n["product_id"], n["quantity"], n["expiry_date"], n["action"])
        for n in visit["near_expiry_items"]
    ] == [(product["id"], 5, soon, "discount_agreed")]
    [noted] = visit["near_expiry_items"]
    [ret] = visit["return_requests"]
    assert (ret["product_id"], ret["quantity"], ret["reason"], ret["note"], ret["status"]) == (
        product["id"],
        3,
        "damaged",
        "Crushed case",
        "requested",
    )
    assert "price_deviation" in {f["kind"] for f in visit["flags"]}
    status, complaints = server.call("GET", f"/api/complaints?store_id={store_id}", user=SUPERVISOR)
    assert status == 200, complaints
    mine = [c for c in complaints["items"] if c["visit_id"] == visit["id"]]
    assert [(c["category"], c["text"], c["status"]) for c in mine] == [
        ("delivery", "Tuesday's delivery came two hours late", "open")
    ]

    # The supervisor approves the return on the returns screen.
    lead_ctx, lead = open_lead(browser, server, SUPERVISOR, PHONE["width"])
    lead.goto("/#/returns")
    item = lead.locator(f"[data-return-id='{ret['id']}']")
    item.locator(".ret-approved").click()
    # Redrawn in place from the answer, with its new state.
    lead.locator(f"[data-return-id='{ret['id']}'][data-status=approved]").wait_for()
    lead.screenshot(path=str(artifacts / "lead-return-approved-390.png"), full_page=True)
    lead_ctx.close()
    status, queue = server.call(
        "GET", f"/api/returns?store_id={store_id}&per_page=100", user=SUPERVISOR
    )
    assert status == 200, queue
    [decided] = [r for r in queue["items"] if r["id"] == ret["id"]]
    assert (decided["status"], decided["decided_by_name"]) == (
        "approved",
        server.user(SUPERVISOR)["full_name"],
    )

    # The reports show each item.
    approved = returns_by_status(server, store_id).get("approved", {"count": 0, "quantity": 0})
    was = returns_before.get("approved", {"count": 0, "quantity": 0})
    assert (approved["count"] - was["count"], approved["quantity"] - was["quantity"]) == (1, 3)
    deviations = report(server, "price-deviations", f"period=day&store_id={store_id}")
    total, was = deviations["total"], deviations_before["total"]
    assert total["below_agreed"] - was["below_agreed"] == 1
    assert Decimal(total["amount"]) - Decimal(was["amount"]) == Decimal("10.00")
    [line] = [i for i in deviations["items"] if i["visit_id"] == visit["id"]]
    assert (line["product_id"], line["kind"], line["shelf_price"], line["agreed_price"]) == (
        product["id"],
        "below_agreed",
        "190.00",
        "200.00",
    )
    (sos, eye) = display_shares(server, rep_id)
    # Own facings 4 (eye level) beside the rival's 6 (2 at eye level).
    assert (sos[0] - shares_before[0][0], sos[1] - shares_before[0][1]) == (4, 10)
    assert (eye[0] - shares_before[1][0], eye[1] - shares_before[1][1]) == (4, 6)
    action = expiry_by_action(server, rep_id)["discount_agreed"]
    before = expiry_before.get("discount_agreed", {"within_30_days": {"quantity": 0}})
    assert action["within_30_days"]["quantity"] - before["within_30_days"]["quantity"] == 5

    # The next day's visit, offline: the follow-up question comes from the prefetched data.
    move_to_yesterday(server, visit["id"])
    page.reload()
    page.wait_for_selector("#day-summary")
    wait_until(page, CACHED_FOLLOW_UPS.format(user=rep_id, store=store_id, item=noted["id"]))
    ctx.set_offline(True)
    check_in(page, stop)
    follow = open_section(page, "expiry_followups")
    asked = follow.locator(f".followup[data-near-expiry-id='{noted['id']}']")
    assert product["name"] in asked.text_content()
    assert "Discount agreed" in asked.text_content()
    assert asked.get_by_label("Quantity (left or expired)").is_hidden()
    asked.locator("[data-outcome=expired_on_shelf]").click()
    asked.get_by_label("Quantity (left or expired)").fill("2")
    page.screenshot(path=str(artifacts / "rep-visit-follow-up-390.png"), full_page=True)
    follow.locator("[data-save=expiry_followups]").click()
    check_out(page)
    ctx.set_offline(False)
    page.evaluate("import('/app/js/outbox.js').then((m) => m.sendNow())")
    counts = wait_outbox(page, drained)
    assert counts["failed"] == 0, counts
    expired = expiry_by_action(server, rep_id)["discount_agreed"]["expired_on_shelf"]
    was = before.get("expired_on_shelf", {"quantity": 0})["quantity"]
    assert expired["quantity"] - was == 2
