"""Where a request's time goes: each phase counted once (nesting charges the inner phase), the
proxy's X-Request-Start read as queue time, and real requests split into db, commit, photo and
serialise time in Server-Timing and in the access log."""

from __future__ import annotations

import json
import time

import pytest

from backend import timings
from backend.observability import JsonFormatter
from tests.api.visit_helpers import check_in, image_bytes, minutes_ago, upload
from tests.test_log_lines import log_output


class FakeClock:
    def __init__(self, monkeypatch) -> None:
        self.now = 100.0
        monkeypatch.setattr(timings.time, "perf_counter", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_nested_phases_charge_only_the_innermost(monkeypatch):
    clock = FakeClock(monkeypatch)
    spent = timings.start(queue_seconds=0.004)
    clock.advance(0.001)  # app
    with timings.phase("commit"):
        clock.advance(0.002)
        with timings.phase("db"):
            clock.advance(0.010)
        clock.advance(0.003)
    timings.enter("serialise")  # left open: closed with the request
    clock.advance(0.005)
    assert timings.current() is spent
    ms = timings.stop()
    assert ms == {
        "queue": 4.0, "db": 10.0, "lock": 0.0, "commit": 5.0, "photo": 0.0,
        "serialise": 5.0, "app": 1.0, "total": 21.0,
    }  # fmt: skip
    assert timings.current() is None


def test_outside_a_request_phases_cost_nothing_and_never_fail():
    assert timings.current() is None
    with timings.phase("db"):
        timings.enter("photo")
        timings.leave()
        timings.leave()
    assert timings.stop() is None


def test_an_unbalanced_leave_never_pops_the_request(monkeypatch):
    clock = FakeClock(monkeypatch)
    timings.start()
    timings.leave()
    clock.advance(0.002)
    assert timings.stop()["app"] == 2.0


@pytest.mark.parametrize(
    ("header", "waited"),
    [
        ("t=1799999999.5", 0.5),  # nginx: seconds with milliseconds
        ("t=1799999999500", 0.5),  # milliseconds
        ("t=1799999999500000", 0.5),  # microseconds
        ("1799999999.75", 0.25),
        ("t=1800000001", 0.0),  # a stamp from the future: another host's clock
        ("t=1700000000", 60.0),  # stale or forged: at most a minute
        ("", 0.0),
        ("t=soon", 0.0),
        ("t=nan", 0.0),
    ],
)
def test_the_request_start_stamp_gives_the_queue_time(header, waited):
    assert timings.queue_seconds(header, now=1_800_000_000.0) == pytest.approx(waited)


def server_timing(response) -> dict[str, float]:
    metrics = {}
    for part in response.headers["Server-Timing"].split(", "):
        name, _, value = part.partition(";")
        _key, _, number = value.partition("=")
        metrics[name] = float(number.strip('"'))
    return metrics


@pytest.fixture
def server_timing_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "SERVER_TIMING", True)


def test_the_header_is_off_unless_asked_for(client):
    assert "Server-Timing" not in client.get("/api/health").headers


@pytest.mark.usefixtures("server_timing_on", "photo_dir")
def test_a_check_in_and_a_photo_name_their_phases(app, client, org, tokens):
    headers = tokens.headers("rep-n1a")
    stamp = {"X-Request-Start": f"t={time.time() - 0.25:.3f}"}
    reply = check_in(client, {**headers, **stamp}, app, org.store["n1-a"], minutes_ago(5))
    assert reply.status_code == 201
    phases = server_timing(reply)
    assert 250 <= phases["queue"] < 5000
    assert phases["db"] > 0 and phases["commit"] > 0 and phases["statements"] >= 5
    parts = sum(phases[p] for p in timings.PHASES if p != "queue")
    assert parts == pytest.approx(phases["total"], abs=0.05)
    photo = upload(client, headers, reply.json["id"], image_bytes("JPEG", (1600, 1200)))
    assert photo.status_code == 201, photo.json
    assert server_timing(photo)["photo"] > 0


@pytest.mark.usefixtures("server_timing_on")
def test_a_read_times_its_serialisation(client, org, tokens):
    reply = client.get("/api/stores", headers=tokens.headers("sup-n1"))
    assert reply.status_code == 200
    phases = server_timing(reply)
    assert phases["serialise"] > 0 and phases["db"] > 0 and phases["commit"] == 0


def test_the_access_log_carries_the_phases(client, org, tokens):
    headers = tokens.headers("sup-n1")
    with log_output(JsonFormatter()) as out:
        assert client.get("/api/stores", headers=headers).status_code == 200
    entry = next(
        json.loads(line) for line in out.getvalue().splitlines() if "terminus.access" in line
    )
    assert set(entry["timings_ms"]) == {*timings.PHASES, "total"}
    assert entry["statements"] >= 1 and entry["duration_ms"] == entry["timings_ms"]["total"]
