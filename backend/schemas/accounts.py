"""Login, tokens and user accounts."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from ..models import Role, TravelMode
from .common import CODE, LABEL, NAME, Clock, PageArgs, page_schema, text

PASSWORD = validate.Length(min=10, max=256, error="Use 10 to 256 characters.")


class LoginSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=validate.Length(1, 80))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(1, 256))


class PasswordChangeSchema(ma.Schema):
    current_password = ma.fields.String(
        required=True, load_only=True, validate=validate.Length(1, 256)
    )
    new_password = ma.fields.String(
        required=True,
        load_only=True,
        validate=PASSWORD,
        metadata={"description": "Not one of the common or breached passwords"},
    )


class UserSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    username = text(
        LABEL,
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9][a-z0-9._-]{1,79}$", error="Lower-case letters, digits, . _ -"
        ),
    )
    full_name = text(NAME, min_length=1, required=True)
    role = ma.fields.Enum(Role, by_value=True, required=True)
    team_id = ma.fields.Integer(allow_none=True, metadata={"description": "Reps and supervisors"})
    area_id = ma.fields.Integer(allow_none=True, metadata={"description": "Area managers"})
    active = ma.fields.Boolean(dump_only=True)
    phone = text(CODE, allow_none=True)
    home_lat = ma.fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    home_lng = ma.fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    shift_start = Clock(allow_none=True)
    shift_end = Clock(allow_none=True)
    travel_mode = ma.fields.Enum(
        TravelMode,
        by_value=True,
        allow_none=True,
        metadata={
            "description": "Reps: car, scooter, bicycle or foot (the road network's costing); "
            "null = the organisation's default (PLAN_TRAVEL_MODE)"
        },
    )
    created_at = ma.fields.AwareDateTime(dump_only=True)


class UserCreateSchema(UserSchema):
    password = ma.fields.String(required=True, load_only=True, validate=PASSWORD)


class UserUpdateSchema(UserSchema):
    """Loaded with `changes_schema`. `active: false` disables the user and revokes their tokens."""

    active = ma.fields.Boolean()
    password = ma.fields.String(
        load_only=True,
        validate=PASSWORD,
        metadata={"description": "A new password; revokes the user's tokens"},
    )


class TokenSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "Send as `Bearer <token>`"})
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = ma.fields.AwareDateTime(required=True)
    user = ma.fields.Nested(UserSchema, required=True)


class UserQueryArgs(PageArgs):
    role = ma.fields.Enum(Role, by_value=True)
    team_id = ma.fields.Integer()
    active = ma.fields.Boolean()


UserPageSchema = page_schema(UserSchema, "UserPage")
