"""A log record is one line whatever the request carries: control characters in a path (%0a,
%0d) or in a username are escaped, by the formatter, for every logger; JSON lines too."""

from __future__ import annotations

import io
import json
import logging
import re
from contextlib import contextmanager

import pytest
from flask import Flask

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
    loggers = [logging.getLogger(n) for n in ("terminus.access", "flask-limiter", "terminus.test")]
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
