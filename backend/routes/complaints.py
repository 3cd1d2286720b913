"""Complaints: recorded at a visit (a visit operation) or by a lead, worked by leads."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import changes_schema, page_envelope
from ..schemas.store_file import (
    ComplaintPageSchema,
    ComplaintQueryArgs,
    ComplaintSchema,
    ComplaintUpdateSchema,
    LeadComplaintSchema,
    VisitComplaintSchema,
)
from ..services import complaints
from .base import ApiBlueprint
from .operations import documented_write, write
from .visit_operations import respond

blp = ApiBlueprint("complaints", __name__, url_prefix="/api", description="Complaints")
LEADS = (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)


@blp.route("/visits/<int:visit_id>/complaints")
class VisitComplaints(MethodView):
    @blp.auth(Role.REP)
    @blp.arguments(VisitComplaintSchema)
    @blp.response(201, ComplaintSchema, description="Recorded")
    @blp.alt_response(200, schema=ComplaintSchema, description="This uuid was recorded already")
    @documented_write(blp)
    @blp.errors(404, 409)
    def post(self, data, visit_id):
        """Record the store's complaint at your open visit (its store, your name)."""
        return respond("complaint", data, visit=visit_id)


@blp.route("/complaints")
class Complaints(MethodView):
    @blp.auth()
    @blp.arguments(ComplaintQueryArgs, location="query")
    @blp.response(200, ComplaintPageSchema)
    def get(self, args):
        """Complaints of the stores you see, newest first."""
        items, total = complaints.list_complaints(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(*LEADS)
    @blp.arguments(LeadComplaintSchema)
    @write(blp)
    @blp.response(201, ComplaintSchema)
    @blp.errors(409)
    def post(self, data):
        """Record a complaint for a store in your scope (no visit). With a `uuid` already
        recorded by you for that store, answers that complaint."""
        complaint, _ = complaints.record_by_lead(current_user(), data)
        return complaint


@blp.route("/complaints/<int:complaint_id>")
class ComplaintById(MethodView):
    @blp.auth()
    @blp.response(200, ComplaintSchema)
    @blp.errors(404)
    def get(self, complaint_id):
        """One complaint of a store you see."""
        return complaints.get_complaint(current_user(), complaint_id)

    @blp.auth(*LEADS)
    @blp.arguments(changes_schema(ComplaintUpdateSchema))
    @write(blp)
    @blp.response(200, ComplaintSchema)
    @blp.errors(404)
    def patch(self, changes, complaint_id):
        """Move the status (open, in_progress, resolved) or write the resolution. Resolving
        stamps who and when and needs a resolution; reopening clears the stamp."""
        return complaints.update_complaint(current_user(), complaint_id, changes)
