"""One demo load ("--today 2026-03-11", the default seed) shared by a module's read-only tests.

The demo takes half a minute to load on each database pass; tests that only read it share one
app on a database of its own (a SQLite file, or on PostgreSQL with TERMINUS_TEST_DATABASE_URL
a schema of its own), dropped when the module is done. Tests that change the data load their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from backend import create_app
from backend.extensions import db
from tests.conftest import TEST_CLOCK, _schema_ddl, database_overrides

DEMO_DAY = "2026-03-11"


@dataclass
class Demo:
    """The shared demo's app and a test client on it."""

    app: Flask
    client: FlaskClient


def _load(app: Flask) -> None:
    # At the suite's business clock, as the per-test loads run (tests/conftest.py).
    zone = ZoneInfo("Asia/Tokyo")
    start = datetime.combine(datetime.now(zone).date(), TEST_CLOCK, zone)
    with time_machine.travel(start, tick=True):
        with app.app_context():
            upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "load", "--today", DEMO_DAY])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def shared_demo(tmp_path_factory):
    """The demo loaded once for the module; its tests must only read it (sign-ins are fine)."""
    tmp = tmp_path_factory.mktemp("demo")
    app = create_app(
        {
            **database_overrides(tmp, "demo"),
            "TESTING": True,
            "SECRET_KEY": "test",
            "PHOTO_DIR": str(tmp / "photos"),
            "PASSWORD_TIME_COST": 1,
            "PASSWORD_MEMORY_KIB": 8,
            "PASSWORD_PARALLELISM": 1,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "LOGIN_RATE_LIMIT_PER_ADDRESS": "1000 per minute",
        }
    )
    try:
        _load(app)
        yield Demo(app, app.test_client())
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema := app.config.get("TEST_SCHEMA"):
            _schema_ddl(app.config["DATABASE_URL"], f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        else:
            (tmp / "demo.db").unlink(missing_ok=True)
