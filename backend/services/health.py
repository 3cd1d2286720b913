"""What liveness and readiness probes check."""

from __future__ import annotations

from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text

from ..errors import NotReadyError
from ..extensions import db
from . import photo_storage


def liveness() -> dict[str, str]:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": db.engine.dialect.name}


def readiness() -> dict[str, Any]:
    """Check every dependency; raise NotReadyError (503) naming what is not ready."""
    checks = {
        "database": _check(_database),
        "redis": _check(_redis) if current_app.config["REDIS_URL"] else "not configured",
        "photo_storage": _check(_photo_storage),
    }
    failing = {k: v for k, v in checks.items() if v not in ("ok", "not configured")}
    if failing:
        raise NotReadyError("Not ready: " + ", ".join(sorted(failing)), {"checks": checks})
    return {"status": "ready", "checks": checks}


def _check(probe) -> str:
    try:
        return probe()
    except Exception as exc:  # a probe reports any failure, it never raises
        return f"{type(exc).__name__}: {exc}"[:200]


def _database() -> str:
    from .. import MIGRATIONS_DIR

    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    if set(current) != set(heads):
        return f"migrations at {sorted(current)}, code expects {sorted(heads)}"
    return "ok"


def _redis() -> str:
    from redis import Redis

    Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2).ping()
    return "ok"


def _photo_storage() -> str:
    """The local directory writable, or the S3 bucket reachable with our credentials."""
    return photo_storage.current().health()
