"""Valhalla's routing tiles: the travel modes and their costings, building tiles from an
OpenStreetMap extract, and the version stamp a build leaves.

    build_tiles("helsinki.osm.pbf", "instance/roads")     # tiles + valhalla.json + version stamp

Valhalla is imported lazily: without the ``[roads]`` extra this module still imports and
`RoadsUnavailable` says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

MODES = ("car", "scooter", "bicycle", "foot")
COSTING = {"car": "auto", "scooter": "motor_scooter", "bicycle": "bicycle", "foot": "pedestrian"}
CONFIG_FILE = "valhalla.json"
VERSION_FILE = "version"
# Valhalla's default service limits are for a public server (20 route locations, 2,500 matrix
# pairs); here the caller is the app itself, planning a day of up to a few hundred stops.
_LIMITS = {"max_locations": 1000, "max_matrix_location_pairs": 4_000_000}


class RoadsUnavailable(RuntimeError):
    """The roads extra is not installed, or no tiles are built where they were looked for."""


class RoadsError(RuntimeError):
    """Valhalla refused a request or a tile build failed."""


def valhalla_module():
    """The valhalla package, or RoadsUnavailable when the roads extra is missing."""
    try:
        import valhalla
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RoadsUnavailable(
            f"Road travel needs the roads extra (pip install '.[roads]'): {exc}"
        ) from None
    return valhalla


def _config(valhalla, graph_dir: Path) -> dict:
    cfg = valhalla.get_config(tile_extract="", tile_dir=str(graph_dir))
    # Dijkstra one-to-many matrices: their times equal the route's within a second for every
    # costing here (the bidirectional cost matrix was up to 90 s off on foot, and missed pairs).
    cfg["thor"]["source_to_target_algorithm"] = "timedistancematrix"
    cfg["thor"]["costmatrix"]["allow_second_pass"] = True
    for costing in COSTING.values():
        cfg["service_limits"][costing].update(_LIMITS)
    cfg["mjolnir"]["logging"]["type"] = ""
    for section in ("loki", "thor", "odin", "meili"):
        if "logging" in cfg.get(section, {}):
            cfg[section]["logging"]["type"] = ""
    return cfg


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_tiles(
    pbf: str | Path, tiles_dir: str | Path, progress: Callable[[str], None] = print
) -> Path:
    """Build routing tiles from an OpenStreetMap extract into ``tiles_dir``; returns it.

    The tiles go to a new ``tiles-<version>`` folder; ``valhalla.json`` and ``version`` are
    swapped in only when the build succeeded, and the build before stays (a running process may
    still read it) until the next one. A progress line per stage: config, build, done.
    """
    valhalla = valhalla_module()
    pbf, tiles_dir = Path(pbf), Path(tiles_dir)
    if not pbf.is_file():
        raise RoadsError(f"No OpenStreetMap extract at {pbf}.")
    started = time.perf_counter()
    tiles_dir.mkdir(parents=True, exist_ok=True)
    version = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    graph = tiles_dir / f"tiles-{version}"
    graph.mkdir()
    cfg = _config(valhalla, graph)
    build_cfg = graph / CONFIG_FILE
    build_cfg.write_text(json.dumps(cfg))
    progress(f"[1/3] config: {build_cfg}")
    exe = Path(valhalla.__file__).parent / "bin" / "valhalla_build_tiles"
    # Valhalla writes scratch files into the working directory: the graph folder.
    run = subprocess.run(
        [str(exe), "-c", str(build_cfg), str(pbf.resolve())],
        cwd=graph,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        shutil.rmtree(graph, ignore_errors=True)
        tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
        raise RoadsError(f"valhalla_build_tiles failed ({run.returncode}): {' | '.join(tail)}")
    progress(
        f"[2/3] parse and build: {pbf.name} ({pbf.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    _write_atomic(tiles_dir / CONFIG_FILE, json.dumps(cfg))
    _write_atomic(tiles_dir / VERSION_FILE, version)
    _prune(tiles_dir, keep=2)
    tiles = sum(1 for _ in graph.rglob("*.gph"))
    progress(
        f"[3/3] done: {tiles} tiles, {_size(graph) / 1e6:.1f} MB in "
        f"{time.perf_counter() - started:.1f} s -> {tiles_dir} (version {version})"
    )
    return tiles_dir


def _prune(tiles_dir: Path, keep: int) -> None:
    """Remove all but the newest `keep` tile builds."""
    builds = sorted(tiles_dir.glob("tiles-*"), reverse=True)
    for old in builds[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def tiles_version(tiles_dir: str | Path) -> str | None:
    """The version stamp of the tiles in `tiles_dir`, or None when none are built there."""
    path = Path(tiles_dir) / VERSION_FILE
    try:
        return path.read_text().strip() or None
    except OSError:
        return None
