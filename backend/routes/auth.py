"""Sign in and out."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address

from ..auth import current_token, current_user
from ..errors import ErrorSchema
from ..extensions import limiter
from ..schemas.accounts import LoginSchema, TokenSchema, UserSchema
from ..services import accounts
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint("auth", __name__, url_prefix="/api/auth", description="Sign in and out")


def _login_key() -> str:
    body = request.get_json(silent=True)
    username = body.get("username", "") if isinstance(body, dict) else ""
    return f"{get_remote_address()}|{str(username).strip().lower()}"


@blp.route("/login")
class Login(MethodView):
    decorators = [
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key),
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]),
    ]

    @blp.arguments(LoginSchema)
    @write(blp, idempotent=False)  # no user yet to own a key, and a replay would store the token
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Wrong username or password")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many attempts; see Retry-After")
    def post(self, credentials):
        """Exchange a username and password for a bearer token."""
        plaintext, token = accounts.login(credentials["username"], credentials["password"])
        return {
            "token": plaintext,
            "token_type": "Bearer",
            "expires_at": token.expires_at,
            "user": token.user,
        }


@blp.route("/logout")
class Logout(MethodView):
    @blp.auth()
    @write(blp)
    @blp.response(204)
    def post(self):
        """Revoke the token this request was made with."""
        accounts.logout(current_token())


@blp.route("/me")
class Me(MethodView):
    @blp.auth()
    @blp.response(200, UserSchema)
    def get(self):
        """The signed-in user."""
        return current_user()
