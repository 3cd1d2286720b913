"""Passwords, bearer tokens and the signed-in user.

Tokens are opaque random strings; the database keeps only their SHA-256 digest, an expiry and a
revocation time. Passwords are hashed with Argon2id.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request
from sqlalchemy import select, update

from .errors import AuthenticationError
from .extensions import db
from .models import AccessToken, User, utcnow

_HASHER_KEY = "terminus.password_hasher"


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get(_HASHER_KEY)
    if hasher is None:
        cfg = current_app.config
        hasher = PasswordHasher(
            time_cost=cfg["PASSWORD_TIME_COST"],
            memory_cost=cfg["PASSWORD_MEMORY_KIB"],
            parallelism=cfg["PASSWORD_PARALLELISM"],
        )
        current_app.extensions[_HASHER_KEY] = hasher
    return hasher


def hash_password(password: str) -> str:
    """Argon2id hash of `password` with the configured cost."""
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """True if `password` is the user's; rehashes it if the cost settings changed.

    Without a user, a dummy hash is still checked so the answer takes as long either way.
    """
    hasher = _hasher()
    stored = user.password_hash if user is not None else _dummy_hash()
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None:
        return False
    if hasher.check_needs_rehash(stored):
        user.password_hash = hasher.hash(password)
    return True


def _dummy_hash() -> str:
    key = "terminus.dummy_hash"
    if key not in current_app.extensions:
        current_app.extensions[key] = _hasher().hash(secrets.token_hex(16))
    return current_app.extensions[key]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, AccessToken]:
    """Create a token for `user`; returns the plaintext (shown once) and its stored row."""
    plaintext = secrets.token_urlsafe(32)
    row = AccessToken(
        token_hash=token_digest(plaintext),
        user=user,
        expires_at=utcnow() + timedelta(hours=current_app.config["TOKEN_TTL_HOURS"]),
    )
    db.session.add(row)
    return plaintext, row


def user_for_token(plaintext: str, now: datetime | None = None) -> tuple[User, AccessToken] | None:
    """The active user and live token behind `plaintext`, or None."""
    now = now or utcnow()
    row = db.session.execute(
        select(AccessToken, User)
        .join(User, AccessToken.user_id == User.id)
        .where(
            AccessToken.token_hash == token_digest(plaintext),
            AccessToken.revoked_at.is_(None),
            AccessToken.expires_at > now,
            User.active.is_(True),
        )
    ).first()
    return (row.User, row.AccessToken) if row else None


def revoke_user_tokens(user: User) -> int:
    """Revoke every live token of `user`; returns how many."""
    result = db.session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate_request() -> User:
    """Resolve the request's bearer token into `g.current_user`, or raise 401."""
    token = bearer_token()
    if token is None:
        raise AuthenticationError("A bearer token is required.")
    found = user_for_token(token)
    if found is None:
        raise AuthenticationError("The token is invalid, expired or revoked.")
    g.current_user, g.current_token = found
    return g.current_user


def current_user() -> User:
    """The signed-in user of this request (set by the auth decorator)."""
    return g.current_user


def current_token() -> AccessToken:
    return g.current_token
