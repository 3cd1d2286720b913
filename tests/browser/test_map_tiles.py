"""The PWA's maps use the tile server and credit of GET /api/settings (map_tile_url,
map_tile_attribution; issue 18 item 6), in Chromium: the settings answer is given another tile
server with {s} subdomains and a credit with markup; the store's map asks that server only, and
its credit shows as typed. (The page's CSP, derived from the server's own setting, is TRUTHS'
test: it is switched off here, and the service worker too, so that the answers can be changed.)
Screenshot: artifacts/map-tiles-configured.png."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.made_people import Made
from tests.browser.pwa_helpers import sign_in, watched_page

pytestmark = pytest.mark.browser

TILES = "https://{s}.tiles.example.test/base/{z}/{x}/{y}.png"
CREDIT = "© Example <b>Tiles</b> & Co"


@pytest.fixture(scope="module")
def made(server):
    made = Made(server)
    rep = made.rep("m", "tiles-m", "Mio Tanaka")
    made.store("m", rep, "TILES-M", "Tanaka Market", (35.7101, 139.8107))
    yield made
    made.retire()


def test_the_map_uses_the_configured_tiles_and_credit(browser, server, made, artifacts):
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": 360, "height": 740},
        locale="en-US",
        timezone_id="Asia/Tokyo",
        bypass_csp=True,
        service_workers="block",
    )
    ctx.set_default_timeout(15000)
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 230, 200)).save(buffer, "PNG")
    asked: list[str] = []

    def tile(route):
        asked.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=buffer.getvalue())

    def settings(route):
        answer = route.fetch()
        body = answer.json() | {"map_tile_url": TILES, "map_tile_attribution": CREDIT}
        route.fulfill(response=answer, json=body)

    osm: list[str] = []
    ctx.route("https://*.tiles.example.test/**", tile)
    ctx.route("https://tile.openstreetmap.org/**", lambda r: (osm.append(r.request.url), r.abort()))
    ctx.route("**/api/settings", settings)
    page = watched_page(ctx)
    sign_in(page, "tiles-m")
    page.wait_for_selector("#tabs a[href='#/more']")
    page.goto(f"/#/store/{made.stores['m']['id']}")
    page.wait_for_selector(".leaflet-tile-loaded")
    credit = page.text_content(".leaflet-control-attribution")
    assert CREDIT in credit, credit
    assert page.locator(".leaflet-control-attribution b").count() == 0
    assert asked and osm == [], (asked, osm)
    hosts = {url.split("/")[2] for url in asked}
    assert hosts <= {f"{s}.tiles.example.test" for s in "abc"}, hosts
    assert all("/base/" in url for url in asked), asked
    page.screenshot(path=str(artifacts / "map-tiles-configured.png"))
    assert not page.errors, page.errors
    ctx.close()
