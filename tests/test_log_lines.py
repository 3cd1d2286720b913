"""A log record is one line whatever the request carries: control characters in a path (%0a,
%0d) or in a username are escaped, by the formatter, for every logger; JSON lines too. Every
line written while a request is handled carries its request id: warnings, a 500's error line
and each line of its traceback (once, not twice), the access line."""

from __future__ import annotations

import io
import json
import logging
import re
from contextlib import contextmanager

import pytest
from flask import Flask
from werkzeug.exceptions import BadGateway

from backend import create_app
from backend.observability import JsonFormatter, TextFormatter, configure_logging
from tests.api.test_auth import login

FORGED = "2026-12-02 09:00:00,000 INFO terminus.access: GET /api/users 200"
NASTIES = "%0a", "%0d", "%0d%0a", "%1b[2K", "%c2%85", "%e2%80%a8"
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # all but the newline


@contextmanager
def log_output(formatter: logging.Formatter):
    """What the loggers write meanwhile through a handler with `formatter`. (The migrations'
    logging set-up, run by the test app's upgrade, replaced the app's handler and disabled the
    loggers that existed then; a server process never runs it.)"""
    root, stream = logging.getLogger(), io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    names = ("terminus.access", "flask-limiter", "terminus.test", "backend", "backend.errors")
    loggers = [logging.getLogger(n) for n in names]
    disabled = [logger.disabled for logger in loggers]
    saved = root.handlers[:], root.level
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    for logger in loggers:
        logger.disabled = False
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        for logger, was in zip(loggers, disabled, strict=True):
            logger.disabled = was


@pytest.mark.parametrize(("setting", "kind"), [("text", TextFormatter), ("json", JsonFormatter)])
def test_the_app_logs_through_the_escaping_formatters(setting, kind):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    app = Flask(__name__)
    app.config.update(LOG_FORMAT=setting, LOG_LEVEL="INFO", PROXY_HOPS=0)
    try:
        configure_logging(app)
        assert [type(h.formatter) for h in root.handlers] == [kind]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


@pytest.mark.parametrize("nasty", NASTIES)
def test_a_path_with_a_line_break_stays_one_access_line(client, nasty):
    with log_output(TextFormatter()) as out:
        assert client.get(f"/api/x{nasty}{FORGED.replace(' ', '%20')}").status_code == 404
    lines = [line for line in out.getvalue().splitlines() if "terminus.access" in line]
    assert len(lines) == 1, out.getvalue()
    assert lines[0].endswith(" 404") and FORGED in lines[0]
    assert out.getvalue().count("\n") == 1 and len(out.getvalue().splitlines()) == 1
    assert not RAW_CONTROL.search(out.getvalue())


def test_a_username_with_a_line_break_stays_in_its_line(app, client, org):
    """flask-limiter logs the limit's key (address|username) when a login is refused."""
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    username = f"rep-n1a\n{FORGED}\rx"
    try:
        with log_output(TextFormatter()) as out:
            statuses = [login(client, username, "wrong").status_code for _ in range(2)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses == [401, 429]
    text = out.getvalue()
    assert "exceeded" in text and "rep-n1a\\n" + FORGED.lower() + "\\rx" in text
    assert len(text.splitlines()) == 3  # the refusal and two access lines
    assert not any(line.startswith("2026-12-02 09:00") for line in text.splitlines())


def test_json_lines_escape_every_control_character(client):
    with log_output(JsonFormatter()) as out:
        client.get("/api/x%0a%c2%85%e2%80%a8" + FORGED.replace(" ", "%20"))
    text = out.getvalue()
    assert len(text.splitlines()) == 1 and text.count("\n") == 1
    entry = json.loads(text)
    assert entry["message"] == f"GET /api/x\n\x85\u2028{FORGED} 404"


def test_a_traceback_follows_indented(client):
    log = logging.getLogger("terminus.test")
    with log_output(TextFormatter()) as out:
        try:
            raise ValueError(f"bad value\n{FORGED}")
        except ValueError:
            log.exception("failed on %s", "x\ny")
    first, *rest = out.getvalue().splitlines()
    assert first.endswith("failed on x\\ny")
    assert rest and all(line.startswith("  ") for line in rest)


@pytest.fixture(scope="module")
def failing():
    """A client of an app whose views fail as a bug would (Flask's handling of an exception,
    not the test client's re-raising) or log a warning; no database needed."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "test"})
    root.handlers[:], level = saved
    root.setLevel(level)

    @app.get("/boom")
    def boom():
        logging.getLogger("terminus.test").warning("about to fail for %s", "rep-1")
        raise RuntimeError(f"kaboom\n{FORGED}")

    @app.get("/bad-gateway")
    def bad_gateway():
        raise BadGateway("the tile server did not answer")

    return app.test_client()


def test_a_500_carries_the_request_id_on_every_line_once(failing):
    with log_output(TextFormatter()) as out:
        response = failing.get("/boom", headers={"X-Request-ID": "req-5f1d"})
    assert response.status_code == 500 and response.json["reason"] == "server_error"
    assert response.headers["X-Request-ID"] == "req-5f1d"
    lines = out.getvalue().splitlines()
    heads = [line for line in lines if not line.startswith("  ")]
    assert [h.split(" ", 3)[2:] for h in heads] == [
        ["WARNING", "terminus.test [req-5f1d]: about to fail for rep-1"],
        ["ERROR", "backend [req-5f1d]: Exception on /boom [GET]"],
        ["INFO", "terminus.access [req-5f1d]: GET /boom 500"],
    ]
    trace = [line for line in lines if line.startswith("  ")]
    assert trace[0] == "  [req-5f1d] Traceback (most recent call last):"
    assert all(line.startswith("  [req-5f1d] ") for line in trace)
    # The message's own line break starts a continuation line: indented, tagged, unforgeable.
    assert trace[-2:] == ["  [req-5f1d] RuntimeError: kaboom", f"  [req-5f1d] {FORGED}"]
    assert out.getvalue().count("Traceback") == 1  # Flask's record, not a second copy of ours


def test_json_lines_of_a_500_carry_the_request_id(failing):
    with log_output(JsonFormatter()) as out:
        response = failing.get("/boom")
    entries = [json.loads(line) for line in out.getvalue().splitlines()]
    made = response.headers["X-Request-ID"]
    assert len(made) == 32
    assert [(e["level"], e["request_id"]) for e in entries] == [
        ("WARNING", made),
        ("ERROR", made),
        ("INFO", made),
    ]
    assert "RuntimeError: kaboom" in entries[1]["exception"]


def test_a_5xx_raised_as_such_is_logged_once_with_its_request_id(failing):
    with log_output(TextFormatter()) as out:
        response = failing.get("/bad-gateway", headers={"X-Request-ID": "gw-1"})
    assert response.status_code == 502
    errors = [line for line in out.getvalue().splitlines() if " ERROR " in line]
    assert len(errors) == 1
    assert errors[0].endswith(
        "backend.errors [gw-1]: server error: 502 the tile server did not answer"
    )


@pytest.mark.parametrize(
    "offered", ["x" * 65, "two words", "id\u2028forged", "<script>", "", "ab\x00c"]
)
def test_a_request_id_that_is_not_a_plain_token_is_replaced(failing, offered):
    with log_output(TextFormatter()) as out:
        response = failing.get("/boom", headers={"X-Request-ID": offered})
    made = response.headers["X-Request-ID"]
    assert made != offered and len(made) == 32
    assert out.getvalue().count(f"[{made}]") == out.getvalue().count("\n")


def test_lines_outside_a_request_carry_no_request_id():
    log = logging.getLogger("terminus.test")
    with log_output(TextFormatter()) as out:
        log.warning("the scheduler ran")
    assert out.getvalue().split(" ", 3)[2:] == ["WARNING", "terminus.test: the scheduler ran\n"]
    with log_output(JsonFormatter()) as out:
        log.warning("the scheduler ran")
    assert "request_id" not in json.loads(out.getvalue())
