"""Reports for supervisors and area managers, each as JSON and as CSV or XLSX exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Response
from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas import orders as order_schemas
from ..schemas import prices as price_schemas
from ..schemas import reports as schemas
from ..schemas import returns as return_schemas
from ..schemas import store_file as store_file_schemas
from ..schemas import tiers as tier_schemas
from ..services import audit
from ..services.reports import competitor, display, exceptions, expiry, exports, kpis, photos
from ..services.reports import complaints as complaint_reports
from ..services.reports import orders as order_reports
from ..services.reports import prices as price_reports
from ..services.reports import returns as return_reports
from ..services.reports import tiers as tier_reports
from ..writes import execute
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
            body = exports.render(report, fmt)
            execute(lambda: audit.record_export(current_user(), name, fmt, parsed))
            return Response(
                body,
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
    "Display compliance of own products by team, channel, tier or ISO week, with share of "
    "shelf (competitor facings included), eye-level share of shelf and the weighted "
    "perfect-store score.",
)
_report(
    "near-expiry",
    schemas.ExpiryArgs,
    schemas.ExpiryReportSchema,
    expiry.expiry_report,
    LEADS,
    "Near-expiry exposure (quantity and value) within 7 and 30 days by product, store, team or "
    "the rep's action, and what follow-ups found expired on the shelf.",
)
_report(
    "returns",
    return_schemas.ReturnsReportArgs,
    return_schemas.ReturnsReportSchema,
    return_reports.returns_report,
    LEADS,
    "Returns requested in the period: count, quantity and value by status, reason, product, "
    "store or team, and how long the requests still waiting have waited.",
)
_report(
    "tier-proposals",
    tier_schemas.TierProposalArgs,
    tier_schemas.TierReportSchema,
    tier_reports.tier_report,
    LEADS,
    "Each store's order value and orders over TIER_PERIOD_DAYS before `as_of`, its current and "
    "proposed tier (by value rank: TIER_SHARES); lapsed stores and prospects apart.",
)
_report(
    "orders",
    order_schemas.OrderArgs,
    order_schemas.OrderReportSchema,
    order_reports.order_report,
    LEADS,
    "Orders taken at visits: value and units by product, brand, channel, tier, rep or team; "
    "best sellers; lines per order and drop size (value per visit with an order).",
)
_report(
    "price-deviations",
    price_schemas.PriceDeviationArgs,
    price_schemas.PriceDeviationReportSchema,
    price_reports.price_deviation_report,
    LEADS,
    "Own products' shelf prices below the agreed price or on an unagreed special price, by "
    "store, channel or ISO week (counts by kind, deviation amount), and the deviations.",
)
_report(
    "complaints",
    store_file_schemas.ComplaintReportArgs,
    store_file_schemas.ComplaintReportSchema,
    complaint_reports.complaint_report,
    LEADS,
    "Complaints opened and resolved in the period with the mean and median hours to resolve, "
    "and those open now, by category or team (the store's); the open ones listed with their age.",
)
