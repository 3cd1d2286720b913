"""Sign in and out, change your own password, sign out everywhere."""

from __future__ import annotations

import functools

from flask import Response, current_app, request
from flask.views import MethodView
from flask_limiter.util import get_remote_address

from ..auth import current_token, current_user
from ..errors import AuthenticationError, ErrorSchema
from ..extensions import limiter
from ..schemas.accounts import LoginSchema, PasswordChangeSchema, TokenSchema, UserSchema
from ..services import accounts
from ..writes import execute
from .base import ApiBlueprint
from .operations import write

blp = ApiBlueprint(
    "auth", __name__, url_prefix="/api/auth", description="Sign in and out, own password"
)


@blp.after_request
def _no_store(response: Response) -> Response:
    """Answers here carry tokens and the user's account: no cache keeps them."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_key() -> str:
    body = request.get_json(silent=True)
    username = body.get("username", "") if isinstance(body, dict) else ""
    return f"{get_remote_address()}|{str(username).strip().lower()}"


def _password_key() -> str:
    return f"{get_remote_address()}|password change"


def _token_body(plaintext, token) -> dict:
    return {
        "token": plaintext,
        "token_type": "Bearer",
        "expires_at": token.expires_at,
        "user": token.user,
    }


def _audit_refusal(view):
    """Record a refused sign-in in a write of its own, after the refused write rolled back."""

    @functools.wraps(view)
    def wrapper(self, credentials):
        try:
            return view(self, credentials)
        except AuthenticationError:
            execute(lambda: accounts.record_failed_sign_in(credentials["username"]))
            raise

    return wrapper


@blp.route("/login")
class Login(MethodView):
    decorators = [
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_login_key),
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]),
    ]

    @blp.arguments(LoginSchema)
    @_audit_refusal
    @write(blp, idempotent=False)  # no user yet to own a key, and a replay would store the token
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Wrong username or password")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many attempts; see Retry-After")
    def post(self, credentials):
        """Exchange a username and password for a bearer token."""
        return _token_body(*accounts.login(credentials["username"], credentials["password"]))


@blp.route("/password")
class Password(MethodView):
    decorators = [
        limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], key_func=_password_key)
    ]

    @blp.auth()
    @blp.arguments(PasswordChangeSchema)
    @write(blp, idempotent=False)  # a replay would store the fresh token
    @blp.response(200, TokenSchema)
    @blp.alt_response(
        422,
        schema=ErrorSchema,
        description="`wrong_password` (at current_password), `password_common` (at "
        "new_password), or a new password too short or too long",
    )
    @blp.alt_response(429, schema=ErrorSchema, description="Too many attempts; see Retry-After")
    def post(self, change):
        """Change your own password: every token of yours is revoked (this one too) and the
        answer carries a fresh one, as login does."""
        plaintext, token = accounts.change_own_password(
            current_user(), change["current_password"], change["new_password"]
        )
        return _token_body(plaintext, token)


@blp.route("/logout")
class Logout(MethodView):
    @blp.auth()
    @write(blp)
    @blp.response(204)
    def post(self):
        """Revoke the token this request was made with."""
        accounts.logout(current_token())


@blp.route("/logout-all")
class LogoutAll(MethodView):
    @blp.auth()
    @write(blp)
    @blp.response(204)
    def post(self):
        """Sign out everywhere: revoke every token of yours, this one too."""
        accounts.logout_everywhere(current_user())


@blp.route("/me")
class Me(MethodView):
    @blp.auth()
    @blp.response(200, UserSchema)
    def get(self):
        """The signed-in user."""
        return current_user()
