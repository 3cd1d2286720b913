"""Areas and teams."""

from __future__ import annotations

import marshmallow as ma

from .common import NAME, text


class AreaSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = text(NAME, min_length=1, required=True)


class TeamSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = text(NAME, min_length=1, required=True)
    area_id = ma.fields.Integer(required=True)


class BusinessSettingsSchema(ma.Schema):
    """What every screen needs to show dates, times and money as the business does."""

    timezone = ma.fields.String(
        required=True, metadata={"description": "IANA zone of plan dates and store hours"}
    )
    currency = ma.fields.String(required=True, metadata={"description": "ISO 4217 code"})
    today = ma.fields.Date(required=True, metadata={"description": "The business day now"})
    working_days = ma.fields.List(
        ma.fields.Integer(), required=True, metadata={"description": "Weekdays, Monday = 0"}
    )
    map_tile_url = ma.fields.String(
        required=True,
        metadata={
            "description": "Tile URL template of the route maps (Leaflet: {s}, {z}, {x}, {y}, {r})",
            "example": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        },
    )
    map_tile_attribution = ma.fields.String(
        required=True,
        metadata={
            "description": "The credit the map shows for its tiles (plain text: escape it)",
            "example": "© OpenStreetMap contributors",
        },
    )
    offline_wipe_days = ma.fields.Integer(
        required=True,
        metadata={
            "description": "Days without reaching the server after which the app wipes its "
            "local data (unsent visits are kept); 0 = never",
            "example": 14,
        },
    )
