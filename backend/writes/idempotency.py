"""Idempotency keys: a write carrying a client-generated key runs once; retries replay the reply.

The key is stored in the same savepoint as the write it guards (`executor.execute_keyed`), so the
write and its recorded reply commit together or not at all. Two concurrent first uses of one
key race on the (user, key) unique constraint: the loser's insert does nothing (PostgreSQL makes
it wait for the winner's commit, SQLite serialises writers) and it replays the winner's reply.
Failed writes (4xx) are not recorded.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import ConflictError, InvalidError
from ..extensions import db
from ..models import IdempotencyKey, utcnow

HEADER = "Idempotency-Key"
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass
class Reply:
    """What the caller's layer answers for a write (an HTTP status and body), kept for replays."""

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


def fingerprint(operation: str, target: Any, payload: Any, file: bytes | None = None) -> str:
    """SHA-256 of the canonical request: the operation, its target, its body and its file."""
    canonical = json.dumps(
        {
            "op": operation,
            "target": target,
            "body": payload,
            "file": hashlib.sha256(file).hexdigest() if file is not None else None,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def stored(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).first()


def replay(row: IdempotencyKey, operation: str, fp: str) -> Reply:
    """The first reply to this key, if the request is the same one."""
    if row.fingerprint != fp:
        raise InvalidError(
            f"This {HEADER} was already used for a different request ({row.operation}).",
            {"headers": {HEADER: ["Used before with another payload; use a new key."]}},
            reason="key_reused",
        )
    return Reply(row.status_code, row.response, replayed=True)


def claim(user_id: int, key: str, operation: str, fp: str) -> int | None:
    """Store the key (its reply recorded later), or None if another request holds it.

    One INSERT ... ON CONFLICT DO NOTHING: no savepoint to catch the unique violation in (two
    statements fewer on every write). On PostgreSQL a concurrent first use that has not
    committed yet makes it wait, then do nothing once that one commits."""
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert(IdempotencyKey)
        .values(
            user_id=user_id,
            key=key,
            operation=operation,
            fingerprint=fp,
            status_code=0,
            response={},
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["user_id", "key"])
        .returning(IdempotencyKey.id)
    )
    return db.session.scalar(statement)


def record(entry: int, reply: Reply) -> None:
    """Keep `reply` as the answer to the key `claim` stored as `entry`."""
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == entry)
        .values(status_code=reply.status, response=reply.body)
    )


def replay_winner(user_id: int, key: str, operation: str, fp: str) -> Reply:
    """The reply of the concurrent request that stored this key first."""
    row = stored(user_id, key)
    if row is None:
        raise ConflictError("The same request is in progress; retry it.", reason="in_progress")
    return replay(row, operation, fp)


def prune() -> int:
    """Forget replies older than IDEMPOTENCY_KEEP_DAYS; returns how many (the caller commits)."""
    cutoff = utcnow() - timedelta(days=current_app.config["IDEMPOTENCY_KEEP_DAYS"])
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    return result.rowcount
