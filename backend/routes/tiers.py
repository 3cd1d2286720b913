"""Tier proposals: accept the tiers the contribution report proposes."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.tiers import TierAcceptResultSchema, TierAcceptSchema
from ..services import tiers
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint(
    "tiers", __name__, url_prefix="/api/tier-proposals", description="Tier proposals"
)


@blp.route("/accept")
class Accept(MethodView):
    @blp.auth(Role.ADMIN, Role.AREA_MANAGER)
    @blp.arguments(TierAcceptSchema)
    @write(blp)
    @blp.response(200, TierAcceptResultSchema)
    @blp.errors(404)
    def post(self, data):
        """Give stores the tier GET /api/reports/tier-proposals proposes for them (the same
        `as_of` and filters; `store_ids` picks some, else all); prospects keep theirs."""
        changed = tiers.accept(current_user(), data)
        return {"changed": len(changed), "store_ids": changed}
