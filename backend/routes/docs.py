"""The API docs page (Swagger UI at /api/docs) and its files, served from the installed
swagger-ui-bundle (works offline).

Our own page rather than flask-smorest's, whose inline start-up script a Content-Security-Policy
without 'unsafe-inline' scripts would block: here it is a file of ours (/api/docs/assets/start.js).
Swagger UI sets style attributes and draws its icons from data: URIs, hence those two sources.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template_string,
    send_from_directory,
    url_for,
)
from swagger_ui_bundle import swagger_ui_path

from ..headers import content_security_policy

assets = Blueprint("docs_assets", __name__)

DOCS_CSP = content_security_policy(
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{ title }}</title>
  <link href="{{ assets }}swagger-ui.css" rel="stylesheet">
</head>
<body>
  <div id="swagger-ui-container"></div>
  <script src="{{ assets }}swagger-ui-bundle.js"></script>
  <script src="{{ assets }}swagger-ui-standalone-preset.js"></script>
  <script src="{{ start }}"></script>
</body>
</html>
"""


@assets.get("/api/docs")
def page() -> Response:
    """Swagger UI on /api/openapi.json, under its own Content-Security-Policy."""
    html = render_template_string(
        PAGE,
        title=current_app.config["API_TITLE"],
        assets=url_for("docs_assets.swagger_asset", filename=""),
        start=url_for("docs_assets.start"),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@assets.get("/api/docs/assets/start.js")  # ours, beside the bundle's files
def start() -> Response:
    """Swagger UI's start-up: where the spec is, where to draw."""
    config = {"url": url_for("api-docs.openapi_json"), "dom_id": "#swagger-ui-container"}
    source = f"window.ui = SwaggerUIBundle({json.dumps(config)});\n"
    return Response(source, mimetype="text/javascript")


@assets.get("/api/docs/assets/<path:filename>")
def swagger_asset(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
