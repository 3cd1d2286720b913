"""Sign-in, sign-out and user accounts."""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy import func, select

from ..auth import hash_password, issue_token, revoke_user_tokens, verify_password
from ..errors import AuthenticationError, InvalidError
from ..extensions import db
from ..models import AccessToken, Area, Role, Team, User, utcnow
from ..scoping import get_in_scope, scoped_select
from . import audit
from .paging import paginate, where_equal
from .passwords import check_new_password


def login(username: str, password: str) -> tuple[str, AccessToken]:
    """Check the credentials of an active user and issue a token (plaintext shown once)."""
    user = db.session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).first()
    if not verify_password(user, password) or user is None or not user.active:
        raise AuthenticationError("Wrong username or password.")
    plaintext, token = issue_token(user)
    db.session.flush()
    audit.record(audit.Action.SIGN_IN, actor=user, subject_type="user", subject_id=user.id)
    return plaintext, token


def record_failed_sign_in(username: str) -> None:
    """Audit a refused sign-in (in a write of its own: the refused one rolled back). The
    account it named, if any, is the subject; nobody is the actor."""
    user = db.session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).first()
    audit.record(
        audit.Action.SIGN_IN_FAILED,
        actor=None,
        subject_type="user",
        subject_id=user.id if user is not None else None,
        detail={"username": username.strip()[:80]},
    )


def logout(token: AccessToken) -> None:
    token.revoked_at = utcnow()
    db.session.flush()


def logout_everywhere(user: User) -> None:
    """Revoke every token of `user`, the one in use too."""
    revoke_user_tokens(user)
    db.session.flush()


def change_own_password(user: User, current: str, new: str) -> tuple[str, AccessToken]:
    """The user's own change: the current password first, then the new one replaces it, every
    token of the user is revoked and a fresh one issued (plaintext shown once)."""
    if not verify_password(user, current):
        message = "The current password is wrong."
        raise InvalidError(
            message, {"json": {"current_password": [message]}}, reason="wrong_password"
        )
    set_password(user, new, field="new_password", actor=user)
    plaintext, token = issue_token(user)
    db.session.flush()
    return plaintext, token


def list_users(actor: User, args: dict[str, Any]) -> tuple[list[User], int]:
    stmt = scoped_select(actor, User)
    stmt = where_equal(stmt, User, args, ("role", "team_id", "active"))
    return paginate(stmt.order_by(User.username), args["page"], args["per_page"])


def get_user(actor: User, user_id: int) -> User:
    return get_in_scope(actor, User, user_id)


def create_user(data: dict[str, Any], actor: User | None = None) -> User:
    """Create an account (an admin's act; the CLI's has no actor)."""
    data = dict(data)
    password = data.pop("password")
    check_new_password(password)
    user = User(**data, password_hash=hash_password(password), active=True)
    _check_membership(user)
    db.session.add(user)
    db.session.flush()
    detail = {"user": _audited(user)}
    action = audit.Action.USER_CREATED
    audit.record(action, actor=actor, subject_type="user", subject_id=user.id, detail=detail)
    return user


def update_user(actor: User, user_id: int, changes: dict[str, Any]) -> User:
    """Change an account; a new password or `active: False` revokes the user's tokens."""
    user = get_in_scope(actor, User, user_id)
    changes = dict(changes)
    before = _audited(user)
    if "password" in changes:
        set_password(user, changes.pop("password"), actor=actor)
    for key, value in changes.items():
        setattr(user, key, value)
    if not user.active:
        revoke_user_tokens(user)
    _check_membership(user)
    db.session.flush()
    _record_change(actor, user, before)
    return user


def _record_change(actor: User, user: User, before: dict[str, Any]) -> None:
    """One entry for a change that changed something: a role change (with whatever changed
    along) is ROLE_CHANGED, any other USER_CHANGED. Passwords are recorded by set_password."""
    after = _audited(user)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if not changed:
        return
    action = audit.Action.ROLE_CHANGED if "role" in changed else audit.Action.USER_CHANGED
    audit.record(
        action, actor=actor, subject_type="user", subject_id=user.id, detail={"changes": changed}
    )


AUDITED_FIELDS = (
    "username", "full_name", "role", "team_id", "area_id", "active", "phone",
    "home_lat", "home_lng", "shift_start", "shift_end", "travel_mode",
)  # fmt: skip


def _audited(user: User) -> dict[str, Any]:
    """The account's fields as JSON values (never its password hash)."""
    values = {name: getattr(user, name) for name in AUDITED_FIELDS}
    return {
        k: v.value if isinstance(v, Enum) else v.isoformat() if hasattr(v, "isoformat") else v
        for k, v in values.items()
    }


def set_password(
    user: User, password: str, field: str = "password", *, actor: User | None = None
) -> None:
    """Replace the password (a common one is refused at `field`) and sign the user out
    everywhere (caller commits). `actor`: who did it (the user themself, an admin, None for
    the CLI)."""
    check_new_password(password, field)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    revoke_user_tokens(user)
    own = actor is not None and actor.id == user.id
    audit.record(
        audit.Action.PASSWORD_RESET,
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        detail={"own": own},
    )


def _check_membership(user: User) -> None:
    """Reps and supervisors belong to a team, area managers to an area, admins to neither."""
    errors: dict[str, list[str]] = {}
    if user.role in (Role.REP, Role.SUPERVISOR):
        if user.team_id is None or db.session.get(Team, user.team_id) is None:
            errors["team_id"] = ["Reps and supervisors need an existing team."]
        user.area_id = None
    elif user.role is Role.AREA_MANAGER:
        if user.area_id is None or db.session.get(Area, user.area_id) is None:
            errors["area_id"] = ["Area managers need an existing area."]
        user.team_id = None
    else:
        user.team_id = user.area_id = None
    if errors:
        db.session.rollback()
        raise InvalidError("The user's team or area is not valid.", {"json": errors})
