"""Idempotency keys: a write carrying a client-generated key runs once; retries replay the reply.

The key is stored in the same transaction (a savepoint) as the write it guards, so the write and
its recorded reply commit together or not at all. Two concurrent first uses of one key race on
the (user, key) unique constraint: the loser's insert fails (PostgreSQL makes it wait for the
winner's commit, SQLite serialises writers), it rolls back its savepoint and replays the winner's
reply. Failed writes (4xx) are not recorded: the client may retry them with the same key.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..errors import ConflictError, InvalidError
from ..extensions import db
from ..models import IdempotencyKey, User, utcnow
from . import unit_of_work

log = logging.getLogger(__name__)
HEADER = "Idempotency-Key"


@dataclass
class Reply:
    status: int
    body: Any
    replayed: bool = False


def check_key(key: str) -> str:
    """The key in canonical form; it must be a UUID."""
    try:
        return str(uuid.UUID(key))
    except (ValueError, TypeError, AttributeError):
        raise InvalidError(
            f"{HEADER} must be a UUID.", {"headers": {HEADER: ["Not a valid UUID."]}}
        ) from None


def fingerprint(operation: str, target: Any, payload: Any, file_sha256: str | None) -> str:
    """SHA-256 of the canonical request: the operation, its target, its body and its file."""
    canonical = json.dumps(
        {"op": operation, "target": target, "body": payload, "file": file_sha256},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).first()


def _replay(row: IdempotencyKey, operation: str, fp: str) -> Reply:
    if row.fingerprint != fp:
        raise InvalidError(
            f"This {HEADER} was already used for a different request ({row.operation}).",
            {"headers": {HEADER: ["Used before with another payload; use a new key."]}},
            reason="key_reused",
        )
    return Reply(row.status_code, row.response, replayed=True)


def perform(
    actor: User,
    key: str | None,
    operation: str,
    fp: str,
    run: Callable[[], Reply],
    prepare: Callable[[], None] | None = None,
) -> Reply:
    """Run `run` (a use case that flushes) once for (actor, key), commit, return its reply.

    `prepare` does slow work that needs no database (decoding a photo) before the transaction,
    unless the key is answered from its first reply. A failure rolls back only this
    operation's savepoint; the caller rolls back the rest.
    """
    if key is None:
        if prepare is not None:
            prepare()
        with unit_of_work.outer():
            reply = _in_savepoint(run)
    else:
        key = check_key(key)
        row = _stored(actor.id, key)
        if row is not None:
            return _replay(row, operation, fp)
        if prepare is not None:
            prepare()
        with unit_of_work.outer():
            reply = _keyed(actor, key, operation, fp, run)
    _commit_keeping_state()
    return reply


def _commit_keeping_state() -> None:
    """Commit without expiring the session's objects: the reply is already serialised, and
    what the request reads afterwards (the signed-in user, for the access log) is unchanged."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _keyed(actor: User, key: str, operation: str, fp: str, run: Callable[[], Reply]) -> Reply:
    savepoint = db.session.begin_nested()
    entry = IdempotencyKey(
        user_id=actor.id, key=key, operation=operation, fingerprint=fp, status_code=0, response={}
    )
    try:
        db.session.add(entry)
        db.session.flush()
    except IntegrityError:
        # A concurrent request with the same key won (and has committed by now).
        savepoint.rollback()
        row = _stored(actor.id, key)
        if row is None:
            raise ConflictError(
                "The same request is in progress; retry it.", reason="in_progress"
            ) from None
        return _replay(row, operation, fp)
    return _finish(savepoint, run, entry)


def _in_savepoint(run: Callable[[], Reply]) -> Reply:
    return _finish(db.session.begin_nested(), run)


def _finish(savepoint: Any, run: Callable[[], Reply], entry: IdempotencyKey | None = None) -> Reply:
    """Run the use case inside `savepoint`, record its reply on `entry`, release or roll back."""
    try:
        reply = run()
        if entry is not None:
            entry.status_code, entry.response = reply.status, reply.body
        db.session.flush()
    except IntegrityError:
        savepoint.rollback()
        raise ConflictError("The change conflicts with existing data.") from None
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return reply


def prune() -> int:
    """Forget replies older than IDEMPOTENCY_KEEP_DAYS; returns how many."""
    cutoff = utcnow() - timedelta(days=current_app.config["IDEMPOTENCY_KEEP_DAYS"])
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    db.session.commit()
    return result.rowcount
