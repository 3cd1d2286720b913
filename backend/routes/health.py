"""Liveness and database check for load balancers and `make run`."""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import text

from ..extensions import db
from .base import ApiBlueprint

blp = ApiBlueprint("health", __name__, url_prefix="/api/health", description="Service health")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})
    database = ma.fields.String(required=True, metadata={"example": "sqlite"})


@blp.route("")
@blp.response(200, HealthSchema)
def health():
    """Answer 200 when the service and its database respond."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "database": db.engine.dialect.name}
