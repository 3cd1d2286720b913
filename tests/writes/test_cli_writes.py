"""CLI writes through the executor: run twice, a command changes the database once; a command
whose use case fails after changing rows leaves nothing, the report tables exactly as before."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from backend.extensions import db
from backend.models import (
    FlagKind,
    IdempotencyKey,
    RepDayKpi,
    User,
    Visit,
    VisitFlag,
    VisitStatus,
    utcnow,
)
from backend.services import accounts, visits
from backend.services.reports import rep_days
from tests.api.visit_helpers import check_in, key, minutes_ago
from tests.writes.write_helpers import (
    assert_fresh,
    count,
    fail_after,
    in_app,
    report_counts,
    report_tables,
)

NEW_USER = ["users", "create", "x-cli", "--full-name", "X", "--role", "admin",
            "--password", "long enough password"]  # fmt: skip


def flask(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def left_open(app, client, org, tokens, day):
    """rep-n1b's visit checked in yesterday (Tokyo) and never checked out."""
    rep = tokens.headers("rep-n1b")
    visit = check_in(client, rep, app, org.store["n1-b"], minutes_ago(60 * 30))
    assert visit.status_code == 201, visit.json
    return visit.json["id"]


def closing(visit_id: int):
    def observe():
        visit = db.session.get(Visit, visit_id)
        flags = select(VisitFlag.kind).where(VisitFlag.visit_id == visit_id)
        return visit.status, sorted(k.value for k in db.session.scalars(flags))

    return observe


def left_from_earlier_days() -> int:
    """Visits still open from an earlier Tokyo day: the left-open one, and `day`'s own visit
    too when the test runs in the first minutes after Tokyo midnight."""
    earlier = Visit.visit_date < visits.local_date(utcnow())
    return db.session.scalar(select(func.count()).where(Visit.status == VisitStatus.OPEN, earlier))


def test_close_open_closes_a_left_open_visit_once(app, left_open):
    stale = in_app(app, left_from_earlier_days)
    assert stale >= 1
    first, second = flask(app, "visits", "close-open"), flask(app, "visits", "close-open")
    assert first.exit_code == 0 and f"Closed {stale} visit(s)" in first.output
    assert second.exit_code == 0 and "Closed 0 visit(s)" in second.output
    status, flags = in_app(app, closing(left_open))
    assert status is VisitStatus.AUTO_CLOSED and flags.count(FlagKind.LEFT_OPEN.value) == 1
    assert_fresh(app)


def test_prune_keys_forgets_an_old_key_once(app, client, org, tokens):
    rep = {**tokens.headers("rep-n1a"), **key()}
    assert check_in(client, rep, app, org.store["n1-a"], minutes_ago(5)).status_code == 201
    with app.app_context():
        old = minutes_ago(60 * 24 * (app.config["IDEMPOTENCY_KEEP_DAYS"] + 1))
        db.session.execute(update(IdempotencyKey).values(created_at=old))
        db.session.commit()
    first, second = flask(app, "visits", "prune-keys"), flask(app, "visits", "prune-keys")
    assert "Pruned 1 idempotency key(s)" in first.output
    assert "Pruned 0 idempotency key(s)" in second.output
    assert in_app(app, lambda: count(IdempotencyKey)) == 0


def test_users_create_twice_creates_one_user(app, org):
    first, second = flask(app, *NEW_USER), flask(app, *NEW_USER)
    assert first.exit_code == 0 and "Created admin x-cli" in first.output
    assert second.exit_code == 1 and "Error" in second.output
    with app.app_context():
        assert len(db.session.scalars(select(User).where(User.username == "x-cli")).all()) == 1


def bump_visit_counts(app) -> None:
    """Make the report tables wrong around the app (the report tables are no counted table)."""
    with app.app_context():
        db.session.execute(update(RepDayKpi).values(visits=RepDayKpi.visits + 1))
        db.session.commit()
        assert rep_days.stale_rep_days(db.session.connection()) != []


def test_reports_rebuild_twice_mends_the_tables_once(app, day):
    right = report_counts(in_app(app, report_tables))
    bump_visit_counts(app)
    for _ in range(2):
        assert flask(app, "reports", "rebuild").exit_code == 0
        assert report_counts(in_app(app, report_tables)) == right
        assert_fresh(app)


def break_after(monkeypatch, module, name: str) -> None:
    """`module.name` runs, flushes, then raises."""
    failing = fail_after(getattr(module, name), RuntimeError("injected after the use case ran"))
    monkeypatch.setattr(module, name, failing)


def assert_command_fails(app, args, observe):
    before, tables = in_app(app, observe), in_app(app, report_tables)
    result = flask(app, *args)
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)
    assert in_app(app, observe) == before
    assert in_app(app, report_tables) == tables


def test_a_failed_close_open_leaves_the_visit_open(app, monkeypatch, left_open):
    break_after(monkeypatch, visits, "close_left_open")
    assert_command_fails(app, ["visits", "close-open"], closing(left_open))
    assert in_app(app, closing(left_open))[0] is VisitStatus.OPEN
    assert_fresh(app)
    monkeypatch.undo()
    stale = in_app(app, left_from_earlier_days)
    assert f"Closed {stale} visit(s)" in flask(app, "visits", "close-open").output


def test_a_failed_users_create_leaves_no_user(app, org, monkeypatch):
    break_after(monkeypatch, accounts, "create_user")
    assert_command_fails(app, NEW_USER, lambda: count(User))


def test_a_failed_rebuild_leaves_the_tables_exactly_as_they_were(app, day, monkeypatch):
    """The tables are wrong on purpose (a count bumped around the app): the failed rebuild had
    recomputed them, and leaves them as wrong as they were; the real one mends them."""
    bump_visit_counts(app)
    break_after(monkeypatch, rep_days, "refresh")
    assert_command_fails(app, ["reports", "rebuild"], lambda: count(RepDayKpi))
    monkeypatch.undo()
    assert flask(app, "reports", "rebuild").exit_code == 0
    assert_fresh(app)
