"""Liveness and readiness, for load balancers, orchestrators and `make run`."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from ..errors import ErrorSchema
from ..services import health
from .base import ApiBlueprint

blp = ApiBlueprint("health", __name__, url_prefix="/api", description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})
    database = ma.fields.String(required=True, metadata={"example": "postgresql"})


class ReadinessSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ready"})
    checks = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Each dependency: ok, or what is wrong"},
    )


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Liveness: the process answers and its database responds."""
        return health.liveness()


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, schema=ErrorSchema, description="A dependency is not ready")
    def get(self):
        """Readiness: database reachable and migrated, Redis (if configured), photo storage."""
        return health.readiness()
