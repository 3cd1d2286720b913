"""What every write-family test checks: an idempotent replay over HTTP, and a write that fails
after its use case changed rows leaving nothing behind, the report tables exactly as before."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from backend.errors import ConflictError
from backend.extensions import db
from backend.models import IdempotencyKey, RepDayDisplay, RepDayKpi
from backend.routes.operations import REPLAYED
from backend.services.reports import rep_days

Send = Callable[[dict[str, str]], Any]  # extra headers -> the test client's response
REPORT_TABLES = (RepDayKpi, RepDayDisplay)
# A store open every day.
HOURS = [{"weekday": d, "opens": "08:00", "closes": "20:00"} for d in range(7)]


class InjectedFailure(ConflictError):
    """Raised by a test's wrapper once the real use case has run and flushed."""

    reason = "injected_failure"


def idempotency_key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def report_tables() -> dict[str, list[tuple]]:
    """Every row of the report tables, ids included (a refreshed rep-day gets new ids)."""
    return {
        model.__tablename__: sorted(
            (tuple(row._mapping.items()) for row in db.session.execute(select(model.__table__))),
            key=repr,
        )
        for model in REPORT_TABLES
    }


def report_counts(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The rows without their ids: what a report reads."""
    return {
        name: sorted((tuple(item for item in row if item[0] != "id") for row in rows), key=repr)
        for name, rows in tables.items()
    }


def in_app(app, read: Callable[[], Any]) -> Any:
    with app.app_context():
        return read()


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def assert_fresh(app) -> None:
    """The report tables equal a recomputation from the raw rows."""
    assert in_app(app, lambda: rep_days.stale_rep_days(db.session.connection())) == []


def assert_replays(send: Send, other: Send, status: int) -> Any:
    """Send a write twice under one key (the second is the first reply, marked replayed), then
    the key with another payload (422 `key_reused`); returns the first response."""
    key = idempotency_key()
    first, second = send(key), send(key)
    assert first.status_code == status, first.json
    assert REPLAYED not in first.headers
    assert (second.status_code, second.json) == (first.status_code, first.json)
    assert second.headers.get(REPLAYED) == "true"
    reused = other(key)
    assert reused.status_code == 422, reused.json
    assert reused.json["reason"] == "key_reused"
    return first


def fail_after(
    real: Callable[..., Any], error: Exception, then: Callable[[], Any] = lambda: None
) -> Callable[..., Any]:
    """`real` that runs, flushes, calls `then` and raises `error`."""

    def failing(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        db.session.flush()
        then()
        raise error

    return failing


def assert_rolls_back(
    app,
    monkeypatch,
    target: str,
    send: Send,
    observe: Callable[[], Any],
    *,
    changes_reports: bool = True,
) -> None:
    """`target` (a service function, "module.name") fails after it ran and flushed: the answer
    is its JSON error, `observe()` (the rows the write changes) and the report tables are as
    before, and no key is stored; the same request and key then go through, changing both
    (the report tables only if `changes_reports`)."""
    module_name, name = target.rsplit(".", 1)
    real = getattr(importlib.import_module(module_name), name)
    seen_inside: list[Any] = []

    failing = fail_after(
        real,
        InjectedFailure("Injected after the use case ran."),
        then=lambda: seen_inside.append(observe()),
    )
    before, tables, keys = (in_app(app, f) for f in (observe, report_tables, _keys))
    key = idempotency_key()
    with monkeypatch.context() as patch:
        patch.setattr(target, failing)
        response = send(key)
    assert response.status_code == 409 and response.is_json, response.data
    assert response.json["reason"] == "injected_failure" and response.json["code"] == 409
    assert seen_inside and seen_inside[0] != before, "the use case changed nothing"
    assert in_app(app, observe) == before
    assert in_app(app, report_tables) == tables
    assert in_app(app, _keys) == keys
    assert_fresh(app)
    done = send(key)
    assert done.status_code < 300 and REPLAYED not in done.headers, done.json
    assert in_app(app, observe) == seen_inside[0]
    assert (report_counts(in_app(app, report_tables)) != report_counts(tables)) == changes_reports
    assert_fresh(app)


def _keys() -> int:
    return count(IdempotencyKey)
