"""A JSON body nested too deeply for Python's parser is a 400 at every endpoint that reads one,
and nothing runs: not read as "no body" (which an endpoint whose fields are all optional would
accept), not a 500."""

from __future__ import annotations

import json
import re

import pytest

from tests.api.plan_helpers import next_monday, plan_stores

DEEP = "[" * 100_000 + "]" * 100_000
# One user per role: every endpoint admits at least one of them.
USERS = ("admin", "mgr-north", "sup-n1", "rep-n1a")


def json_body_operations(client) -> list[tuple[str, str]]:
    """(method, path) of every operation documented with a JSON request body."""
    spec = client.get("/api/openapi.json").json
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict)
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def test_the_spec_lists_the_json_body_endpoints(client):
    found = json_body_operations(client)
    assert ("PATCH", "/api/stores/{store_id}") in found and ("POST", "/api/sync") in found
    assert len(found) >= 25


def send_deep(client, headers, method, path, body=DEEP):
    url = re.sub(r"\{[^}]+\}", "1", path)  # any id: the body is read before the view
    return client.open(url, method=method, data=body, content_type="application/json",
                       headers=headers)  # fmt: skip


def test_every_json_body_endpoint_answers_400_to_a_deep_body(client, org, tokens):
    headers = {user: tokens.headers(user) for user in USERS}
    for method, path in json_body_operations(client):
        statuses = {}
        for user in USERS:
            response = send_deep(client, headers[user], method, path)
            statuses[user] = response.status_code
            assert response.status_code in (400, 401, 403, 429), (method, path, user, response.json)
            if response.status_code == 400:
                assert "nested too deeply" in json.dumps(response.json), (method, path)
        assert 400 in statuses.values(), (method, path, statuses)


def test_a_deep_body_to_an_all_optional_endpoint_does_not_run_it(client, org, tokens):
    plan_stores(client, org, tokens)
    sup = tokens.headers("sup-n1")
    body = {"rep_id": org.user["rep-n1a"], "plan_date": next_monday().isoformat(), "seconds": 0.5}
    plan = client.post("/api/plans", json=body, headers=sup).json
    response = send_deep(client, sup, "POST", f"/api/plans/{plan['id']}/publish")
    assert response.status_code == 400, response.json
    assert response.json["errors"] == {"json": ["The JSON body is nested too deeply."]}
    assert client.get(f"/api/plans/{plan['id']}", headers=sup).json["status"] == "draft"
    store = f"/api/stores/{org.store['n1-a']}"
    before = client.get(store, headers=sup).json
    assert send_deep(client, sup, "PATCH", store).status_code == 400
    assert client.get(store, headers=sup).json == before


@pytest.mark.usefixtures("photo_dir")
def test_a_deep_batch_in_a_multipart_sync_is_400(client, org, tokens):
    response = client.post(
        "/api/sync/multipart", data={"batch": DEEP}, headers=tokens.headers("rep-n1a")
    )
    assert response.status_code == 400, response.json
    assert "nested too deeply" in response.json["message"]
