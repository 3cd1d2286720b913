"""Photos taken in the PWA keep their capture time (issue 18 item 6), in Chromium.

The app re-encodes every photo on a canvas, which drops EXIF: before that it reads the
original's EXIF DateTimeOriginal (+ OffsetTimeOriginal) with its own small parser, else the
file's lastModified, and sends it as `taken_at`. The parser is checked on hand-made EXIF blocks
(both byte orders, with and without an offset, DateTime only, unset, damaged, in the future, not a
JPEG); then a rep's two photos (one with an EXIF date, one with only its file time) reach the
server with those times, and "taken long before the check-in" flags the visit."""

from __future__ import annotations

import base64
import io
import os
import random
import struct
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw

from tests.browser.made_people import Made
from tests.browser.pwa_helpers import sign_in, tokyo_today, wait_for_service_worker, wait_outbox
from tests.browser.test_offline_wipe import own_team

pytestmark = pytest.mark.browser

DATE_TIME, EXIF_IFD, ORIGINAL, OFFSET = 0x0132, 0x8769, 0x9003, 0x9011
TOKYO = ZoneInfo("Asia/Tokyo")


def tiff(ifd0: dict[int, str], sub: dict[int, str], order: str) -> bytes:
    """A TIFF block of ASCII tags: IFD0, and the Exif sub-IFD (pointed to by 0x8769) if any."""
    e = "<" if order == "II" else ">"
    n0 = len(ifd0) + (1 if sub else 0)
    sub_at = 8 + 2 + 12 * n0 + 4
    data_at = sub_at + (2 + 12 * len(sub) + 4 if sub else 0)
    data = bytearray()

    def entries(tags: dict[int, str]) -> bytes:
        out = b""
        for tag, value in sorted(tags.items()):
            raw = value.encode() + b"\0"
            if len(raw) <= 4:
                inline = raw.ljust(4, b"\0")
            else:
                inline = struct.pack(e + "I", data_at + len(data))
                data.extend(raw)
            out += struct.pack(e + "HHI", tag, 2, len(raw)) + inline
        return out

    first = entries(ifd0)
    if sub:
        first += struct.pack(e + "HHII", EXIF_IFD, 4, 1, sub_at)
    block = order.encode() + struct.pack(e + "HI", 42, 8) + struct.pack(e + "H", n0) + first
    block += b"\0" * 4
    if sub:
        block += struct.pack(e + "H", len(sub)) + entries(sub) + b"\0" * 4
    return block + bytes(data)


def jpeg(size=(64, 48), seed: int = 1) -> bytes:
    rng = random.Random(seed)
    img = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(30):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        box = (x, y, x + rng.randrange(5, size[0] // 2), y + rng.randrange(5, size[1] // 2))
        draw.rectangle(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def with_exif(image: bytes, block: bytes) -> bytes:
    """`image` (a JFIF JPEG) with an APP1 Exif segment after its APP0, as cameras write it."""
    assert image[:4] == b"\xff\xd8\xff\xe0"
    app0_end = 4 + struct.unpack(">H", image[4:6])[0]
    payload = b"Exif\0\0" + block
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    return image[:app0_end] + app1 + image[app0_end:]


CAPTURE_TIME = """async ([data, lastModified]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const file = new File([bytes], 'p.jpg', { type: 'image/jpeg', lastModified });
  return (await import('/app/js/photo.js')).captureTime(file);
}"""

MODIFIED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)  # 14:06:07 in Tokyo


def test_the_capture_time_is_read_from_exif_else_from_the_file(browser, server):
    ctx = browser.new_context(base_url=server.url, timezone_id="Asia/Tokyo")
    page = ctx.new_page()
    page.goto("/")
    page.wait_for_selector("input[name=username]")
    base = jpeg()
    future = (datetime.now(TOKYO) + timedelta(days=2)).strftime("%Y:%m:%d %H:%M:%S")
    cases = [
        # (file bytes, expected taken_at)
        (
            with_exif(base, tiff({}, {ORIGINAL: "2026:11:30 10:15:00", OFFSET: "+05:30"}, "MM")),
            "2026-11-30T10:15:00+05:30",
        ),
        (
            with_exif(base, tiff({}, {ORIGINAL: "2026:11:30 10:15:00", OFFSET: "-03:00"}, "II")),
            "2026-11-30T10:15:00-03:00",
        ),
        # No offset: the camera is the phone, so its zone (Tokyo here) at that time.
        (
            with_exif(base, tiff({}, {ORIGINAL: "2026:07:01 23:59:58"}, "II")),
            "2026-07-01T23:59:58+09:00",
        ),
        # No original time: IFD0's DateTime.
        (
            with_exif(base, tiff({DATE_TIME: "2025:12:31 08:00:00"}, {}, "MM")),
            "2025-12-31T08:00:00+09:00",
        ),
        # The original wins over DateTime.
        (
            with_exif(
                base,
                tiff({DATE_TIME: "2025:12:31 08:00:00"}, {ORIGINAL: "2025:12:30 07:00:00"}, "MM"),
            ),
            "2025-12-30T07:00:00+09:00",
        ),
        # A camera that was never set, an impossible date, a date in the future, a damaged
        # block, no EXIF at all, a PNG: the file's lastModified, in the phone's zone.
        (
            with_exif(base, tiff({}, {ORIGINAL: "0000:00:00 00:00:00"}, "II")),
            "2026-03-04T14:06:07+09:00",
        ),
        (
            with_exif(base, tiff({}, {ORIGINAL: "2026:02:30 10:00:00"}, "II")),
            "2026-03-04T14:06:07+09:00",
        ),
        (with_exif(base, tiff({}, {ORIGINAL: future}, "MM")), "2026-03-04T14:06:07+09:00"),
        (with_exif(base, b"MM\0*\xff\xff\xff\xf0"), "2026-03-04T14:06:07+09:00"),
        (base, "2026-03-04T14:06:07+09:00"),
        (png(), "2026-03-04T14:06:07+09:00"),
    ]
    stamp = int(MODIFIED.timestamp() * 1000)
    got = [
        page.evaluate(CAPTURE_TIME, [base64.b64encode(data).decode(), stamp]) for data, _ in cases
    ]
    assert got == [want for _, want in cases]
    # No EXIF and no file time: nothing is sent.
    assert page.evaluate(CAPTURE_TIME, [base64.b64encode(base).decode(), 0]) is None
    ctx.close()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def made(server):
    made = Made(server)
    own_team(made, "Capture time tests")
    rep = made.rep("t", "taken-t", "Taro Takeda")
    made.store("t", rep, "TAKEN-T", "Takeda Mart", (35.6702, 139.7027))
    yield made
    made.retire()


def camera_file(path, seed: int, exif: bytes | None) -> str:
    """A 3000×2000 camera JPEG (downscaled by the app), with an EXIF block or none."""
    image = jpeg((3000, 2000), seed)
    path.write_bytes(with_exif(image, exif) if exif else image)
    return str(path)


def test_a_rep_s_photos_reach_the_server_with_their_capture_time(
    server, phone, made, tmp_path, artifacts
):
    store = made.stores["t"]
    now = datetime.now(UTC).replace(microsecond=0)
    shot = (now - timedelta(days=3)).astimezone(timezone(timedelta(hours=5, minutes=30)))
    exif = tiff({}, {ORIGINAL: shot.strftime("%Y:%m:%d %H:%M:%S"), OFFSET: "+05:30"}, "MM")
    with_date = camera_file(tmp_path / "with-exif.jpg", 181, exif)
    # No EXIF: the file's time, as a photo picked from the gallery has it.
    plain = camera_file(tmp_path / "plain.jpg", 182, None)
    modified = now - timedelta(days=2, hours=1)
    os.utime(plain, (modified.timestamp(), modified.timestamp()))

    ctx, page = phone()
    sign_in(page, "taken-t")
    page.wait_for_selector("#tabs a[href='#/more']")
    wait_for_service_worker(page)
    ctx.set_geolocation({"latitude": store["lat"], "longitude": store["lng"]})
    page.goto(f"/#/store/{store['id']}")
    page.click("#check-in")
    page.wait_for_selector("#visit")
    page.set_input_files("#photo-input", [with_date, plain])
    page.wait_for_selector("#photo-thumbs img:nth-child(2)")
    queued = page.evaluate(
        "import('/app/js/db.js').then((m) => m.all('outbox'))"
        ".then((items) => items.filter((i) => i.op === 'photo').map((i) => i.body))"
    )
    assert [b.get("taken_at") for b in queued] == [
        shot.isoformat(),
        modified.astimezone(TOKYO).isoformat(),
    ], queued
    counts = wait_outbox(page, lambda c: c["sent"] == 3)
    assert counts == {"pending": 0, "sending": 0, "sent": 3, "failed": 0}, counts
    page.screenshot(path=str(artifacts / "photo-capture-time.png"))

    rep_id = made.users["t"]["id"]
    day = tokyo_today()
    status, listing = server.call(
        "GET", f"/api/visits?rep_id={rep_id}&date_from={day}&date_to={day}", user="admin"
    )
    assert status == 200 and len(listing["items"]) == 1, listing
    status, detail = server.call("GET", f"/api/visits/{listing['items'][0]['id']}", user="admin")
    assert status == 200, detail
    taken = sorted(datetime.fromisoformat(p["taken_at"]) for p in detail["photos"])
    assert taken == [shot, modified], detail["photos"]
    old = [f for f in detail["flags"] if f["kind"] == "photo_old"]
    assert old, detail["flags"]
    assert not page.errors, page.errors
