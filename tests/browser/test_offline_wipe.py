"""The PWA wipes its local data (issue 18 item 5), in Chromium: on sign-out, and on start or
resume once the phone has not reached the server for OFFLINE_WIPE_DAYS (GET /api/settings
offline_wipe_days; the last contact is simulated by moving the time the app recorded back).

What goes: the session, every offline answer (plan, stores, contacts, catalogue), the outbox's
sent items and the local visits with nothing unsent. What stays: the unsent items and their
visit, set aside for their owner, who signs in again and sends them (never a lost check-in).
Screenshots: artifacts/wipe-*.png."""

from __future__ import annotations

import pytest

from tests.browser.made_people import Made
from tests.browser.pwa_helpers import (
    camera_photo,
    check_in_with_a_photo,
    sign_in,
    tokyo_today,
    wait_for_service_worker,
    wait_outbox,
    wait_until,
)

pytestmark = pytest.mark.browser

LOCAL = """import('/app/js/db.js').then(async (m) => ({
  token: (await m.meta.get('token')) || null,
  user: (await m.meta.get('user')) || null,
  cache: (await m.all('cache')).map((c) => c.url),
  visits: (await m.all('visits')).map((v) => v.uuid).sort(),
  outbox: (await m.all('outbox')).map((i) => [i.op, i.status, i.user]),
  notice: (await m.meta.get('wipedWhy')) || null,
}))"""
CACHES = """caches.keys().then(async (names) => Object.fromEntries(await Promise.all(names.map(
  async (n) => [n, (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)]))))"""
# Move the recorded last contact with the server `days` back (the phone "was offline" so long).
LAST_CONTACT = """(days) => import('/app/js/db.js').then((m) =>
  m.meta.set('lastContact', new Date(Date.now() - days * 86400000).toISOString()))"""
WIPE_DAYS = """import('/app/js/db.js').then(async (m) =>
  (await m.meta.get('business')).offline_wipe_days)"""


def own_team(made: Made, name: str) -> None:
    """Make `made`'s reps and stores in a new area and team of their own: their visits of
    today must not show on the demo supervisors' screens, which other tests count."""
    area = made.admin("POST", "/api/areas", {"name": name}, expect=201)
    body = {"name": name, "area_id": area["id"]}
    made.team_id = made.admin("POST", "/api/teams", body, expect=201)["id"]


@pytest.fixture(scope="module")
def made(server):
    made = Made(server)
    own_team(made, "Wipe tests")
    for key, name in (("w", "Wakana Wada"), ("v", "Yuki Yoshida")):
        rep = made.rep(key, f"wipe-{key}", name)
        code = f"WIPE-{key.upper()}"
        made.store(f"{key}1", rep, f"{code}1", f"{name}'s First Mart", (35.6702, 139.7027))
        made.store(f"{key}2", rep, f"{code}2", f"{name}'s Second Mart", (35.6938, 139.7034))
    yield made
    made.retire()


def signed_in(page, username: str) -> None:
    sign_in(page, username)
    page.wait_for_selector("#tabs a[href='#/more']")
    page.wait_for_load_state("networkidle")


def rep_visits(server, rep: dict) -> list[dict]:
    day = tokyo_today()
    query = f"/api/visits?rep_id={rep['id']}&date_from={day}&date_to={day}"
    status, listing = server.call("GET", query, user="admin")
    assert status == 200, listing
    return listing["items"]


def only_code_cached(page) -> None:
    """Cache Storage holds the app's files only: no API answer, in no cache."""
    cached = page.evaluate(CACHES)
    ours = ("terminus-shell-", "terminus-lead-")
    assert cached and all(n.startswith(ours) for n in cached), cached
    assert not [p for paths in cached.values() for p in paths if p.startswith("/api/")], cached


def test_signing_out_wipes_the_phone_but_keeps_the_unsent_items(
    server, phone, made, artifacts, tmp_path
):
    rep = made.users["w"]
    ctx, page = phone()
    signed_in(page, "wipe-w")
    wait_for_service_worker(page)

    # Online: a visit that is sent in full (check-in, photo, check-out).
    sent_uuid = check_in_with_a_photo(
        page, made.stores["w1"], camera_photo(tmp_path / "w1.jpg", 191)
    )
    page.click("#check-out")
    page.wait_for_url("**/#/today")
    counts = wait_outbox(page, lambda c: c["sent"] == 3)
    assert counts == {"pending": 0, "sending": 0, "sent": 3, "failed": 0}, counts
    # Offline: a second visit whose check-in and photo wait.
    ctx.set_offline(True)
    waiting_uuid = check_in_with_a_photo(
        page, made.stores["w2"], camera_photo(tmp_path / "w2.jpg", 192)
    )
    before = page.evaluate(LOCAL)
    assert before["token"] and before["user"]["id"] == rep["id"]
    contacts = f"/api/stores/{made.stores['w1']['id']}/contacts"
    assert contacts in before["cache"] and any(u.startswith("/api/plans") for u in before["cache"])
    assert before["visits"] == sorted([sent_uuid, waiting_uuid])
    assert len(before["outbox"]) == 5

    # Sign out: warned of the 2 unsent items, then the phone forgets the rest.
    page.goto("/#/more")
    page.click("#sign-out")
    page.wait_for_selector("#unsent-warning[open]")
    page.click("#unsent-warning[open] [data-answer=out]")
    page.wait_for_selector("#unsent-warning", state="detached")
    page.wait_for_selector("input[name=username]")
    after = page.evaluate(LOCAL)
    assert after == {
        "token": None,
        "user": None,
        "cache": [],
        "visits": [waiting_uuid],
        "outbox": [["check_in", "pending", rep["id"]], ["photo", "pending", rep["id"]]],
        "notice": None,
    }, after
    only_code_cached(page)
    page.screenshot(path=str(artifacts / "wipe-signed-out.png"))

    # The owner signs in again, online: the kept check-in and photo go.
    ctx.set_offline(False)
    signed_in(page, "wipe-w")
    counts = wait_outbox(page, lambda c: c["sent"] == 2)
    assert counts == {"pending": 0, "sending": 0, "sent": 2, "failed": 0}, counts
    visits = {v["uuid"]: v for v in rep_visits(server, rep)}
    assert set(visits) == {sent_uuid, waiting_uuid}
    path = f"/api/visits/{visits[waiting_uuid]['id']}"
    status, detail = server.call("GET", path, user="admin")
    assert status == 200 and len(detail["photos"]) == 1, detail
    assert not page.errors, page.errors


def test_a_phone_offline_for_too_long_is_wiped_at_start_and_on_resume(
    server, phone, made, artifacts, tmp_path
):
    rep = made.users["v"]
    ctx, page = phone()
    signed_in(page, "wipe-v")
    wait_for_service_worker(page)
    days = page.evaluate(WIPE_DAYS)
    assert days == 14  # OFFLINE_WIPE_DAYS' default
    ctx.set_offline(True)
    waiting_uuid = check_in_with_a_photo(
        page, made.stores["v1"], camera_photo(tmp_path / "v1.jpg", 193)
    )

    # Offline for a day less than the setting: the app starts signed in, its data there.
    page.evaluate(LAST_CONTACT, days - 1)
    page.reload()
    page.wait_for_selector("#tabs a[href='#/more']")
    kept = page.evaluate(LOCAL)
    assert kept["token"] and kept["cache"] and kept["notice"] is None

    # A day more than the setting: wiped at start, the sign-in screen says why.
    page.evaluate(LAST_CONTACT, days + 1)
    page.reload()
    page.wait_for_selector("#wiped")
    said = page.text_content("#wiped")
    assert said.startswith("You were signed out: this phone had not reached the server for more")
    assert "than 14 days" in said
    assert page.is_hidden("#tabs")
    wiped = page.evaluate(LOCAL)
    assert {k: wiped[k] for k in ("token", "user", "cache", "visits")} == {
        "token": None,
        "user": None,
        "cache": [],
        "visits": [waiting_uuid],
    }, wiped
    assert wiped["outbox"] == [["check_in", "pending", rep["id"]], ["photo", "pending", rep["id"]]]
    assert wiped["notice"]["days"] == 14
    only_code_cached(page)
    page.screenshot(path=str(artifacts / "wipe-offline-too-long.png"))

    # Signed in again (online): the notice goes, the kept items are sent.
    ctx.set_offline(False)
    signed_in(page, "wipe-v")
    counts = wait_outbox(page, lambda c: c["sent"] == 2)
    assert counts == {"pending": 0, "sending": 0, "sent": 2, "failed": 0}, counts
    assert [v["uuid"] for v in rep_visits(server, rep)] == [waiting_uuid]
    assert page.evaluate(LOCAL)["notice"] is None

    # Back to the screen after too long (the app was left open): wiped on resume.
    page.evaluate(LAST_CONTACT, days + 1)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_selector("#wiped")
    resumed = page.evaluate(LOCAL)
    assert (resumed["token"], resumed["cache"], resumed["visits"]) == (None, [], [])
    assert resumed["outbox"] == []  # everything was sent: nothing is kept
    wait_until(page, "document.querySelector('#tabs').hidden")
    assert not page.errors, page.errors
