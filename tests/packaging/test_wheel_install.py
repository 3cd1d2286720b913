"""The built wheel runs on its own: installed into a fresh venv outside the checkout, it upgrades
a database, loads the demo and serves the API and the PWA with its packaged gunicorn settings.

Exactly what docs/deployment.md "Installing from the wheel" tells an IT team to do: build the
wheel, install the locked set with its hashes (requirements/runtime.txt) and the wheel with
--no-deps, then `flask --app backend db upgrade`, `flask --app backend demo load` and
`flask --app backend serve`. Every command runs in a folder outside the checkout with no
PYTHONPATH, so nothing can be read from the checkout by accident; the test checks the imported
package, the settings and the PWA files all come from the venv.

uv (in the dev set) builds and installs from its cache in seconds; without it, pip does the same
more slowly. No database fixture: the test makes its own SQLite file and runs once, in CI's
SQLite pass.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "runtime.txt"
# What a wheel build needs from the checkout (the pip path copies only these: no build/ litter).
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "NOTICE"]
SOURCE_DIRS = ["backend", "config", "pwa/static"]
STEP_TIMEOUT = 600


def _uv() -> str | None:
    """uv beside this interpreter (the dev venv), else on PATH."""
    here = Path(sys.executable).parent / "uv"
    return str(here) if here.is_file() else shutil.which("uv")


def _clean_env(tmp: Path) -> dict[str, str]:
    """The environment of a machine that has only the wheel: no checkout on any path, no test
    settings; the app's database, photos and secret under tmp."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TERMINUS_", "FLASK_", "GUNICORN_", "VIRTUAL_ENV", "PYTHON"))
    }
    return {
        **keep,
        "TERMINUS_DATABASE_URL": f"sqlite:///{tmp / 'terminus.db'}",
        "TERMINUS_PHOTO_DIR": str(tmp / "photos"),
        "TERMINUS_SECRET_KEY": "wheel-smoke-test",
        "TERMINUS_LOG_LEVEL": "WARNING",
    }


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build_wheel(tmp: Path, uv: str | None) -> Path:
    """The wheel, built from an sdist (so MANIFEST.in is checked too) or from a copy of the
    sources: never in the checkout, which would gain a build/ folder."""
    out = tmp / "dist"
    if uv:
        _run([uv, "build", "--quiet", "--out-dir", out, ROOT], cwd=tmp)
    else:
        src = _mkdir(tmp / "src")
        for name in SOURCES:
            shutil.copy2(ROOT / name, src / name)
        for name in SOURCE_DIRS:
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, src], tmp)
    (wheel,) = out.glob("terminus-*.whl")
    return wheel


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def _install(tmp: Path, wheel: Path, uv: str | None) -> Path:
    """A fresh venv with the locked set (hash-checked) and the wheel on top, no dependencies."""
    venv = tmp / "venv"
    python = venv / "bin" / "python"
    if uv:
        _run([uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=tmp)
        pip = [uv, "pip", "install", "--quiet", "--python", python]
    else:
        _run([sys.executable, "-m", "venv", venv], cwd=tmp)
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run([*pip, "--require-hashes", "-r", LOCK], cwd=tmp)
    _run([*pip, "--no-deps", wheel], cwd=tmp)
    return venv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port, method, path, body=None, token=None):
    """(status, headers, body bytes) of one request to the served app."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _wait_for_health(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited:\n{log.read_text()}"
        try:
            if _request(port, "GET", "/api/health")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"no healthy answer in 120 s:\n{log.read_text()}")


def _smoke(port: int) -> None:
    """The API and the PWA, as a rep's phone first meets them."""
    status, _, body = _request(port, "GET", "/api/health")
    assert status == 200, body
    status, _, body = _request(
        port, "POST", "/api/auth/login", {"username": "rep-1", "password": "terminus-demo"}
    )
    assert status == 200, body
    token = json.loads(body)["token"]
    status, _, body = _request(port, "GET", "/api/plans?per_page=5", token=token)
    assert status == 200, body
    plans = json.loads(body)
    assert plans["meta"]["total"] > 0 and plans["items"][0]["stops"], plans

    status, headers, body = _request(port, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body == (ROOT / "pwa" / "static" / "index.html").read_bytes()
    status, headers, body = _request(port, "GET", "/sw.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    status, _, body = _request(port, "GET", "/app/js/app.js")
    assert status == 200 and body == (ROOT / "pwa" / "static" / "js" / "app.js").read_bytes()


def test_wheel_installs_and_serves_outside_the_checkout(tmp_path):
    started = time.perf_counter()
    uv = _uv()
    wheel = _build_wheel(tmp_path, uv)
    venv = _install(tmp_path, wheel, uv)
    built = time.perf_counter()
    work = _mkdir(tmp_path / "elsewhere")  # the cwd of every command: not the checkout
    env = _clean_env(tmp_path)
    flask = [venv / "bin" / "flask", "--app", "backend"]

    where = _run([venv / "bin" / "python", "-m", "backend.resources"], work, env)
    paths = dict(line.split("\t") for line in where.splitlines())
    site = (venv / "lib").resolve()
    for name in ("root", "default-config", "gunicorn-config", "static-dir"):
        assert Path(paths[name]).is_relative_to(site), (name, paths[name])
        assert Path(paths[name]).exists(), (name, paths[name])

    _run([*flask, "db", "upgrade"], work, env)
    _run([*flask, "demo", "load"], work, env)
    loaded = time.perf_counter()

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    serve_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(a) for a in [*flask, "serve"]], cwd=work, env=serve_env, stdout=out, stderr=out
        )
    try:
        _wait_for_health(port, server, log)
        _smoke(port)
    finally:
        server.send_signal(signal.SIGTERM)  # `flask serve` became gunicorn's master: clean stop
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    served = time.perf_counter()
    print(
        f"wheel build+install {built - started:.1f} s, upgrade+demo {loaded - built:.1f} s, "
        f"serve+smoke {served - loaded:.1f} s"
    )


@pytest.mark.parametrize("name", ["runtime", "roads", "dev"])
def test_the_locked_sets_pin_every_package_with_hashes(name):
    """A hand edit that drops a hash or a pin would make `--require-hashes` refuse the set."""
    text = (ROOT / "requirements" / f"{name}.txt").read_text()
    entries = [e for e in text.replace("\\\n", " ").splitlines() if e and e[0] not in "# "]
    assert entries
    for entry in entries:
        requirement = entry.split(";")[0].split("--hash")[0].strip()
        assert "==" in requirement and "--hash=sha256:" in entry, entry
