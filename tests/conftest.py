"""Fixtures: one app and database per test process, emptied after every test.

SQLite by default; set TERMINUS_TEST_DATABASE_URL to a PostgreSQL URL to run the suite there
(each test process gets its own schema, dropped at the end, so concurrent runs never meet).
"""

from __future__ import annotations

import functools
import inspect
import os
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from flask_migrate import upgrade

from backend import create_app
from backend.auth import hash_password, issue_token
from backend.extensions import db, limiter
from backend.models import Area, Role, Team, User, utcnow
from tests.emptying import empty_tables
from tests.org_factory import PASSWORD, make_store

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
ON_POSTGRES = os.environ.get("TERMINUS_TEST_DATABASE_URL", "").startswith("postgresql")
SQLITE_ONLY = "sqlite_pass_only"  # how many tests the PostgreSQL pass leaves to the SQLite one
_SQLITE_ONLY_KEY = pytest.StashKey[int]()


# Fixtures that hand a test a database: the suite's app, and the demo shared by read-only tests.
DATABASE_FIXTURES = {"app", "shared_demo"}


@functools.cache
def _reads_the_database_url(path: Path) -> bool:
    return "TERMINUS_TEST_DATABASE_URL" in path.read_text(encoding="utf-8")


def _uses_no_database(item: pytest.Item) -> bool:
    """A test gives the same answer on both passes when it requests no `app` (the database)
    and neither its module nor a fixture it uses from another module (e.g. `scratch_app` of
    the migration tests) reads TERMINUS_TEST_DATABASE_URL itself. Browser tests talk to a
    server of their own on SQLite."""
    if item.get_closest_marker("browser"):
        return True
    if _reads_the_database_url(item.path):
        return False
    info = getattr(item, "_fixtureinfo", None)
    for name, definitions in info.name2fixturedefs.items() if info else ():
        for definition in definitions:
            source = Path(inspect.getsourcefile(definition.func) or __file__)
            if name in DATABASE_FIXTURES or (
                source != Path(__file__) and _reads_the_database_url(source)
            ):
                return False
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, deselect the tests that use no database: they ran on SQLite."""
    if not ON_POSTGRES:
        return
    left = [item for item in items if _uses_no_database(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        gone = set(left)
        items[:] = [item for item in items if item not in gone]
    if hasattr(config, "workeroutput"):  # an xdist worker: tell the controller
        config.workeroutput[SQLITE_ONLY] = len(left)
    config.stash[_SQLITE_ONLY_KEY] = len(left)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist's controller collects nothing: take the count from a worker (each collects all)
    and count it in the summary line's "deselected", as a run without workers does."""
    count = getattr(node, "workeroutput", {}).get(SQLITE_ONLY, 0)
    config = node.config
    if count and _SQLITE_ONLY_KEY not in config.stash:
        config.stash[_SQLITE_ONLY_KEY] = count
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            # Stand-ins: the line counts entries; other plugins read each one's __dict__.
            reporter.stats.setdefault("deselected", []).extend(
                SimpleNamespace() for _ in range(count)
            )


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if count := config.stash.get(_SQLITE_ONLY_KEY, 0):
        terminalreporter.write_line(
            f"PostgreSQL pass: {count} tests that use no database deselected "
            "(they ran in the SQLite pass and give the same answer)."
        )


# The business time of day the in-process tests run at (see `business_clock`).
TEST_CLOCK = time.fromisoformat(os.environ.get("TERMINUS_TEST_CLOCK", "12:00"))


@pytest.fixture(autouse=True)
def business_clock(request):
    """Run each in-process test at TEST_CLOCK (business time) on today's business date.

    Tests place visits "n minutes ago" and read "today": just after midnight those land on
    different business days, so the outcome would depend on the hour the suite runs. The clock
    keeps ticking from there. Browser tests talk to a server in another process and keep the
    real clock. TERMINUS_TEST_CLOCK=00:05 runs the suite at five past midnight.
    """
    if request.node.get_closest_marker("browser"):
        yield
        return
    zone = ZoneInfo("Asia/Tokyo")
    start = datetime.combine(datetime.now(zone).date(), TEST_CLOCK, zone)
    with time_machine.travel(start, tick=True):
        yield


def database_overrides(folder: Path, name: str = "test") -> dict:
    """A database of this worker's own: a SQLite file in `folder`, or on PostgreSQL a new schema
    `<name>_<worker>_<pid>` (two names never clash in one process)."""
    url = os.environ.get("TERMINUS_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return {"DATABASE_URL": f"sqlite:///{folder / f'{name}.db'}"}
    schema = f"{name}_{WORKER}_{os.getpid()}"
    _schema_ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"')
    return {
        "TEST_SCHEMA": schema,
        "DATABASE_URL": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }


def _schema_ddl(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {
            **database_overrides(tmp_path_factory.mktemp("db")),
            "TESTING": True,
            "SECRET_KEY": "test",
            # Argon2 at its minimum cost keeps the suite fast; production cost is in config/.
            "PASSWORD_TIME_COST": 1,
            "PASSWORD_MEMORY_KIB": 8,
            "PASSWORD_PARALLELISM": 1,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "LOGIN_RATE_LIMIT_PER_ADDRESS": "1000 per minute",
        }
    )
    with app.app_context():
        upgrade()
    yield app
    if schema := app.config.get("TEST_SCHEMA"):
        with app.app_context():
            db.engine.dispose()
        _schema_ddl(app.config["DATABASE_URL"], f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def database(app):
    """The app, with every table emptied after the test."""
    yield app
    with app.app_context():
        db.session.remove()
        empty_tables()
        db.session.commit()
        limiter.reset()


@pytest.fixture
def client(database):
    return database.test_client()


@pytest.fixture
def ctx(database):
    """An app context for tests that call services or the database directly."""
    with database.app_context():
        yield
        db.session.remove()


@pytest.fixture
def photo_dir(app, tmp_path, monkeypatch):
    """This test's photos are stored under its own tmp_path."""
    path = tmp_path / "photos"
    monkeypatch.setitem(app.config, "PHOTO_DIR", str(path))
    return path


@dataclass
class Tokens:
    """Bearer headers for users, by username."""

    app: object

    def headers(self, username: str, ttl: timedelta | None = None) -> dict[str, str]:
        with self.app.app_context():
            user = db.session.scalars(sa.select(User).where(User.username == username)).one()
            plaintext, token = issue_token(user)
            if ttl is not None:
                token.expires_at = utcnow() + ttl
            db.session.commit()
        return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def tokens(database):
    return Tokens(database)


@pytest.fixture
def org(database):
    """Two areas; area North has teams N1 and N2, area South team S1. Ids by name.

    Stores: n1-a (rep-n1a), n1-b (rep-n1b), n1-free (team N1, no rep), n2-a (rep-n2a),
    s1-a (rep-s1a).
    """
    with database.app_context():
        north, south = Area(name="North"), Area(name="South")
        n1, n2 = Team(name="N1", area=north), Team(name="N2", area=north)
        s1 = Team(name="S1", area=south)
        pw = hash_password(PASSWORD)

        def user(username, role, team=None, area=None):
            u = User(username=username, full_name=username.title(), role=role, team=team,
                     area=area, password_hash=pw, active=True)  # fmt: skip
            db.session.add(u)
            return u

        users = {
            "admin": user("admin", Role.ADMIN),
            "mgr-north": user("mgr-north", Role.AREA_MANAGER, area=north),
            "mgr-south": user("mgr-south", Role.AREA_MANAGER, area=south),
            "sup-n1": user("sup-n1", Role.SUPERVISOR, team=n1),
            "sup-n2": user("sup-n2", Role.SUPERVISOR, team=n2),
            "rep-n1a": user("rep-n1a", Role.REP, team=n1),
            "rep-n1b": user("rep-n1b", Role.REP, team=n1),
            "rep-n2a": user("rep-n2a", Role.REP, team=n2),
            "rep-s1a": user("rep-s1a", Role.REP, team=s1),
        }
        stores = {
            "n1-a": make_store("n1-a", n1, users["rep-n1a"], lat=35.660, lng=139.770),
            "n1-b": make_store("n1-b", n1, users["rep-n1b"], lat=35.670, lng=139.780),
            "n1-free": make_store("n1-free", n1, None, lat=35.650, lng=139.760),
            "n2-a": make_store("n2-a", n2, users["rep-n2a"], lat=35.680, lng=139.790),
            "s1-a": make_store("s1-a", s1, users["rep-s1a"], lat=35.600, lng=139.700),
        }
        db.session.add_all([north, south, n1, n2, s1, *stores.values()])
        db.session.commit()
        return SimpleNamespace(
            user={k: v.id for k, v in users.items()},
            store={k: v.id for k, v in stores.items()},
            team={"N1": n1.id, "N2": n2.id, "S1": s1.id},
            area={"North": north.id, "South": south.id},
        )
