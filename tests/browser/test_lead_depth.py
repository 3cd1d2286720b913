"""The leads' follow-up and report screens in Chromium: the supervisor's returns queue (approve,
collected, credited; a rejection asks for its reason first), complaints (recorded for a store,
taken in hand, resolved), each new report page with the demo's data and its CSV/XLSX export, tier
proposals accepted for one team, the admin's agreed prices and demand uplifts, and a store's
contacts in the store editor. Screens at 390 px and 1280 px: artifacts/depth-<screen>-<width>.png.
Each test puts back what it changed (other browser tests share the server)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.browser.pwa_helpers import open_lead, wait_until
from tests.browser.test_lead_screens import check_layout

pytestmark = pytest.mark.browser

SUP = "sup-east"  # the demo's supervisor of Tokyo East
WIDTHS = (390, 1280)


def ok(server, method: str, path: str, user: str, body=None, expect: int = 200):
    status, answer = server.call(method, path, body, user=user)
    assert status == expect, answer
    return answer


def yen(amount) -> str:
    """An amount as the PWA's fmtMoney shows yen in en-US: no decimals."""
    return f"¥{Decimal(amount):,.0f}"


def test_supervisor_moves_returns_through_the_queue(browser, server, artifacts):
    queue = ok(server, "GET", "/api/returns?status=requested&per_page=100", SUP)["items"]
    assert len(queue) >= 2, "the demo has requested returns in Tokyo East"
    first, second = queue[0], queue[1]
    ctx, page = open_lead(browser, server, SUP, 390)
    sent = []
    page.on("request", lambda r: sent.append(r.method) if "/api/returns/" in r.url else None)
    page.click("#tabs a[href='#/returns']")
    item = lambda r: f"#returns-queue li[data-return-id='{r['id']}']"  # noqa: E731
    page.wait_for_selector(item(first))
    assert page.text_content("#returns-count") == f"Returns: {len(queue)}"
    card = page.text_content(item(first))
    assert f"{first['product_name']} × {first['quantity']}" in card
    assert f"{first['pending_days']} d" in card
    check_layout(page, 390)
    page.screenshot(path=str(artifacts / "depth-returns-390.png"), full_page=True)

    # Approve, then collected, then credited: each answer redraws the card with its next step.
    for button, status in (("approved", "approved"), ("collected", "collected")):
        page.click(f"{item(first)} button.ret-{button}")
        page.wait_for_selector(f"{item(first)}[data-status='{status}']")
    page.fill(f"{item(first)} input.ret-note", "Credit note 4411")
    page.click(f"{item(first)} button.ret-credited")
    page.wait_for_selector(f"{item(first)}[data-status='credited']")
    assert page.locator(f"{item(first)} button").count() == 0  # nothing left to do
    assert "Credit note 4411" in page.text_content(item(first))

    # A rejection is sent only with its reason.
    page.click(f"{item(second)} button.ret-rejected")
    page.wait_for_selector(f"{item(second)} .hint:not([hidden])")
    assert page.text_content(f"{item(second)} .hint") == "Say why the return is rejected."
    assert sent == ["PATCH", "PATCH", "PATCH"]
    page.fill(f"{item(second)} input.ret-note", "Not our batch")
    page.click(f"{item(second)} button.ret-rejected")
    page.wait_for_selector(f"{item(second)}[data-status='rejected']")
    assert sent == ["PATCH"] * 4

    moved = ok(server, "GET", "/api/returns?status=credited&per_page=100", SUP)["items"]
    credited = next(r for r in moved if r["id"] == first["id"])
    assert credited["status_note"] == "Credit note 4411"
    assert credited["decided_by_name"] == server.user(SUP)["full_name"]
    rejected = ok(server, "GET", "/api/returns?status=rejected&per_page=100", SUP)["items"]
    assert [r["status_note"] for r in rejected if r["id"] == second["id"]] == ["Not our batch"]
    # The queue, drawn again, holds the others only.
    page.select_option("#returns-status", "requested")
    page.wait_for_selector(item(first), state="detached")
    assert page.text_content("#returns-count") == f"Returns: {len(queue) - 2}"
    assert not page.errors, page.errors
    ctx.close()


def test_complaint_recorded_for_a_store_then_resolved(browser, server, artifacts):
    store = ok(server, "GET", "/api/stores?active=true&per_page=1", SUP)["items"][0]
    ctx, page = open_lead(browser, server, SUP, 1280)
    page.goto("/#/complaints")
    page.wait_for_selector("#complaint-form")
    form = page.locator("#complaint-form")
    form.locator("select[name=store_id]").select_option(str(store["id"]))
    form.locator("select[name=category]").select_option("delivery")
    form.locator("button[type=submit]").click()  # no text: refused at the field
    page.wait_for_selector("#complaint-form textarea[name=text][aria-invalid=true]")
    form.locator("textarea[name=text]").fill("Two cases arrived crushed.")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#toast:not([hidden])")
    assert page.text_content("#toast") == "The complaint is recorded."
    made = ok(server, "GET", f"/api/complaints?store_id={store['id']}&status=open", SUP)["items"]
    complaint = next(c for c in made if c["text"] == "Two cases arrived crushed.")
    item = f"#complaints-list li[data-complaint-id='{complaint['id']}']"
    page.wait_for_selector(item)
    assert "Delivery" in page.text_content(item)
    page.screenshot(path=str(artifacts / "depth-complaints-1280.png"), full_page=True)

    page.click(f"{item} button.cmp-progress")
    page.wait_for_selector(item, state="detached")  # no longer open
    page.select_option("#complaints-status", "in_progress")
    page.wait_for_selector(f"{item}[data-status='in_progress']")
    page.click(f"{item} button.cmp-resolve")  # no resolution yet: asked for first
    page.wait_for_selector(f"{item} .hint:not([hidden])")
    page.fill(f"{item} textarea.cmp-resolution", "Replaced both cases on Friday.")
    page.click(f"{item} button.cmp-resolve")
    page.wait_for_selector(item, state="detached")  # no longer in progress
    done = ok(server, "GET", f"/api/complaints/{complaint['id']}", SUP)
    assert (done["status"], done["resolution"]) == ("resolved", "Replaced both cases on Friday.")
    assert done["resolved_by_name"] == server.user(SUP)["full_name"]
    assert not page.errors, page.errors
    ctx.close()


def report(page, name: str, ready: str) -> None:
    page.goto(f"/#/reports/{name}")
    page.wait_for_selector(f".report[data-report='{name}'] {ready}")


def export_rows(page, name: str) -> list[list[str]]:
    with page.expect_download() as info:
        page.click(f".report button:text-is('{name}.csv')")
    return list(csv.reader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))


@pytest.mark.parametrize("width", WIDTHS)
def test_each_new_report_shows_the_demo_and_exports(browser, server, artifacts, width):
    ctx, page = open_lead(browser, server, "manager", width)
    shot = lambda name: page.screenshot(  # noqa: E731
        path=str(artifacts / f"depth-report-{name}-{width}.png"), full_page=True
    )
    report(page, "orders", "#best-sellers tbody tr")
    # The reports open on the last four weeks.
    assert page.input_value("#team-period") == "weeks4"
    day = page.input_value("#team-day")
    first = date.fromisoformat(day) - timedelta(days=27)
    period = f"period=custom&date_from={first}&date_to={day}"
    orders = ok(server, "GET", f"/api/reports/orders?{period}&group_by=product", "manager")
    assert page.text_content("#order-kpis .kpi:first-child b") == yen(orders["total"]["value"])
    sellers = page.locator("#best-sellers tbody tr")
    assert sellers.count() == len(orders["best_sellers"]) > 0
    assert yen(orders["best_sellers"][0]["value"]) in sellers.first.text_content()
    check_layout(page, width)
    shot("orders")
    if width > 1000:
        rows = export_rows(page, "orders")
        assert len(rows) > len(orders["groups"])  # a header, then every group

    report(page, "shelf", "#shelf-chart li")
    page.select_option("#shelf-group", "week")
    page.wait_for_selector("#shelf-chart li")
    shelf = ok(server, "GET", f"/api/reports/display-compliance?{period}&group_by=week", "manager")
    weeks = page.locator("#shelf-chart .bar-label").all_text_contents()
    assert weeks == [g["group"] for g in shelf["groups"]] and len(weeks) >= 4
    numbers = shelf["total"]["share_of_shelf"]
    assert page.text_content("#shelf-share .muted:last-child") == (
        f"{numbers['numerator']}/{numbers['denominator']}"
    )
    check_layout(page, width)
    shot("shelf")

    report(page, "returns", "#return-groups tbody tr")
    returns = ok(server, "GET", f"/api/reports/returns?{period}&group_by=status", "manager")
    assert page.text_content("#return-kpis .kpi:first-child b") == str(returns["total"]["count"])
    check_layout(page, width)
    shot("returns")

    report(page, "complaints", "#complaint-groups tbody tr")
    complaints = ok(server, "GET", f"/api/reports/complaints?{period}", "manager")
    assert page.locator("#complaint-groups tbody tr").count() == len(complaints["groups"])
    assert page.locator("#open-complaints tbody tr").count() == len(complaints["open"]) > 0
    check_layout(page, width)
    shot("complaints")

    report(page, "prices", "#price-kpis")
    prices = ok(server, "GET", f"/api/reports/price-deviations?{period}", "manager")
    assert page.text_content("#price-kpis .kpi:first-child b") == str(prices["total"]["deviations"])
    check_layout(page, width)
    shot("prices")

    report(page, "tiers", "#tier-kpis")
    tiers = ok(server, "GET", f"/api/reports/tier-proposals?as_of={day}", "manager")
    changed = sum(p["changed"] for p in tiers["proposals"])
    assert page.locator("#tier-proposals tbody tr").count() == min(100, changed) > 0
    check_layout(page, width)
    shot("tiers")

    page.goto("/#/reports")
    page.wait_for_selector(".report[data-report='overview'] #expiry-chart li")
    page.select_option("#expiry-group", "action")
    page.wait_for_selector("#report-expiry th:text-is('Action taken')")
    expiry = ok(server, "GET", "/api/reports/near-expiry?group_by=action", "manager")
    names = page.locator("#expiry-groups tbody tr td:first-child").all_text_contents()
    assert len(names) == len(expiry["groups"])
    assert "none" not in names and "moved_to_front" not in names  # labels, not values
    check_layout(page, width)
    shot("overview")
    assert not page.errors, page.errors
    ctx.close()


def test_manager_accepts_one_teams_tier_proposals(browser, server):
    teams = ok(server, "GET", "/api/teams", "manager")
    team = next(t for t in teams if t["name"] == "Tokyo West")
    before = ok(server, "GET", f"/api/reports/tier-proposals?team_id={team['id']}", "manager")
    changes = [p for key in ("proposals", "lapsed") for p in before[key] if p["changed"]]
    assert len(changes) == before["total"]["changes"]
    assert changes, "the demo's tiers differ from some proposals"
    ctx, page = open_lead(browser, server, "manager", 1280)
    try:
        page.select_option("#team-pick", str(team["id"]))
        report(page, "tiers", "#tier-accept")
        assert page.text_content("#tier-accept") == f"Accept {len(changes)} proposal(s)"
        page.click("#tier-accept")
        page.click("#tier-accept-confirm button[data-answer=yes]")
        page.wait_for_selector("#toast:not([hidden])")
        assert page.text_content("#toast") == f"{len(changes)} store(s) have their new tier."
        page.wait_for_selector("#tier-kpis")
        wait_until(page, "!document.querySelector('#tier-accept')")
        for p in changes:
            store = ok(server, "GET", f"/api/stores/{p['store_id']}", "manager")
            assert store["tier"] == p["proposed_tier"], p
        assert not page.errors, page.errors
    finally:
        for p in changes:
            back = {"tier": p["current_tier"]}
            ok(server, "PATCH", f"/api/stores/{p['store_id']}", "admin", back)
        ctx.close()


def test_admin_keeps_the_price_list_and_uplifts(browser, server, artifacts):
    products = ok(server, "GET", "/api/products?own=true&active=true&per_page=100", "admin")
    product = products["items"][0]
    ctx, page = open_lead(browser, server, "admin", 1280)
    page.goto("/#/office")
    page.click("#office-hub a[href='#/office/prices']")
    form = page.locator("#agreed-prices-form")
    form.wait_for()
    form.locator("select[name=product_id]").select_option(str(product["id"]))
    form.locator("select[name=channel]").select_option("modern")
    form.locator("input[name=price]").fill("-5")
    form.locator("input[name=valid_from]").fill("2025-01-01")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#agreed-prices-form input[name=price][aria-invalid=true]")
    form.locator("input[name=price]").fill("138.00")
    form.locator("button[type=submit]").click()
    added = None
    try:
        page.wait_for_selector("#toast:has-text('is saved')")
        prices = ok(server, "GET", f"/api/agreed-prices?product_id={product['id']}", "admin")
        added = next(p for p in prices["items"] if p["valid_from"] == "2025-01-01")
        assert added["price"] == "138.00"
        assert (added["channel"], added["valid_from"], added["valid_to"]) == (
            "modern",
            "2025-01-01",
            None,
        )
        row = f"#agreed-prices-table tr[data-id='{added['id']}']"
        page.wait_for_selector(row)
        assert "¥138" in page.text_content(row) and "Modern" in page.text_content(row)
        page.click(f"{row} button.record-edit")
        edit = page.locator("#agreed-prices-form")
        assert edit.locator("input[name=price]").input_value() == "138.00"
        edit.locator("input[name=price]").fill("142.50")
        edit.locator("input[name=valid_to]").fill("2026-12-31")
        edit.locator("button[type=submit]").click()
        page.wait_for_selector(f"{row}:has-text('¥143')")  # ¥142.50 shown in whole yen
        changed = ok(server, "GET", f"/api/agreed-prices?product_id={product['id']}", "admin")
        now = [(p["price"], p["valid_to"]) for p in changed["items"] if p["id"] == added["id"]]
        assert now == [("142.50", "2026-12-31")]
        page.screenshot(path=str(artifacts / "depth-office-prices-1280.png"), full_page=True)
        page.click(f"{row} button.record-delete")
        page.click("#delete-confirm button[data-answer=yes]")
        page.wait_for_selector(row, state="detached")
        added = None

        page.goto("/#/office/uplifts")
        uplift = page.locator("#uplifts-form")
        uplift.wait_for()
        uplift.locator("input[name=reason]").fill("Golden week")
        uplift.locator("input[name=factor]").fill("1.50")
        uplift.locator("input[name=starts_on]").fill("2027-04-29")
        uplift.locator("input[name=ends_on]").fill("2027-05-05")
        uplift.locator("button[type=submit]").click()
        page.wait_for_selector("#uplifts-table tr:has-text('Golden week')")
        text = page.text_content("#uplifts-table tr:has-text('Golden week')")
        assert "× 1.50" in text and "Every product" in text and "Every channel" in text
        made = ok(server, "GET", "/api/demand-uplifts?per_page=100", "admin")["items"]
        gw = next(u for u in made if u["reason"] == "Golden week")
        assert (gw["product_id"], gw["channel"], gw["factor"]) == (None, None, "1.50")
        page.click(f"#uplifts-table tr[data-id='{gw['id']}'] button.record-delete")
        page.click("#delete-confirm button[data-answer=yes]")
        page.wait_for_selector(f"#uplifts-table tr[data-id='{gw['id']}']", state="detached")
        assert not page.errors, page.errors
    finally:
        if added:
            server.call("DELETE", f"/api/agreed-prices/{added['id']}", user="admin")
        ctx.close()


def test_store_editor_keeps_several_contacts(browser, server, artifacts):
    stores = ok(server, "GET", "/api/stores?active=true&per_page=20", "admin")["items"]
    store = next(s for s in stores if s["contacts"])
    primary = next(c for c in store["contacts"] if c["is_primary"])
    ctx, page = open_lead(browser, server, "admin", 390)
    page.goto(f"/#/office/store/{store['id']}")
    form = page.locator("#contact-form")
    form.wait_for()
    form.locator("input[name=name]").fill("Sato Aiko")
    form.locator("select[name=role]").select_option("buyer")
    form.locator("input[name=phone]").fill("+81 3-1234-5678")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#store-contacts li:has-text('Sato Aiko')")
    contacts = ok(server, "GET", f"/api/stores/{store['id']}/contacts", "admin")
    added = next(c for c in contacts if c["name"] == "Sato Aiko")
    try:
        assert (added["role"], added["phone"], added["is_primary"]) == (
            "buyer",
            "+81 3-1234-5678",
            False,
        )
        item = f"#store-contacts li[data-contact-id='{added['id']}']"
        assert "Buyer" in page.text_content(item)
        page.click(f"{item} button.contact-primary")
        page.wait_for_selector(f"{item}.primary-contact")
        check_layout(page, 390)
        page.screenshot(path=str(artifacts / "depth-office-contacts-390.png"), full_page=True)
        page.click(f"{item} button.contact-delete")
        page.click("#delete-confirm button[data-answer=yes]")
        page.wait_for_selector(item, state="detached")
        left = ok(server, "GET", f"/api/stores/{store['id']}/contacts", "admin")
        assert [c["id"] for c in left if c["is_primary"]] == [primary["id"]]
        added = None
        assert not page.errors, page.errors
    finally:
        if added:
            server.call("DELETE", f"/api/stores/{store['id']}/contacts/{added['id']}", user="admin")
        ctx.close()
