"""The command executor: the one owner of a write's transaction, and the one `commit()`.

A use case (a service function) only flushes. `execute` runs it inside a savepoint, so a failure
undoes exactly its own changes, then commits; the session's commit hook refreshes the report
tables first, in the same transaction. Inside `one_commit` (a device's offline batch) the writes
stay savepoints of one transaction, committed and refreshed once at the end. `execute_keyed`
adds the idempotency key: a key seen before replays its first reply without running anything;
a new one is stored in the same savepoint as the write it guards, so both commit together or
not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from .. import timings
from ..errors import ConflictError
from ..extensions import db
from ..models import User
from ..services.reports import rep_days
from . import idempotency
from .idempotency import Reply

# The report-table refresh step: before every commit of the database extension's session (this
# executor's, or a test fixture's), the touched rep-days' report rows are recomputed.
rep_days.track(db.session)

T = TypeVar("T")
_AFTER_COMMIT = "terminus_after_commit"
_SAVEPOINT = "terminus_savepoint"
_ONE_COMMIT = "terminus_one_commit"
_ITEM = "terminus_item_savepoint"


def execute(use_case: Callable[[], T]) -> T:
    """Run `use_case` in a savepoint and commit; on any failure roll everything back, re-raise.

    A conflict the database finds on flush (a unique key) becomes a `ConflictError`.
    """
    session = db.session()
    if session.info.get(_SAVEPOINT) is not None:
        raise RuntimeError("execute() inside execute(): a use case must not start another write")
    _begin(session)
    actions = len(session.info.get(_AFTER_COMMIT, ()))
    try:
        result = use_case()
        session.flush()
        session.info[_SAVEPOINT].commit()
        session.info.pop(_SAVEPOINT)
    except IntegrityError:
        _roll_back(session, actions)
        raise ConflictError("The change conflicts with existing data.") from None
    except BaseException:
        _roll_back(session, actions)
        raise
    if not session.info.get(_ONE_COMMIT):
        _commit(session)
    return result


@contextmanager
def one_commit() -> Iterator[None]:
    """Run the writes inside as savepoints of one transaction committed when the block ends:
    an offline batch's operations pay one commit and one report refresh instead of one each.

    A write that fails undoes only itself (its savepoint), as it would alone. If the block
    raises, or its commit fails, nothing of it stays: the caller answers with the error and the
    device sends the batch again under the same keys.
    """
    session = db.session()
    if session.info.get(_ONE_COMMIT) or session.info.get(_SAVEPOINT) is not None:
        raise RuntimeError("one_commit() inside a write")
    _write_lock(session)
    session.info[_ONE_COMMIT] = True
    try:
        yield
    except BaseException:
        session.info.pop(_ONE_COMMIT, None)
        _roll_back(session)
        raise
    session.info.pop(_ONE_COMMIT, None)
    try:
        _commit(session)
    except BaseException:
        _roll_back(session)
        raise


@contextmanager
def undone_alone() -> Iterator[None]:
    """Inside `one_commit`: what the block does is undone by itself when it raises (a lookup
    that failed on PostgreSQL leaves the transaction usable for the next operation). The write
    the block runs (`execute`) takes this savepoint as its own: one savepoint an item, not two."""
    session = db.session()
    savepoint = session.info[_ITEM] = session.begin_nested()
    try:
        yield
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    finally:
        session.info.pop(_ITEM, None)
    if savepoint.is_active:
        savepoint.commit()


def execute_keyed(
    actor: User,
    key: str,
    operation: str,
    fingerprint: str,
    run: Callable[[], Reply],
    prepare: Callable[[], None] | None = None,
) -> Reply:
    """`execute(run)` once for (actor, key); a retry gets the first reply back.

    `prepare` does slow work that needs no database (decoding a photo) before the transaction,
    unless the key is answered from its first reply. The same key with another `fingerprint`
    is refused (422). Failed writes store nothing: the client may retry them with the same key.
    """
    key = idempotency.check_key(key)
    stored = idempotency.stored(actor.id, key)
    if stored is not None:
        return idempotency.replay(stored, operation, fingerprint)
    if prepare is not None:
        prepare()

    def recorded() -> Reply:
        entry = idempotency.claim(actor.id, key, operation, fingerprint)
        if entry is None:  # a concurrent first use of the key won and has committed
            return idempotency.replay_winner(actor.id, key, operation, fingerprint)
        reply = run()
        idempotency.record(entry, reply)
        return reply

    return execute(recorded)


def checkpoint() -> None:
    """Commit what a long use case (a job) has done so far, and go on in a new savepoint, so
    its progress is visible to others while it runs."""
    session = db.session()
    session.info.pop(_SAVEPOINT).commit()
    _commit(session)
    _begin(session)


def after_commit(action: Callable[[], None]) -> None:
    """Run `action` once the write commits (e.g. hand a job to a worker that reads its row)."""
    db.session().info.setdefault(_AFTER_COMMIT, []).append(action)


def _begin(session: Any) -> None:
    _write_lock(session)
    item = session.info.pop(_ITEM, None)  # inside `undone_alone`: its savepoint is this write's
    session.info[_SAVEPOINT] = item if item is not None else session.begin_nested()


def _write_lock(session: Any) -> None:
    """On SQLite, take the write lock first (BEGIN IMMEDIATE): a savepoint alone starts a
    deferred transaction, whose read lock, held through a use case's reads (a route being
    solved), deadlocks with another writer when it wants to write."""
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _commit(session: Any) -> None:
    """Commit without expiring the session's objects: replies are serialised already, and what
    the request reads afterwards (the signed-in user, for the access log) is unchanged."""
    session.expire_on_commit = False
    try:
        with timings.phase("commit"):
            session.commit()
    finally:
        session.expire_on_commit = True
    for action in session.info.pop(_AFTER_COMMIT, []):
        action()


def _roll_back(session: Any, actions: int = 0) -> None:
    """Undo the write: its savepoint only inside `one_commit` (with the after-commit actions it
    added), else the whole transaction."""
    savepoint = session.info.pop(_SAVEPOINT, None)
    if session.info.get(_ONE_COMMIT) and savepoint is not None:
        savepoint.rollback()
        del session.info.get(_AFTER_COMMIT, [])[actions:]
        return
    session.info.pop(_AFTER_COMMIT, None)
    session.rollback()
