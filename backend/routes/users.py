"""User accounts: everyone reads within scope; admins create and change them."""

from __future__ import annotations

from flask.views import MethodView

from ..auth import current_user
from ..models import Role
from ..schemas.accounts import (
    UserCreateSchema,
    UserPageSchema,
    UserQueryArgs,
    UserSchema,
    UserUpdateSchema,
)
from ..schemas.common import changes_schema, page_envelope
from ..services import accounts
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("users", __name__, url_prefix="/api/users", description="User accounts")


@blp.route("")
class Users(MethodView):
    @blp.auth()
    @blp.arguments(UserQueryArgs, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args):
        """Users in your scope: a rep sees themself, a supervisor the team, a manager the area."""
        items, total = accounts.list_users(current_user(), args)
        return page_envelope(items, total, args["page"], args["per_page"])

    @blp.auth(Role.ADMIN)
    @blp.arguments(UserCreateSchema)
    @write(blp)
    @blp.response(201, UserSchema)
    @blp.errors(409)
    def post(self, data):
        """Create a user. Reps and supervisors need a team, area managers an area."""
        return accounts.create_user(data, actor=current_user())


@blp.route("/<int:user_id>")
class UserById(MethodView):
    @blp.auth()
    @blp.response(200, UserSchema)
    @blp.errors(404)
    def get(self, user_id):
        """One user in your scope."""
        return accounts.get_user(current_user(), user_id)

    @blp.auth(Role.ADMIN)
    @blp.arguments(changes_schema(UserUpdateSchema))
    @write(blp)
    @blp.response(200, UserSchema)
    @blp.errors(404, 409)
    def patch(self, changes, user_id):
        """Change a user; `active: false` or a new password revokes all their tokens."""
        return accounts.update_user(current_user(), user_id, changes)
