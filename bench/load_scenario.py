"""Locust scenario of bench/load.py: a rep's working day, compressed.

Each simulated rep signs in, reads today's published plan and its stores, then works through
them visit after visit. Most visits are online (check-in, two photos, records, order, check-out:
one request each); some are offline, queued and sent as one POST /api/sync batch. Every write
carries an Idempotency-Key; a timeout, a dropped connection or a 5xx is retried with the same
key (and the same batch), as the phone's outbox does. What the server acknowledged is recorded
client-side and written to $LOAD_ACKS at the end, for bench/load.py to check in the database.

Configured by bench/load.py through the environment: LOAD_DATA (JSON: reps, products),
LOAD_ACKS, LOAD_STATS (output files), LOAD_THINK (mean seconds between a rep's requests),
LOAD_OFFLINE (share of visits synced as a batch).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path

import gevent
from locust import events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.stats import StatsEntry

from bench.visits import check_in_body, multipart, small_jpeg, unique

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text()) if "LOAD_DATA" in os.environ else {}
THINK = float(os.environ.get("LOAD_THINK", "10"))
OFFLINE = float(os.environ.get("LOAD_OFFLINE", "0.3"))
RETRIES = 8
# Requests that carry image bytes; the others are the "non-photo" calls of the report.
PHOTO_NAMES = {"POST /api/visits/[id]/photos", "POST /api/sync"}

ACKS: list[dict] = []
CUT: list[dict] = []  # visits the end of the run interrupted: their unanswered operations
# Per request name: (client-side ms, the server's Server-Timing phases, when it was sent: Unix
# time) of every answer.
PHASES: dict[str, list[tuple[float, dict[str, float], float]]] = {}
FAILED_OPERATIONS: list[dict] = []
_reps = itertools.count()


def server_phases(header: str) -> dict[str, float]:
    """Server-Timing `db;dur=3.1, ..., statements;desc="12"` as {name: number}."""
    found = {}
    for metric in filter(None, (part.strip() for part in header.split(","))):
        name, _, rest = metric.partition(";")
        for param in rest.split(";"):
            key, _, value = param.partition("=")
            if key.strip() in ("dur", "desc"):
                with contextlib.suppress(ValueError):
                    found[name] = float(value.strip('"'))
    return found


def note_phases(name: str, response, seconds: float, sent_at: float) -> None:
    header = (response.headers or {}).get("Server-Timing") if response.status_code else None
    if header:
        PHASES.setdefault(name, []).append((seconds * 1000, server_phases(header), sent_at))


PICTURES = [small_jpeg(seed) for seed in range(24)] if DATA else []


class Rep(FastHttpUser):
    network_timeout = 10.0
    connection_timeout = 5.0

    def wait_time(self) -> float:
        return random.uniform(0.5, 1.5) * THINK

    def pause(self) -> None:
        gevent.sleep(self.wait_time())

    def on_start(self) -> None:
        self.rep = DATA["reps"][next(_reps) % len(DATA["reps"])]
        self.rng = random.Random(self.rep["username"])
        self.auth: dict[str, str] = {}
        body = {"username": self.rep["username"], "password": DATA["password"]}
        reply = self.call("POST", "/api/auth/login", json=body, write=False)
        self.auth = {"Authorization": f"Bearer {reply['token']}"}
        self.pause()
        today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9))).date()
        query = f"?date_from={today}&date_to={today}"
        plans = self.call("GET", "/api/plans" + query, name="GET /api/plans (today)")
        self.route = [s["store_id"] for p in plans["items"] for s in p["stops"]]
        stores = self.call("GET", "/api/stores?per_page=50", name="GET /api/stores")
        self.stores = {s["id"]: (s["id"], s["lat"], s["lng"]) for s in stores["items"]}
        self.route = [s for s in self.route if s in self.stores] or list(self.stores)
        self.visits = 0

    def call(self, method: str, path: str, *, name: str | None = None, write: bool = True, **kw):
        """One request, retried with the same body and key on timeouts and 5xx; its JSON reply,
        or None when it failed for good (recorded)."""
        headers = {**self.auth, **kw.pop("headers", {})}
        if write and method != "GET":
            headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
        for attempt in range(RETRIES):
            # Stamped as a proxy would (nginx `t=${msec}`): the server reports the wait before a
            # worker took the request up as its `queue` phase.
            sent_at = time.time()
            headers["X-Request-Start"] = f"t={sent_at:.6f}"
            sent = time.perf_counter()
            with self.client.request(
                method, path, name=name or f"{method} {path}", headers=headers,
                catch_response=True, **kw,
            ) as response:  # fmt: skip
                status = response.status_code or 0
                seconds = time.perf_counter() - sent
                note_phases(name or f"{method} {path}", response, seconds, sent_at)
                if 200 <= status < 300:
                    response.success()
                    return response.json()
                response.failure(f"{status} {(response.text or '')[:200]}")
            if status and status < 500:
                FAILED_OPERATIONS.append({"path": path, "status": status})
                return None
            gevent.sleep(min(8.0, 0.5 * 2**attempt) * self.rng.uniform(0.5, 1.0))
        FAILED_OPERATIONS.append({"path": path, "status": status, "gave_up": True})
        return None

    def ack(self, op: str, key: str, visit_uuid: str, **extra) -> None:
        ACKS.append({"user": self.rep["username"], "op": op, "key": key, "visit": visit_uuid,
                     **extra})  # fmt: skip

    def visit_operations(self, store) -> list[dict]:
        """The writes of one visit, in order, as the outbox queues them."""
        now = dt.datetime.now(dt.UTC)
        visit = str(uuid.uuid4())
        products = self.rng.sample(DATA["products"], 4)
        pictures = self.rng.sample(range(len(PICTURES)), 2)
        ops = [{"op": "check_in", "body": check_in_body(store, now - dt.timedelta(seconds=1),
                                                        visit)}]  # fmt: skip
        for index in pictures:
            ops.append({"op": "photo", "body": {"kind": "shelf"}, "file": unique(PICTURES[index])})
        ops += [
            {"op": "display_checks", "body": {"items": [
                {"product_id": p, "on_shelf": True, "facings": 3} for p in products]}},
            {"op": "stock_counts", "body": {"items": [
                {"product_id": p, "shelf_qty": 5, "backroom_qty": 9} for p in products]}},
            {"op": "near_expiry_items", "body": {"items": [
                {"product_id": products[0], "quantity": 2, "expiry_date": "2027-01-10"}]}},
            {"op": "order", "body": {"lines": [
                {"product_id": p, "quantity": 6} for p in products[:3]]}},
            {"op": "check_out", "body": {"device_time": now.isoformat()}},
        ]  # fmt: skip
        for op in ops:
            op["key"] = str(uuid.uuid4())
            op["visit"] = visit
        return ops

    @task
    def visit_next_store(self) -> None:
        """One whole visit (locust lets it finish when the run ends: --stop-timeout)."""
        store = self.stores[self.route[self.visits % len(self.route)]]
        self.visits += 1
        ops = self.visit_operations(store)
        acked = len(ACKS)
        try:
            if self.rng.random() < OFFLINE:
                self.sync_batch(ops)
            else:
                self.online(ops)
        except gevent.GreenletExit:
            # The run ended mid-visit (--stop-timeout): what was in flight may or may not be
            # stored, and no answer says which; the audit allows for it, and only for it.
            visit = ops[0]["visit"]
            done = {a["key"] for a in ACKS[acked:] if a["visit"] == visit}
            unanswered = [op["op"] for op in ops if op["key"] not in done]
            CUT.append({"visit": visit, "unanswered": unanswered})
            raise
        self.pause()
        if self.visits % 3 == 0:
            self.call("GET", "/api/visits?per_page=10", name="GET /api/visits")

    def online(self, ops: list[dict]) -> None:
        visit_id = None
        for op in ops:
            self.pause()
            key = {"Idempotency-Key": op["key"]}
            extra = {}
            if op["op"] == "check_in":
                reply = self.call("POST", "/api/visits", json=op["body"], headers=key)
                visit_id = reply and reply["id"]
            elif visit_id is None:
                return  # the check-in failed for good (counted): nothing to attach to
            elif op["op"] == "photo":
                picture = op["file"]
                body, content_type = multipart(op["body"], picture)
                reply = self.call(
                    "POST", f"/api/visits/{visit_id}/photos",
                    name="POST /api/visits/[id]/photos", data=body,
                    headers={**key, "Content-Type": content_type},
                )  # fmt: skip
                extra = {"sha256": hashlib.sha256(picture).hexdigest()}
            elif op["op"] == "check_out":
                reply = self.call(
                    "POST", f"/api/visits/{visit_id}/checkout",
                    name="POST /api/visits/[id]/checkout", json=op["body"], headers=key,
                )  # fmt: skip
            else:
                path = {"display_checks": "display-checks", "stock_counts": "stock",
                        "near_expiry_items": "near-expiry", "order": "order"}[op["op"]]  # fmt: skip
                reply = self.call(
                    "PUT", f"/api/visits/{visit_id}/{path}",
                    name=f"PUT /api/visits/[id]/{path}", json=op["body"], headers=key,
                )  # fmt: skip
                extra = {"items": len(op["body"].get("items", op["body"].get("lines", [])))}
            if reply is not None:
                self.ack(op["op"], op["key"], op["visit"], **extra)

    def sync_batch(self, ops: list[dict]) -> None:
        """The visit recorded offline, sent as one batch; the whole batch is re-sent (same keys)
        until every item is answered below 500, as the outbox does."""
        items = []
        for op in ops:
            item = {k: op[k] for k in ("key", "op", "body")}
            if op["op"] != "check_in":
                item["visit"] = op["visit"]
            if op["op"] == "photo":
                item["file_base64"] = base64.b64encode(op["file"]).decode()
            items.append(item)
        for _ in range(RETRIES):
            reply = self.call("POST", "/api/sync", json={"operations": items})
            if reply is None:
                return
            if all(r["status"] < 500 for r in reply["results"]):
                break
            gevent.sleep(1.0)
        for op, result in zip(ops, reply["results"], strict=True):
            if result["status"] >= 400:
                FAILED_OPERATIONS.append({"path": f"sync {op['op']}", "status": result["status"]})
                continue
            extra = {}
            if op["op"] == "photo":
                extra = {"sha256": hashlib.sha256(op["file"]).hexdigest()}
            elif "items" in op["body"] or "lines" in op["body"]:
                extra = {"items": len(op["body"].get("items", op["body"].get("lines", [])))}
            self.ack(op["op"], op["key"], op["visit"], **extra)


def _summary(entry: StatsEntry, duration: float) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.num_requests / duration if duration else 0.0,
        "p50": entry.get_response_time_percentile(0.50),
        "p95": entry.get_response_time_percentile(0.95),
        "p99": entry.get_response_time_percentile(0.99),
        "max": entry.max_response_time,
    }


@events.quitting.add_listener
def _write_results(environment, **kwargs) -> None:
    if "LOAD_ACKS" not in os.environ:
        return
    stats = environment.stats
    duration = max(1e-9, stats.total.last_request_timestamp - stats.total.start_time)
    non_photo = StatsEntry(stats, "non-photo calls", "")
    rows = {}
    for (name, _method), entry in sorted(stats.entries.items()):
        rows[name] = _summary(entry, duration)
        if name not in PHOTO_NAMES:
            non_photo.extend(entry)
    rows["non-photo calls"] = _summary(non_photo, duration)
    rows["all"] = _summary(stats.total, duration)
    with open(os.environ["LOAD_STATS"], "w") as fh:
        json.dump(
            {
                "duration_s": duration,
                "rows": rows,
                "failed": FAILED_OPERATIONS,
                "phases": PHASES,
                "photo_names": sorted(PHOTO_NAMES),
            },
            fh,
        )
    with open(os.environ["LOAD_ACKS"], "w") as fh:
        json.dump({"acks": ACKS, "cut": CUT}, fh)
