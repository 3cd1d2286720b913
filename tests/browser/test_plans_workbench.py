"""The planning workbench in Chromium: a supervisor plans the team for tomorrow (the job's
progress, the routes drawn per rep), moves a stop to another rep, locks it, reorders by drag
(the map redrawn within 100 ms), optimises (the change in minutes and km), publishes; the rep
then reads tomorrow's route offline; a past day's plan is read only and an edit of it is
refused with the server's message. Screenshots: artifacts/plans-<screen>-<width>.png."""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta

import pytest

from tests.browser.pwa_helpers import (
    open_lead,
    sign_in,
    tokyo_today,
    wait_for_service_worker,
    wait_until,
)

pytestmark = pytest.mark.browser

SUP = "sup-east"
WIDTHS = (360, 1280)
FROZEN = "is in the past and can no longer change."


def tomorrow() -> str:
    return (date.fromisoformat(tokyo_today()) + timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def team(server):
    """sup-east's team and the day planned: tomorrow (Tokyo; the test server works every day)."""
    settings = server.call("GET", "/api/settings", user=SUP)[1]
    day = tomorrow()
    assert date.fromisoformat(day).weekday() in settings["working_days"], settings
    return {"id": server.user(SUP)["team_id"], "day": day}


def team_plans(server, team, day=None) -> dict[int, dict]:
    day = day or team["day"]
    query = f"team_id={team['id']}&date_from={day}&date_to={day}&per_page=100"
    status, page = server.call("GET", f"/api/plans?{query}", user=SUP)
    assert status == 200, page
    return {p["rep_id"]: p for p in page["items"]}


def ordered(plan: dict) -> list[int]:
    return [s["store_id"] for s in sorted(plan["stops"], key=lambda s: s["sequence"])]


@pytest.fixture(scope="module")
def planned(server, team):
    """The team's plans for the day, planned through the job API unless they exist already."""
    if not team_plans(server, team):
        body = {"team_id": team["id"], "date_from": team["day"], "date_to": team["day"]}
        status, job = server.call("POST", "/api/planning-jobs", body, user=SUP)
        assert status == 202, job
        deadline = time.monotonic() + 120
        while job["status"] not in {"succeeded", "failed", "cancelled"}:
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
            job = server.call("GET", f"/api/jobs/{job['id']}", user=SUP)[1]
        assert job["status"] == "succeeded", job
    return team_plans(server, team)


def show_day(page, day: str) -> None:
    page.goto("/#/plans")
    page.wait_for_selector("#plans-day")
    if page.input_value("#plans-day") != day:
        page.fill("#plans-day", day)
        page.dispatch_event("#plans-day", "change")
    page.wait_for_selector(f".plans[data-day='{day}'][data-period=day] #plans-map")


def card(rep_id: int) -> str:
    return f".plan-card[data-rep-id='{rep_id}']"


def open_timeline(page, rep_id: int) -> None:
    panel = page.locator(f"{card(rep_id)} details.stops-panel")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()


def rows(page, rep_id: int) -> list[int]:
    ids = page.locator(f"{card(rep_id)} li.tl-stop").evaluate_all(
        "els => els.map((e) => e.dataset.storeId)"
    )
    return [int(i) for i in ids]


def drag(page, source: str, target: str) -> None:
    """HTML5 drag and drop of `source` onto `target`, as the browser sends its events."""
    data = page.evaluate_handle("() => new DataTransfer()")
    page.dispatch_event(source, "dragstart", {"dataTransfer": data})
    for kind in ("dragenter", "dragover", "drop"):
        page.dispatch_event(target, kind, {"dataTransfer": data})
    page.dispatch_event(source, "dragend", {"dataTransfer": data})


def assert_routes_drawn(page, plans: dict[int, dict]) -> None:
    """One numbered marker per stop in each rep's colour, one line per route of 2+ stops."""
    for rep_id, plan in plans.items():
        pins = page.locator(
            f"#plans-map g.stop-pin[data-route='{rep_id}'] text"
        ).all_text_contents()
        assert pins == [str(n) for n in range(1, len(plan["stops"]) + 1)], rep_id
    lines = page.locator("#plans-map polyline.route").count()
    assert lines == sum(len(p["stops"]) > 1 for p in plans.values())
    dropped = sum(len(p["dropped"]) for p in plans.values())
    assert page.locator("#plans-map g.dropped").count() == dropped


def test_supervisor_plans_adjusts_publishes_and_the_rep_reads_it_offline(
    browser, server, team, phone, artifacts
):
    ctx, page = open_lead(browser, server, SUP, 1280)
    page.on("dialog", lambda d: d.accept())  # the confirm before publishing with violations
    show_day(page, team["day"])
    clicked = time.monotonic()
    page.click("#plan-team")
    page.wait_for_selector("#plan-job #job-stage")
    assert re.search(r"\d+% · time left", page.text_content("#job-figures"))
    page.wait_for_selector("#plan-job[data-status=succeeded]", timeout=120_000)
    plans = team_plans(server, team)
    assert len(plans) == 4 and all(p["status"] == "draft" for p in plans.values())
    wait_until(
        page,
        f"document.querySelectorAll('#plans-map g.stop-pin').length === "
        f"{sum(len(p['stops']) for p in plans.values())}",
        timeout=20,
    )
    print(f"team planning job, click to drawn routes: {time.monotonic() - clicked:.1f} s")
    assert_routes_drawn(page, plans)
    page.screenshot(path=str(artifacts / "plans-job-1280.png"))

    # Move the first rep's first stop to the second rep.
    first, second = (
        int(c.get_attribute("data-rep-id")) for c in page.locator(".plan-card").all()[:2]
    )
    moved = ordered(plans[first])[0]
    open_timeline(page, first)
    page.select_option(
        f"{card(first)} li.tl-stop[data-store-id='{moved}'] select.move-to",
        str(plans[second]["id"]),
    )
    open_timeline(page, second)
    page.wait_for_selector(f"{card(second)} li.tl-stop[data-store-id='{moved}']")
    assert moved not in rows(page, first)
    after = team_plans(server, team)
    assert moved in ordered(after[second]) and moved not in ordered(after[first])

    # Lock it where it is, then drag another stop to the top: the map is redrawn in ≤ 100 ms.
    page.click(f"{card(second)} li.tl-stop[data-store-id='{moved}'] button.lock")
    page.wait_for_selector(f"{card(second)} li.tl-stop.locked[data-store-id='{moved}']")
    locked = {s["store_id"]: s["locked"] for s in team_plans(server, team)[second]["stops"]}
    assert locked[moved] is True
    third = rows(page, second)[2]
    drag(page, f"{card(second)} li.tl-stop[data-store-id='{third}']", f"{card(second)} li.tl-stop")
    first_row = f'document.querySelector("{card(second)} li.tl-stop").dataset.storeId'
    wait_until(page, f"{first_row} === '{third}'")
    draw_ms = float(page.get_attribute("#plans-map", "data-draw-ms"))
    print(f"map redraw after a reorder: {draw_ms:.1f} ms")
    assert draw_ms <= 100
    assert ordered(team_plans(server, team)[second])[0] == third
    locked_at = rows(page, second).index(moved)

    # Optimise around the lock: the change in minutes and km is shown; the lock holds.
    page.click(f"{card(second)} button.optimise")
    page.wait_for_selector(f"{card(second)} .plan-change")
    change = page.text_content(f"{card(second)} .plan-change")
    assert re.fullmatch(r"Change: \d+ min (saved|lost), \d+\.\d km (saved|lost)", change), change
    assert rows(page, second).index(moved) == locked_at
    page.screenshot(path=str(artifacts / "plans-adjusted-1280.png"))

    # Publish the second rep, then the rest of the team.
    page.click(f"{card(second)} button.publish")
    page.wait_for_selector(f"{card(second)} [data-status=published]")
    page.click("#publish-team")
    wait_until(page, "document.querySelectorAll('.plan-card [data-status=published]').length === 4")
    published = team_plans(server, team)
    assert all(p["status"] == "published" for p in published.values())
    assert page.locator(".plan-card [data-status=draft]").count() == 0
    assert not page.errors, page.errors
    ctx.close()

    # The rep signs in, then reads tomorrow's route offline, in the order published.
    plan = published[second]
    rep_ctx, rep = phone()
    sign_in(rep, plan["rep"]["username"])
    rep.wait_for_selector("#day-switch")
    wait_for_service_worker(rep)
    rep.wait_for_load_state("networkidle")
    rep_ctx.set_offline(True)
    rep.click("#day-switch")
    rep.wait_for_selector("[data-day=tomorrow] ol.stops")
    shown = rep.locator("a.stop").evaluate_all("els => els.map((e) => Number(e.dataset.storeId))")
    assert shown == ordered(plan)
    assert moved in shown
    assert "Offline" in rep.text_content("main")
    rep.screenshot(path=str(artifacts / "plans-rep-tomorrow-360.png"), full_page=True)
    assert not rep.errors, rep.errors


def last_past_day_with_plans(server, team) -> str:
    yesterday = (date.fromisoformat(tokyo_today()) - timedelta(days=1)).isoformat()
    query = f"team_id={team['id']}&date_to={yesterday}&per_page=1"
    status, page = server.call("GET", f"/api/plans?{query}", user=SUP)
    assert status == 200 and page["items"], page
    return page["items"][0]["plan_date"]


def test_a_past_plan_is_read_only_and_an_edit_is_refused(browser, server, team, artifacts):
    day = last_past_day_with_plans(server, team)
    before = team_plans(server, team, day)
    assert before and all(p["frozen"] for p in before.values())
    ctx, page = open_lead(browser, server, SUP, 1280)
    show_day(page, day)
    assert page.is_visible("#plans-past")
    assert page.locator(".tl-actions, .plan-actions, #plan-team").count() == 0
    assert FROZEN in page.text_content(".plan-card .frozen")

    # A screen drawn while the day was still open (its plans not yet frozen) sends the edit:
    # the server refuses it and the screen says why.
    def still_open(route):
        response = route.fetch()
        body = response.json()
        for plan in body["items"]:
            plan["frozen"] = False
        route.fulfill(response=response, body=json.dumps(body))

    page.route(re.compile(r"/api/plans\?"), still_open)
    page.reload()
    show_day(page, day)
    rep_id = next(iter(before))
    open_timeline(page, rep_id)
    page.locator(f"{card(rep_id)} li.tl-stop button.remove").first.click()
    page.wait_for_selector(f"{card(rep_id)} .plan-error:not([hidden])")
    assert FROZEN in page.text_content(f"{card(rep_id)} .plan-error")
    assert ordered(team_plans(server, team, day)[rep_id]) == ordered(before[rep_id])
    page.screenshot(path=str(artifacts / "plans-past-refused-1280.png"))
    assert not page.errors, page.errors
    ctx.close()


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_workbench_screens_at_phone_and_laptop_width(
    browser, server, team, planned, artifacts, width
):
    ctx, page = open_lead(browser, server, SUP, width)
    shot = lambda name, full=True: page.screenshot(  # noqa: E731
        path=str(artifacts / f"plans-{name}-{width}.png"), full_page=full
    )
    show_day(page, team["day"])
    assert_routes_drawn(page, planned)
    assert page.locator(".plan-card").count() == len(planned)
    no_sideways_scroll(page, width)
    map_box = page.eval_on_selector("#plans-map", "el => el.getBoundingClientRect().toJSON()")
    cards = page.eval_on_selector("#plan-cards", "el => el.getBoundingClientRect().toJSON()")
    if width >= 1024:  # the timelines beside the map
        assert cards["x"] >= map_box["x"] + map_box["width"] - 1
    else:  # below it
        assert cards["y"] >= map_box["y"] + map_box["height"] - 1
    shot("day", full=False)
    shot("day-full")

    rep_id, plan = next(iter(planned.items()))
    page.click(f"{card(rep_id)} button.add")
    page.wait_for_selector("dialog.add-store #candidates li.candidate")
    shot("add-store", full=False)
    page.click("dialog.add-store button.close")

    page.select_option("#plans-period", "week")
    page.wait_for_selector(".plans[data-period=week] #plans-week")
    assert page.locator("#plans-week tbody tr").count() == len(planned)
    no_sideways_scroll(page, width)
    shot("week")
    page.locator(f"#plans-week tbody tr[data-rep-id='{rep_id}'] button.cell").nth(
        date.fromisoformat(team["day"]).weekday()
    ).click()
    page.wait_for_selector(f".plans[data-day='{team['day']}'][data-period=day] #plans-map")

    # The history of the plan changed most (after the adjusting test, the one moved into).
    plan = max(team_plans(server, team).values(), key=lambda p: p["revision"])
    page.goto(f"/#/plans/{plan['id']}/history")
    page.wait_for_selector("#plan-revisions tbody tr")
    kinds = page.locator("#plan-revisions tbody tr td:nth-child(4)").all_text_contents()
    assert any(k.startswith("Created") for k in kinds), kinds
    no_sideways_scroll(page, width)
    shot("history")
    assert not page.errors, page.errors
    ctx.close()


LEAD_CACHED = """caches.keys().then(async (names) => {
  const lead = names.find((n) => n.startsWith('terminus-lead-'));
  return lead ? (await (await caches.open(lead)).keys()).map((r) => new URL(r.url).pathname) : [];
})"""


def test_a_supervisor_works_offline_after_the_first_load(browser, server, team, planned):
    """The lead modules (js/lead/, loaded lazily) are cached once a supervisor signs in, so the
    plans screen opens again offline, with the plans as last loaded."""
    ctx, page = open_lead(browser, server, SUP, 1280)
    show_day(page, team["day"])
    wait_for_service_worker(page)
    wait_until(page, f"{LEAD_CACHED}.then((l) => l.includes('/app/js/lead/plans-view.js'))")
    cached = page.evaluate(LEAD_CACHED)
    assert {"/app/js/lead/plan-map.js", "/app/js/lead/team-view.js"} <= set(cached)
    ctx.set_offline(True)
    page.reload()
    show_day(page, team["day"])
    assert page.locator(".plan-card").count() == len(planned)
    assert_routes_drawn(page, team_plans(server, team))
    assert not page.errors, page.errors
    ctx.close()
