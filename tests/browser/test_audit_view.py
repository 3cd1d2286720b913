"""The admin's audit log in Chromium: the admin signs in, exports a report and finds both on
the audit screen (newest first, in the business's time zone, from the browser's address and
agent), with a refused sign-in under a hostile name and agent shown as text; the filters; the
screen in Chinese; nobody else may open it. Photos whose image retention deleted show "image
removed" in the visit detail and the photo queue. Screens: artifacts/audit-<locale>-<width>.png.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.pwa_helpers import sign_in, watched_page

pytestmark = pytest.mark.browser

TOKYO = ZoneInfo("Asia/Tokyo")  # the demo's business zone; the browsers below sit in London
HOSTILE = '<img src=x onerror="window.__pwned=1">'
NO_SCRIPT_RAN = "window.__pwned === undefined"


def refused_sign_in(server, username: str, agent: str) -> None:
    body = json.dumps({"username": username, "password": "wrong"}).encode()
    headers = {"Content-Type": "application/json", "User-Agent": agent}
    req = urllib.request.Request(f"{server.url}/api/auth/login", body, headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=30)
    assert refused.value.code == 401


def open_admin(browser, server, width: int, locale: str = "en-US", agent: str | None = None):
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": width, "height": 860},
        locale=locale,
        timezone_id="Europe/London",
        is_mobile=width < 1024,
        has_touch=width < 1024,
        user_agent=agent,
    )
    ctx.set_default_timeout(15000)
    page = watched_page(ctx)
    sign_in(page, "admin")
    page.wait_for_selector("#tabs a")
    return ctx, page


def open_audit(page) -> None:
    page.goto("/#/office")
    page.click("#office-hub a[href='#/office/audit']")
    page.wait_for_selector("#audit-table, #audit-empty")


def shown_rows(page) -> list[dict]:
    return page.evaluate(
        """[...document.querySelectorAll('#audit-table tbody tr')].map((tr) => ({
          id: Number(tr.dataset.entryId), action: tr.dataset.action,
          cells: [...tr.cells].map((c) => c.innerText),
          at: tr.querySelector('time').getAttribute('datetime'),
          markup: tr.querySelectorAll('img, script').length }))"""
    )


def tokyo_clock(iso: str) -> str:
    """The entry's time of day in Tokyo as en-US writes it: 02:04:03 PM."""
    return (
        datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(TOKYO).strftime("%I:%M:%S %p")
    )


def newest(server, **filters) -> dict:
    query = "&".join(f"{k}={v}" for k, v in {**filters, "per_page": 1}.items())
    status, body = server.call("GET", f"/api/audit?{query}", user="admin")
    assert status == 200, body
    return body["items"][0]


def shot(page, artifacts, name: str, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.screenshot(path=str(artifacts / f"audit-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
def test_admin_finds_own_sign_in_and_export(browser, server, artifacts, width):
    agent = f"AuditTest/{width} <script>window.__pwned=2</script>"
    admin_id = server.user("admin")["id"]  # (the API client's own sign-in comes first)
    refused_sign_in(server, HOSTILE, agent)
    ctx, page = open_admin(browser, server, width, agent=agent)
    page.goto("/#/reports/orders")
    with page.expect_download():
        page.click(".report[data-report='orders'] button:text-is('orders.csv')")
    export = newest(server, action="export", actor_id=admin_id)
    signed_in = newest(server, action="sign_in", actor_id=admin_id)
    refused = newest(server, action="sign_in_failed")
    assert export["subject_id"] == "orders" and signed_in["user_agent"] == agent

    open_audit(page)
    rows = shown_rows(page)
    ids = [r["id"] for r in rows]
    assert ids == sorted(ids, reverse=True)  # newest first
    by_id = {r["id"]: r for r in rows}
    assert {export["id"], signed_in["id"], refused["id"]} <= set(by_id)
    assert ids.index(export["id"]) < ids.index(signed_in["id"]) < ids.index(refused["id"])
    header = page.locator("#audit-table thead th").first.inner_text()
    assert "Asia/Tokyo" in header

    row = by_id[export["id"]]
    when, who, action, subject, where, detail = row["cells"]
    assert tokyo_clock(row["at"]) in when, (when, row["at"])
    assert (who, action) == ("admin", "Export")
    assert subject == "Export: orders"
    assert "Format: csv" in detail and "period=custom" in detail  # the filters it ran with

    _, who, action, subject, where, _ = by_id[signed_in["id"]]["cells"]
    assert (who, action, subject) == ("admin", "Signed in", f"User: admin (#{admin_id})")
    assert "127.0.0.1" in where and agent in where  # the agent as typed: text, not markup

    _, who, action, _, where, detail = by_id[refused["id"]]["cells"]
    assert (who, action) == ("Not signed in", "Sign-in refused")
    assert HOSTILE in detail and agent in where
    assert all(r["markup"] == 0 for r in rows)
    assert page.evaluate(NO_SCRIPT_RAN)
    shot(page, artifacts, "en", width)

    # Only exports; then only the admin's entries of a day that has none: the empty state.
    page.select_option("#audit-action", "export")
    wait_rows(page, lambda rows: rows and all(r["action"] == "export" for r in rows))
    page.select_option("#audit-actor_id", str(admin_id))
    page.fill("#audit-until", "2001-01-01")
    page.dispatch_event("#audit-until", "change")
    page.wait_for_selector("#audit-empty")
    assert page.locator("#audit-total").inner_text() == "No entries"
    page.fill("#audit-until", "")
    page.dispatch_event("#audit-until", "change")
    wait_rows(page, lambda rows: rows and all(r["action"] == "export" for r in rows))
    page.select_option("#audit-action", "")
    page.select_option("#audit-actor_id", "")
    assert not page.errors, page.errors
    ctx.close()


def wait_rows(page, ready, timeout: float = 15) -> list[dict]:
    for _ in range(int(timeout * 10)):
        rows = shown_rows(page)
        if ready(rows):
            return rows
        page.wait_for_timeout(100)
    raise AssertionError(f"the audit table did not change: {shown_rows(page)[:3]}")


@pytest.mark.parametrize("width", [360, 1280])
def test_audit_screen_in_chinese(browser, server, artifacts, width):
    ctx, page = open_admin(browser, server, width, locale="zh-CN")
    open_audit(page)
    assert page.locator("#title").inner_text() == "审计日志"
    rows = shown_rows(page)
    mine = next(r for r in rows if r["action"] == "sign_in" and r["cells"][1] == "admin")
    assert mine["cells"][2] == "登录"
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", mine["cells"][0])
    assert "Asia/Tokyo" in page.locator("#audit-table thead th").first.inner_text()
    shot(page, artifacts, "zh", width)
    assert not page.errors, page.errors
    ctx.close()


@pytest.mark.parametrize("username", ["sup-east", "manager"])
def test_only_admins_open_the_audit_log(browser, server, username):
    ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 860})
    ctx.set_default_timeout(15000)
    page = watched_page(ctx)
    sign_in(page, username)
    page.wait_for_selector("#tabs a")
    page.goto("/#/office")
    page.wait_for_selector(".office")
    assert page.locator("a[href='#/office/audit']").count() == 0
    page.goto("/#/office/audit")
    page.wait_for_selector(".office .card")
    assert page.locator("#audit-table, #audit-filters").count() == 0
    assert server.call("GET", "/api/audit", user=username)[0] == 403
    ctx.close()


def set_image_deleted(server, photo_id: int, at: str | None) -> None:
    db = server.env["TERMINUS_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(db) as con:
        changed = con.execute(
            "UPDATE photos SET image_deleted_at = ? WHERE id = ?", (at, photo_id)
        ).rowcount
    assert changed == 1


def test_removed_image_shown_as_removed(browser, server, artifacts):
    """A photo whose image retention deleted (the row stays) reads "Image removed (retention)"
    where its thumbnail was, in the visit detail and in the supervisor's photo queue."""
    today = datetime.now(TOKYO).date()
    year_ago = today - timedelta(days=365)
    status, page_of = server.call(
        "GET",
        f"/api/reports/photos?period=custom&date_from={year_ago}&date_to={today}"
        "&status=pending&per_page=1",
        user="sup-east",
    )
    assert status == 200 and page_of["items"], page_of
    photo = page_of["items"][0]
    set_image_deleted(server, photo["photo_id"], "2026-01-01 00:00:00.000000")
    try:
        ctx = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 860})
        ctx.set_default_timeout(15000)
        page = watched_page(ctx)
        sign_in(page, "sup-east")
        page.wait_for_selector("#tabs a")
        page.goto(f"/#/visit-detail/{photo['visit_id']}")
        removed = page.locator(f".photo-removed[data-photo-id='{photo['photo_id']}']")
        removed.wait_for()
        assert removed.inner_text() == "Image removed (retention)"
        assert page.locator(f"button.thumb[data-photo-id='{photo['photo_id']}']").count() == 0
        page.screenshot(path=str(artifacts / "audit-removed-visit-1280.png"), full_page=True)

        page.goto("/#/photos")
        page.fill("#team-day", photo["visit_date"])
        page.dispatch_event("#team-day", "change")
        item = page.locator(f"#photo-review li[data-photo-id='{photo['photo_id']}']")
        item.locator(".photo-removed").wait_for()
        assert item.locator("button.thumb").count() == 0
        assert not page.errors, page.errors
        ctx.close()
    finally:
        set_image_deleted(server, photo["photo_id"], None)
