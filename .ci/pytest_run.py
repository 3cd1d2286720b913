"""Run pytest for `make test`: exit code 5 ("no tests collected") is a failure, and with
--postgres an unreachable PostgreSQL is a skip locally but a failure when CI=true. The
PostgreSQL pass leaves the tests that use no database to the SQLite pass (tests/conftest.py)."""

from __future__ import annotations

import os
import sys

import pytest
import sqlalchemy as sa


def postgres_reachable(url: str) -> bool:
    try:
        with sa.create_engine(url).connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        print(f"PostgreSQL not reachable at {url}: {exc.orig}", file=sys.stderr)
        return False
    return True


def main(argv: list[str]) -> int:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    if "--postgres" in argv:
        argv = [a for a in argv if a != "--postgres"]
        if not postgres_reachable(os.environ["TERMINUS_TEST_DATABASE_URL"]):
            if ci:
                print("CI: the PostgreSQL run is required.", file=sys.stderr)
                return 1
            print("Skipping the PostgreSQL run (not in CI).", file=sys.stderr)
            return 0
    # In CI, the slowest tests are listed at the end of each pass: the 30-minute budget is tight.
    durations = ["--durations=20"] if ci else []
    code = pytest.main(["-p", "no:cacheprovider", *durations, *argv])
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("pytest collected no tests: treating that as a failure.", file=sys.stderr)
        return 1
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
