"""Areas and teams."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate


class AreaSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(1, 120))


class TeamSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(1, 120))
    area_id = ma.fields.Integer(required=True)
