"""One JSON error shape, with a precise 4xx for each kind of bad request."""

from __future__ import annotations

import uuid

import flask
import pytest
import sqlalchemy as sa

from backend.extensions import db


def assert_error(response, code):
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert body["code"] == code and isinstance(body["status"], str) and body["message"]
    assert set(body) <= {"code", "status", "reason", "message", "params", "errors"}
    assert body["reason"].isidentifier() and body["reason"].islower()
    return body


def test_malformed_json_is_400(client, org, tokens):
    response = client.post(
        "/api/stores",
        data="{not json",
        content_type="application/json",
        headers=tokens.headers("admin"),
    )
    assert_error(response, 400)


def test_wrong_types_are_422_per_field(client, org, tokens):
    body = assert_error(
        client.post(
            "/api/stores",
            json={
                "code": 5,
                "name": "x",
                "channel": "modern",
                "tier": "A",
                "lat": "north",
                "lng": 1,
            },
            headers=tokens.headers("admin"),
        ),
        422,
    )
    assert set(body["errors"]["json"]) == {"code", "lat"}


def test_unknown_fields_are_422(client, org, tokens):
    body = assert_error(
        client.patch(
            f"/api/stores/{org.store['n1-a']}",
            json={"colour": "red"},
            headers=tokens.headers("admin"),
        ),
        422,
    )
    assert body["errors"]["json"] == {"colour": ["Unknown field."]}


def test_json_array_instead_of_object_is_422(client, org, tokens):
    assert_error(client.post("/api/stores", json=[1, 2], headers=tokens.headers("admin")), 422)


def test_oversize_body_is_413(app, client, org, tokens):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post(
            "/api/stores/import",
            data={"file": (__import__("io").BytesIO(b"x" * 4096), "s.csv")},
            headers=tokens.headers("admin"),
        )
        assert_error(response, 413)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024


def test_missing_auth_is_401(client, org):
    assert_error(client.get("/api/stores"), 401)


def test_forbidden_role_is_403(client, org, tokens):
    assert_error(client.post("/api/users", json={}, headers=tokens.headers("rep-n1a")), 403)


def test_unknown_route_is_404_json(client):
    assert_error(client.get("/api/nothing-here"), 404)


def test_wrong_method_is_405_with_allow(client):
    body = client.delete("/api/auth/login")
    assert_error(body, 405)
    assert "POST" in body.headers["Allow"]


def test_unexpected_errors_are_a_generic_500_without_details(app, client, org, tokens, monkeypatch):
    from backend.services import stores

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(stores, "get_store", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get(f"/api/stores/{org.store['n1-a']}", headers=tokens.headers("admin"))
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    body = assert_error(response, 500)
    assert "secret" not in body["message"]


@pytest.mark.parametrize("path", ["/api/stores/abc", "/api/users/1.5"])
def test_non_integer_ids_are_404(client, org, tokens, path):
    assert_error(client.get(path, headers=tokens.headers("admin")), 404)


def test_ids_beyond_64_bits_are_422_not_500(client, org, tokens):
    headers = tokens.headers("admin")
    assert_error(client.get(f"/api/stores/{2**63}", headers=headers), 422)
    body = {"store_ids": [2**63], "rep_id": None}
    assert_error(client.post("/api/stores/reassign", json=body, headers=headers), 422)


def test_patch_still_requires_complete_nested_objects(client, org, tokens):
    response = client.patch(
        f"/api/stores/{org.store['n1-a']}",
        json={"hours": [{"opens": "08:00", "closes": "12:00"}]},
        headers=tokens.headers("admin"),
    )
    body = assert_error(response, 422)
    assert body["errors"]["json"]["hours"]["0"]["weekday"] == ["Missing data for required field."]


def lose_connection() -> None:
    """Close the session's DBAPI connection under it, as a database restart does."""
    db.session.connection().connection.dbapi_connection.close()


def test_database_lost_during_a_request_is_503_json(client, org, tokens, monkeypatch):
    from backend.services import stores

    get_store, headers = stores.get_store, tokens.headers("admin")
    path = f"/api/stores/{org.store['n1-a']}"

    def lost(*args, **kwargs):
        lose_connection()
        return get_store(*args, **kwargs)

    monkeypatch.setattr(stores, "get_store", lost)
    response = client.get(path, headers=headers)
    assert_error(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-Request-ID"]  # the after-request hooks ran on a new connection
    monkeypatch.undo()
    assert client.get(path, headers=headers).status_code == 200


def test_database_lost_after_the_view_is_503_json(app, client, org, tokens, monkeypatch):
    """A hook after the view (like the access log) meeting a dead connection: not a 500."""
    lost: list[bool] = []

    def query_after_view(response):
        if not lost:
            lost.append(True)
            lose_connection()
        db.session.execute(sa.text("SELECT 1"))
        return response

    hooks = [*app.after_request_funcs.get(None, []), query_after_view]
    monkeypatch.setitem(app.after_request_funcs, None, hooks)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get(f"/api/stores/{org.store['n1-a']}", headers=tokens.headers("admin"))
    assert lost
    assert_error(response, 503)
    assert response.headers["Retry-After"]


def test_database_lost_at_the_end_of_a_request_keeps_the_answer(app, client, org, tokens):
    """The connection dies after the response is made, with the request's read transaction
    still open: removing the session must not raise (gunicorn would answer HTML 500)."""
    headers, path = tokens.headers("admin"), f"/api/stores/{org.store['n1-a']}"
    open_transactions: list[bool] = []

    def lose_it(sender, response):
        open_transactions.append(db.session().in_transaction())
        lose_connection()

    with flask.request_finished.connected_to(lose_it, app):
        response = client.get(path, headers=headers)
    assert open_transactions == [True]  # the teardown had a rollback to do
    assert response.status_code == 200 and response.json["id"] == org.store["n1-a"]
    assert client.get(path, headers=headers).status_code == 200


def test_a_batch_that_rolled_back_answers_even_if_the_database_then_goes(
    app, client, org, tokens, monkeypatch
):
    """A failed batch item rolls back, which expires the signed-in user; the connection then
    dies. The access log names the user from the identity map, so the batch's answer (200,
    with the item's 404) still goes out instead of a 503 that would make the device resend."""
    from backend.routes import sync as sync_routes

    run_batch = sync_routes.run_batch

    def then_lost(*args, **kwargs):
        result = run_batch(*args, **kwargs)
        lose_connection()
        return result

    monkeypatch.setattr(sync_routes, "run_batch", then_lost)
    missing = {"key": str(uuid.uuid4()), "op": "check_out", "visit": str(uuid.uuid4()),
               "body": {"device_time": "2026-12-01T10:00:00+09:00"}}  # fmt: skip
    response = client.post(
        "/api/sync", json={"operations": [missing]}, headers=tokens.headers("rep-n1a")
    )
    assert response.status_code == 200, response.json
    assert [r["status"] for r in response.json["results"]] == [404]


def test_a_refusal_carries_its_reason_and_figures_for_the_phone_to_translate(
    app, client, org, tokens
):
    """The rep's phone says "check out of <store> first" in its own language: the answer gives
    a stable reason and the store's name, not only an English sentence."""
    headers = tokens.headers("rep-n1a")
    first = client.get("/api/stores", headers=headers).json["items"][0]
    now = "2026-12-02T01:00:00+00:00"
    at = {"lat": first["lat"], "lng": first["lng"], "accuracy_m": 5, "device_time": now}
    opened = client.post("/api/visits", json={"store_id": first["id"], **at}, headers=headers)
    assert opened.status_code == 201, opened.json
    again = client.post("/api/visits", json={"store_id": first["id"], **at}, headers=headers)
    body = assert_error(again, 409)
    assert body["reason"] == "visit_still_open"
    assert body["params"]["store"] == first["name"]
    missing = assert_error(client.get("/api/visits/999999", headers=headers), 404)
    assert missing["reason"] == "not_found"


def test_form_parts_without_a_name_are_a_422_not_a_500(client, org, tokens):
    """Found by schema fuzzing: parts named "" and with no name gave a None key to the errors,
    which JSON with sorted keys cannot hold."""
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name=""\r\n\r\nnull\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="\n"\r\n\r\nnull\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n\x00\r\n'
        f"--{boundary}--\r\n"
    )
    response = client.post(
        "/api/stores/import",
        data=body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=tokens.headers("admin"),
    )
    assert_error(response, 422)
