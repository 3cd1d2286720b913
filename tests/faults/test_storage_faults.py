"""Photo storage failing for a moment (in process, both databases): the photos answer 5xx, the
visit's later operations wait (424), and the replay delivers the photos, then checks out."""

from __future__ import annotations

from tests.api.visit_helpers import (
    catalogue,
)
from tests.faults.harness import (
    assert_all_once,
    assert_key_iff_write,
    offline_visit,
)


def test_failed_item_is_not_stranded_by_check_out(database, org, tokens, tmp_path, monkeypatch):
    """Photo storage briefly unavailable (a full or unmounted volume) during a batch: the
    photos answer 5xx and the visit's later operations (the check-out) wait unrun (424), so
    once storage is back the replayed batch delivers the photos, then checks out."""
    headers = tokens.headers("rep-n1a")
    ops = offline_visit(database, org, catalogue(database).products, photos=2, size=(800, 600))
    broken = tmp_path / "photos"
    broken.write_text("not a directory")
    monkeypatch.setitem(database.config, "PHOTO_DIR", str(broken))
    client = database.test_client()
    first = client.post("/api/sync", json={"operations": ops}, headers=headers).get_json()
    statuses = [(r["op"], r["status"]) for r in first["results"]]
    failed = next(k for k, (op, status) in enumerate(statuses) if op == "photo")
    assert statuses[failed][1] == 500, first
    assert {status for _, status in statuses[failed + 1 :]} == {424}, first  # later ops wait
    assert_key_iff_write(database, ops)

    broken.unlink()  # storage is back
    again = client.post("/api/sync", json={"operations": ops}, headers=headers).get_json()
    assert [r["status"] for r in again["results"] if r["op"] == "photo"] == [201, 201], again
    assert_all_once(database, ops)
