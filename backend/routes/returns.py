"""Returns a lead decides on, and the follow-up of near-expiry stock at later visits."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.common import page_envelope
from ..schemas.returns import (
    ExpiryFollowUpsSchema,
    OpenExpiryArgs,
    OpenExpiryItemSchema,
    ReturnDecisionSchema,
    ReturnItemSchema,
    ReturnPageSchema,
    ReturnQueryArgs,
)
from ..services import expiry_followups, returns
from .base import ApiBlueprint
from .operations import documented_write, write
from .visit_operations import respond

blp = ApiBlueprint(
    "returns", __name__, url_prefix="/api", description="Returns and near-expiry follow-up"
)
LEADS = (Role.SUPERVISOR, Role.AREA_MANAGER, Role.ADMIN)


@blp.route("/returns")
class Returns(MethodView):
    @blp.auth()
    @blp.arguments(ReturnQueryArgs, location="query")
    @blp.response(200, ReturnPageSchema)
    def get(self, args):
        """Return requests in your scope (a rep: their own), oldest first: the lead's queue
        with `status=requested`."""
        items, total = returns.list_returns(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])


@blp.route("/returns/<int:return_id>")
class ReturnById(MethodView):
    @blp.auth(*LEADS)
    @blp.arguments(ReturnDecisionSchema)
    @write(blp)
    @blp.response(200, ReturnItemSchema)
    @blp.errors(404, 409)
    def patch(self, data, return_id):
        """Move a return of your scope on: approve or reject a request, then collected, then
        credited (any other move: 409). A rep's re-sync of the visit keeps the decision."""
        return returns.decide_return(current_user(), return_id, data)


@blp.route("/stores/<int:store_id>/expiry-followups")
class OpenExpiryItems(MethodView):
    @blp.auth()
    @blp.arguments(OpenExpiryArgs, location="query")
    @blp.response(200, OpenExpiryItemSchema(many=True))
    @blp.errors(404)
    def get(self, args, store_id):
        """The store's near-expiry items noted at earlier visits and still open: never followed
        up or last seen still on the shelf, and not more than 30 days past expiry."""
        return expiry_followups.open_items(current_user(), store_id, args.get("date"))


@blp.route("/visits/<int:visit_id>/expiry-followups")
class ExpiryFollowUps(MethodView):
    @blp.auth(Role.REP)
    @blp.arguments(ExpiryFollowUpsSchema)
    @blp.response(200, ExpiryFollowUpsSchema)
    @documented_write(blp)
    @blp.errors(404, 409)
    def put(self, data, visit_id):
        """What became of earlier visits' near-expiry items, seen at this visit.

        The list replaces the visit's previous one; each item must be of an earlier visit to
        the same store (422)."""
        return respond("expiry_followups", data, visit=visit_id)
