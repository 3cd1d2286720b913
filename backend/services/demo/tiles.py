"""The road tiles a demo territory is planned on: built from its extract (`TerritorySpec.pbf`)
with `backend.planning.road_tiles.build_tiles`, into the folder the app reads them from (setting
ROAD_TILES: a path; empty = `<instance>/roads`; "none" = straight lines, so nothing to build).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from ...errors import InvalidError
from ..road_travel import tiles_dir

ROADS_EXTRA = "The {name} demo needs the roads extra (Valhalla and osmium): pip install '.[roads]'"


def ensure_tiles(
    name: str, pbf: Path, rebuild: bool, progress: Callable[[str], None]
) -> Path | None:
    """Build the tiles of `pbf` (with `rebuild`, or when none can be opened); returns their
    folder, or None when the app plans on straight lines. Without the roads extra: InvalidError."""
    from ...planning import road_tiles, roads  # imports Valhalla only when a tile is read or built

    target = tiles_dir()
    if importlib.util.find_spec("osmium") is None:
        raise InvalidError(ROADS_EXTRA.format(name=name))
    if target is None:
        return None
    if not rebuild:
        try:
            roads.RoadNetwork(target)
            return target
        except roads.RoadsUnavailable:
            pass
    try:
        return road_tiles.build_tiles(pbf, target, progress=progress)
    except roads.RoadsUnavailable as exc:
        raise InvalidError(f"{ROADS_EXTRA.format(name=name)} ({exc})") from None
