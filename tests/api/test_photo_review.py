"""Photo review: supervisors (their team) and admins judge photos; reps read the feedback."""

from __future__ import annotations

import pytest

from tests.reports_factory import MON, History


@pytest.fixture
def photos(app, org):
    with app.app_context():
        h = History(org)
        visit = h.visit("rep-n1a", "n1-a", MON, "09:00", 20)
        other = h.visit("rep-n2a", "n2-a", MON, "09:00", 20)
        ids = {"n1": h.photo(visit), "n1-second": h.photo(visit), "n2": h.photo(other)}
        h.commit()
        return ids


def put_review(client, tokens, user, photo_id, **body):
    return client.put(f"/api/photos/{photo_id}/review", json=body, headers=tokens.headers(user))


def test_supervisor_reviews_and_rep_reads_feedback(client, tokens, org, photos):
    response = put_review(
        client, tokens, "sup-n1", photos["n1"], status="rejected", comment="Shelf cut off"
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "rejected"
    assert response.json["reviewer_id"] == org.user["sup-n1"]
    feedback = client.get(f"/api/photos/{photos['n1']}/review", headers=tokens.headers("rep-n1a"))
    assert feedback.status_code == 200
    assert feedback.json["comment"] == "Shelf cut off"
    again = put_review(client, tokens, "admin", photos["n1"], status="approved")
    assert again.json["status"] == "approved" and again.json["comment"] is None
    assert again.json["reviewer_id"] == org.user["admin"]


def test_review_is_in_the_photo_report(client, tokens, org, photos):
    put_review(client, tokens, "sup-n1", photos["n1"], status="approved", comment="Good")
    query = {"period": "week", "date": "2026-11-18"}
    own = client.get("/api/reports/photos", query_string=query, headers=tokens.headers("rep-n1a"))
    assert own.status_code == 200
    items = {item["photo_id"]: item for item in own.json["items"]}
    assert set(items) == {photos["n1"], photos["n1-second"]}
    assert items[photos["n1"]]["status"] == "approved"
    assert items[photos["n1"]]["comment"] == "Good"
    assert items[photos["n1"]]["reviewer_name"] == "Sup-N1"
    assert items[photos["n1-second"]]["status"] == "pending"
    pending = client.get(
        "/api/reports/photos",
        query_string={**query, "status": "pending"},
        headers=tokens.headers("mgr-north"),
    )
    assert {item["photo_id"] for item in pending.json["items"]} == {
        photos["n1-second"],
        photos["n2"],
    }
    kpis = client.get(
        "/api/reports/kpis",
        query_string={**query, "group_by": "team"},
        headers=tokens.headers("sup-n1"),
    )
    assert kpis.json["total"]["photos"] == {
        "total": 2,
        "approved": 1,
        "rejected": 0,
        "pending": 1,
    }


def test_who_may_review(client, tokens, photos):
    # Another team's photo is not found; reps and managers may not review.
    assert put_review(client, tokens, "sup-n1", photos["n2"], status="approved").status_code == 404
    assert put_review(client, tokens, "rep-n1a", photos["n1"], status="approved").status_code == 403
    assert (
        put_review(client, tokens, "mgr-north", photos["n1"], status="approved").status_code == 403
    )
    assert put_review(client, tokens, "sup-n1", 999999, status="approved").status_code == 404
    unseen = client.get(f"/api/photos/{photos['n1']}/review", headers=tokens.headers("rep-n2a"))
    assert unseen.status_code == 404
    not_yet = client.get(f"/api/photos/{photos['n1']}/review", headers=tokens.headers("rep-n1a"))
    assert not_yet.status_code == 404


@pytest.mark.parametrize(
    "body",
    [{"status": "rejected"}, {"status": "maybe"}, {}, {"status": "approved", "comment": "x" * 501}],
)
def test_bad_reviews_are_422(client, tokens, photos, body):
    response = client.put(
        f"/api/photos/{photos['n1']}/review", json=body, headers=tokens.headers("sup-n1")
    )
    assert response.status_code == 422


def test_photo_rows_lead_to_their_visit_and_its_rep(client, tokens, photos):
    query = {"period": "week", "date": "2026-11-18", "status": "pending"}
    report = client.get("/api/reports/photos", query_string=query, headers=tokens.headers("sup-n1"))
    (row, second) = sorted(report.json["items"], key=lambda item: item["photo_id"])
    assert row["visit_id"] == second["visit_id"]
    assert row["visit_path"] == f"/api/visits/{row['visit_id']}"
    visit = client.get(row["visit_path"], headers=tokens.headers("sup-n1"))
    assert visit.status_code == 200
    assert visit.json["rep_name"] == row["rep_name"] == "Rep-N1A"
    assert {photo["id"] for photo in visit.json["photos"]} == {photos["n1"], photos["n1-second"]}
    listed = client.get("/api/visits", headers=tokens.headers("sup-n1")).json["items"]
    assert {item["rep_name"] for item in listed} == {"Rep-N1A"}
