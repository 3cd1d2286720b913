"""Plan writes through the executor: an idempotent replay, and failures that roll back."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from backend.extensions import db
from backend.models import PlannedStop, RoutePlan
from tests.api.plan_helpers import next_monday
from tests.writes.write_helpers import assert_replays, assert_rolls_back, count

DAY = next_monday().isoformat()  # a past day's plan can no longer be made


def later(days: int) -> str:
    return (date.fromisoformat(DAY) + timedelta(days=days)).isoformat()


def test_a_plan_replayed_under_its_key_is_made_once(app, client, org, tokens, day):
    sup = tokens.headers("sup-n1")
    body = {"rep_id": org.user["rep-n1b"], "plan_date": DAY, "seconds": 0.3}

    def send(extra, **changes):
        return client.post("/api/plans", json={**body, **changes}, headers={**sup, **extra})

    first = assert_replays(send, lambda k: send(k, plan_date=later(1)), 201)
    with app.app_context():
        plans = db.session.scalars(
            select(RoutePlan).where(RoutePlan.plan_date == date.fromisoformat(DAY))
        ).all()
        assert [p.id for p in plans] == [first.json["id"]]
    # Without a key, as before: the same day is a conflict, another day a new plan.
    assert send({}).status_code == 409
    assert send({}, plan_date=later(3)).status_code == 201


def test_a_failed_plan_edit_leaves_the_published_day_as_it_was(
    app, client, tokens, day, monkeypatch
):
    """Dropping the unvisited stop would lower the day's planned count."""
    sup = tokens.headers("sup-n1")
    stops = {"stops": [{"store_id": day.stores[0]}]}

    def observe():
        rows = db.session.execute(
            select(PlannedStop.store_id).where(PlannedStop.plan_id == day.plan)
        )
        return sorted(rows.scalars())

    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.plan_edits.edit_plan",
        lambda k: client.put(f"/api/plans/{day.plan}", json=stops, headers={**sup, **k}),
        observe,
    )


def test_a_failed_plan_creation_leaves_no_plan(app, client, org, tokens, day, monkeypatch):
    """A draft counts in no report table: they stay as they were either way."""
    body = {"rep_id": org.user["rep-n1b"], "plan_date": DAY, "seconds": 0.3}
    sup = tokens.headers("sup-n1")
    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.plans.create_plan",
        lambda k: client.post("/api/plans", json=body, headers={**sup, **k}),
        lambda: (count(RoutePlan), count(PlannedStop)),
        changes_reports=False,
    )
