"""PostgreSQL only: a real restart of the database server mid-batch (`pg_ctl restart`, crash
and recovery or fast shutdown) on a throwaway cluster of the test's own, never the shared one."""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade

from backend import create_app
from backend.extensions import db
from tests.faults.harness import batch_under_fault, bench_server, serving

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_bin() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, or where Debian and Red Hat install them."""
    if found := shutil.which("initdb"):
        return Path(found).resolve().parent
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"):
        for candidate in sorted(glob.glob(pattern), reverse=True):
            if (Path(candidate) / "pg_ctl").exists():
                return Path(candidate)
    return None


class Cluster:
    """A PostgreSQL server of the test's own, in a temporary directory, on a free port."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="terminus-pg-"))  # short: holds the socket
        self.data, self.log = self.root / "data", self.root / "server.log"
        self.port = bench_server.free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        # PostgreSQL refuses to run as root: its files and processes belong to `postgres`.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.root, "postgres")

    def run(self, tool: str, *args: str) -> None:
        command = [*self.as_owner, str(self.bin_dir / tool), *args]
        done = subprocess.run(command, cwd=self.root, capture_output=True, timeout=60)
        assert done.returncode == 0, f"{tool} {' '.join(args)}: {done.stderr.decode()[-2000:]}"

    def ctl(self, *args: str) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", *args)

    def create(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\n"
                "shared_buffers = 16MB\nmax_connections = 20\n"
                # A crash of the server, not of the machine: what it wrote is in the OS cache.
                "fsync = off\n"
            )

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.ctl("-m", "immediate", "stop")
        shutil.rmtree(self.root)


@pytest.fixture(scope="class")
def cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster, started (the shared server is never restarted). In the
    PostgreSQL pass only; without initdb/pg_ctl it skips, except in CI where it fails."""
    if not os.environ.get("TERMINUS_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("restarts a PostgreSQL server: runs in the PostgreSQL pass")
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = "initdb and pg_ctl not found (PATH, /usr/lib/postgresql/*/bin)"
        if CI:
            pytest.fail(f"CI: the database restart test must run: {reason}")
        pytest.skip(reason)
    cluster = Cluster(bin_dir)
    try:
        cluster.create()
        cluster.ctl("start")
        yield cluster
    finally:
        cluster.remove()


@pytest.mark.postgres
class TestDatabaseRestart:
    """The database server restarted under a running batch. Here `app` is an app on the
    throwaway cluster, so conftest's database, org and tokens fixtures build data there."""

    @pytest.fixture(scope="class")
    @classmethod
    def app(cls, cluster):
        app = create_app({"DATABASE_URL": cluster.url, "TESTING": True, "SECRET_KEY": "test"})
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            db.engine.dispose()

    @pytest.fixture(scope="class")
    @classmethod
    def server(cls, app, tmp_path_factory):
        with serving(app, tmp_path_factory) as served:
            yield served

    @pytest.mark.parametrize("mode", ["immediate", "fast"])  # crash and recovery; clean stop
    def test_database_restarted_mid_batch_then_replayed(
        self, database, org, tokens, cluster, server, mode
    ):
        restart = functools.partial(cluster.ctl, "-m", mode, "restart")
        before, _ops = batch_under_fault(database, org, tokens, server, lambda _outcome: restart())
        # the restart landed mid-batch, which commits once at its end: nothing of it stayed
        assert before == 0
