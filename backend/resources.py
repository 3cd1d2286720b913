"""Where the files the app reads at run time are: the default settings, the gunicorn settings and
the PWA's static files.

In a checkout they live beside the package (config/, pwa/static/). A built wheel carries copies
inside the package, under backend/_bundled/ (setup.py copies them in at build time), so an
installed app needs no checkout. `python -m backend.resources NAME` prints one path, e.g.
`gunicorn -c "$(python -m backend.resources gunicorn-config)" 'backend:create_app()'`.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The folder name setup.py copies the files into; a checkout never has it.
BUNDLED_DIRNAME = "_bundled"


def _root() -> Path:
    """The folder holding config/ and pwa/static/: the wheel's copy, else the checkout."""
    bundled = PACKAGE_DIR / BUNDLED_DIRNAME
    if (bundled / "config" / "default.toml").is_file():
        return bundled
    return PACKAGE_DIR.parent


ROOT = _root()
CONFIG_DIR = ROOT / "config"
DEFAULTS_FILE = CONFIG_DIR / "default.toml"
GUNICORN_CONFIG = CONFIG_DIR / "gunicorn.conf.py"
PLANNER_CONFIG = CONFIG_DIR / "planner.toml"
STATIC_DIR = ROOT / "pwa" / "static"

PATHS = {
    "root": ROOT,
    "config-dir": CONFIG_DIR,
    "default-config": DEFAULTS_FILE,
    "gunicorn-config": GUNICORN_CONFIG,
    "planner-config": PLANNER_CONFIG,
    "static-dir": STATIC_DIR,
}


def main(argv: list[str]) -> int:
    """Print the path named by the one argument (or every name and path with none)."""
    if not argv:
        for name, path in PATHS.items():
            print(f"{name}\t{path}")
        return 0
    if len(argv) != 1 or argv[0] not in PATHS:
        print(f"usage: python -m backend.resources [{'|'.join(PATHS)}]", file=sys.stderr)
        return 2
    print(PATHS[argv[0]])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
