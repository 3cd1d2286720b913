"""The rep's field app in Chromium: the business day from a phone 14 hours behind Tokyo, the
outbox screen that follows the queue live and words it as the rep would, and "My stores" with
search and filters, online and offline. Screenshots at 390 and 1280 px go to artifacts/."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.browser.pwa_helpers import (
    camera_photo,
    open_section,
    sign_in,
    tokyo_today,
    wait_for_service_worker,
    wait_outbox,
    wait_until,
)

pytestmark = pytest.mark.browser

TOKYO = ZoneInfo("Asia/Tokyo")
BEHIND = "Etc/GMT+5"  # UTC-5 all year (New York's winter time): 14 hours behind Tokyo
WIDTHS = (390, 1280)
PHONE_VISITS = "import('/app/js/db.js').then((m) => m.all('visits'))"


def shoot(page, path, name: str) -> None:
    """Screenshots of the screen at phone and laptop width (then back to the phone's)."""
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        page.wait_for_timeout(150)
        page.screenshot(path=str(path / f"rep-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def signed_in(phone, server, rep: str, **options):
    ctx, page = phone(**options)
    sign_in(page, rep)
    page.wait_for_selector("#tabs a[href='#/today'][aria-current=page]")
    wait_for_service_worker(page)
    page.wait_for_load_state("networkidle")
    return ctx, page


def a_moment_when_the_days_differ() -> datetime | None:
    """None if the phone's (UTC-5) date differs from Tokyo's now; else 10:00 in Tokyo today
    (in the past: the dates agree only from 14:00 Tokyo), when UTC-5 is still on yesterday."""
    now = datetime.now(UTC)
    tokyo = now.astimezone(TOKYO)
    if now.astimezone(ZoneInfo(BEHIND)).date() != tokyo.date():
        return None
    return tokyo.replace(hour=10, minute=0, second=0, microsecond=0)


def weekday_hours(store: dict, tokyo_day: date) -> list[dict]:
    """Distinct hours on Tokyo's weekday and on the phone's (the day before)."""
    hours = [{"weekday": d, "opens": "09:00", "closes": "18:00"} for d in range(7)]
    hours[tokyo_day.weekday()] = {
        "weekday": tokyo_day.weekday(),
        "opens": "07:11",
        "closes": "21:47",
    }
    before = (tokyo_day - timedelta(days=1)).weekday()
    hours[before] = {"weekday": before, "opens": "10:00", "closes": "11:00"}
    return hours


def test_the_business_day_from_a_phone_14_hours_behind_tokyo(server, phone, artifacts):
    day = tokyo_today()
    plan = server.publish_plan("rep-1", "sup-east")
    stop = max(plan["stops"], key=lambda s: s["sequence"])  # the other tests visit the first ones
    status, store = server.call(
        "PATCH",
        f"/api/stores/{stop['store_id']}",
        {"hours": weekday_hours(stop, date.fromisoformat(day))},
        user="sup-east",
    )
    assert status == 200, store

    ctx, page = phone(timezone=BEHIND)
    moment = a_moment_when_the_days_differ()
    if moment is not None:
        ctx.clock.install(time=moment)  # the phone's clock only; it runs on from there
    sign_in(page, "rep-1")
    page.wait_for_selector("#day-summary")
    wait_for_service_worker(page)
    # The phone's own calendar is on yesterday; the app shows Tokyo's day and its route.
    assert page.evaluate("new Date().getTimezoneOffset()") == 300
    phone_day = page.evaluate("new Date().toLocaleDateString('en-CA')")
    assert phone_day == (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    shown = date.fromisoformat(day)
    assert page.text_content("#business-day") == f"{shown:%a}, {shown:%b} {shown.day}"
    assert page.locator("ol.stops li").count() == len(plan["stops"])
    row = page.locator(f"a.stop[data-store-id='{stop['store_id']}']")
    assert "07:11–21:47" in row.text_content()  # Tokyo's weekday, not the phone's 10:00–11:00
    shoot(page, artifacts, "today-utc-5")

    ctx.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    row.click()
    page.wait_for_selector("#check-in")
    assert "07:11–21:47" in page.text_content("main .card")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    uuid = page.get_attribute("#visit", "data-uuid")
    page.click("#check-out")
    page.wait_for_url(re.compile(r"#/today$"))
    kept = {v["uuid"]: v for v in page.evaluate(PHONE_VISITS)}
    assert kept[uuid]["day"] == day
    counts = wait_outbox(page, lambda c: c["pending"] == 0 and c["sending"] == 0)
    assert counts["failed"] == 0, counts

    query = f"/api/visits?rep_id={plan['rep_id']}&store_id={stop['store_id']}"
    status, listing = server.call("GET", f"{query}&date_from={day}&date_to={day}", user="sup-east")
    assert status == 200, listing
    (visit,) = [v for v in listing["items"] if v["uuid"] == uuid]
    assert visit["visit_date"] == day and visit["planned"], visit
    page.wait_for_selector(f"a.stop.done[data-store-id='{stop['store_id']}']")
    assert not page.errors, page.errors


def own_products(server) -> list[dict]:
    status, body = server.call("GET", "/api/products?active=true&per_page=100", user="rep-3")
    assert status == 200, body
    return [p for p in body["items"] if p["is_own"]]


def queue_a_visit_offline(page, stop: dict, tmp_path, lines: int) -> None:
    """Offline: check in at `stop`, three photos, a display check and an order of `lines`."""
    page.context.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    page.click(f"a.stop[data-store-id='{stop['store_id']}']")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    page.set_input_files(
        "#photo-input", [camera_photo(tmp_path / f"s{n}.jpg", 40 + n) for n in range(3)]
    )
    wait_until(page, "document.querySelectorAll('#photo-thumbs img').length === 3")
    display = open_section(page, "display_checks")
    assert not display.locator(".saved-mark").is_visible()
    display.locator("[data-save=display_checks]").click()
    display.locator(".saved-mark").wait_for()  # "✓ saved" on the section's title
    order = open_section(page, "order")
    for n in range(lines):
        order.locator("input[type=number]").nth(n).fill(str(n + 1))
    order.locator("[data-save=order]").click()


def outbox_texts(page) -> list[str]:
    return page.locator(".outbox-item .what").all_text_contents()


def test_outbox_follows_the_queue_live_and_says_what_waits(server, phone, artifacts, tmp_path):
    plan = server.publish_plan("rep-3", "sup-west")
    stop = min(plan["stops"], key=lambda s: s["sequence"])
    store = stop["store_name"]
    products = own_products(server)
    lines = min(12, len(products))
    ctx, page = signed_in(phone, server, "rep-3")
    page.wait_for_selector("#day-summary")

    ctx.set_offline(True)
    queue_a_visit_offline(page, stop, tmp_path, lines)
    page.click("#tabs a[href='#/outbox']")
    page.wait_for_selector(".outbox-item")
    texts = outbox_texts(page)
    assert texts == [
        f"Order of {lines} lines at {store}",
        f"Display check of {len(products)} products at {store}",
        f"3 photos at {store}",
        f"Check-in at {store}",
    ], texts
    body = page.text_content("#outbox-list")
    assert "POST" not in body and "PUT" not in body and "/api/" not in body
    assert page.locator(".outbox-item[data-op=photo]").get_attribute("data-count") == "3"

    # "Send now" without a network says so, and everything stays queued.
    page.click("#send-now")
    wait_until(page, "document.querySelector('#toast').textContent.startsWith('No network')")
    toast = page.text_content("#toast")
    assert toast.startswith("No network: 6 item(s) stay on this phone"), toast
    assert "Sent 0" not in toast
    assert page.locator(".outbox-item[data-status=pending]").count() == 4
    shoot(page, artifacts, "outbox-waiting")

    # The network returns: the screen turns to "Sent" by itself on this tab, on the `online`
    # event: well before the 15 s retry timer (about 1-2 s here; 2.06 s seen on a loaded
    # machine, so the bound sits between the two, not at the usual figure).
    ctx.set_offline(False)
    start = time.monotonic()
    wait_until(
        page,
        """document.querySelectorAll('.outbox-item').length === 4
           && document.querySelectorAll('.outbox-item[data-status=sent]').length === 4""",
        timeout=8,
    )
    elapsed = time.monotonic() - start
    assert elapsed <= 5.0, f"the outbox showed Sent after {elapsed:.2f} s"
    print(f"outbox screen showed Sent {elapsed:.2f} s after the network returned")
    assert page.url.endswith("#/outbox")
    assert page.locator(".outbox-item .pill").all_text_contents() == ["Sent"] * 4
    assert page.text_content("#outbox-summary") == "Waiting: 0 · Sent: 6 · Failed: 0"
    shoot(page, artifacts, "outbox-sent")

    page.click("#send-now")
    wait_until(page, "document.querySelector('#toast').textContent.startsWith('Nothing')")

    # The same items, described in the language chosen afterwards.
    page.click("#tabs a[href='#/more']")
    page.select_option("select.lang", "zh-Hans")
    page.click("#tabs a[href='#/outbox']")
    wait_until(page, "document.querySelector('#outbox-summary')?.textContent.startsWith('待发送')")
    zh = outbox_texts(page)
    assert zh[-1] == f"在{store}签到" and zh[-2] == f"{store}的 3 张照片", zh
    assert page.locator(".outbox-item .pill").first.text_content() == "已发送"
    shoot(page, artifacts, "outbox-zh")
    page.click("#tabs a[href='#/stores']")
    page.wait_for_selector("#store-list a.stop")
    listing = page.text_content("#store-list")
    assert "渠道" in listing and not re.search(r"traditional|modern|special|Open", listing)
    shoot(page, artifacts, "stores-zh")
    assert not page.errors, page.errors


def test_send_now_online_reports_what_was_sent(server, phone):
    plan = server.publish_plan("rep-6", "sup-west")
    stop = min(plan["stops"], key=lambda s: s["sequence"])
    # Only the page sends (no Background Sync), so page.route sees every send.
    ctx, page = signed_in(phone, server, "rep-6", background_sync=False)
    page.wait_for_selector("#day-summary")
    page.route("**/api/sync/multipart", lambda route: route.abort())
    ctx.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    page.click(f"a.stop[data-store-id='{stop['store_id']}']")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    wait_outbox(page, lambda c: c["pending"] == 1 and c["sending"] == 0)
    page.goto("/#/outbox")
    page.wait_for_selector(".outbox-item[data-status=pending] .warn")
    assert page.text_content(".outbox-item .warn") == "No network yet: sent as soon as it returns."
    page.unroute("**/api/sync/multipart")
    page.click("#send-now")
    wait_until(page, "document.querySelector('#toast').textContent === 'Sent 1, failed 0.'")
    page.wait_for_selector(".outbox-item[data-status=sent]")
    assert not page.errors, page.errors


def rep_stores(server, rep: str) -> list[dict]:
    rep_id = server.user(rep)["id"]
    status, body = server.call(
        "GET", f"/api/stores?rep_id={rep_id}&active=true&per_page=100", user=rep
    )
    assert status == 200, body
    return body["items"]


def listed(page) -> list[int]:
    ids = page.locator("#store-list a.stop").evaluate_all(
        "(els) => els.map((e) => e.dataset.storeId)"
    )
    return [int(x) for x in ids]


def wait_listed(page, expected: list[int]) -> None:
    ids = ",".join(map(str, expected))
    wait_until(
        page,
        f"""[...document.querySelectorAll('#store-list a.stop')].map((e) => e.dataset.storeId)
            .join(',') === '{ids}'""",
    )


def test_my_stores_search_and_filters_online_and_offline(server, phone, artifacts):
    mine = rep_stores(server, "rep-4")
    ctx, page = signed_in(phone, server, "rep-4")
    tabs = page.locator("#tabs a")
    assert tabs.all_text_contents() == ["Today", "Stores", "Nearby", "Outbox", "More"]
    assert all(
        box["height"] >= 44 and box["width"] >= 44 for box in (t.bounding_box() for t in tabs.all())
    )
    page.click("#tabs a[href='#/stores']")
    page.wait_for_selector("#store-list a.stop")
    assert listed(page) == [s["id"] for s in mine]
    assert page.text_content("#stores-summary") == f"{len(mine)} stores"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Today's hours are Tokyo's weekday's.
    weekday = date.fromisoformat(tokyo_today()).weekday()
    first = mine[0]
    spans = [h for h in first["hours"] if h["weekday"] == weekday]
    row = page.locator(f"#store-list a.stop[data-store-id='{first['id']}']")
    expected = ", ".join(f"{h['opens'][:5]}–{h['closes'][:5]}" for h in spans) or "closed today"
    assert row.locator(".hours").text_content() == f"Open: {expected}"

    # Online, the server searches (q) and filters (tier, channel).
    word = first["name"][:3]
    with page.expect_request(lambda r: "/api/stores?" in r.url and "q=" in r.url):
        page.fill("#store-q", word)
    wait_listed(
        page,
        [s["id"] for s in mine if word.lower() in (s["name"] + s["code"] + s["address"]).lower()],
    )
    page.fill("#store-q", "")
    page.select_option("#store-tier", "A")
    wait_listed(page, [s["id"] for s in mine if s["tier"] == "A"])
    channel = mine[0]["channel"]
    page.select_option("#store-channel", channel)
    wait_listed(page, [s["id"] for s in mine if s["tier"] == "A" and s["channel"] == channel])
    shoot(page, artifacts, "stores")
    page.select_option("#store-tier", "")
    page.select_option("#store-channel", "")
    wait_listed(page, [s["id"] for s in mine])

    # Offline, the kept copy is searched (no request), by code and by address.
    ctx.set_offline(True)
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/stores" in r.url else None)
    target = mine[len(mine) // 2]
    page.fill("#store-q", target["code"].lower())
    wait_listed(page, [target["id"]])
    assert "offline" in page.text_content("#stores-summary")
    page.fill("#store-q", target["address"])
    wait_listed(page, [s["id"] for s in mine if target["address"].lower() in s["address"].lower()])
    page.fill("#store-q", "no such store anywhere")
    wait_listed(page, [])
    assert page.text_content("#stores-summary").startswith("No store matches.")
    assert asked == [], asked
    shoot(page, artifacts, "stores-offline")

    # A tap opens the store's screen, offline too; back keeps the search.
    page.fill("#store-q", target["code"])
    wait_listed(page, [target["id"]])
    page.click(f"#store-list a.stop[data-store-id='{target['id']}']")
    page.wait_for_selector("#check-in")
    assert page.url.endswith(f"#/store/{target['id']}")
    assert target["name"] in page.text_content("main h2")
    shoot(page, artifacts, "store-offline")
    page.go_back()
    wait_listed(page, [target["id"]])
    assert page.input_value("#store-q") == target["code"]
    assert not page.errors, page.errors
