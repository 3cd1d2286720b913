"""The back office in Chromium: an admin imports a CSV with three bad rows (checked first, shown
in a table), fixes and imports it; reassigns 20 stores by drawing an area on the map, after
seeing each rep's store count and weekly visits before → after; edits and deactivates a
store; creates, moves and disables a user. Screens at 360 px and 1280 px:
artifacts/office-<screen>-<width>.png. Each test puts the demo back as it found it (other
browser tests share the server)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from tests.browser.pwa_helpers import serve_blank_tiles, sign_in, wait_until, watched_page

pytestmark = pytest.mark.browser

WIDTHS = (360, 1280)
HEADER = "code,name,channel,tier,address,lat,lng,visit_minutes,team,hours"
CIRCLES = """[...document.querySelectorAll('#territory-map circle[data-store-id]')].map((c) => {
  const b = c.getBoundingClientRect();
  return { id: Number(c.dataset.storeId), x: b.x + b.width / 2, y: b.y + b.height / 2 };
})"""


def open_office(
    browser, server, width: int, username: str = "admin", screen: str = "", tiles: bool = False
):
    """`username` signed in at `width`, on the back-office screen `screen`. With `tiles`, map
    tiles answer (a blank PNG served here: the tests have no internet)."""
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": width, "height": 860},
        locale="en-US",
        timezone_id="Asia/Tokyo",
        is_mobile=width < 1024,
        has_touch=width < 1024,
    )
    ctx.set_default_timeout(15000)
    if tiles:
        serve_blank_tiles(ctx)
    page = watched_page(ctx)
    sign_in(page, username)
    page.wait_for_selector("#tabs a")
    page.goto(f"/#/office{screen}")
    return ctx, page


def shooter(page, artifacts, width: int):
    def shot(name: str) -> None:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        page.screenshot(path=str(artifacts / f"office-{name}-{width}.png"), full_page=True)

    return shot


def import_rows(bad: bool) -> str:
    rows = []
    for i in range(10):
        channel = "hypermarket" if bad and i == 2 else "modern"
        lat = "95.1" if bad and i == 5 else f"{35.70 + i / 1000:.4f}"
        hours = "mon-fri 8-12" if bad and i == 8 else "mon-sat 08:00-20:00"
        rows.append(
            f"BO-IMP-{i},Back office {i},{channel},B,Chuo {i},{lat},139.7{i},15,Tokyo East,{hours}"
        )
    return "\n".join([HEADER, *rows]) + "\n"


def api_ok(server, method: str, path: str, body=None):
    status, answer = server.call(method, path, body, user="admin")
    assert status == 200, answer
    return answer


def test_admin_checks_a_csv_with_three_bad_rows_fixes_and_imports_it(
    browser, server, artifacts, tmp_path
):
    ctx, page = open_office(browser, server, 1280, screen="/import")
    bad, good = tmp_path / "stores-bad.csv", tmp_path / "stores.csv"
    bad.write_text(import_rows(bad=True))
    good.write_text(import_rows(bad=False))
    try:
        page.set_input_files("#import-file", str(bad))
        page.click("#import-check-btn")
        page.wait_for_selector("#import-check #import-errors tbody tr")
        cells = page.locator("#import-errors tbody tr").evaluate_all(
            "rows => rows.map((r) => [...r.cells].slice(0, 2).map((c) => c.textContent))"
        )
        assert cells == [["4", "channel"], ["7", "lat"], ["10", "hours"]]
        assert "Would create 7 and update 0 stores." in page.inner_text("#import-check")
        assert "3 of 10 rows have errors" in page.inner_text("#import-check")
        assert api_ok(server, "GET", "/api/stores?q=BO-IMP")["meta"]["total"] == 0
        shooter(page, artifacts, 1280)("import-errors")
        # Importing the bad file as it is refuses it with the same table; nothing is written.
        page.click("#import-commit-btn")
        page.wait_for_selector("#import-result #import-errors tbody tr")
        assert "3 rows have errors; nothing was imported." in page.inner_text("#import-result")
        assert api_ok(server, "GET", "/api/stores?q=BO-IMP")["meta"]["total"] == 0

        page.set_input_files("#import-file", str(good))
        page.click("#import-check-btn")
        page.wait_for_selector("#import-check")
        assert page.locator("#import-errors").count() == 0
        assert "Would create 10 and update 0 stores." in page.inner_text("#import-check")
        page.click("#import-commit-btn")
        page.wait_for_selector("#import-result")
        assert "Created 10 and updated 0 stores." in page.inner_text("#import-result")
        imported = api_ok(server, "GET", "/api/stores?q=BO-IMP&per_page=50")["items"]
        assert sorted(s["code"] for s in imported) == [f"BO-IMP-{i}" for i in range(10)]
        assert {s["channel"] for s in imported} == {"modern"} and all(s["hours"] for s in imported)
        assert not page.errors, page.errors
    finally:
        for store in api_ok(server, "GET", "/api/stores?q=BO-IMP&per_page=50")["items"]:
            api_ok(server, "PATCH", f"/api/stores/{store['id']}", {"active": False})
        ctx.close()


def weekly_visits(store: dict) -> float:
    """7 ÷ the store's days between visits (its own, else its tier's: config/default.toml)."""
    return 7 / (store["visit_frequency_days"] or {"A": 7, "B": 14, "C": 28}[store["tier"]])


def draw_area(page, west: float, east: float) -> None:
    """Draw, with the mouse, the strip of the map between two x positions (top to bottom)."""
    box = page.locator("#territory-map").bounding_box()
    top, bottom = box["y"] + 2, box["y"] + box["height"] - 2
    page.click("#territory-draw")
    page.mouse.move(west, top)
    page.mouse.down()
    for x, y in ((east, top), (east, bottom), (west, bottom), (west, top + 1)):
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def strip_of_20(circles: list[dict]) -> tuple[list[dict], float, float]:
    """20 markers next to each other from west to east, with a clear gap on both sides:
    (the markers, the strip's west and east edge on screen)."""
    ordered = sorted(circles, key=lambda c: c["x"])
    for i in range(len(ordered) - 20):
        west_gap = ordered[i]["x"] - ordered[i - 1]["x"] if i else 99
        east_gap = ordered[i + 20]["x"] - ordered[i + 19]["x"]
        if west_gap >= 4 and east_gap >= 4:
            west = ordered[i]["x"] - min(west_gap / 2, 10)
            return ordered[i : i + 20], west, ordered[i + 19]["x"] + east_gap / 2
    raise AssertionError("no strip of 20 markers with room around it")


def test_admin_reassigns_20_stores_by_drawing_an_area(browser, server, artifacts):
    ctx, page = open_office(browser, server, 1280, screen="/territory")
    rep = server.user("rep-8")
    active = api_ok(server, "GET", "/api/stores?active=true&per_page=1")["meta"]["total"]
    wait_until(page, f"document.querySelectorAll('#territory-map circle').length === {active}")
    strip, west, east = strip_of_20(page.evaluate(CIRCLES))
    chosen = {c["id"] for c in strip}
    before = {i: api_ok(server, "GET", f"/api/stores/{i}")["rep_id"] for i in chosen}
    try:
        draw_area(page, west, east)
        assert page.inner_text("#territory-count") == "20 stores selected"
        picked = page.evaluate(
            "[...document.querySelectorAll('#territory-map circle.picked')]"
            ".map((c) => Number(c.dataset.storeId))"
        )
        assert set(picked) == chosen
        page.select_option("#territory-rep", str(rep["id"]))
        page.click("#territory-check")
        page.wait_for_selector("#territory-preview #territory-loads tbody tr")
        held = api_ok(server, "GET", f"/api/stores?active=true&rep_id={rep['id']}&per_page=200")
        gained = [
            api_ok(server, "GET", f"/api/stores/{i}") for i, r in before.items() if r != rep["id"]
        ]
        load = sum(map(weekly_visits, held["items"]))
        row = page.locator("#territory-loads tbody tr", has_text="rep-8").inner_text()
        assert f"{len(held['items'])} → {len(held['items']) + len(gained)}" in row
        after_load = load + sum(map(weekly_visits, gained))
        assert f"{round(load, 2):g} → {round(after_load, 2):g}" in row
        losers = {r for r in before.values() if r not in (None, rep["id"])}
        assert page.locator("#territory-loads tbody tr").count() == len(losers) + 1
        shooter(page, artifacts, 1280)("territory-preview")
        page.click("#territory-confirm")
        page.wait_for_selector("#territory-done")
        assert "20 stores reassigned." in page.inner_text("#territory-done")
        after = {i: api_ok(server, "GET", f"/api/stores/{i}")["rep_id"] for i in chosen}
        assert set(after.values()) == {rep["id"]}
        assert not page.errors, page.errors
    finally:
        back: dict = defaultdict(list)
        for store_id, rep_id in before.items():
            back[rep_id].append(store_id)
        for rep_id, ids in back.items():
            api_ok(server, "POST", "/api/stores/reassign", {"store_ids": ids, "rep_id": rep_id})
        ctx.close()


def test_admin_edits_a_store_sees_the_refusal_and_deactivates_it(browser, server):
    store = api_ok(server, "GET", "/api/stores?active=true&per_page=1")["items"][0]
    ctx, page = open_office(browser, server, 360, screen="/stores")
    try:
        page.fill("#office-q", store["code"])
        row = f"#office-store-table tr[data-store-id='{store['id']}']"
        wait_until(page, "document.querySelectorAll('#office-store-table tbody tr').length === 1")
        page.click(f"{row} a")
        page.wait_for_selector("#office-store-form")
        page.fill("#office-store-form [name=lat]", "95")
        page.fill("#office-store-form [name=name]", f"{store['name']} (edited)")
        page.click("#office-store-form button[type=submit]")
        page.wait_for_selector("#office-store-form [name=lat][aria-invalid=true]")
        assert "less than or equal to 90" in page.inner_text("#office-store-form .field-error")
        assert api_ok(server, "GET", f"/api/stores/{store['id']}")["name"] == store["name"]
        page.fill("#office-store-form [name=lat]", str(store["lat"]))
        page.click("#office-store-form button[type=submit]")
        page.wait_for_selector(row)
        saved = api_ok(server, "GET", f"/api/stores/{store['id']}")
        assert saved["name"] == f"{store['name']} (edited)" and saved["lat"] == store["lat"]
        assert saved["hours"] == store["hours"]  # shown as notation, read back unchanged
        # Opening hours: the notation's own mistakes, then the server's, at the field.
        page.click(f"{row} a")
        hours = "#office-store-form [name=hours]"
        assert re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)\S* \d.*", page.input_value(hours))
        for wrong, said in (
            ("mon-fri 8-12", "write days (mon, mon-fri) then times"),
            ("mon 09:00-12:00 11:00-18:00", "overlapping windows"),
        ):
            page.fill(hours, wrong)
            page.click("#office-store-form button[type=submit]")
            page.wait_for_selector(f"{hours}[aria-invalid=true]")
            assert said in page.inner_text("#office-store-form .field-error")
        page.fill(hours, "mon-sat 09:00-21:00")
        page.click("#office-store-form button[type=submit]")
        page.wait_for_selector(row)
        saved = api_ok(server, "GET", f"/api/stores/{store['id']}")["hours"]
        assert [(w["weekday"], w["opens"], w["closes"]) for w in saved] == [
            (d, "09:00", "21:00") for d in range(6)
        ]
        page.click(f"{row} button:has-text('Deactivate')")
        wait_until(page, "document.querySelectorAll('#office-store-table tbody tr').length === 0")
        assert api_ok(server, "GET", f"/api/stores/{store['id']}")["active"] is False
        page.select_option("#office-active", "false")
        page.click(f"{row} button:has-text('Reactivate')")
        wait_until(page, "document.querySelectorAll('#office-store-table tbody tr').length === 0")
        assert api_ok(server, "GET", f"/api/stores/{store['id']}")["active"] is True
        assert not page.errors, page.errors
    finally:
        api_ok(
            server,
            "PATCH",
            f"/api/stores/{store['id']}",
            {"name": store["name"], "active": True, "hours": store["hours"]},
        )
        ctx.close()


def test_admin_creates_moves_resets_and_disables_a_user(browser, server):
    ctx, page = open_office(browser, server, 360, screen="/users")
    page.click("details.card-details summary")
    form = "#user-create"
    page.fill(f"{form} [name=username]", "sup-office")
    page.fill(f"{form} [name=full_name]", "Office Test")
    page.select_option(f"{form} [name=role]", "supervisor")
    page.fill(f"{form} [name=password]", "short")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} [name=password][aria-invalid=true]")
    teams = {t["name"]: t["id"] for t in api_ok(server, "GET", "/api/teams")}
    page.select_option(f"{form} [name=team_id]", str(teams["Tokyo East"]))
    page.fill(f"{form} [name=password]", "office-pass-1")
    page.click(f"{form} button[type=submit]")
    row = "#user-table tr[data-username='sup-office']"
    page.wait_for_selector(row)
    user = next(
        u
        for u in api_ok(server, "GET", "/api/users?role=supervisor")["items"]
        if u["username"] == "sup-office"
    )
    assert user["team_id"] == teams["Tokyo East"] and user["active"] is True

    page.select_option(f"{row} select", str(teams["Tokyo West"]))
    wait_until(page, "document.getElementById('toast').textContent.includes('moved')")
    assert api_ok(server, "GET", f"/api/users/{user['id']}")["team_id"] == teams["Tokyo West"]

    page.click(f"{row} button.reset")
    page.fill("#password-form [name=password]", "short")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#password-form [name=password][aria-invalid=true]")
    page.fill("#password-form [name=password]", "office-pass-2")
    page.click("#password-form button[type=submit]")
    wait_until(page, "document.getElementById('toast').textContent.includes('password')")
    status, _ = server.call(
        "POST", "/api/auth/login", {"username": "sup-office", "password": "office-pass-2"}
    )
    assert status == 200

    page.click(f"{row} button.toggle")
    page.wait_for_selector(f"{row}.inactive")
    assert api_ok(server, "GET", f"/api/users/{user['id']}")["active"] is False
    assert not page.errors, page.errors
    ctx.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_screen_at_phone_and_laptop_width(browser, server, artifacts, width):
    ctx, page = open_office(browser, server, width)
    shot = shooter(page, artifacts, width)
    page.wait_for_selector("#office-hub li")
    # Stores, import, territories, users, products; agreed prices, demand uplifts; the audit log.
    assert page.locator("#office-hub li").count() == 8
    shot("hub")
    page.goto("/#/office/stores")
    page.wait_for_selector("#office-store-table tbody tr")
    header = page.eval_on_selector(
        "#office-store-table thead", "el => el.getBoundingClientRect().x"
    )
    assert (header >= 0) == (width >= 1024)  # a table on a laptop, cards on a phone
    shot("stores")
    page.click("#office-store-table tbody tr a")
    page.wait_for_selector("#office-store-form [name=code]")
    shot("store-edit")
    page.goto("/#/office/import")
    page.wait_for_selector("#import-file")
    shot("import")
    page.goto("/#/office/territory")
    page.wait_for_selector("#territory-map circle")
    shot("territory")
    page.goto("/#/office/users")
    page.wait_for_selector("#user-table tbody tr")
    shot("users")
    page.goto("/#/office/products")
    page.wait_for_selector("#product-table tbody tr")
    shot("products")
    assert not page.errors, page.errors
    ctx.close()
    # A supervisor reaches the office from More and sees their team's store work only.
    ctx, page = open_office(browser, server, width, username="sup-east", screen="")
    page.goto("/#/more")
    page.click("#office-link")
    page.wait_for_selector("#office-hub li")
    assert page.locator("#office-hub li").count() == 3
    shooter(page, artifacts, width)("hub-supervisor")
    ctx.close()


def test_territory_on_tiles_selects_by_drawn_area_too(browser, server, artifacts):
    """With map tiles answering (served here: the tests have no internet), Leaflet draws the
    stores, and an area drawn around all of them selects every one."""
    ctx, page = open_office(browser, server, 1280, screen="/territory", tiles=True)
    page.wait_for_selector("#territory-map[data-mode=tiles] .leaflet-tile-loaded")
    active = api_ok(server, "GET", "/api/stores?active=true&per_page=1")["meta"]["total"]
    markers = "#territory-map path.leaflet-interactive"
    wait_until(page, f"document.querySelectorAll({markers!r}).length === {active}")
    # A marker is drawn where it can be seen and clicked (a click selects it).
    page.locator(markers).nth(0).click()
    assert page.inner_text("#territory-count") == "1 store selected"
    box = page.locator("#territory-map").bounding_box()
    draw_area(page, box["x"] + 3, box["x"] + box["width"] - 3)
    assert page.inner_text("#territory-count") == f"{active} stores selected"
    page.screenshot(path=str(artifacts / "office-territory-tiles-1280.png"))
    page.click("#territory-clear")
    assert page.inner_text("#territory-count") == "No store selected"
    assert not page.errors, page.errors
    ctx.close()


def test_admin_adds_edits_and_retires_a_product(browser, server):
    ctx, page = open_office(browser, server, 1280, screen="/products")
    brand = next(b for b in api_ok(server, "GET", "/api/brands") if b["is_own"])
    form = "#product-form"
    page.wait_for_selector(form)
    page.fill(f"{form} [name=sku]", "BO-SKU-1")
    page.fill(f"{form} [name=name]", "Office Tea")
    page.select_option(f"{form} [name=brand_id]", str(brand["id"]))
    page.fill(f"{form} [name=category]", "tea")
    page.fill(f"{form} [name=pack_size]", "500 ml")
    page.fill(f"{form} [name=unit_price]", "-3")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} [name=unit_price][aria-invalid=true]")
    page.fill(f"{form} [name=unit_price]", "150")
    page.click(f"{form} button[type=submit]")
    row = "#product-table tr[data-sku='BO-SKU-1']"
    page.wait_for_selector(row)
    product = api_ok(server, "GET", "/api/products?q=BO-SKU-1")["items"][0]
    assert (product["brand_id"], product["unit_price"]) == (brand["id"], "150.00")

    page.click(f"{row} button:has-text('Edit')")
    page.fill(f"{form} [name=name]", "Office Green Tea")
    page.click(f"{form} button[type=submit]")
    wait_until(page, f"document.querySelector(\"{row}\")?.textContent.includes('Office Green')")
    page.click(f"{row} button:has-text('Retire')")
    page.wait_for_selector(f"{row}.inactive")
    product = api_ok(server, "GET", f"/api/products/{product['id']}")
    assert (product["name"], product["active"]) == ("Office Green Tea", False)
    assert not page.errors, page.errors
    ctx.close()
