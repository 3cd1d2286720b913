"""The gunicorn server each fault-test module shares."""

from __future__ import annotations

import pytest

from tests.faults.harness import serving


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    """gunicorn on the test database, shared by this module's tests (each empties the database
    after itself); yields (port, application_name)."""
    with serving(app, tmp_path_factory) as served:
        yield served
