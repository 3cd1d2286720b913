"""Visits: check-in, check-out, what was recorded at the store, and reading them back."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import page_envelope
from ..schemas.visit_reviews import VisitReviewInSchema, VisitReviewSchema
from ..schemas.visits import (
    CheckInSchema,
    CheckOutSchema,
    CompetitorObservationsSchema,
    DisplayChecksSchema,
    NearExpiryListSchema,
    OrderSchema,
    ReturnRequestsSchema,
    StockCountsSchema,
    VisitDetailSchema,
    VisitPageSchema,
    VisitQueryArgs,
    VisitSchema,
)
from ..services import visits
from .base import ApiBlueprint
from .operations import documented_write, write
from .visit_operations import respond

blp = ApiBlueprint("visits", __name__, url_prefix="/api/visits", description="Store visits")


@blp.route("")
class Visits(MethodView):
    @blp.auth()
    @blp.arguments(VisitQueryArgs, location="query")
    @blp.response(200, VisitPageSchema)
    def get(self, args):
        """Visits in your scope, newest first; `flagged=true` lists the integrity exceptions."""
        items, total = visits.list_visits(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(Role.REP)
    @blp.arguments(CheckInSchema)
    @blp.response(201, VisitSchema)
    @documented_write(blp)
    @blp.errors(409)
    def post(self, data):
        """Check in at a store: linked to your planned stop there today, else unplanned.

        Only one visit may be open at a time (409); one left open from an earlier day is
        closed with the `left_open` flag. Integrity flags are computed, never blocking.
        """
        return respond("check_in", data)


@blp.route("/<int:visit_id>")
class VisitById(MethodView):
    @blp.auth()
    @blp.response(200, VisitDetailSchema)
    @blp.errors(404)
    def get(self, visit_id):
        """One visit with its flags, photos, display checks, stock, expiry, returns,
        competitor observations and facings, near-expiry follow-ups, complaints and order."""
        return visits.get_visit(current_user(), visit_id)


@blp.route("/<int:visit_id>/checkout")
class CheckOut(MethodView):
    @blp.auth(Role.REP)
    @blp.arguments(CheckOutSchema)
    @blp.response(200, VisitSchema)
    @documented_write(blp)
    @blp.errors(404, 409)
    def post(self, data, visit_id):
        """Check out of your visit (a visit closed by the end-of-day job takes it too)."""
        return respond("check_out", data, visit=visit_id)


@blp.route("/<int:visit_id>/review")
class VisitReviewView(MethodView):
    @blp.auth()
    @blp.response(200, VisitReviewSchema)
    @blp.errors(404)
    def get(self, visit_id):
        """Whether a visit you may see is held for review, and the decision on it."""
        return visits.find_visit(current_user(), visit_id)

    @blp.auth(Role.SUPERVISOR, Role.ADMIN)
    @blp.arguments(VisitReviewInSchema)
    @write(blp)
    @blp.response(200, VisitReviewSchema)
    @blp.errors(404, 409)
    def post(self, data, visit_id):
        """Accept a visit held for review (flagged `time_travel`: it counts in the KPIs again)
        or reject it (it stays out). Only a visit that was held can be decided (409)."""
        return visits.review_visit(current_user(), visit_id, data["decision"])


def _record_route(path: str, op: str, schema, summary: str) -> None:
    """PUT <visit>/<path>: replace one kind of the visit's records with the list sent."""

    class Records(MethodView):
        @blp.auth(Role.REP)
        @blp.arguments(schema)
        @blp.response(200, schema)
        @documented_write(blp)
        @blp.errors(404, 409)
        def put(self, data, visit_id):
            return respond(op, data, visit=visit_id)

    Records.put.__doc__ = summary + "\n\nThe list replaces the visit's previous one."
    Records.__name__ = "".join(part.title() for part in op.split("_"))
    blp.route(f"/<int:visit_id>/{path}")(Records)


_record_route("display-checks", "display_checks", DisplayChecksSchema, "Display check per product.")
_record_route("stock", "stock_counts", StockCountsSchema, "Stock counts and suggested orders.")
_record_route("near-expiry", "near_expiry_items", NearExpiryListSchema, "Near-expiry items.")
_record_route("returns", "return_requests", ReturnRequestsSchema, "Returns requested.")
_record_route(
    "competitors",
    "competitor_observations",
    CompetitorObservationsSchema,
    "Competitor observations.",
)
_record_route("order", "order", OrderSchema, "The store's order; no lines withdraws it.")
