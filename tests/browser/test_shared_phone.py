"""One phone, two reps (issue 15 item 4), and the own account (item 7) in Chromium.

Rep A queues a check-in and a photo offline and signs out (warned); rep B signs in on the
same browser: B is told the phone holds another user's unsent work, B's outbox, badge and
screens show nothing of A's, and going online sends nothing at all (requests counted, the
service worker's included, and the server's records). A signs in again and A's items go,
once, with A's token. Then: changing the own password (the server's reasons shown in the
screen's language) and signing out everywhere (confirmed first, warned with unsent items).
Screenshots: artifacts/phone-*.png."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import PASSWORD
from tests.browser.made_people import SUPERVISOR, Made
from tests.browser.pwa_helpers import (
    camera_photo,
    check_in_with_a_photo,
    outbox_counts,
    sign_in,
    tokyo_today,
    wait_for_service_worker,
    wait_outbox,
    wait_until,
)

pytestmark = pytest.mark.browser

META_TOKEN = "import('/app/js/db.js').then((m) => m.meta.get('token'))"
PHONE_ITEMS = "import('/app/js/db.js').then((m) => m.all('outbox'))"
NEW_PASSWORD = "phone-c-fresh-words-7"


@pytest.fixture(scope="module")
def made(server):
    made = Made(server)
    a = made.rep("a", "phone-a", "Ayaka Arai")
    b = made.rep("b", "phone-b", "Bunta Baba")
    c = made.rep("c", "phone-c", "Chie Chiba")
    made.store("a", a, "PHONE-A", "Ayaka's Corner Mart", (35.6812, 139.7671))
    made.store("b", b, "PHONE-B", "Bunta's Kiosk", (35.6896, 139.7006))
    made.store("c", c, "PHONE-C", "Chie's Minimart", (35.6586, 139.7454))
    yield made
    made.retire()


def signed_in(page, username: str) -> None:
    sign_in(page, username)
    page.wait_for_selector("#tabs a[href='#/more']")
    page.wait_for_load_state("networkidle")


def main_text(page) -> str:
    return page.text_content("#main")


def rep_visits(server, rep: dict) -> list[dict]:
    day = tokyo_today()
    query = f"/api/visits?rep_id={rep['id']}&date_from={day}&date_to={day}"
    status, listing = server.call("GET", query, user=SUPERVISOR)
    assert status == 200, listing
    return listing["items"]


def answer(page, dialog: str, choice: str) -> None:
    page.click(f"#{dialog}[open] [data-answer={choice}]")
    # Playwright's own wait outlives a navigation: signing out reloads the page.
    page.wait_for_selector(f"#{dialog}", state="detached")


def test_the_next_rep_on_a_phone_never_sees_sends_or_continues_the_last_ones_queue(
    server, phone, made, artifacts, tmp_path
):
    a, b = made.users["a"], made.users["b"]
    store_a = made.stores["a"]
    ctx, page = phone()
    sends: list[dict] = []

    def count_send(r):
        if "/api/sync/multipart" in r.url:
            sends.append({"auth": r.headers.get("authorization"), "sw": bool(r.service_worker)})

    ctx.on("request", count_send)
    signed_in(page, "phone-a")
    wait_for_service_worker(page)

    # A, offline: a check-in and a photo wait in the outbox.
    ctx.set_offline(True)
    uuid = check_in_with_a_photo(page, store_a, camera_photo(tmp_path / "a.jpg", 71))
    assert outbox_counts(page) == {"pending": 2, "sending": 0, "sent": 0, "failed": 0}

    # A signs out: warned first that 2 items wait, and that they wait for A.
    page.goto("/#/more")
    page.click("#sign-out")
    page.wait_for_selector("#unsent-warning[open]")
    warning = page.text_content("#unsent-warning")
    assert warning.startswith("2 item(s) you recorded are not sent yet."), warning
    assert "whoever signs in next can neither see nor send them" in warning
    page.screenshot(path=str(artifacts / "phone-signout-warning.png"))
    answer(page, "unsent-warning", "out")
    page.wait_for_selector("input[name=username]")

    # B signs in on the same browser, online: told of another user's unsent work, kept.
    ctx.set_offline(False)
    sign_in(page, "phone-b")
    page.wait_for_selector("#others-warning[open]")
    told = page.text_content("#others-warning")
    assert told.startswith("This phone holds 2 unsent item(s) recorded by another user."), told
    page.screenshot(path=str(artifacts / "phone-signin-others-warning.png"))
    answer(page, "others-warning", "keep")
    page.wait_for_selector("#tabs a[href='#/today'][aria-current=page]")
    page.wait_for_load_state("networkidle")

    # B's outbox, badge and counts hold nothing of A's.
    page.goto("/#/outbox")
    page.wait_for_selector("#outbox-summary")
    assert page.locator(".outbox-item").count() == 0
    assert page.text_content("#outbox-list") == "Nothing recorded yet."
    assert page.is_hidden("#outbox-badge")
    assert outbox_counts(page) == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}
    page.screenshot(path=str(artifacts / "phone-b-outbox.png"))

    # Every way of sending, online: the page's send, the service worker's, the `online` event.
    page.evaluate("import('/app/js/outbox.js').then((m) => m.sendNow())")
    page.evaluate("navigator.serviceWorker.controller.postMessage('flush')")
    ctx.set_offline(True)
    ctx.set_offline(False)
    page.wait_for_timeout(2500)
    assert sends == [], sends
    assert rep_visits(server, a) == [] and rep_visits(server, b) == []
    held = page.evaluate(PHONE_ITEMS)
    assert [(i["status"], i["attempts"], i["user"]) for i in held] == [("pending", 0, a["id"])] * 2

    # B's screens: none of A's store, visit or "continue".
    page.goto("/#/today")
    page.wait_for_selector("#day-switch")
    assert store_a["name"] not in main_text(page)
    assert page.locator(f"a[href='#/visit/{uuid}']").count() == 0
    page.goto("/#/stores")
    page.wait_for_selector("#store-list a.stop")
    listing = main_text(page)
    assert made.stores["b"]["name"] in listing and store_a["name"] not in listing
    page.goto(f"/#/store/{store_a['id']}")
    wait_until(page, "document.querySelector('#main .bad') !== null")
    assert store_a["name"] not in main_text(page)
    page.goto(f"/#/visit/{uuid}")
    # The store screen's refusal is a `.bad` too: wait for the visit screen's own words.
    wait_until(page, "document.querySelector('#main').textContent.includes('not on this phone')")
    assert main_text(page) == "This visit is not on this phone."
    page.goto("/#/more")
    page.wait_for_selector("#others-work")
    assert "2 unsent item(s) of another user" in page.text_content("#others-work")

    # B signs out (nothing of B's waits: no warning); A signs in again: A's items go, once.
    page.click("#sign-out")
    page.wait_for_selector("input[name=username]")
    signed_in(page, "phone-a")
    assert page.locator("#others-warning").count() == 0
    counts = wait_outbox(page, lambda c: c["sent"] == 2)
    assert counts == {"pending": 0, "sending": 0, "sent": 2, "failed": 0}, counts
    assert [i["attempts"] for i in page.evaluate(PHONE_ITEMS)] == [1, 1]
    token = page.evaluate(META_TOKEN)
    assert sends and all(s["auth"] == f"Bearer {token}" for s in sends), sends
    (visit,) = rep_visits(server, a)
    assert visit["uuid"] == uuid and visit["store_id"] == store_a["id"]
    status, detail = server.call("GET", f"/api/visits/{visit['id']}", user=SUPERVISOR)
    assert status == 200 and len(detail["photos"]) == 1, detail
    assert rep_visits(server, b) == []
    print(f"multipart sends: {len(sends)}, from the service worker: {sum(s['sw'] for s in sends)}")
    assert not page.errors, page.errors


def me(server, token: str) -> int:
    """The status of GET /api/auth/me with `token` (200 while it is valid, 401 once revoked)."""
    req = urllib.request.Request(
        f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status
    except urllib.error.HTTPError as err:
        return err.code


def login(server, password: str) -> str:
    body = {"username": "phone-c", "password": password}
    status, answer = server.call("POST", "/api/auth/login", body)
    assert status == 200, answer
    return answer["token"]


def change(page, current: str, new: str, again: str | None = None) -> str:
    """Fill and send the password form; what the screen says then."""
    page.evaluate("document.querySelector('#password-said').textContent = ''")
    page.fill("#password-form [name=current_password]", current)
    page.fill("#password-form [name=new_password]", new)
    page.fill("#password-form [name=repeat_password]", new if again is None else again)
    page.click("#password-form button[type=submit]")
    wait_until(page, "document.querySelector('#password-said').textContent !== ''")
    return page.text_content("#password-said")


def test_own_password_changes_and_signing_out_everywhere(server, phone, made, artifacts, tmp_path):
    # Without Background Sync every send comes from the page, where page.route sees it.
    _, page = phone(background_sync=False)
    signed_in(page, "phone-c")
    elsewhere = login(server, PASSWORD)  # the same rep on another device
    page.goto("/#/more")
    page.wait_for_selector("#password-form")

    # The server's refusals, in the screen's language; nothing changes.
    wrong = change(page, "not-my-password", NEW_PASSWORD)
    assert wrong == "The current password is wrong. Check: current password.", wrong
    common = change(page, PASSWORD, "1234567890")
    assert common.startswith("This password is too common"), common
    assert common.endswith("Check: new password."), common
    page.locator("#password-form").screenshot(path=str(artifacts / "phone-password-refused.png"))
    assert (
        change(page, PASSWORD, NEW_PASSWORD, "something-else-9") == "The two new passwords differ."
    )
    page.select_option("select.lang", "zh-Hans")
    page.wait_for_selector("#password-form h3:text('修改密码')")
    assert change(page, "not-my-password", NEW_PASSWORD) == "当前密码不正确。 请检查：当前密码。"
    page.select_option("select.lang", "en")
    page.wait_for_selector("#password-form h3:text('Change password')")
    assert me(server, elsewhere) == 200

    # Changed: every earlier token revoked, the phone keeps working with the fresh one.
    before = page.evaluate(META_TOKEN)
    done = change(page, PASSWORD, NEW_PASSWORD)
    assert done == "Password changed. You are signed out on every other device.", done
    fresh = page.evaluate(META_TOKEN)
    assert fresh != before
    assert me(server, before) == 401 and me(server, elsewhere) == 401 and me(server, fresh) == 200
    page.goto("/#/stores")
    page.wait_for_selector("#store-list a.stop")

    # Sign out everywhere: confirmed first, then warned of the unsent check-in; kept.
    elsewhere = login(server, NEW_PASSWORD)
    page.route("**/api/sync/multipart", lambda route: route.abort())
    check_in_with_a_photo(page, made.stores["c"], camera_photo(tmp_path / "c.jpg", 72))
    assert wait_outbox(page, lambda c: c["pending"] == 2)["pending"] == 2
    page.goto("/#/more")
    page.click("#sign-out-everywhere")
    page.wait_for_selector("#everywhere-confirm[open]")
    assert page.text_content("#everywhere-confirm p") == "Sign out on every device, this one too?"
    answer(page, "everywhere-confirm", "out")
    page.wait_for_selector("#unsent-warning[open]")
    assert page.text_content("#unsent-warning p").startswith("2 item(s) you recorded")
    page.screenshot(path=str(artifacts / "phone-everywhere-unsent-warning.png"))
    answer(page, "unsent-warning", "stay")
    assert me(server, fresh) == 200 and me(server, elsewhere) == 200

    # Sent, then signed out everywhere: both devices' tokens are revoked.
    page.unroute("**/api/sync/multipart")
    page.evaluate("import('/app/js/outbox.js').then((m) => m.sendNow())")
    assert wait_outbox(page, lambda c: c["sent"] == 2)["sent"] == 2
    page.click("#sign-out-everywhere")
    answer(page, "everywhere-confirm", "out")
    page.wait_for_selector("input[name=username]")
    assert me(server, fresh) == 401 and me(server, elsewhere) == 401
    assert not page.errors, page.errors


# The phone as the previous version left it (IndexedDB version 1): an item queued before items
# carried their owner, and nobody signed in any more.
V1_PHONE = """new Promise((resolve, reject) => {
  const req = indexedDB.open('terminus', 1);
  req.onupgradeneeded = () => {
    const db = req.result;
    db.createObjectStore('meta');
    db.createObjectStore('cache');
    const o = db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    o.createIndex('status', 'status');
    o.createIndex('key', 'key', { unique: true });
    db.createObjectStore('visits', { keyPath: 'uuid' }).createIndex('day', 'day');
  };
  req.onerror = () => reject(req.error);
  req.onsuccess = () => {
    const db = req.result;
    const t = db.transaction(['outbox', 'visits'], 'readwrite');
    const uuid = '00000000-0000-4000-8000-000000000001';
    t.objectStore('outbox').add({ key: 'k-1', op: 'check_in', status: 'pending', attempts: 0,
      nextAt: 0, created: new Date().toISOString(), body: { uuid, store_id: 1 } });
    t.objectStore('visits').put({ uuid, day: '2026-01-05', storeName: 'Old Mart',
      checkedInAt: new Date().toISOString() });
    t.oncomplete = () => { db.close(); resolve(true); };
  };
})"""


def test_work_queued_before_owners_were_kept_is_set_aside_and_discarded_only_when_confirmed(
    server, phone, made
):
    _, page = phone(background_sync=False)
    page.goto("/api/health")  # the origin, before the app opens its database
    page.evaluate(V1_PHONE)
    sign_in(page, "phone-b")
    page.wait_for_selector("#others-warning[open]")
    assert page.text_content("#others-warning p").startswith("This phone holds 1 unsent item(s)")
    held = page.evaluate(PHONE_ITEMS)
    assert [(i["key"], i["user"], i["attempts"]) for i in held] == [("k-1", None, 0)]

    # Discard asks again; kept, then discarded from More after the second warning.
    answer(page, "others-warning", "discard")
    page.wait_for_selector("#discard-warning[open]")
    assert page.text_content("#discard-warning p").startswith(
        "Discard 1 unsent item(s) of another user for good?"
    )
    answer(page, "discard-warning", "keep")
    page.wait_for_selector("#tabs a[href='#/today'][aria-current=page]")
    assert len(page.evaluate(PHONE_ITEMS)) == 1
    page.goto("/#/more")
    page.click("#others-work button")
    answer(page, "discard-warning", "discard")
    wait_until(page, "!document.querySelector('#others-work')")
    assert page.evaluate(PHONE_ITEMS) == []
    visits = page.evaluate("import('/app/js/db.js').then((m) => m.all('visits'))")
    assert visits == []
    assert not page.errors, page.errors
