"""Background jobs and the team-planning request."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from ..models import JobStatus
from ..models.jobs import JobStage


class JobSchema(ma.Schema):
    id = ma.fields.String(metadata={"description": "Poll GET /api/jobs/{id}"})
    kind = ma.fields.String()
    status = ma.fields.Enum(JobStatus, by_value=True)
    stage = ma.fields.String(
        validate=validate.OneOf(list(JobStage)),
        metadata={
            "description": "queued; team planning: cycles (assigning days), routes (solving "
            "each rep-day), done; cancelled",
        },
    )
    progress = ma.fields.Integer(metadata={"description": "Percent done"})
    eta_seconds = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Seconds left at the pace so far (null while unknown)"},
    )
    cancel_requested = ma.fields.Boolean(
        metadata={"description": "A cancel was asked for; the job stops before its next step"}
    )
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
    replace_drafts = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Plan the reps' unpublished drafts in the range again (deleted and "
            "made anew) instead of skipping them; published plans are never touched"
        },
    )

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["date_to"] < data["date_from"]:
            raise ma.ValidationError("Must not be before date_from.", "date_to")
