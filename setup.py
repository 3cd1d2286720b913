"""Build hook: the wheel carries the files the app reads at run time from outside backend/.

config/ (default settings, gunicorn and planner settings) and pwa/static/ (the PWA) stay at the
top of the checkout, where people edit them; this copies them into the built package as
backend/_bundled/, where backend/resources.py finds them in an installed wheel. An editable
install (`pip install -e .`) copies nothing: there resources.py reads the checkout itself.
Everything else is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# (source in the checkout, destination inside the package); keep in step with MANIFEST.in.
BUNDLED = [
    ("config/default.toml", "config/default.toml"),
    ("config/gunicorn.conf.py", "config/gunicorn.conf.py"),
    ("config/planner.toml", "config/planner.toml"),
    ("pwa/static", "pwa/static"),
]


class BuildPyWithBundled(build_py):
    """build_py, then the run-time files copied into backend/_bundled/ of the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "backend" / "_bundled"
        for source, destination in BUNDLED:
            src, dst = HERE / source, target / destination
            if not src.exists():
                raise FileNotFoundError(f"{source} is missing: the wheel would not run")
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True, ignore=_ignored)
            else:
                shutil.copy2(src, dst)


def _ignored(directory: str, names: list[str]) -> set[str]:
    """Editor and OS litter never ships."""
    return {n for n in names if n.startswith(".") or n.endswith(("~", ".swp", ".pyc"))}


setup(cmdclass={"build_py": BuildPyWithBundled})
