"""The suggested order of a store for a day, with the numbers behind each quantity."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..schemas.orders import SuggestedOrderArgs, SuggestedOrderSchema
from ..services.reports.ranges import today
from ..services.suggested_orders import suggested_order
from .base import ApiBlueprint

blp = ApiBlueprint("suggested_orders", __name__, url_prefix="/api", description="Suggested orders")


@blp.route("/stores/<int:store_id>/suggested-order")
class SuggestedOrder(MethodView):
    @blp.auth()
    @blp.arguments(SuggestedOrderArgs, location="query")
    @blp.response(200, SuggestedOrderSchema)
    @blp.errors(404)
    def get(self, args, store_id):
        """Per own product: the units to hold until the store's next visit (sell-through per
        day × cover days × uplift, or the default par without history) less the latest stock
        count. See docs/suggested-orders.md."""
        return suggested_order(current_user(), store_id, args.get("date") or today())
