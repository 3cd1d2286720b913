"""The audit log as the API shows it (read only)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from ..models.audit import Action
from .common import CODE, LABEL, PageArgs, page_schema, text


class AuditQueryArgs(PageArgs):
    action = ma.fields.Enum(Action, by_value=True)
    actor_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**31 - 1))
    subject_type = text(CODE)
    subject_id = text(LABEL)
    since = ma.fields.Date(metadata={"description": "From this business day on (inclusive)"})
    until = ma.fields.Date(metadata={"description": "Up to this business day (inclusive)"})

    @ma.validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        since, until = data.get("since"), data.get("until")
        if since is not None and until is not None and since > until:
            raise ma.ValidationError("Must not be after until.", "since")


class AuditActorSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    username = ma.fields.String(required=True, metadata={"description": "As it was then"})


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    at = ma.fields.AwareDateTime(required=True)
    actor = ma.fields.Method(
        "_actor",
        metadata={
            "type": "object",
            "nullable": True,
            "description": "Who acted: {id, username}; null for the system (CLI, scheduler) "
            "and refused sign-ins",
        },
    )
    # Stored as text: dumped as it is (an enum field would want the member).
    action = ma.fields.String(required=True, metadata={"enum": [a.value for a in Action]})
    subject_type = ma.fields.String(allow_none=True)
    subject_id = ma.fields.String(allow_none=True)
    detail = ma.fields.Dict(required=True, metadata={"description": "What, by action"})
    remote_addr = ma.fields.String(allow_none=True, metadata={"description": "Caller address"})
    user_agent = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)

    def _actor(self, entry: Any) -> dict[str, Any] | None:
        if entry.actor_username is None:
            return None
        return AuditActorSchema().dump({"id": entry.actor_id, "username": entry.actor_username})


AuditPageSchema = page_schema(AuditEntrySchema, "AuditPage")
