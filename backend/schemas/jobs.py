"""Background jobs and the team-planning request."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import JobStatus


class JobSchema(ma.Schema):
    id = ma.fields.String(metadata={"description": "Poll GET /api/jobs/{id}"})
    kind = ma.fields.String()
    status = ma.fields.Enum(JobStatus, by_value=True)
    progress = ma.fields.Integer(metadata={"description": "Percent done"})
    params = ma.fields.Dict()
    result = ma.fields.Dict(allow_none=True)
    error = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)


class TeamPlanningSchema(ma.Schema):
    team_id = ma.fields.Integer(required=True)
    date_from = ma.fields.Date(required=True)
    date_to = ma.fields.Date(required=True)
    seconds = ma.fields.Float(
        validate=validate.Range(0.2, 60), metadata={"description": "Solver seconds per route"}
    )

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["date_to"] < data["date_from"]:
            raise ma.ValidationError("Must not be before date_from.", "date_to")
