"""Areas and teams."""

from __future__ import annotations

from flask import current_app

from ..errors import InvalidError
from ..extensions import db
from ..models import Area, Team, User
from ..scoping import get_in_scope, scoped_select
from .reports.ranges import today
from .store_table import parse_days


def business_settings() -> dict[str, object]:
    """The organisation's time zone, currency, business day and working days; the map's tile
    server and credit; the days offline after which the PWA wipes its local data."""
    config = current_app.config
    return {
        "timezone": config["TIMEZONE"],
        "currency": config["CURRENCY"],
        "today": today(),
        "working_days": parse_days(config["WORKING_DAYS"]),
        "map_tile_url": config["MAP_TILE_URL"],
        "map_tile_attribution": config["MAP_TILE_ATTRIBUTION"],
        "offline_wipe_days": config["OFFLINE_WIPE_DAYS"],
    }


def list_areas(actor: User) -> list[Area]:
    return list(db.session.scalars(scoped_select(actor, Area).order_by(Area.name)))


def list_teams(actor: User) -> list[Team]:
    return list(db.session.scalars(scoped_select(actor, Team).order_by(Team.name)))


def get_team(actor: User, team_id: int) -> Team:
    return get_in_scope(actor, Team, team_id)


def create_area(name: str) -> Area:
    area = Area(name=name)
    db.session.add(area)
    db.session.flush()
    return area


def create_team(name: str, area_id: int) -> Team:
    if db.session.get(Area, area_id) is None:
        raise InvalidError("No such area.", {"json": {"area_id": ["No such area."]}})
    team = Team(name=name, area_id=area_id)
    db.session.add(team)
    db.session.flush()
    return team
