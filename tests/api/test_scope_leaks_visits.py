"""Answers about visits name nothing outside the reader's scope: a visit uuid already used by
someone else, and the flag of a photo that copies another team's photo."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.api.visit_helpers import check_in_body, image_bytes, key, minutes_ago, store_position
from tests.api.visit_helpers import upload as upload_photo

pytestmark = pytest.mark.usefixtures("photo_dir")


def ok(response, status=200):
    assert response.status_code == status, response.json
    return response.json


def check_in_with(client, app, headers, store, visit_uuid, minutes=10):
    body = check_in_body(store, store_position(app, store), minutes_ago(minutes), uuid=visit_uuid)
    return client.post("/api/visits", json=body, headers={**headers, **key()})


def test_a_visit_uuid_of_another_teams_visit_answers_like_any_unusable_uuid(
    app, client, org, tokens
):
    other, mine = tokens.headers("rep-n2a"), tokens.headers("rep-n1a")
    taken = str(uuid.uuid4())
    theirs = ok(check_in_with(client, app, other, org.store["n2-a"], taken), 201)
    collided = check_in_with(client, app, mine, org.store["n1-a"], taken)
    assert collided.status_code == 409
    text = collided.get_data(as_text=True)
    assert not re.search(rf"\b{theirs['id']}\b", text) and "params" not in collided.json
    for hint in (theirs["store_name"], theirs["rep_name"], taken, "exist"):
        assert hint not in text, hint
    # The same answer as for a uuid the rep used themselves (nothing tells the two apart).
    own = str(uuid.uuid4())
    first = ok(check_in_with(client, app, mine, org.store["n1-a"], own, minutes=30), 201)
    ok(client.post(f"/api/visits/{first['id']}/checkout",
                   json={"device_time": minutes_ago(20).isoformat()}, headers=mine))  # fmt: skip
    again = check_in_with(client, app, mine, org.store["n1-a"], own)
    assert again.status_code == 409 and again.json == collided.json
    assert collided.json["reason"] == "uuid_unusable"


def test_a_flag_names_no_visit_its_reader_cannot_see(app, client, org, tokens):
    """rep-n1a (team N1) uploads an exact copy of a photo of rep-n2a's visit (team N2): the
    flag says so, and names neither that visit nor its photo, to sup-n1 or to the rep."""
    n2, n1, sup = tokens.headers("rep-n2a"), tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    content = image_bytes(seed=21)
    theirs = ok(check_in_with(client, app, n2, org.store["n2-a"], str(uuid.uuid4()), 30), 201)
    original = ok(upload_photo(client, n2, theirs["id"], content), 201)
    mine = ok(check_in_with(client, app, n1, org.store["n1-a"], str(uuid.uuid4())), 201)
    copy = ok(upload_photo(client, n1, mine["id"], content), 201)

    for reader in (sup, n1):
        (flag,) = ok(client.get(f"/api/visits/{mine['id']}", headers=reader))["flags"]
        assert flag["kind"] == "photo_reused" and flag["photo_id"] == copy["id"]
        assert flag["message"] == f"Photo {copy['id']} is a copy of a photo of another visit."
        assert flag["detail"] == {"distance_bits": 0}
    query = {"period": "day", "kind": "photo_reused"}
    report = ok(client.get("/api/reports/exceptions", query_string=query, headers=sup))
    (item,) = report["items"]
    assert str(theirs["id"]) not in item["message"] and str(original["id"]) not in item["message"]
    # The other team's supervisor reads nothing of it: the visit is out of their scope.
    assert (
        client.get(f"/api/visits/{mine['id']}", headers=tokens.headers("sup-n2")).status_code == 404
    )


def test_a_flag_still_names_a_visit_every_reader_sees(app, client, org, tokens):
    """The same rep, the same team: whoever sees the one visit sees the other."""
    rep, sup = tokens.headers("rep-n1a"), tokens.headers("sup-n1")
    content = image_bytes(seed=22)
    first = ok(check_in_with(client, app, rep, org.store["n1-a"], str(uuid.uuid4()), 60), 201)
    original = ok(upload_photo(client, rep, first["id"], content), 201)
    ok(client.post(f"/api/visits/{first['id']}/checkout",
                   json={"device_time": minutes_ago(40).isoformat()}, headers=rep))  # fmt: skip
    second = ok(check_in_with(client, app, rep, org.store["n1-a"], str(uuid.uuid4())), 201)
    ok(upload_photo(client, rep, second["id"], content), 201)
    (flag,) = ok(client.get(f"/api/visits/{second['id']}", headers=sup))["flags"]
    assert flag["detail"]["other_visit_id"] == first["id"]
    assert flag["detail"]["other_photo_id"] == original["id"]
    assert f"of visit {first['id']}" in flag["message"]
