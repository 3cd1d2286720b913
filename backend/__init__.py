"""Terminus API: the application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from . import (
    headers,
    rate_limits,  # noqa: F401  (its table, and the counters' storage for limits)
    request_origin,
    requests,
)
from .config import flask_config, load_settings
from .errors import register_error_handlers
from .extensions import TerminusApi, db, limiter, migrate
from .observability import configure_logging
from .services import photo_storage

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from `config/` < `TERMINUS_*` environment < `overrides`."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(flask_config(load_settings(overrides), app.instance_path))
    photo_storage.check_config(app)

    configure_logging(app)
    headers.install(app)
    requests.install(app)
    request_origin.install(app)  # after configure_logging: its hook sets the request id
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), compare_type=True)
    limiter.init_app(app)
    api = TerminusApi(app)
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "Token from POST /api/auth/login"},
    )

    from .routes import register_blueprints

    register_blueprints(app, api)
    # After api.init_app, so our handlers replace flask-smorest's and every error has one shape.
    register_error_handlers(app)

    from .cli import register_commands

    register_commands(app)
    return app
