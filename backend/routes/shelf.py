"""Competitor facings at a visit: what share of shelf counts besides our own display checks."""

from __future__ import annotations

from flask.views import MethodView

from ..models import Role
from ..schemas.shelf import ShelfFacingsSchema
from .base import ApiBlueprint
from .operations import documented_write
from .visit_operations import respond

blp = ApiBlueprint("shelf", __name__, url_prefix="/api", description="Share of shelf")


@blp.route("/visits/<int:visit_id>/shelf-facings")
class VisitShelfFacings(MethodView):
    @blp.auth(Role.REP)
    @blp.arguments(ShelfFacingsSchema)
    @blp.response(200, ShelfFacingsSchema)
    @documented_write(blp)
    @blp.errors(404, 409)
    def put(self, data, visit_id):
        """Competitor facings on the shelf: per competitor brand and category of ours, its
        facings and how many are at eye level.

        The list replaces the visit's previous one. Share of shelf in the display report
        counts these besides our own products' facings."""
        return respond("shelf_facings", data, visit=visit_id)
