"""A team planning job on road times: each rep's days use their own mode's matrix, computed
once per rep (home and all their stores) and cut for each day."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.job_runner import wait_for_local_jobs
from backend.models import RoutePlan
from tests.api.plan_helpers import add_store
from tests.api.test_jobs import poll, submit
from tests.roads.conftest import HOME, STREET_STORES
from tests.roads.test_road_plans import calls  # noqa: F401


def test_team_week_on_roads_uses_each_reps_mode(roads_app, client, org, tokens, calls):  # noqa: F811
    admin = tokens.headers("admin")
    modes = {"rep-n1a": "car", "rep-n1b": "foot"}
    for k, (rep, mode) in enumerate(modes.items()):
        body = {"home_lat": HOME[0], "home_lng": HOME[1], "travel_mode": mode}
        assert (
            client.patch(f"/api/users/{org.user[rep]}", json=body, headers=admin).status_code == 200
        )
        mine = STREET_STORES[k::2]
        for j, (lat, lng) in enumerate(mine):
            add_store(client, admin, f"T-{k}-{j}", org.user[rep], lat, lng, tier="A")
        moved = {"lat": mine[0][0] + 0.0003, "lng": mine[0][1]}
        store = org.store["n1-a" if rep == "rep-n1a" else "n1-b"]
        assert client.patch(f"/api/stores/{store}", json=moved, headers=admin).status_code == 200
    sup = tokens.headers("sup-n1")
    job = poll(client, sup, submit(client, sup, org.team["N1"]).json["id"])
    wait_for_local_jobs(roads_app)
    assert job["status"] == "succeeded", job
    assert calls["block"] == 2  # one matrix per rep; every day is cut from it
    with roads_app.app_context():
        plans = db.session.scalars(select(RoutePlan).where(RoutePlan.team_id == org.team["N1"]))
        seen = {}
        for plan in plans:
            assert plan.travel_source == "roads" and plan.violations == []
            assert all(stop.geometry for stop in plan.stops) and plan.return_geometry
            seen.setdefault(plan.rep.username, set()).add(plan.travel_mode.value)
    assert seen == {rep: {mode} for rep, mode in modes.items()}
