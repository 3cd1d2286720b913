"""PostgreSQL only: the app's database connections terminated (pg_terminate_backend) between
requests and, repeatedly, during a batch, as a failover or a restart looks from the app."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from tests.api.visit_helpers import (
    catalogue,
)
from tests.faults.harness import (
    assert_all_once,
    batch_under_fault,
    offline_visit,
    on_postgres,
    sync,
)


@pytest.fixture
def postgres(database):
    if not on_postgres(database):
        pytest.skip("terminates PostgreSQL connections: set TERMINUS_TEST_DATABASE_URL")
    engine = sa.create_engine(database.config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def terminate(engine, application_name: str) -> int:
    """Drop every database connection of the app's worker; returns how many."""
    with engine.connect() as conn:
        return len(
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                {"name": application_name},
            ).all()
        )


@pytest.mark.postgres
def test_connections_dropped_between_requests(database, org, tokens, server, postgres):
    """Pooled connections killed while idle: the next requests reconnect (pool_pre_ping)."""
    headers = tokens.headers("rep-n1a")
    products = catalogue(database).products
    ops = offline_visit(database, org, products, size=(800, 600))
    port, name = server
    for i, op in enumerate(ops):
        assert terminate(postgres, name) >= 1 or i == 0  # after a request: its pooled one
        status, body, _ = sync(port, [op], headers)
        assert status == 200 and body["results"][0]["status"] < 400, body
    assert_all_once(database, ops)


@pytest.mark.postgres
def test_connections_dropped_mid_batch_then_replayed(database, org, tokens, server, postgres):
    """The database goes away under a running batch (its connections terminated again and
    again for a while)."""
    _port, name = server
    hits: list[int] = []

    def drop_connections(outcome: dict) -> None:
        stop = time.monotonic() + 0.5
        while time.monotonic() < stop and not outcome:
            hits.append(terminate(postgres, name))
            time.sleep(0.02)

    batch_under_fault(database, org, tokens, server, drop_connections)
    assert sum(hits), "no connection was dropped while the batch ran"
