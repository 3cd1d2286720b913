"""Areas, teams and the business settings every screen formats with."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.org import AreaSchema, BusinessSettingsSchema, TeamSchema
from ..services import org
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("org", __name__, url_prefix="/api", description="Areas, teams, settings")


@blp.route("/settings")
class Settings(MethodView):
    @blp.auth()
    @blp.response(200, BusinessSettingsSchema)
    def get(self):
        """The business time zone, currency, today's business day and the working days; the
        map's tile URL and attribution; the days offline before the app wipes its local data."""
        return org.business_settings()


@blp.route("/areas")
class Areas(MethodView):
    @blp.auth()
    @blp.response(200, AreaSchema(many=True))
    def get(self):
        """Areas in your scope."""
        return org.list_areas(current_user())

    @blp.auth(Role.ADMIN)
    @blp.arguments(AreaSchema)
    @write(blp)
    @blp.response(201, AreaSchema)
    @blp.errors(409)
    def post(self, data):
        """Create an area."""
        return org.create_area(data["name"])


@blp.route("/teams")
class Teams(MethodView):
    @blp.auth()
    @blp.response(200, TeamSchema(many=True))
    def get(self):
        """Teams in your scope."""
        return org.list_teams(current_user())

    @blp.auth(Role.ADMIN)
    @blp.arguments(TeamSchema)
    @write(blp)
    @blp.response(201, TeamSchema)
    @blp.errors(409)
    def post(self, data):
        """Create a team in an area."""
        return org.create_team(data["name"], data["area_id"])


@blp.route("/teams/<int:team_id>")
class TeamById(MethodView):
    @blp.auth()
    @blp.response(200, TeamSchema)
    @blp.errors(404)
    def get(self, team_id):
        """One team in your scope."""
        return org.get_team(current_user(), team_id)
