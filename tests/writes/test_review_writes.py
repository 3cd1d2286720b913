"""Photo-review writes through the executor: a replay stores the review once; a failure rolls
back, the day's approved count as it was."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.models import PhotoReview
from tests.writes.write_helpers import assert_replays, assert_rolls_back


def reviews():
    rows = db.session.execute(
        select(PhotoReview.photo_id, PhotoReview.status, PhotoReview.reviewed_at)
    )
    return [(photo, status.value, at) for photo, status, at in rows]


def test_a_review_replayed_under_its_key_is_stored_once(app, client, tokens, day):
    sup = tokens.headers("sup-n1")
    path = f"/api/photos/{day.photo}/review"

    def send(extra, **body):
        return client.put(path, json=body or {"status": "approved"}, headers={**sup, **extra})

    first = assert_replays(send, lambda k: send(k, status="rejected", comment="Blurry"), 200)
    with app.app_context():
        [(photo, status, _at)] = reviews()
    assert (photo, status) == (day.photo, "approved") == (first.json["photo_id"], "approved")
    # Without a key, as before: reviewing again replaces the verdict.
    assert send({}, status="rejected", comment="Blurry").json["status"] == "rejected"
    with app.app_context():
        assert [(p, s) for p, s, _ in reviews()] == [(day.photo, "rejected")]


def test_a_failed_review_leaves_the_day_as_it_was(app, client, tokens, day, monkeypatch):
    sup = tokens.headers("sup-n1")
    assert_rolls_back(
        app,
        monkeypatch,
        "backend.services.photo_review.review_photo",
        lambda k: client.put(
            f"/api/photos/{day.photo}/review", json={"status": "approved"}, headers={**sup, **k}
        ),
        lambda: [(p, s) for p, s, _ in reviews()],
    )
