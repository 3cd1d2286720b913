"""Rate-limit counters in the database, for when no Redis is configured.

flask-limiter counts in the memory of each process unless told otherwise, so under gunicorn's
N workers a login limit of 10 a minute would allow 10 × N. Without REDIS_URL the counters live
in the table `rate_limit_counters` instead (storage URI `terminus-database://`), shared by every
worker and host on the database. Each hit is one atomic upsert on its own connection, committed
at once: a request's rollback never undoes the count of its attempt.

Keys are stored as their SHA-256 digest (a key holds a client address and the username typed,
of any length). Times are epoch seconds, the clock `limits` uses; expired rows are purged on the
way.
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from limits.storage import Storage
from sqlalchemy import Float, Integer, String, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from .config import DATABASE_COUNTERS
from .extensions import db


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of limits' key
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # epoch seconds


COUNTERS = RateLimitCounter.__table__
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage (fixed windows) on the app's database."""

    STORAGE_SCHEME = [DATABASE_COUNTERS.removesuffix("://")]

    @property
    def base_exceptions(self) -> type[Exception]:
        return DBAPIError

    @staticmethod
    def _engine():
        return current_app.extensions["sqlalchemy"].engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count `amount` hits on `key`; a window that has ended starts again from them."""
        now = time.time()
        engine = self._engine()
        insert = _INSERTS[engine.dialect.name](COUNTERS)
        ended = COUNTERS.c.expires_at <= now
        upsert = (
            insert.values(key=_digest(key), hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[COUNTERS.c.key],
                set_={
                    "hits": case((ended, amount), else_=COUNTERS.c.hits + amount),
                    "expires_at": case((ended, now + expiry), else_=COUNTERS.c.expires_at),
                },
            )
            .returning(COUNTERS.c.hits)
        )
        with engine.begin() as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.expires_at < now))
            return conn.execute(upsert).scalar_one()

    def _live(self, key: str):
        return select(COUNTERS).where(
            COUNTERS.c.key == _digest(key), COUNTERS.c.expires_at > time.time()
        )

    def get(self, key: str) -> int:
        with self._engine().connect() as conn:
            row = conn.execute(self._live(key)).first()
        return row.hits if row else 0

    def get_expiry(self, key: str) -> float:
        with self._engine().connect() as conn:
            row = conn.execute(self._live(key)).first()
        return row.expires_at if row else time.time()

    def check(self) -> bool:
        try:
            with self._engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as conn:
            return conn.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key == _digest(key)))
