"""Settings: `config/default.toml` < `TERMINUS_*` environment variables < explicit overrides."""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# config/default.toml: the checkout's, or the installed wheel's copy.
from .resources import DEFAULTS_FILE

# Rate-limit counters without Redis: a table (backend/rate_limits.py, which registers the scheme).
DATABASE_COUNTERS = "terminus-database://"
ENV_PREFIX = "TERMINUS_"


class ConfigError(ValueError):
    """A setting has a value of the wrong type."""


def _coerce(key: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{key}: expected a boolean, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key}: expected an integer, got {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{key}: expected a number, got {raw!r}") from None
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    defaults_file: Path = DEFAULTS_FILE,
) -> dict[str, Any]:
    """Return the effective settings: file defaults < environment < `overrides`."""
    environ = os.environ if environ is None else environ
    with defaults_file.open("rb") as fh:
        settings: dict[str, Any] = tomllib.load(fh)
    for key, default in list(settings.items()):
        if ENV_PREFIX + key in environ:
            settings[key] = _coerce(key, environ[ENV_PREFIX + key], default)
    settings.update(overrides or {})
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = secrets.token_hex(32)
    return settings


def flask_config(settings: Mapping[str, Any], instance_path: str) -> dict[str, Any]:
    """Translate Terminus settings into the keys Flask and its extensions read."""
    database_url = settings["DATABASE_URL"] or f"sqlite:///{Path(instance_path) / 'terminus.db'}"
    engine_options: dict[str, Any] = {
        "pool_pre_ping": True,
        "pool_size": settings["DATABASE_POOL_SIZE"],
        "max_overflow": settings["DATABASE_POOL_OVERFLOW"],
    }
    if database_url.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 30}}
    return {
        **settings,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            **engine_options,
            **settings.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        },
        # Never each process's memory: gunicorn's workers would each count the login limit.
        "RATELIMIT_STORAGE_URI": settings["REDIS_URL"] or DATABASE_COUNTERS,
        "RATELIMIT_HEADERS_ENABLED": True,
        "API_TITLE": "Terminus API",
        "API_VERSION": "1.0",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        # Swagger UI is our page (backend/routes/docs.py), under a Content-Security-Policy.
        "JSON_SORT_KEYS": False,
    }
