"""The API docs page (Swagger UI at /api/docs) works under its Content-Security-Policy: it draws
every operation with no violation reported, while an inline script put on it is blocked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import server as bench_server
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

WATCH = """
window.violations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory):
    """gunicorn on an empty, migrated SQLite database: the docs need no data."""
    tmp = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "FLASK_APP": "backend", "TERMINUS_SECRET_KEY": "docs",
           "TERMINUS_DATABASE_URL": f"sqlite:///{tmp / 'docs.db'}"}  # fmt: skip
    env.pop("TERMINUS_TEST_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    with bench_server.gunicorn(env, 1) as port:
        yield f"http://127.0.0.1:{port}"


def test_swagger_ui_renders_under_its_policy_with_no_violation(browser, docs_server):
    context = browser.new_context()
    page = context.new_page()
    errors, console = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(m.text))
    page.add_init_script(WATCH)
    try:
        response = page.goto(f"{docs_server}/api/docs")
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        page.locator(".swagger-ui .info .title").filter(has_text="Terminus API").wait_for()
        page.locator(".opblock").first.wait_for()
        assert page.locator(".opblock").count() > 50
        # Open one operation: its schema and "Try it out" draw too.
        page.locator("#operations-auth-post_api_auth_password").click()
        page.get_by_role("button", name="Try it out").first.wait_for()
        assert page.evaluate("window.violations") == [], console
        assert errors == [] and not [m for m in console if "Content Security Policy" in m]

        # The policy is in force: an inline script is refused and reported.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = true'; document.body.append(s); }"
        )
        page.wait_for_function("window.violations.length > 0")
        assert page.evaluate("window.ran") is None
        assert page.evaluate("window.violations")[0].startswith("script-src")
    finally:
        context.close()
