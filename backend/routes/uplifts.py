"""Demand uplifts on the suggested order: admins maintain them, leads read them."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import changes_schema, page_envelope
from ..schemas.orders import (
    DemandUpliftPageSchema,
    DemandUpliftQueryArgs,
    DemandUpliftSchema,
    DemandUpliftUpdateSchema,
)
from ..services import uplifts
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("uplifts", __name__, url_prefix="/api", description="Demand uplifts")
LEADS = (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)


@blp.route("/demand-uplifts")
class Uplifts(MethodView):
    @blp.auth(*LEADS)
    @blp.arguments(DemandUpliftQueryArgs, location="query")
    @blp.response(200, DemandUpliftPageSchema)
    def get(self, args):
        """Demand uplifts, newest start first; filter by product, channel, a day in force."""
        items, total = uplifts.list_uplifts(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(Role.ADMIN)
    @blp.arguments(DemandUpliftSchema)
    @write(blp)
    @blp.response(201, DemandUpliftSchema)
    def post(self, data):
        """Add an uplift: a factor on the expected demand of one own product (or all) in one
        channel (or all) over a period; uplifts that overlap multiply."""
        return uplifts.create_uplift(data)


@blp.route("/demand-uplifts/<int:uplift_id>")
class UpliftById(MethodView):
    @blp.auth(*LEADS)
    @blp.response(200, DemandUpliftSchema)
    @blp.errors(404)
    def get(self, uplift_id):
        """One uplift."""
        return uplifts.get_uplift(current_user(), uplift_id)

    @blp.auth(Role.ADMIN)
    @blp.arguments(changes_schema(DemandUpliftUpdateSchema))
    @write(blp)
    @blp.response(200, DemandUpliftSchema)
    @blp.errors(404)
    def patch(self, changes, uplift_id):
        """Change an uplift."""
        return uplifts.update_uplift(current_user(), uplift_id, changes)

    @blp.auth(Role.ADMIN)
    @write(blp)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, uplift_id):
        """Delete an uplift."""
        uplifts.delete_uplift(current_user(), uplift_id)
