"""The supervisor's visit detail shows every record the deeper visit flow makes, in Chromium on a
phone (390 × 844) and a desktop (1280 × 800): own shelf prices with the deviations they make,
competitor facings, near-expiry actions and the follow-up of an earlier visit's item, returns
with the lead's decision, the complaint made at the visit and the rep's note — exact values,
user text shown as text. Screenshots: artifacts/visit-detail-depth-{390,1280}.png."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.browser.conftest import TOKYO
from tests.browser.made_people import SUPERVISOR as SUP
from tests.browser.made_people import Made
from tests.browser.pwa_helpers import open_lead

pytestmark = pytest.mark.browser

NOTE = "Owner <i>away</i>; call back Monday."
COMPLAINT = "Late <b>again</b> & short two cases."


def yen(amount) -> str:
    """An amount as the PWA's fmtMoney shows yen in en-US: no decimals."""
    return f"¥{Decimal(amount):,.0f}"


def day(d: date) -> str:
    """A date as fmtDay shows it in en-US: "Mon, Dec 7"."""
    return f"{d:%a}, {d:%b} {d.day}"


def own_products(server, today: str) -> list[dict]:
    """Own products with the agreed price in force at modern stores today, those without a
    promotion today first (a special price on them is not agreed)."""
    status, page = server.call("GET", "/api/products?per_page=100", user=SUP)
    assert status == 200, page
    status, promos = server.call("GET", f"/api/promotions?on={today}", user=SUP)
    promoted = {p["product_id"] for p in promos["items"]}
    found = []
    for p in page["items"]:
        if not p["is_own"]:
            continue
        query = f"product_id={p['id']}&on={today}"
        status, prices = server.call("GET", f"/api/agreed-prices?{query}", user=SUP)
        assert status == 200, prices
        by_channel = {a["channel"]: a["price"] for a in prices["items"]}
        agreed = by_channel.get("modern", by_channel.get(None))
        if agreed is not None:
            label = f"{p['name']} {p['pack_size'] or ''}".strip()  # as the screens name it
            found.append(
                {**p, "label": label, "agreed": Decimal(agreed), "promoted": p["id"] in promoted}
            )
    return sorted(found, key=lambda p: (p["promoted"], p["id"]))


@pytest.fixture(scope="module")
def recorded(server):
    """Two visits by a made rep to a made store: the earlier one notes a near-expiry item; the
    later one records everything else and follows that item up; the supervisor approves its
    return."""
    made = Made(server)
    rep = made.rep("rep", "depth-detail-rep", "Dana Detail")
    store = made.store("store", rep, "DETAIL-1", "Detail corner shop", (35.672, 139.766))
    now = datetime.now(TOKYO)
    today = now.date()
    products = own_products(server, today.isoformat())
    first, second, third = products[0], products[1], products[2]
    _, brands = server.call("GET", "/api/brands", user=SUP)
    _, catalogue = server.call("GET", "/api/products?per_page=100", user=SUP)
    # A competitor brand selling in the first product's category: its facings are on that shelf.
    rival_id = next(
        p["brand_id"]
        for p in catalogue["items"]
        if not p["is_own"] and p["category"] == first["category"]
    )
    rival = next(b for b in brands if b["id"] == rival_id)

    def call(method, path, body=None, expect=200, user=rep["username"]):
        status, answer = server.call(method, path, body, user=user)
        assert status == expect, answer
        return answer

    def visit(minutes_ago: int) -> dict:
        at = (now - timedelta(minutes=minutes_ago)).isoformat()
        body = {"store_id": store["id"], "lat": store["lat"], "lng": store["lng"]}
        return call("POST", "/api/visits", {**body, "accuracy_m": 10, "device_time": at}, 201)

    def leave(v: dict, minutes_ago: int, **extra) -> None:
        at = (now - timedelta(minutes=minutes_ago)).isoformat()
        call("POST", f"/api/visits/{v['id']}/checkout", {"device_time": at, **extra})

    earlier = visit(40)
    nx = {"product_id": first["id"], "quantity": 6, "action": "moved_to_front",
          "expiry_date": (today + timedelta(days=5)).isoformat()}  # fmt: skip
    noted = call("PUT", f"/api/visits/{earlier['id']}/near-expiry", {"items": [nx]})["items"][0]
    leave(earlier, 30)

    later = visit(20)
    path = f"/api/visits/{later['id']}"
    below = first["agreed"] - 12
    checks = [
        {"product_id": first["id"], "on_shelf": True, "facings": 4, "shelf_level": 2,
         "shelf_price": str(below), "special_price": False},
        {"product_id": second["id"], "on_shelf": True, "facings": 2, "shelf_level": 3,
         "shelf_price": str(second["agreed"]), "special_price": True},
    ]  # fmt: skip
    call("PUT", f"{path}/display-checks", {"items": checks})
    facings = {"brand_id": rival["id"], "category": first["category"], "facings": 7,
               "eye_level_facings": 3}  # fmt: skip
    call("PUT", f"{path}/shelf-facings", {"items": [facings]})
    expires = today + timedelta(days=2)
    near = {"product_id": third["id"], "quantity": 3, "expiry_date": expires.isoformat(),
            "action": "discount_agreed"}  # fmt: skip
    call("PUT", f"{path}/near-expiry", {"items": [near]})
    back = {"product_id": second["id"], "quantity": 2, "reason": "damaged", "note": "Crushed case"}
    returned = call("PUT", f"{path}/returns", {"items": [back]})["items"][0]
    outcome = {"near_expiry_id": noted["id"], "outcome": "still_on_shelf", "quantity": 4}
    call("PUT", f"{path}/expiry-followups", {"items": [outcome]})
    complaint = {"uuid": str(uuid.uuid4()), "category": "delivery", "text": COMPLAINT}
    call("POST", f"{path}/complaints", complaint, 201)
    leave(later, 5, note=NOTE)
    decision = {"status": "approved", "note": "Collect on Friday"}
    call("PATCH", f"/api/returns/{returned['id']}", decision, user=SUP)
    yield SimpleNamespace(
        visit=later, store=store, rival=rival, products=(first, second, third), below=below,
        today=today, expires=expires,
    )  # fmt: skip
    made.retire()


def cells(page, table: str) -> list[list[str]]:
    rows = page.locator(f"{table} tbody tr")
    return [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_visit_detail_shows_each_new_record(
    browser, server, recorded, artifacts, width, height
):
    first, second, third = recorded.products
    ctx, page = open_lead(browser, server, SUP, width)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/#/visit-detail/{recorded.visit['id']}")
    page.wait_for_selector("#visit-complaints")

    assert page.inner_text("#visit-note dd") == NOTE
    names = ", ".join(p["label"] for p in (first, second))
    deviation = f"⚑ Price off agreement: 2 own product(s) priced off the agreement: {names}."
    assert deviation in page.locator("#visit-flags li").all_inner_texts()

    display = {row[0]: row[4] for row in cells(page, "#visit-display")}
    assert display == {
        first["label"]: f"{yen(recorded.below)}\n⚑ Below the agreed {yen(first['agreed'])}",
        second["label"]: f"{yen(second['agreed'])} Special\n⚑ Special price not agreed",
    }
    assert cells(page, "#visit-facings") == [[recorded.rival["name"], first["category"], "7", "3"]]
    assert cells(page, "#visit-expiry") == [
        [third["label"], "3", day(recorded.expires), "Discount agreed"]
    ]
    noted = f"6, expiring {day(recorded.today + timedelta(days=5))}"
    assert cells(page, "#visit-followups") == [
        [first["label"], noted, "Moved to the front", "Still on the shelf", "4"]
    ]
    [ret] = cells(page, "#visit-returns")
    assert ret[:3] == [f"{second['label']}\nCrushed case", "2", "Damaged"]
    status = page.locator("#visit-returns tbody td").nth(3)
    assert status.locator(".pill").inner_text() == "Approved"
    assert status.locator("div.muted").inner_text() == "Collect on Friday"
    assert cells(page, "#visit-complaints") == [["Delivery", "Open", COMPLAINT]]
    # User text stays text: no element was made from it.
    assert page.locator("#visit-complaints b, #visit-note i").count() == 0

    # Readable at this width: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(artifacts / f"visit-detail-depth-{width}.png"), full_page=True)
    assert page.errors == []
    ctx.close()
