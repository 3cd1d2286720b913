"""What the browser tests do in the PWA: sign in, wait for the outbox, record a visit."""

from __future__ import annotations

import io
import math
import random
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw


def tokyo_today() -> str:
    """The organisation's date (Asia/Tokyo): plans and visits are dated in it."""
    return datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()


OUTBOX_COUNTS = "import('/app/js/outbox.js').then((m) => m.counts())"


def shown_percent(rate: float) -> str:
    """A rate as the PWA's pct() shows it: one decimal, halves rounded up like JS Math.round."""
    return f"{math.floor(rate * 1000 + 0.5) / 10:g}%"


def camera_photo(path, seed: int) -> str:
    """A 4000×3000 JPEG, as a phone camera makes (the app must downscale it to ≤ 1600 px);
    each seed draws a different scene, so the server's duplicate check does not fire."""
    rng = random.Random(seed)
    img = Image.new("RGB", (4000, 3000), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x, y = rng.randrange(3600), rng.randrange(2600)
        w, h = rng.randrange(100, 1200), rng.randrange(100, 900)
        draw.rectangle((x, y, x + w, y + h), fill=tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    path.write_bytes(buf.getvalue())
    return str(path)


def watched_page(ctx):
    """A new page of `ctx` whose uncaught script errors collect in `page.errors`."""
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


def serve_blank_tiles(ctx) -> None:
    """Answer the map's OpenStreetMap tile requests with a blank tile (tests have no internet)."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (232, 238, 245)).save(buffer, "PNG")
    png = buffer.getvalue()
    ctx.route(
        "https://tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=png),
    )


def sign_in(page, username: str) -> None:
    page.goto("/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "terminus-demo")
    page.click("button[type=submit]")


def open_lead(browser, server, username: str, width: int, locale: str = "en-US"):
    """A supervisor's, manager's or admin's browser at `width`, signed in on the team screen."""
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": width, "height": 860},
        locale=locale,
        timezone_id="Asia/Tokyo",
    )
    ctx.set_default_timeout(15000)
    page = watched_page(ctx)
    sign_in(page, username)
    page.wait_for_selector("#team-period")
    return ctx, page


def wait_until(page, expression: str, timeout: float = 15) -> None:
    """Poll a JS expression (page.evaluate is not subject to the page's CSP, unlike
    wait_for_function, which the app's `script-src 'self'` refuses)."""
    for _ in range(int(timeout * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {expression}")


def wait_for_service_worker(page) -> None:
    wait_until(page, "navigator.serviceWorker.controller !== null")


def rep_on_route(server, phone, rep: str, **options):
    """`rep` with a published route for today, signed in on a phone, the shell installed.
    Returns the plan, its stops in order, the browser context and the page."""
    plan = server.publish_plan(rep, "sup-east")
    stops = sorted(plan["stops"], key=lambda s: s["sequence"])
    ctx, page = phone(**options)
    sign_in(page, rep)
    page.wait_for_selector("#day-summary")
    wait_for_service_worker(page)
    page.wait_for_load_state("networkidle")
    return plan, stops, ctx, page


def check_in_with_a_photo(page, store: dict, photo: str) -> str:
    """At `store`'s place, check in from its screen and take a photo; the visit's uuid."""
    page.context.set_geolocation({"latitude": store["lat"], "longitude": store["lng"]})
    page.goto(f"/#/store/{store['id']}")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    page.set_input_files("#photo-input", photo)
    page.wait_for_selector("#photo-thumbs img")
    return page.get_attribute("#visit", "data-uuid")


def outbox_counts(page) -> dict:
    return page.evaluate(OUTBOX_COUNTS)


def wait_outbox(page, predicate, timeout: float = 20) -> dict:
    deadline = page.evaluate("Date.now()") + timeout * 1000
    while True:
        counts = outbox_counts(page)
        if predicate(counts) or page.evaluate("Date.now()") > deadline:
            return counts
        page.wait_for_timeout(200)


def open_section(page, name: str):
    section = page.locator(f"details[data-section={name}]")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    return section


def record_visit(page, stop: dict, photo: str, n: int, shots=None) -> None:
    """Check in at a stop, take a photo and fill every record, then check out."""
    page.context.set_geolocation({"latitude": stop["lat"], "longitude": stop["lng"]})
    page.click(f"a.stop[data-store-id='{stop['store_id']}']")
    page.wait_for_selector("#check-in")
    if shots:
        shots("store")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    page.set_input_files("#photo-input", photo)
    page.wait_for_selector("#photo-thumbs img")

    display = open_section(page, "display_checks")
    first = display.locator(".prod").first
    first.locator("input[type=number]").fill(str(4 + n))
    display.locator("[data-save=display_checks]").click()

    stock = open_section(page, "stock_counts")
    row = stock.locator(".prod").first
    row.locator("input").nth(0).fill("5")
    row.locator("input").nth(1).fill("3")
    # Suggested: the server's target for the product (its default par 24 without history) − 5 − 3.
    target = int(row.get_attribute("data-target"))
    assert row.locator("input").nth(2).input_value() == str(max(0, target - 8))
    row.locator("input").nth(2).fill("16")  # the rep changes the suggestion; the order takes it
    stock.locator("button", has_text="Copy suggestions").click()
    stock.locator("[data-save=stock_counts]").click()

    expiry = open_section(page, "near_expiry_items")
    expiry.locator("button", has_text="Add a near-expiry item").click()
    expiry.locator("select").first.select_option(index=1)
    expiry.locator("input[type=number]").fill("6")
    soon = (date.fromisoformat(tokyo_today()) + timedelta(days=10)).isoformat()
    expiry.locator("input[type=date]").fill(soon)
    expiry.locator("[data-save=near_expiry_items]").click()

    comp = open_section(page, "competitor_observations")
    comp.locator("button", has_text="Add a competitor observation").click()
    selects = comp.locator("select")
    selects.nth(0).select_option(index=1)
    selects.nth(1).select_option(index=1)
    comp.locator("input[type=number]").nth(0).fill("150")
    comp.locator("input[type=number]").nth(1).fill("120")
    selects.nth(2).select_option("discount")
    comp.locator("[data-save=competitor_observations]").click()

    open_section(page, "order")
    if shots:
        shots("visit")
    page.click("#check-out")
    page.wait_for_url(re.compile(r"#/today$"))
