"""Routes along streets (issue 16 item 2) in Chromium. A server of its own plans on road tiles
built from backend/demo/helsinki-centre.osm.pbf (the tests/roads session fixture, and its
points): a team made here has a rep who drives between real addresses in central Helsinki, one
of them in Kaisaniemi park, which a car reaches only at a road point ~150 m away. The rep's
today map draws each leg's street geometry and the way home (on the SVG map every vertex stands
where the decoded polyline puts it; far more vertices than stops), a dashed line to the park
store and the OpenStreetMap credit; on tiles the same line and credit; the supervisor's
workbench draws the route likewise; Navigate carries the next stop's road point and the travel
mode; the admin changes the rep's travel mode; the app's decoder reads Google's published
example, agrees with the server's and refuses a truncated string. Screenshots:
artifacts/streets-*.png."""

from __future__ import annotations

import os
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from backend.planning.roads import decode_polyline
from tests.browser.conftest import Server
from tests.browser.made_people import Made
from tests.browser.pwa_helpers import serve_blank_tiles, sign_in, tokyo_today, watched_page
from tests.browser.test_map_text import on_tiles
from tests.browser.test_plans_workbench import show_day
from tests.roads.conftest import (
    HOME,
    PARK,
    STREET_STORES,
    helsinki_tiles,  # noqa: F401  (the session fixture)
)

pytestmark = pytest.mark.browser

CREDIT = "© OpenStreetMap contributors"
TILES = "https://tile.openstreetmap.org/**"
TRAVEL = {"car": "driving", "scooter": "two-wheeler", "bicycle": "bicycling", "foot": "walking"}


@pytest.fixture(scope="module")
def streets(browser, tmp_path_factory, helsinki_tiles):  # noqa: F811
    """The server on Helsinki road tiles (its Tokyo demo reps have no travel mode: straight
    lines), a Helsinki team with its supervisor and a rep by car, and today's published plan."""
    with mock.patch.dict(os.environ, {"TERMINUS_ROAD_TILES": str(helsinki_tiles)}):
        server = Server(tmp_path_factory.mktemp("streets"))
    try:
        made = Made(server)
        area = made.admin("GET", "/api/areas")[0]
        team = made.admin(
            "POST", "/api/teams", {"name": "Helsinki centre", "area_id": area["id"]}, 201
        )
        made.team_id = team["id"]
        sup = made.rep("sup", "hel-sup", "Helsinki supervisor")
        made.admin("PATCH", f"/api/users/{sup['id']}", {"role": "supervisor"})
        rep = made.rep("rep", "hel-rep", "Aino Virtanen")
        home = {"home_lat": HOME[0], "home_lng": HOME[1], "travel_mode": "car"}
        made.admin("PATCH", f"/api/users/{rep['id']}", home)
        for n, at in enumerate([*STREET_STORES, PARK], 1):
            made.store(f"s{n}", rep, f"HEL-T{n}", f"Kauppa {n}", at)
        plan = server.publish_plan("hel-rep", "hel-sup")
        yield {"server": server, "plan": plan, "rep": rep}
    finally:
        server.stop()


def ordered(plan: dict) -> list[dict]:
    return sorted(plan["stops"], key=lambda s: s["sequence"])


def drawn_path(plan: dict) -> list[tuple[float, float]]:
    """The route line the maps must draw: each stop's leg, then the way home."""
    legs = [s["geometry"] for s in ordered(plan)] + [plan["return_geometry"]]
    return [p for leg in legs for p in decode_polyline(leg)]


def browser_page(browser, server, width: int, tiles: bool):
    """A browser in Helsinki on `server`; map tiles blank (tiles) or refused (the SVG map)."""
    ctx = browser.new_context(
        base_url=server.url,
        viewport={"width": width, "height": 800},
        locale="en-US",
        timezone_id="Asia/Tokyo",
        geolocation={"latitude": HOME[0], "longitude": HOME[1]},
        permissions=["geolocation"],
    )
    ctx.set_default_timeout(15000)
    if tiles:
        serve_blank_tiles(ctx)
    else:
        ctx.route(TILES, lambda route: route.abort())
    return ctx, watched_page(ctx)


def points_of(page, selector: str) -> np.ndarray:
    text = page.get_attribute(selector, "points")
    return np.array([[float(v) for v in pair.split(",")] for pair in text.split()])


def assert_on_svg(page, map_sel: str, line_sel: str, pins_sel: str, plan: dict) -> None:
    """The SVG line has one vertex per point of the decoded geometry, each where the drawing's
    projection (fitted to the stop markers: x linear in lng, y in lat) puts it."""
    expected = np.array(drawn_path(plan))
    drawn = points_of(page, line_sel)
    stops = ordered(plan)
    assert len(drawn) == len(expected) >= 8 * len(stops), (len(drawn), len(expected))
    pins = page.locator(pins_sel).evaluate_all(
        "cs => cs.map((c) => [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))])"
    )
    lat_lng = np.array([[s["lat"], s["lng"]] for s in stops])
    ax, bx = np.polyfit(lat_lng[:, 1], np.array(pins)[:, 0], 1)
    ay, by = np.polyfit(lat_lng[:, 0], np.array(pins)[:, 1], 1)
    projected = np.column_stack([ax * expected[:, 1] + bx, ay * expected[:, 0] + by])
    assert np.abs(projected - drawn).max() < 0.01
    assert page.text_content(f"{map_sel} .map-credit") == CREDIT


def test_the_decoder_and_the_maps_link(browser, streets):
    ctx, page = browser_page(browser, streets["server"], 360, tiles=False)
    page.goto("/")
    decode = "(args) => import('/app/js/polyline.js').then((m) => m.decode(...args))"
    example = "_p~iF~ps|U_ulLnnqC_mqNvxq`@"  # Google's documentation, precision 5
    assert page.evaluate(decode, [example, 5]) == [
        [38.5, -120.2],
        [40.7, -120.95],
        [43.252, -126.453],
    ]
    geometry = ordered(streets["plan"])[1]["geometry"]
    assert page.evaluate(decode, [geometry]) == [list(p) for p in decode_polyline(geometry)]
    refused = f"import('/app/js/polyline.js').then((m) => m.decode({example[:-3]!r}, 5))"
    refusal = page.evaluate(f"{refused}.then(() => 'decoded', (e) => e.message)")
    assert refusal == "truncated polyline"
    # Navigate names each travel mode as Google's maps URLs do; no mode: the maps app chooses.
    link = "import('/app/js/navigate.js').then((m) => m.navigateUrl({lat: 1, lng: 2}, mode))"
    url = f"(mode) => {link}"
    modes = {m: parse_qs(urlsplit(page.evaluate(url, m)).query).get("travelmode") for m in TRAVEL}
    assert modes == {m: [v] for m, v in TRAVEL.items()}
    assert "travelmode" not in page.evaluate(url, None)
    ctx.close()


def test_the_reps_map_follows_the_streets_and_navigate_opens_the_next_stop(
    browser, streets, artifacts
):
    plan, server = streets["plan"], streets["server"]
    assert plan["travel_source"] == "roads" and plan["travel_mode"] == "car"
    stops = ordered(plan)
    assert all(s["geometry"] for s in stops) and plan["return_geometry"]
    snapped = [s for s in stops if s["access"]]
    assert [(s["lat"], s["lng"]) for s in snapped] == [PARK], [s["access"] for s in stops]

    ctx, page = browser_page(browser, server, 360, tiles=False)
    sign_in(page, "hel-rep")
    page.wait_for_selector("#route-map[data-travel=roads] polyline.route")
    assert_on_svg(page, "#route-map", "#route-map polyline.route", "#route-map svg g circle", plan)
    assert page.locator("#route-map line.access").count() == len(snapped)

    # Navigate: Google's universal maps link to the first stop (its road point if snapped), by car.
    link = page.locator("#navigate")
    assert link.text_content() == f"Navigate to 1. {stops[0]['store_name']}"
    first = stops[0]["access"] or stops[0]
    assert near(navigate_to(page), first)
    url = urlsplit(link.get_attribute("href"))
    query = {k: v[0] for k, v in parse_qs(url.query).items() if k != "destination"}
    assert (url.netloc, url.path) == ("www.google.com", "/maps/dir/")
    assert query == {"api": "1", "dir_action": "navigate", "travelmode": "driving"}
    assert link.get_attribute("target") == "_blank"
    page.screenshot(path=str(artifacts / "streets-rep-svg.png"), full_page=True)

    # The park store's own screen navigates to its road point too.
    park = snapped[0]
    page.click(f"a.stop[data-store-id='{park['store_id']}']")
    page.wait_for_selector("#check-in")
    wait_for(lambda: near(navigate_to(page), park["access"]))
    assert not page.errors, page.errors
    ctx.close()


def test_the_reps_map_on_tiles_draws_the_street_line_with_the_credit(browser, streets, artifacts):
    plan = streets["plan"]
    ctx, page = browser_page(browser, streets["server"], 360, tiles=True)
    sign_in(page, "hel-rep")
    on_tiles(
        page, lambda: page.wait_for_selector("#day-summary"), "#route-map .leaflet-tile-loaded"
    )
    line = page.get_attribute("#route-map path.route", "d")
    # Leaflet simplifies a line to the screen's pixels: still far more vertices than stops.
    assert line.count("L") + 1 >= 4 * len(plan["stops"]), line
    assert page.locator("#route-map path.access").count() == 1
    assert CREDIT in page.text_content("#route-map .leaflet-control-attribution")
    page.screenshot(path=str(artifacts / "streets-rep-tiles.png"))
    assert not page.errors, page.errors
    ctx.close()


def test_the_workbench_map_draws_the_route_along_the_streets(browser, streets, artifacts):
    plan, rep_id = streets["plan"], streets["rep"]["id"]
    ctx, page = browser_page(browser, streets["server"], 1280, tiles=False)
    sign_in(page, "hel-sup")
    page.wait_for_selector("#team-period")
    show_day(page, tokyo_today())
    route = f"#plans-map polyline.route[data-route='{rep_id}']"
    page.wait_for_selector(route)
    assert page.get_attribute("#plans-map", "data-roads") == "1"
    pins = f"#plans-map g.stop-pin[data-route='{rep_id}'] circle"
    assert_on_svg(page, "#plans-map", route, pins, plan)
    totals = page.text_content(f".plan-card[data-rep-id='{rep_id}'] .plan-totals")
    assert "Car, along the streets" in totals, totals
    page.screenshot(path=str(artifacts / "streets-plans-svg.png"), full_page=True)
    assert not page.errors, page.errors
    ctx.close()


def test_the_admin_sets_a_reps_travel_mode(browser, streets):
    server, rep = streets["server"], streets["rep"]
    ctx, page = browser_page(browser, server, 1280, tiles=False)
    sign_in(page, "admin")
    page.wait_for_selector("#tabs a")
    page.goto("/#/office/users")
    page.select_option("#user-role", "rep")
    select = "#user-table tr[data-username='hel-rep'] select.travel-mode"
    page.wait_for_selector(select)
    assert page.input_value(select) == "car"
    page.select_option(select, "bicycle")
    page.wait_for_selector("#toast:has-text('Travel mode of hel-rep saved.')")
    assert mode_of(server, rep) == "bicycle"
    page.select_option(select, "")  # the organisation's default
    page.wait_for_selector(f"{select} >> nth=0")
    wait_for(lambda: mode_of(server, rep) is None)
    page.select_option(select, "car")
    wait_for(lambda: mode_of(server, rep) == "car")
    assert not page.errors, page.errors
    ctx.close()


def navigate_to(page) -> tuple[float, float]:
    """Where the Navigate link heads for."""
    query = parse_qs(urlsplit(page.get_attribute("#navigate", "href")).query)
    lat, lng = query["destination"][0].split(",")
    return float(lat), float(lng)


def near(at: tuple[float, float], place: dict) -> bool:
    return abs(at[0] - place["lat"]) < 1e-6 and abs(at[1] - place["lng"]) < 1e-6


def mode_of(server, user: dict) -> str | None:
    return server.call("GET", f"/api/users/{user['id']}", user="admin")[1]["travel_mode"]


def wait_for(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
