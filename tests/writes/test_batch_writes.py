"""An offline batch whose second operation fails after its use case ran: the first is
committed with the batch, the second leaves nothing, and the report tables count exactly the
first."""

from __future__ import annotations

import uuid

from backend.extensions import db
from backend.models import IdempotencyKey, Visit, VisitStatus
from backend.services import visits
from tests.api.visit_helpers import check_in_body, minutes_ago, store_position
from tests.writes.write_helpers import (
    assert_fresh,
    count,
    in_app,
    report_counts,
    report_tables,
)


def test_a_failing_item_rolls_back_alone(app, client, org, tokens, day, monkeypatch):
    """The day's open visit is checked out, then a check-in at the next stop fails."""
    rep = tokens.headers("rep-n1a")
    visit, store = str(uuid.uuid4()), day.stores[1]
    body = check_in_body(store, store_position(app, store), minutes_ago(2), uuid=visit)
    ops = [
        {"key": str(uuid.uuid4()), "op": "check_out", "visit": day.visit,
         "body": {"device_time": minutes_ago(4).isoformat()}},
        {"key": str(uuid.uuid4()), "op": "check_in", "body": body},
    ]  # fmt: skip
    real, inside = visits.check_in, []

    def failing(*args, **kwargs):
        real(*args, **kwargs)
        db.session.flush()
        inside.append(count(Visit))
        raise RuntimeError("injected after the check-in ran")

    monkeypatch.setattr(visits, "check_in", failing)
    result = client.post("/api/sync", json={"operations": ops}, headers=rep).json
    assert [r["status"] for r in result["results"]] == [200, 500]
    assert result["results"][1]["body"]["reason"] == "server_error"
    [visits_inside] = inside
    with app.app_context():
        assert db.session.get(Visit, day.visit).status is VisitStatus.CLOSED
        assert (count(Visit), visits_inside) == (1, 2)
        assert count(IdempotencyKey) == 1
    # The batch committed once: the report tables count the check-out, not the failed check-in.
    assert_fresh(app)
    committed = in_app(app, report_tables)
    # The device sends the batch again: the check-out replays, the check-in goes through.
    monkeypatch.setattr(visits, "check_in", real)
    again = client.post("/api/sync", json={"operations": ops}, headers=rep).json["results"]
    assert [(r["status"], r["replayed"]) for r in again] == [(200, True), (201, False)]
    assert report_counts(in_app(app, report_tables)) != report_counts(committed)
    assert_fresh(app)
