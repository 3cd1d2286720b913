"""Headers on every kind of answer: nosniff everywhere, no-store on answers with tokens, and the
Content-Security-Policy of the app shell and the API docs page."""

from __future__ import annotations

import pytest

from tests.api.test_auth import login
from tests.api.visit_helpers import check_in, image_bytes, minutes_ago, upload

SHELL_REFERRER = "strict-origin-when-cross-origin"
PAGE_DIRECTIVES = {"base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'"}


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    pairs = (part.strip().split(" ", 1) for part in header.split(";"))
    return {name: value for name, value in pairs}


def answers(app, client, org, tokens, photo_dir):
    """(what, response) for a sample of every kind of answer the server gives."""
    rep = tokens.headers("rep-n1a")
    visit = check_in(client, rep, app, org.store["n1-a"], minutes_ago(10)).json["id"]
    photo = upload(client, rep, visit, image_bytes(seed=5)).json["id"]
    yield "api json", client.get("/api/stores", headers=rep)
    yield "api write", client.patch(f"/api/users/{org.user['rep-n1a']}", json={"phone": "1"},
                                    headers=tokens.headers("admin"))  # fmt: skip
    yield "no content", client.post("/api/auth/logout", headers=tokens.headers("rep-n1b"))
    yield "401", client.get("/api/stores")
    yield "403", client.post("/api/areas", json={"name": "W"}, headers=rep)
    yield "404 api", client.get("/api/stores/999999", headers=rep)
    yield "404 no route", client.get("/no/such/page")
    yield "405", client.delete("/api/health")
    yield "400 bad json", client.post("/api/visits", data="{", headers={**rep,
                                      "Content-Type": "application/json"})  # fmt: skip
    yield "415", client.post("/api/visits", data="x", headers={**rep, "Content-Type": "text/x"})
    yield "422", client.post("/api/visits", json={}, headers=rep)
    yield "photo", client.get(f"/api/photos/{photo}/image", headers=rep)
    yield "shell", client.get("/")
    yield "shell file", client.get("/app/js/app.js")
    yield "service worker", client.get("/sw.js")
    yield "manifest", client.get("/manifest.webmanifest")
    yield "openapi", client.get("/api/openapi.json")
    yield "docs", client.get("/api/docs")
    yield "docs asset", client.get("/api/docs/assets/swagger-ui.css")
    yield "health", client.get("/api/health")


def test_every_kind_of_answer_says_nosniff(app, client, org, tokens, photo_dir):
    seen = {}
    for what, response in answers(app, client, org, tokens, photo_dir):
        seen[what] = response.status_code
        assert response.headers.get("X-Content-Type-Options") == "nosniff", (what, seen)
        # Only the shell loads other sites' files (map tiles): it alone sends them its origin.
        referrer = SHELL_REFERRER if what == "shell" else "same-origin"
        assert response.headers.getlist("Referrer-Policy") == [referrer], what
    assert seen["photo"] == 200 and seen["shell file"] == 200 and seen["404 no route"] == 404


def test_a_rate_limited_login_says_nosniff_and_no_store(app, client, org):
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    try:
        login(client, "rep-n1a", "wrong")
        limited = login(client, "rep-n1a", "wrong")
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert limited.status_code == 429
    assert limited.headers["X-Content-Type-Options"] == "nosniff"
    assert limited.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("password", ["correct horse battery", "wrong password"])
def test_login_answers_are_never_stored(client, org, password):
    response = login(client, "rep-n1a", password)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_shell_policy_adds_base_form_and_frame_directives(client):
    directives = policy(client.get("/"))
    assert directives.items() >= PAGE_DIRECTIVES.items()
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"


def test_the_docs_page_has_a_policy_without_inline_scripts(client):
    page = client.get("/api/docs")
    directives = policy(page)
    assert directives.items() >= PAGE_DIRECTIVES.items()
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'self'"
    html = page.get_data(as_text=True)
    assert "<script>" not in html and "/api/docs/assets/start.js" in html
    start = client.get("/api/docs/assets/start.js")
    assert start.mimetype == "text/javascript" and b'"/api/openapi.json"' in start.data


def test_the_shell_allows_tiles_from_the_default_server_only(client):
    directives = policy(client.get("/"))
    tiles = "https://tile.openstreetmap.org"
    assert directives["img-src"].split() == ["'self'", "blob:", "data:", tiles]
    assert directives["connect-src"].split() == ["'self'", tiles]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        (
            "https://maps.example.jp:8443/v1/{z}/{x}/{y}@2x.png?key=a;b",
            "https://maps.example.jp:8443",
        ),
    ],
)
def test_the_shell_allows_tiles_from_the_configured_server(app, client, url, source):
    saved = app.config["MAP_TILE_URL"]
    app.config["MAP_TILE_URL"] = url
    try:
        shell = client.get("/")
    finally:
        app.config["MAP_TILE_URL"] = saved
    directives = policy(shell)
    assert directives["img-src"].split() == ["'self'", "blob:", "data:", source]
    assert directives["connect-src"].split() == ["'self'", source]
    assert "openstreetmap" not in shell.headers["Content-Security-Policy"]
    assert directives.items() >= PAGE_DIRECTIVES.items()
    assert shell.headers["Referrer-Policy"] == SHELL_REFERRER
