"""Benchmark visits against gunicorn on PostgreSQL: check-in latency with 50 concurrent reps,
the ingest of a 12-megapixel JPEG, and a sync batch of 50 operations.

    python -m bench.visits [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                           [--reps 50] [--rounds 8] [--think 4] [--burst-rounds 3]
                           [--workers N] [--samples 5] [--out bench/results/NAME.json]

It creates a scratch database next to the one `--pg` names (dropped at the end), migrates it,
loads the demo organisation (`flask demo load --organisation-only`), adds reps up to `--reps`
(the demo has 8) sharing its 300 stores, and starts gunicorn (config/gunicorn.conf.py) on a free
loopback port.

- check-in (after a warm-up of two visits per rep): 50 reps working at once, each visiting a
  store every ~4 s (check-in, pause, check-out: a day compressed a few hundred-fold), then a
  burst where all 50 check in at the same instant (the worst case); latency is per request,
  client-side, with keep-alive.
- photo: a 12 MP JPEG (4000 × 3000, ~4 MB) through the ingest pipeline in process (decode,
  orient, resize, re-encode, hash), and uploaded over HTTP to a visit.
- sync: one rep's queued visit of 50 operations (check-in, 2 photos, 46 record writes,
  check-out) in one POST /api/sync, then the same batch replayed.

Goals (issue 4): check-in p95 ≤ 50 ms at 50 concurrent reps; 12 MP photo ingest ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from bench.server import ROOT, gunicorn, prepare, scratch_database


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Client:
    """One keep-alive connection with a rep's token."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.auth = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        headers = {**self.auth, **(headers or {})}
        if body is not None:
            raw = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        self.conn.request(method, path, body=raw, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data), elapsed


def keyed() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def check_in_body(store, when: dt.datetime, visit_uuid: str | None = None) -> dict:
    store_id, lat, lng = store
    body = {
        "store_id": store_id,
        "device_time": when.isoformat(),
        "lat": lat + 0.0001,
        "lng": lng,
        "accuracy_m": 15.0,
    }
    if visit_uuid:
        body["uuid"] = visit_uuid
    return body


def bench_check_ins(port: int, reps: list[dict], rounds: int, think: float | None) -> dict:
    """Every rep checks in and out `rounds` times. With `think` seconds, at random moments
    (about one visit per rep every `think` s: a day's work compressed a few hundred-fold);
    without, all reps at the same instant (a barrier each round: the worst case)."""
    barrier = threading.Barrier(len(reps))
    check_ins: list[float] = []
    check_outs: list[float] = []
    lock = threading.Lock()
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=6)

    def pause(rng: random.Random) -> None:
        if think is None:
            barrier.wait()
        else:
            time.sleep(rng.uniform(0.25, 0.75) * think)

    def rep_day(index: int, rep: dict) -> None:
        rng = random.Random(index)
        client = Client(port, rep["token"])
        for r in range(rounds):
            store = rep["stores"][r % len(rep["stores"])]
            when = start + dt.timedelta(minutes=25 * r)
            pause(rng)
            visit, took_in = client.call("POST", "/api/visits", check_in_body(store, when), keyed())
            if think is not None:
                pause(rng)
            out = {"device_time": (when + dt.timedelta(minutes=15)).isoformat()}
            _, took_out = client.call("POST", f"/api/visits/{visit['id']}/checkout", out, keyed())
            with lock:
                check_ins.append(took_in)
                check_outs.append(took_out)

    started = time.perf_counter()
    threads = [threading.Thread(target=rep_day, args=(i, rep)) for i, rep in enumerate(reps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if len(check_ins) != len(reps) * rounds:
        raise RuntimeError("some check-ins failed")
    return {
        "requests": len(check_ins),
        "check_in_p50_ms": statistics.median(check_ins),
        "check_in_p95_ms": percentile(check_ins, 95),
        "check_in_p99_ms": percentile(check_ins, 99),
        "check_in_max_ms": max(check_ins),
        "check_out_p50_ms": statistics.median(check_outs),
        "check_out_p95_ms": percentile(check_outs, 95),
        "requests_per_s": 2 * len(check_ins) / wall,
    }


def latencies(result: dict) -> str:
    keys = ("p50", "p95", "p99", "max")
    return " / ".join(f"{result[f'check_in_{k}_ms']:.1f}" for k in keys) + " ms"


def twelve_megapixel_jpeg(seed: int) -> bytes:
    """4000 × 3000 at quality 90 with detail and sensor-like noise: ~4 MB, like a phone's."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (120, 90), rng.randbytes(120 * 90 * 3))
    picture = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    noise = Image.effect_noise((4000, 3000), 32).convert("RGB")
    out = io.BytesIO()
    Image.blend(picture, noise, 0.2).save(out, "JPEG", quality=90)
    return out.getvalue()


def small_jpeg(seed: int) -> bytes:
    """A 1024 × 768 shelf-like picture, ~60 KB: what the app sends after its own resizing."""
    rng = random.Random(seed)
    picture = Image.new("RGB", (1024, 768), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = rng.randrange(1024), rng.randrange(768)
        box = (x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 120))
        draw.rectangle(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def unique(picture: bytes) -> bytes:
    """The picture with a JPEG comment of random bytes after its start marker: other bytes
    (as every real photo has), same pixels, at no cost to the load generator."""
    return picture[:2] + b"\xff\xfe\x00\x12" + uuid.uuid4().bytes + picture[2:]


def multipart(fields: dict[str, str], file: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + file
        + b"\r\n"
    )
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def bench_photos(port: int, rep: dict, url: str, samples: int) -> dict:
    from backend import create_app
    from backend.services import photo_images, photos

    images = [twelve_megapixel_jpeg(seed) for seed in range(samples)]
    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        limits = photos.limits()
    zone = ZoneInfo("Asia/Tokyo")
    photo_images.process(images[0], limits, zone)  # warm-up (imports, codecs)
    in_process = []
    for content in images:
        started = time.perf_counter()
        photo_images.process(content, limits, zone)
        in_process.append((time.perf_counter() - started) * 1000)
    client = Client(port, rep["token"])
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    visit, _ = client.call("POST", "/api/visits", check_in_body(rep["stores"][0], when), keyed())
    over_http = []
    for content in images:
        body, content_type = multipart({"kind": "shelf"}, content)
        _, took = client.call(
            "POST",
            f"/api/visits/{visit['id']}/photos",
            raw=body,
            headers={"Content-Type": content_type, **keyed()},
        )
        over_http.append(took)
    return {
        "jpeg_mb": statistics.mean(len(c) for c in images) / 1e6,
        "ingest_p50_ms": statistics.median(in_process),
        "ingest_max_ms": max(in_process),
        "upload_p50_ms": statistics.median(over_http),
        "upload_max_ms": max(over_http),
    }


def batch_of_50(rep: dict, products: list[int], when: dt.datetime, seed: int) -> list[dict]:
    visit = str(uuid.uuid4())
    ops = [
        {
            "key": str(uuid.uuid4()),
            "op": "check_in",
            "body": check_in_body(rep["stores"][1], when, visit),
        }
    ]
    for i in range(2):
        small = Image.frombytes("RGB", (16, 12), random.Random(seed * 10 + i).randbytes(576))
        out = io.BytesIO()
        small.resize((1200, 900), Image.Resampling.BICUBIC).save(out, "JPEG", quality=85)
        ops.append(
            {
                "key": str(uuid.uuid4()),
                "op": "photo",
                "visit": visit,
                "body": {"kind": "shelf"},
                "file_base64": base64.b64encode(out.getvalue()).decode(),
            }
        )
    writes = [
        (
            "display_checks",
            {"items": [{"product_id": p, "on_shelf": True, "facings": 3} for p in products]},
        ),
        (
            "stock_counts",
            {"items": [{"product_id": p, "shelf_qty": 7, "backroom_qty": 12} for p in products]},
        ),
        (
            "near_expiry_items",
            {"items": [{"product_id": products[0], "quantity": 4, "expiry_date": "2027-01-10"}]},
        ),
        ("order", {"lines": [{"product_id": p, "quantity": 6} for p in products]}),
    ]
    for i in range(46):
        name, body = writes[i % len(writes)]
        ops.append({"key": str(uuid.uuid4()), "op": name, "visit": visit, "body": body})
    ops.append(
        {
            "key": str(uuid.uuid4()),
            "op": "check_out",
            "visit": visit,
            "body": {"device_time": (when + dt.timedelta(minutes=20)).isoformat()},
        }
    )
    return ops


def bench_sync(port: int, reps: list[dict], products: list[int], samples: int) -> dict:
    first, replay = [], []
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=25)
    for i, rep in enumerate(reps[:samples]):
        client = Client(port, rep["token"])
        ops = batch_of_50(rep, products, when, i)
        result, took = client.call("POST", "/api/sync", {"operations": ops})
        if result["failed"]:
            raise RuntimeError(
                f"batch failed: {[r for r in result['results'] if r['status'] >= 400][:2]}"
            )
        again, took_again = client.call("POST", "/api/sync", {"operations": ops})
        assert all(r["replayed"] for r in again["results"])
        first.append(took)
        replay.append(took_again)
    return {
        "operations": 50,
        "batch_p50_ms": statistics.median(first),
        "batch_max_ms": max(first),
        "per_operation_ms": statistics.median(first) / 50,
        "replay_p50_ms": statistics.median(replay),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=8, help="visits per rep, steady load")
    ap.add_argument("--think", type=float, default=4.0, help="seconds between a rep's visits")
    ap.add_argument("--burst-rounds", type=int, default=3, help="all reps at once, rounds")
    ap.add_argument("--workers", type=int, help="gunicorn processes (config's: cores + 1)")
    ap.add_argument("--samples", type=int, default=5, help="photos and batches to time")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    photo_dir = Path(tempfile.mkdtemp(prefix="terminus-bench-photos-"))
    load_before = os.getloadavg()[0]
    try:
        with scratch_database(args.pg) as url:
            env = {
                **os.environ,
                "FLASK_APP": "backend",
                "TERMINUS_DATABASE_URL": url,
                "TERMINUS_PHOTO_DIR": str(photo_dir),
                "TERMINUS_SECRET_KEY": "bench",
                "TERMINUS_LOG_LEVEL": "WARNING",
            }
            print(f"preparing {url.rsplit('/', 1)[-1]}: demo + {args.reps} reps ...", flush=True)
            data = prepare(url, env, args.reps)
            with gunicorn(env, args.workers) as port:
                workers = args.workers or "as configured"
                print(f"gunicorn on 127.0.0.1:{port}, workers {workers}", flush=True)
                # Warm-up, not measured: every worker's first requests open its database
                # connections and fill SQLAlchemy's and marshmallow's caches.
                bench_check_ins(port, data["reps"], 2, args.think)
                results = {
                    "check_in": bench_check_ins(port, data["reps"], args.rounds, args.think),
                    "burst": bench_check_ins(port, data["reps"], args.burst_rounds, None),
                    "photo": bench_photos(port, data["reps"][-1], url, args.samples),
                    "sync": bench_sync(port, data["reps"], data["products"], args.samples),
                }
    finally:
        shutil.rmtree(photo_dir, ignore_errors=True)
    results["machine_load_1min"] = {"before": load_before, "after": os.getloadavg()[0]}
    c, b = results["check_in"], results["burst"]
    p, s = results["photo"], results["sync"]
    rows = [
        (
            "check-in p50 / p95 / p99 / max",
            latencies(c),
            f"{args.reps} reps, a visit each ~{args.think:g} s; goal p95 ≤ 50 ms",
        ),
        (
            "check-out p50 / p95",
            f"{c['check_out_p50_ms']:.1f} / {c['check_out_p95_ms']:.1f} ms",
            "",
        ),
        ("throughput", f"{c['requests_per_s']:.0f} req/s", "check-ins + check-outs, steady"),
        (
            "burst check-in p50 / p95 / p99 / max",
            latencies(b),
            f"all {args.reps} reps at the same instant × {args.burst_rounds}",
        ),
        ("burst throughput", f"{b['requests_per_s']:.0f} req/s", "what the server sustains here"),
        (
            "12 MP JPEG ingest p50 / max",
            f"{p['ingest_p50_ms']:.0f} / {p['ingest_max_ms']:.0f} ms",
            f"in process, {p['jpeg_mb']:.1f} MB files; goal ≤ 300 ms",
        ),
        (
            "12 MP JPEG upload p50 / max",
            f"{p['upload_p50_ms']:.0f} / {p['upload_max_ms']:.0f} ms",
            "HTTP, end to end",
        ),
        (
            "sync batch of 50 p50 / max",
            f"{s['batch_p50_ms']:.0f} / {s['batch_max_ms']:.0f} ms",
            f"{s['per_operation_ms']:.1f} ms per operation (2 photos)",
        ),
        (
            "same batch replayed p50",
            f"{s['replay_p50_ms']:.0f} ms",
            "every item answered from its key",
        ),
        (
            "machine load, 1-min average",
            f"{load_before:.1f} → {results['machine_load_1min']['after']:.1f}",
            f"{os.cpu_count()} cores; other work on the machine skews every figure",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"\n{'measure':<{width}}  {'result':<{value_width}}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {note}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or ROOT / "bench" / "results" / f"visits-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, **results}, indent=2)
    )
    print(f"saved {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
