"""Shared by the visit, photo, sync and integrity tests: catalogue, plans, photos, bodies."""

from __future__ import annotations

import io
import random
import struct
import uuid
import zlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image

from backend.extensions import db
from backend.models import (
    Brand,
    PlannedStop,
    PlanStatus,
    Product,
    RoutePlan,
    Store,
    User,
    utcnow,
)

TOKYO = ZoneInfo("Asia/Tokyo")


def catalogue(app) -> SimpleNamespace:
    """Own brand Sakura with 6 products, competitor Fuji with 1."""
    with app.app_context():
        own, rival = Brand(name="Sakura", is_own=True), Brand(name="Fuji", is_own=False)
        products = [
            Product(
                sku=f"SK-{i}",
                name=f"Sakura tea {i}",
                brand=own,
                category="tea",
                pack_size="500 ml",
                unit_price=Decimal("150.00") + i,
            )
            for i in range(6)
        ]
        fuji = Product(sku="FJ-1", name="Fuji tea", brand=rival, category="tea", pack_size="500 ml")
        db.session.add_all([own, rival, *products, fuji])
        db.session.commit()
        return SimpleNamespace(
            own=own.id, rival=rival.id, products=[p.id for p in products], rival_product=fuji.id
        )


def publish_plan(app, rep_id: int, store_ids: list[int], day: date) -> list[int]:
    """A published plan for the rep on `day`; returns the stop ids."""
    with app.app_context():
        rep = db.session.get(User, rep_id)
        plan = RoutePlan(
            rep_id=rep_id,
            team_id=rep.team_id,
            plan_date=day,
            status=PlanStatus.PUBLISHED,
            published_at=utcnow(),
        )
        plan.stops = [PlannedStop(store_id=s, sequence=i) for i, s in enumerate(store_ids)]
        db.session.add(plan)
        db.session.commit()
        return [stop.id for stop in plan.stops]


def store_position(app, store_id: int) -> tuple[float, float]:
    with app.app_context():
        store = db.session.get(Store, store_id)
        return store.lat, store.lng


def local_today() -> date:
    return datetime.now(TOKYO).date()


def iso(moment: datetime) -> str:
    return moment.isoformat()


def check_in_body(store_id: int, position: tuple[float, float], when: datetime, **extra) -> dict:
    return {
        "store_id": store_id,
        "device_time": iso(when),
        "lat": position[0],
        "lng": position[1],
        "accuracy_m": 12.0,
        **extra,
    }


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def image_bytes(
    seed: int = 0,
    size: tuple[int, int] = (800, 600),
    fmt: str = "JPEG",
    taken: datetime | None = None,
    gps: bool = True,
    orientation: int | None = None,
) -> bytes:
    """A blocky random picture (distinct per seed), with EXIF camera time and GPS if asked."""
    rng = random.Random(seed)
    grid = Image.frombytes("RGB", (16, 12), rng.randbytes(16 * 12 * 3))
    picture = grid.resize(size, Image.Resampling.NEAREST)
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if taken is not None:
        local = taken.astimezone(TOKYO)
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = local.strftime(
            "%Y:%m:%d %H:%M:%S"
        )
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {1: "N", 2: (35.0, 39.0, 36.0), 3: "E", 4: (139.0, 46.0, 12.0)}
        )
    out = io.BytesIO()
    picture.save(out, fmt, exif=exif)
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of width × height zeros: tiny on disk, 400 MP when decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(client, headers, visit_id, content: bytes, kind="shelf", name="shelf.jpg"):
    return client.post(
        f"/api/visits/{visit_id}/photos",
        data={"file": (io.BytesIO(content), name), "kind": kind},
        headers=headers,
    )


def minutes_ago(n: float) -> datetime:
    return utcnow() - timedelta(minutes=n)


def check_in(client, headers, app, store_id: int, when: datetime, offset=(0.0, 0.0), **extra):
    """POST a check-in at the store's position (shifted by `offset` degrees)."""
    lat, lng = store_position(app, store_id)
    body = check_in_body(store_id, (lat + offset[0], lng + offset[1]), when, **extra)
    return client.post("/api/visits", json=body, headers=headers)
