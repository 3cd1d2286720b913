"""Reports for supervisors and area managers, each as JSON and as CSV or XLSX exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas import reports as schemas
from ..services.reports import competitor, display, exceptions, expiry, exports, kpis, photos
from .base import ApiBlueprint

blp = ApiBlueprint("reports", __name__, url_prefix="/api/reports", description="Reports")
LEADS = (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)
EXPORT_MAX_ROWS = 100_000
Build = Callable[[Any, dict[str, Any]], dict[str, Any]]


def _report(
    name: str,
    args: type[ma.Schema],
    schema: type[ma.Schema],
    build: Build,
    roles: tuple[Role, ...],
    summary: str,
) -> None:
    """Register GET /{name} (JSON) and GET /{name}.csv and /{name}.xlsx with the same numbers."""

    class JsonView(MethodView):
        @blp.auth(*roles)
        @blp.arguments(args, location="query")
        @blp.response(200, schema)
        @blp.errors(404)
        def get(self, parsed):
            return build(current_user(), parsed)

    JsonView.get.__doc__ = summary
    blp.route(f"/{name}", endpoint=name)(JsonView)
    for fmt, mimetype in exports.FORMATS.items():
        blp.route(f"/{name}.{fmt}", endpoint=f"{name}_{fmt}")(
            _export_view(name, fmt, mimetype, args, schema, build, roles, summary)
        )


def _export_view(
    name: str,
    fmt: str,
    mimetype: str,
    args: type[ma.Schema],
    schema: type[ma.Schema],
    build: Build,
    roles: tuple[Role, ...],
    summary: str,
) -> type[MethodView]:
    class ExportView(MethodView):
        @blp.auth(*roles)
        @blp.arguments(args, location="query")
        @blp.doc(
            summary=f"{summary.rstrip('.')} ({fmt.upper()})",
            description=f"The same report as GET /api/reports/{name}, as {fmt.upper()} "
            f"(a paged list: all its rows, up to {EXPORT_MAX_ROWS}).",
            responses={
                "200": {
                    "description": f"The report as {fmt.upper()}",
                    "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}},
                }
            },
        )
        @blp.errors(404)
        def get(self, parsed):
            if "per_page" in parsed:  # a paged list exports all its rows, not one page
                parsed = {**parsed, "page": 1, "per_page": EXPORT_MAX_ROWS}
            report = schema().dump(build(current_user(), parsed))
            return Response(
                exports.render(report, fmt),
                mimetype=mimetype,
                headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
            )

    return ExportView


_report(
    "kpis",
    schemas.KpiArgs,
    schemas.KpiReportSchema,
    kpis.kpi_report,
    (),
    "Visit completion and success rates, time in store, travel, coverage, frequency and "
    "sequence adherence per rep, team or area, and per day. A rep sees their own.",
)
_report(
    "exceptions",
    schemas.ExceptionArgs,
    schemas.ExceptionReportSchema,
    exceptions.exception_report,
    LEADS,
    "Integrity flags of the visits in your scope, filtered and sorted, each with its visit.",
)
_report(
    "photos",
    schemas.PhotoArgs,
    schemas.PhotoReportSchema,
    photos.photo_report,
    (),
    "Visit photos with their review: the review queue, or a rep's feedback on their photos.",
)
_report(
    "competitor-prices",
    schemas.CompetitorArgs,
    schemas.CompetitorReportSchema,
    competitor.competitor_report,
    LEADS,
    "Competitor regular and promotional prices (min, median, max) by brand, product, channel "
    "and ISO week; promotions and new products seen.",
)
_report(
    "display-compliance",
    schemas.DisplayArgs,
    schemas.DisplayReportSchema,
    display.display_report,
    LEADS,
    "Display compliance of own products by team, channel or tier, with share of shelf and the "
    "weighted perfect-store score.",
)
_report(
    "near-expiry",
    schemas.ExpiryArgs,
    schemas.ExpiryReportSchema,
    expiry.expiry_report,
    LEADS,
    "Near-expiry exposure (quantity and value) within 7 and 30 days by product, store or team.",
)
