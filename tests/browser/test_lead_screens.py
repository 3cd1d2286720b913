"""The supervisor's and manager's screens in Chromium: photo review (full image, reason asked
before a rejection), visit detail (rep, way back, order total in the business currency) and
the layout at phone (390 px) and laptop (1280 px) width. The data is seeded through the API, so
the tests hold whatever else the demo holds. Screenshots: artifacts/lead-<screen>-<width>.png."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw

from tests.browser.pwa_helpers import open_lead, tokyo_today, wait_until

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)
FULL_PX, THUMB_PX = 1600, 320  # PHOTO_FULL_PX and PHOTO_THUMB_PX (config/default.toml)
REP, SUP = "rep-3", "sup-west"  # a rep of Tokyo West, whom no other browser test uses


def shelf_jpeg(seed: int) -> bytes:
    """A 2000×1500 scene, different for each seed (no near-duplicate flag)."""
    rng = random.Random(seed)
    img = Image.new("RGB", (2000, 1500), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(30):
        x, y, w, h = rng.randrange(1800), rng.randrange(1300), rng.randrange(80, 600), 400
        draw.rectangle((x, y, x + w, y + h), fill=tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def at(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


class Seeder:
    """The rep's writes through the API (JSON with the session's client, photos multipart)."""

    def __init__(self, server, playwright):
        self.server = server
        self.api = playwright.request.new_context(
            base_url=server.url,
            extra_http_headers={"Authorization": f"Bearer {server.token(REP)}"},
        )

    def ok(self, method: str, path: str, body=None, expect: int = 200) -> dict:
        status, answer = self.server.call(method, path, body, user=REP)
        assert status == expect, answer
        return answer

    def check_in(self, stop: dict, minutes_ago: float, north_m: float = 0) -> dict:
        position = {"lat": stop["lat"] + north_m / 111_000, "lng": stop["lng"], "accuracy_m": 12}
        body = {"store_id": stop["store_id"], "device_time": at(minutes_ago), **position}
        return self.ok("POST", "/api/visits", body, 201)

    def photo(self, visit: dict, kind: str, seed: int) -> int:
        image = {"name": f"shelf-{seed}.jpg", "mimeType": "image/jpeg", "buffer": shelf_jpeg(seed)}
        res = self.api.post(
            f"/api/visits/{visit['id']}/photos", multipart={"file": image, "kind": kind}
        )
        assert res.status == 201, res.text()
        return res.json()["id"]

    def check_out(self, visit: dict, minutes_ago: float) -> dict:
        return self.ok(
            "POST", f"/api/visits/{visit['id']}/checkout", {"device_time": at(minutes_ago)}
        )


@pytest.fixture(scope="module")
def seeded(server, playwright):
    """Today, on REP's published route: a planned visit with two photos, display checks, a
    competitor's promotion, a near-expiry item and a two-line order; then a visit checked in
    600 m from its store and left after a minute (outside the geofence, too short)."""
    plan = server.publish_plan(REP, SUP)
    first, second = sorted(plan["stops"], key=lambda s: s["sequence"])[:2]
    seed = Seeder(server, playwright)
    products = seed.ok("GET", "/api/products?own=true&per_page=5")["items"]
    rival = next(b for b in seed.ok("GET", "/api/brands") if not b["is_own"])
    good = seed.check_in(first, 40)
    photos = [seed.photo(good, "shelf", 1), seed.photo(good, "promo_display", 2)]
    own, other = products[0]["id"], products[1]["id"]
    expiry = (datetime.now(UTC) + timedelta(days=9)).date().isoformat()
    records = {
        "display-checks": [
            {"product_id": own, "on_shelf": True, "facings": 6, "shelf_level": 2, "fifo_ok": False},
            {"product_id": other, "on_shelf": False, "out_of_stock": True},
        ],
        "competitors": [
            {
                "brand_id": rival["id"],
                "product_name": "Rival green tea",
                "regular_price": "180.00",
                "promo_price": "150.00",
                "promo_type": "discount",
            },
        ],
        "near-expiry": [{"product_id": other, "quantity": 4, "expiry_date": expiry}],
    }
    for path, items in records.items():
        seed.ok("PUT", f"/api/visits/{good['id']}/{path}", {"items": items})
    lines = [{"product_id": own, "quantity": 12}, {"product_id": other, "quantity": 3}]
    order = seed.ok("PUT", f"/api/visits/{good['id']}/order", {"lines": lines})
    seed.check_out(good, 22)
    bad = seed.check_in(second, 10, north_m=600)
    photos.append(seed.photo(bad, "shelf", 3))
    seed.check_out(bad, 9)
    seed.api.dispose()
    bad = seed.ok("GET", f"/api/visits/{bad['id']}")
    assert {f["kind"] for f in bad["flags"]} >= {"outside_geofence", "short_visit"}, bad["flags"]
    return {"good": good, "bad": bad, "photos": photos, "order": order, "day": good["visit_date"]}


def show(page, screen: str, day: str, ready: str) -> None:
    """Open a list screen on the seeded day (the business day, unless midnight just passed)."""
    page.goto(f"/#/{screen}")
    page.wait_for_selector("#team-day")
    if page.input_value("#team-day") != day:
        page.fill("#team-day", day)
        page.dispatch_event("#team-day", "change")
    page.wait_for_selector(f".lead[data-day='{day}']")  # not the screen of the day before
    page.wait_for_selector(ready)


def natural_width(page, selector: str) -> int:
    wait_until(page, f"document.querySelector({selector!r})?.naturalWidth > 0")
    return page.eval_on_selector(selector, "img => img.naturalWidth")


def test_photo_opens_full_size_and_leads_to_its_visit(browser, server, seeded):
    ctx, page = open_lead(browser, server, SUP, 390)
    photo = seeded["photos"][0]
    item = f"#photo-review li[data-photo-id='{photo}']"
    show(page, "photos", seeded["day"], item)
    assert natural_width(page, f"{item} button.thumb img") == THUMB_PX
    page.click(f"{item} button.thumb")
    page.wait_for_selector("dialog.lightbox[open]")
    assert natural_width(page, "#lightbox-image") == FULL_PX
    shown = page.eval_on_selector("#lightbox-image", "img => img.getBoundingClientRect().width")
    assert shown > 300  # the width of the phone, not a 96 px thumbnail
    page.keyboard.press("Escape")
    wait_until(page, "!document.querySelector('dialog.lightbox')")
    # Focus is back on the thumbnail; Enter opens it again, the close button closes it.
    assert page.evaluate("document.activeElement.dataset.photoId") == str(photo)
    page.keyboard.press("Enter")
    page.wait_for_selector("dialog.lightbox[open]")
    page.click("dialog.lightbox button.close")
    wait_until(page, "!document.querySelector('dialog.lightbox')")
    link = page.locator(f"{item} a.visit-link")
    assert link.get_attribute("href") == f"#/visit-detail/{seeded['good']['id']}"
    link.click()
    page.wait_for_selector("#visit-summary")
    assert page.get_attribute("#visit-back", "href") == "#/photos"
    page.click("#visit-back")
    page.wait_for_selector(item)
    assert not page.errors, page.errors
    ctx.close()


def test_reject_asks_for_the_reason_before_sending(browser, server, seeded):
    ctx, page = open_lead(browser, server, SUP, 390)
    sent = []
    page.on("request", lambda r: sent.append(r.method) if "/review" in r.url else None)
    photo = seeded["photos"][2]
    item = f"#photo-review li[data-photo-id='{photo}']"
    show(page, "photos", seeded["day"], item)
    page.click(f"{item} button.danger")
    page.wait_for_selector(f"{item} .hint:not([hidden])")
    assert "Say why the photo is rejected" in page.text_content(f"{item} .hint")
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    assert page.locator(f"{item} input").evaluate("el => el === document.activeElement")
    page.wait_for_timeout(300)
    assert sent == []
    page.fill(f"{item} input", "Shelf cut off")
    assert page.is_hidden(f"{item} .hint")
    page.click(f"{item} button.danger")
    page.wait_for_selector(item, state="detached")
    assert sent == ["PUT"]
    status, review = server.call("GET", f"/api/photos/{photo}/review", user=SUP)
    assert status == 200 and review["status"] == "rejected" and review["comment"] == "Shelf cut off"
    assert not page.errors, page.errors
    ctx.close()


def test_visit_detail_shows_rep_total_and_labels(browser, server, seeded):
    assert server.call("GET", "/api/settings", user=SUP)[1]["currency"] == "JPY"
    good, bad = seeded["good"], seeded["bad"]
    ctx, page = open_lead(browser, server, SUP, 1280)
    show(page, "exceptions", seeded["day"], f"#exceptions a[href='#/visit-detail/{bad['id']}']")
    page.click(f"#exceptions a[href='#/visit-detail/{bad['id']}']")
    page.wait_for_selector("#visit-flags")
    assert page.text_content("#visit-rep dd") == bad["rep_name"]
    assert page.get_attribute("#visit-back", "href") == "#/exceptions"
    flags = page.text_content("#visit-flags")
    assert "Outside the geofence: Checked in" in flags and "Too short: The visit lasted" in flags
    assert page.text_content("#visit-duration dd") == "1 min"
    page.goto(f"/#/visit-detail/{good['id']}")
    page.wait_for_selector("#order-total")
    total = Decimal(seeded["order"]["total"])
    assert page.text_content("#order-total") == f"¥{total:,.0f}"
    amounts = page.locator("#visit-order tbody td:nth-child(4)").all_text_contents()
    assert amounts == [f"¥{Decimal(line['amount']):,.0f}" for line in seeded["order"]["lines"]]
    assert page.text_content("#visit-duration dd") == "18 min"
    display = page.text_content("#visit-display")
    assert "Eye level" in display and "Out of stock" in display and "FIFO not respected" in display
    assert "Discount" in page.text_content("main")
    assert not page.errors, page.errors
    ctx.close()


def test_labels_in_chinese_never_raw_values(browser, server, seeded):
    ctx, page = open_lead(browser, server, SUP, 390, locale="zh-CN")
    page.goto(f"/#/visit-detail/{seeded['bad']['id']}")
    page.wait_for_selector("#visit-flags")
    text = page.text_content("main")
    flags = page.text_content("#visit-flags")
    assert "不在地理围栏内" in flags and "签到位置距门店 600 米" in flags
    assert "Checked in" not in text and "outside_geofence" not in text
    page.goto(f"/#/visit-detail/{seeded['good']['id']}")
    page.wait_for_selector("#order-total")
    text = page.text_content("main")
    for raw in ("discount", "promo_display", "out_of_stock", "shelf_level", "Eye level"):
        assert raw not in text, raw
    assert not page.errors, page.errors
    ctx.close()


LABELS_READABLE = """[...document.querySelectorAll('.bars .bar-label, .bars .bar-value')]
  .map((el) => ({ text: el.textContent, size: parseFloat(getComputedStyle(el).fontSize),
  cut: el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1 }))"""

SMALL_TARGETS = """[...document.querySelectorAll('main button, main select, main input, a.back')]
  .filter((el) => el.offsetParent !== null)
  .map((el) => [el.tagName, el.id || el.textContent.trim().slice(0, 20),
                el.getBoundingClientRect().height])
  .filter(([, , h]) => h < 44)"""


def box(page, selector: str) -> dict:
    return page.eval_on_selector(selector, "el => el.getBoundingClientRect().toJSON()")


def check_layout(page, width: int) -> None:
    """Readable, uncut chart labels; no sideways scrolling; on a phone 44 px targets."""
    for label in page.evaluate(LABELS_READABLE):
        assert label["size"] >= 12 and not label["cut"], label
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width < 1024:
        assert page.evaluate(SMALL_TARGETS) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_screens_at_phone_and_laptop_width(browser, server, seeded, artifacts, width):
    laptop = width >= 1024
    ctx, page = open_lead(browser, server, SUP, width)
    shot = lambda name: page.screenshot(  # noqa: E731
        path=str(artifacts / f"lead-{name}-{width}.png"), full_page=True
    )
    show(page, "team", seeded["day"], "#rep-rates tbody tr")
    wait_until(page, "document.querySelectorAll('#team-visits tbody tr').length >= 2")
    check_layout(page, width)
    kpis, area = box(page, ".kpis"), box(page, "#team-map")
    visits, main = box(page, "#team-visits"), box(page, "main")
    if laptop:  # figures beside the map, the visits table across the page
        assert area["x"] > kpis["x"] + kpis["width"] - 1 and area["y"] < kpis["y"] + kpis["height"]
        assert visits["width"] > main["width"] * 0.9 > 1000 * 0.9
    else:
        assert area["y"] > kpis["y"] + kpis["height"]
    shot("team")

    show(page, "exceptions", seeded["day"], "#exceptions tbody tr")
    check_layout(page, width)
    header = page.eval_on_selector("#exceptions thead", "el => el.getBoundingClientRect().x")
    assert (header >= 0) == laptop  # a table on a laptop, cards (header off screen) on a phone
    shot("exceptions")

    show(page, "photos", seeded["day"], "#photo-review li button.thumb img")
    wait_until(page, "[...document.querySelectorAll('#photo-review img')].every((i) => i.complete)")
    items = page.locator("#photo-review > li")
    if items.count() >= 2:
        first, second = (
            box(page, "#photo-review > li:nth-child(1)"),
            box(page, "#photo-review > li:nth-child(2)"),
        )
        assert (first["y"] == second["y"]) == laptop  # a grid on a laptop, a column on a phone
    check_layout(page, width)
    shot("photos")
    page.click("#photo-review > li:nth-child(1) button.thumb")
    wait_until(page, "document.querySelector('#lightbox-image')?.naturalWidth > 0")
    page.screenshot(path=str(artifacts / f"lead-photo-open-{width}.png"))
    page.keyboard.press("Escape")

    page.goto(f"/#/visit-detail/{seeded['good']['id']}")
    page.wait_for_selector("#order-total")
    wait_until(page, "[...document.querySelectorAll('.thumbs img')].every((i) => i.naturalWidth)")
    check_layout(page, width)
    summary, order = box(page, "#visit-summary"), box(page, "#visit-order")
    assert (order["x"] > summary["x"] + summary["width"] - 1) == laptop
    shot("visit")
    assert not page.errors, page.errors
    ctx.close()

    ctx, page = open_lead(browser, server, "manager", width)
    show(page, "reports", seeded["day"], "#competitor-prices tbody tr")
    page.wait_for_selector("#expiry-chart li")
    check_layout(page, width)
    competitors, expiry = box(page, "#competitor-prices"), box(page, "#expiry-chart")
    # The weekly price trend takes the whole width; near-expiry follows below it.
    assert expiry["y"] > competitors["y"] + competitors["height"] - 1
    assert "Discount" in page.text_content("#competitor-promotions")
    shot("reports")
    show(page, "team", tokyo_today(), "#rep-rates tbody tr")
    check_layout(page, width)
    shot("manager-team")
    page.select_option("#team-period", "weeks4")
    page.wait_for_selector(".lead[data-period=weeks4] #team-visits")
    check_layout(page, width)
    shot("manager-team-4weeks")
    assert not page.errors, page.errors
    ctx.close()


def test_a_list_is_read_to_its_last_page(browser, server):
    """The client follows the server's paging to the end: the area's 300 stores three at a
    time are a hundred pages (the client once stopped after twenty without a word)."""
    status, first = server.call("GET", "/api/stores?active=true&per_page=3", user="manager")
    assert status == 200 and first["meta"]["pages"] > 20, first["meta"]
    ctx, page = open_lead(browser, server, "manager", 1280)
    ids = page.evaluate(
        """import('/app/js/api.js').then(async (m) =>
             (await m.getAllPages('/api/stores?active=true', 3)).items.map((s) => s.id))"""
    )
    assert len(ids) == len(set(ids)) == first["meta"]["total"]
    assert not page.errors, page.errors
    ctx.close()
