"""Liveness, readiness, request ids and JSON logs."""

from __future__ import annotations

import json
import logging

from backend.observability import JsonFormatter


def test_liveness(client):
    response = client.get("/api/health")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_readiness_checks_database_migrations_and_storage(client):
    response = client.get("/api/ready")
    assert response.status_code == 200, response.json
    assert response.json["checks"] == {
        "database": "ok",
        "redis": "not configured",
        "photo_storage": "ok",
    }


def test_not_ready_when_redis_is_unreachable(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/api/ready")
    finally:
        app.config["REDIS_URL"] = ""
    assert response.status_code == 503
    assert response.json["message"] == "Not ready: redis"
    assert response.json["errors"]["checks"]["database"] == "ok"


def test_request_id_is_echoed_or_made(client):
    assert (
        client.get("/api/health", headers={"X-Request-ID": "abc"}).headers["X-Request-ID"] == "abc"
    )
    assert len(client.get("/api/health").headers["X-Request-ID"]) == 32


def test_json_log_lines_carry_extras_and_exceptions():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "terminus.access", logging.ERROR, __file__, 1, "GET %s", ("/x",), None
        )
        record.exc_info = __import__("sys").exc_info()
    record.status = 500
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /x" and line["status"] == 500 and line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"] and line["time"].endswith("+00:00")
