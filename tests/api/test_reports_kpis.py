"""Supervisor KPIs on a small known history (`history`, tests/api/conftest.py), every number
asserted, scope per role.
"""

from __future__ import annotations

import pytest

from backend.extensions import db
from tests.reports_factory import MON, TUE, WEEK, History


def rate(n, d):
    return {"numerator": n, "denominator": d, "rate": round(n / d, 4) if d else None}


def kpis(client, tokens, user, **params):
    response = client.get(
        "/api/reports/kpis", query_string={**WEEK, **params}, headers=tokens.headers(user)
    )
    assert response.status_code == 200, response.json
    return response.json


def group(report, name):
    return next(g for g in report["groups"] if g["name"] == name)


def test_rep_week_every_kpi_exactly(client, tokens, org, history):
    report = kpis(client, tokens, "admin", rep_id=org.user["rep-n1a"])
    assert report["period"] == {"from": "2026-11-16", "to": "2026-11-22"}
    row = group(report, "Rep-N1A")
    assert row == {
        "id": org.user["rep-n1a"],
        "name": "Rep-N1A",
        "planned_stops": 5,
        "planned_visited": 4,  # n1-a twice on Monday is one visited stop
        "missed_stops": 1,
        "visits": 7,
        "on_route_visits": 5,
        "unplanned_visits": 2,  # x3 Monday, x2 Tuesday (planned Monday, not Tuesday)
        "off_route_orders": 2,
        "completion_rate": rate(4, 5),
        "success_rate": rate(3, 4),  # unplanned orders excluded
        "sequence_adherence": rate(2, 4),  # Monday x1 before n1-a: both out of position
        "time_in_store": {"total_seconds": 8100, "count": 7, "average_seconds": 1157},
        "travel": {"total_seconds": 16500, "count": 4, "average_seconds": 4125},
        "coverage": rate(4, 4),
        "frequency_adherence": rate(1, 2),  # x1 weekly: done; x3 every 3 days: 1 of 2
        "photos": {"total": 2, "approved": 0, "rejected": 0, "pending": 2},
        "amendments": {"added": 0, "removed": 0},  # no plan changed after its day began
    }
    assert report["total"]["completion_rate"] == rate(4, 5)


def test_trend_per_day_and_a_day_without_plan(client, tokens, org, history):
    report = kpis(client, tokens, "admin", rep_id=org.user["rep-n1a"])
    trend = {day["date"]: day for day in report["trend"]}
    assert len(trend) == 7
    monday, tuesday, wednesday = trend["2026-11-16"], trend["2026-11-17"], trend["2026-11-18"]
    assert monday["completion_rate"] == rate(2, 3)
    assert monday["success_rate"] == rate(2, 2)
    assert monday["unplanned_visits"] == 1 and monday["off_route_orders"] == 1
    assert monday["travel"] == {"total_seconds": 14100, "count": 3, "average_seconds": 4700}
    assert tuesday["planned_stops"] == 0
    assert tuesday["completion_rate"] == {"numerator": 0, "denominator": 0, "rate": None}
    assert tuesday["success_rate"]["rate"] is None
    assert tuesday["unplanned_visits"] == 1 and tuesday["off_route_orders"] == 1
    assert wednesday["completion_rate"] == rate(2, 2)
    assert wednesday["sequence_adherence"] == rate(2, 2)
    assert trend["2026-11-19"]["visits"] == 0 and trend["2026-11-19"]["coverage"] is None


def test_team_grouping_follows_the_team_at_the_time(client, tokens, org, history):
    report = kpis(client, tokens, "admin", group_by="team")
    n1, n2, s1 = group(report, "N1"), group(report, "N2"), group(report, "S1")
    assert (n1["planned_stops"], n1["planned_visited"], n1["success_rate"]) == (3, 2, rate(2, 2))
    assert (n1["visits"], n1["unplanned_visits"], n1["off_route_orders"]) == (5, 2, 2)
    assert (n2["planned_stops"], n2["planned_visited"], n2["success_rate"]) == (2, 2, rate(1, 2))
    assert (n2["visits"], n2["unplanned_visits"]) == (2, 0)
    assert s1["completion_rate"] == rate(1, 1)
    assert report["total"]["planned_stops"] == 6 and report["total"]["visits"] == 8
    areas = kpis(client, tokens, "admin", group_by="area")
    assert group(areas, "North")["completion_rate"] == rate(4, 5)
    assert group(areas, "South")["completion_rate"] == rate(1, 1)


def test_supervisor_sees_only_their_teams_numbers(client, tokens, org, history):
    mine = kpis(client, tokens, "sup-n1")
    # rep-n1b has stores but no plan or visit: listed, with their coverage at 0.
    assert [g["name"] for g in mine["groups"]] == ["Rep-N1A", "Rep-N1B"]
    assert group(mine, "Rep-N1B")["coverage"] == rate(0, 1)
    row = group(mine, "Rep-N1A")
    assert (row["planned_stops"], row["planned_visited"], row["visits"]) == (3, 2, 5)
    assert row["success_rate"] == rate(2, 2)
    other = kpis(client, tokens, "sup-n2")
    row = group(other, "Rep-N1A")
    assert (row["planned_stops"], row["planned_visited"], row["visits"]) == (2, 2, 2)
    assert row["success_rate"] == rate(1, 2)
    assert other["total"]["planned_stops"] == 2
    response = client.get(
        "/api/reports/kpis",
        query_string={**WEEK, "team_id": org.team["N2"]},
        headers=tokens.headers("sup-n1"),
    )
    assert response.status_code == 404


def test_manager_sees_only_their_area(client, tokens, org, history):
    north = kpis(client, tokens, "mgr-north", group_by="team")
    assert {g["name"] for g in north["groups"]} == {"N1", "N2"}
    assert north["total"]["planned_stops"] == 5
    south = kpis(client, tokens, "mgr-south", group_by="team")
    assert [g["name"] for g in south["groups"]] == ["S1"]
    assert south["total"]["visits"] == 1
    for params in ({"rep_id": org.user["rep-n1a"]}, {"area_id": org.area["North"]}):
        response = client.get(
            "/api/reports/kpis",
            query_string={**WEEK, **params},
            headers=tokens.headers("mgr-south"),
        )
        assert response.status_code == 404


def test_rep_sees_only_their_own_kpis(client, tokens, org, history):
    own = kpis(client, tokens, "rep-n1a")
    assert [g["name"] for g in own["groups"]] == ["Rep-N1A"]
    assert own["total"]["planned_stops"] == 5
    other = kpis(client, tokens, "rep-n1b")
    assert [g["name"] for g in other["groups"]] == ["Rep-N1B"]
    assert other["total"]["visits"] == 0 and other["total"]["coverage"] == rate(0, 1)
    response = client.get(
        "/api/reports/kpis",
        query_string={**WEEK, "rep_id": org.user["rep-n1a"]},
        headers=tokens.headers("rep-n1b"),
    )
    assert response.status_code == 404


def test_draft_plans_do_not_count(client, tokens, org, history, app):
    from backend.models import PlanStatus

    with app.app_context():
        History(org).plan("rep-n1b", MON, ["n1-b"], status=PlanStatus.DRAFT)
        db.session.commit()
    report = kpis(client, tokens, "admin", rep_id=org.user["rep-n1b"])
    assert report["total"]["planned_stops"] == 0


@pytest.mark.parametrize(
    ("params", "first", "last"),
    [
        ({"period": "day", "date": "2026-11-18"}, "2026-11-18", "2026-11-18"),
        ({"period": "week", "date": "2026-11-22"}, "2026-11-16", "2026-11-22"),
        ({"period": "month", "date": "2026-02-10"}, "2026-02-01", "2026-02-28"),
        (
            {"period": "custom", "date_from": "2026-11-17", "date_to": "2026-11-18"},
            "2026-11-17",
            "2026-11-18",
        ),
    ],
)
def test_periods(client, tokens, org, params, first, last):
    report = kpis(client, tokens, "admin", **params)
    assert report["period"] == {"from": first, "to": last}
    assert (report["trend"][0]["date"], report["trend"][-1]["date"]) == (first, last)


def test_custom_period_with_only_partial_dates_and_day_metrics(client, tokens, org, history):
    report = kpis(
        client, tokens, "admin", period="custom", date_from="2026-11-17", date_to="2026-11-18"
    )
    assert report["total"]["planned_stops"] == 2 and report["total"]["visits"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "date_from": "2026-11-18"},
        {"period": "custom", "date_from": "2026-11-19", "date_to": "2026-11-18"},
        {"period": "custom", "date_from": "2025-01-01", "date_to": "2026-11-18"},
        {"period": "year"},
        {"group_by": "store"},
        {"date": "yesterday"},
        {"team_id": 0},
    ],
)
def test_bad_arguments_are_422(client, tokens, org, params):
    response = client.get("/api/reports/kpis", query_string=params, headers=tokens.headers("admin"))
    assert response.status_code == 422, response.json


def test_reports_need_a_token(client, org):
    assert client.get("/api/reports/kpis").status_code == 401


def test_travel_skips_days_with_an_open_visit(client, tokens, org, app):
    with app.app_context():
        h = History(org)
        h.visit("rep-n1b", "n1-b", MON, "09:00", 20)
        h.visit("rep-n1b", "n1-free", MON, "10:00", None)
        h.visit("rep-n1b", "n1-b", TUE, "09:00", 20)
        h.visit("rep-n1b", "n1-free", TUE, "09:50", 10)
        h.commit()
    row = group(kpis(client, tokens, "sup-n1", rep_id=org.user["rep-n1b"]), "Rep-N1B")
    assert row["time_in_store"] == {"total_seconds": 3000, "count": 3, "average_seconds": 1000}
    assert row["travel"] == {"total_seconds": 1800, "count": 1, "average_seconds": 1800}
    assert row["unplanned_visits"] == 4 and row["completion_rate"]["rate"] is None
