"""Names with markup are text on the maps (issue 15 item 5), in Chromium with the page's CSP
switched off (bypass_csp), so that only the code stands between a name and the DOM: a store
and a rep named with an <img onerror> show as typed in Leaflet's tooltips, on the rep's route
map, on the supervisor's plan map and on the admin's territory map, and no image is made, no
script runs. Map tiles are
served here (the tests have no internet). Screenshots: artifacts/map-*.png."""

from __future__ import annotations

import pytest

from tests.browser.made_people import SUPERVISOR, Made
from tests.browser.pwa_helpers import serve_blank_tiles, sign_in, tokyo_today, watched_page
from tests.browser.test_plans_workbench import show_day

pytestmark = pytest.mark.browser

STORE = "<img src=x onerror=window.__pwned=1>Lawson"
NIGHT = "<img src=x onerror=window.__pwned=2>FamilyMart"
REP = "<img src=x onerror=window.__pwned=3>Mika"
INJECTED = (
    "({pwned: window.__pwned ?? null, images: document.querySelectorAll('img[src=x]').length})"
)
TOOLTIP = ".leaflet-tooltip"


@pytest.fixture(scope="module")
def made(server):
    made = Made(server)
    rep = made.rep("m", "map-m", REP)
    made.store("open", rep, "MAP-OPEN", STORE, (35.7101, 139.8107))
    made.store("night", rep, "MAP-NIGHT", NIGHT, (35.7295, 139.7109), hours=("01:00", "03:00"))
    plan = server.publish_plan("map-m", SUPERVISOR)
    assert [s["store_name"] for s in plan["stops"]] == [STORE], plan
    assert [(d["store_name"], d["reason"]) for d in plan["dropped"]] == [(NIGHT, "outside_windows")]
    yield made
    made.retire()


def context(browser, server, width: int):
    """A browser with the CSP off and map tiles answering."""
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": width, "height": 800},
        locale="en-US",
        timezone_id="Asia/Tokyo",
        bypass_csp=True,
        geolocation={"latitude": 35.68, "longitude": 139.77},
        permissions=["geolocation"],
    )
    ctx.set_default_timeout(15000)
    serve_blank_tiles(ctx)
    page = watched_page(ctx)
    return ctx, page


def on_tiles(page, show, selector: str) -> None:
    """`show` the screen until its map is on tiles: the app gives the tile probe 2.5 s and
    otherwise draws SVG for the page's life, which a loaded machine can cost; then once more."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # skips without it

    show()
    try:
        page.wait_for_selector(selector, timeout=8000)
    except PlaywrightTimeoutError:
        page.reload()
        show()
        page.wait_for_selector(selector)


def tooltip_of(page, marker) -> str:
    marker.hover(force=True)
    page.wait_for_selector(TOOLTIP)
    return page.text_content(TOOLTIP)


def test_a_store_named_with_markup_is_text_on_the_reps_route_map(browser, server, made, artifacts):
    ctx, page = context(browser, server, 360)
    sign_in(page, "map-m")
    on_tiles(
        page,
        lambda: page.wait_for_selector("#day-summary"),
        "#main .leaflet-container .leaflet-tile-loaded",
    )
    markers = page.locator("#main path.leaflet-interactive")
    assert markers.count() == 1
    assert tooltip_of(page, markers.first) == f"1. {STORE}"
    assert page.locator(f"{TOOLTIP} *").count() == 0
    page.wait_for_timeout(300)  # an onerror would have fired by now (the image 404s at once)
    assert page.evaluate(INJECTED) == {"pwned": None, "images": 0}
    page.screenshot(path=str(artifacts / "map-rep-tooltip.png"))
    assert not page.errors, page.errors
    ctx.close()


def test_names_with_markup_are_text_on_the_supervisors_plan_map(browser, server, made, artifacts):
    ctx, page = context(browser, server, 1280)
    sign_in(page, SUPERVISOR)
    page.wait_for_selector("#team-period")
    on_tiles(
        page,
        lambda: show_day(page, tokyo_today()),
        "#plans-map[data-mode=tiles] .leaflet-tile-loaded",
    )
    # The dropped stores: red rings, the reason and the rep in the tooltip.
    dropped = page.locator("#plans-map path.leaflet-interactive[stroke='#b71c1c']")
    texts = [tooltip_of(page, dropped.nth(i)) for i in range(dropped.count())]
    assert f"{NIGHT}: outside every opening window ({REP})" in texts, texts
    page.wait_for_timeout(300)
    assert page.evaluate(INJECTED) == {"pwned": None, "images": 0}
    page.screenshot(path=str(artifacts / "map-plan-tooltip.png"))
    # The stops: the rep's and the store's names in the pin's title, as typed.
    title = f"{REP} 1. {STORE}"
    assert (
        page.locator("#plans-map .plan-pin").evaluate_all(
            f"(pins) => pins.filter((p) => p.title.startsWith({title!r})).length"
        )
        == 1
    )
    assert not page.errors, page.errors
    ctx.close()


# Each store marker's tooltip, opened as a pointer over it opens it (Leaflet listens on the map).
TERRITORY_TOOLTIPS = """[...document.querySelectorAll('#territory-map path.leaflet-interactive')]
.map((p) => {
  p.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
  const text = [...document.querySelectorAll('#territory-map .leaflet-tooltip')].pop()?.textContent;
  p.dispatchEvent(new MouseEvent('mouseout', { bubbles: true }));
  return text;
})"""


def test_a_store_named_with_markup_is_text_on_the_territory_map(browser, server, made):
    ctx, page = context(browser, server, 1280)
    sign_in(page, "admin")
    page.wait_for_selector("#tabs a")
    on_tiles(
        page,
        lambda: page.goto("/#/office/territory"),
        "#territory-map[data-mode=tiles] .leaflet-tile-loaded",
    )
    page.wait_for_selector("#territory-map path.leaflet-interactive")
    texts = page.evaluate(TERRITORY_TOOLTIPS)
    assert f"MAP-OPEN {STORE}" in texts and f"MAP-NIGHT {NIGHT}" in texts
    page.wait_for_timeout(300)
    assert page.evaluate(INJECTED) == {"pwned": None, "images": 0}
    assert not page.errors, page.errors
    ctx.close()
