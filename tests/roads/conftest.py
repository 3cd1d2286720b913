"""Road-travel fixtures: Helsinki routing tiles built once per session, and the app on them.

Other test folders reuse the tiles with
``from tests.roads.conftest import helsinki_tiles  # noqa: F401`` and take ``helsinki_tiles``
(a Path to give ROAD_TILES). Locally the road tests skip when Valhalla (the [roads] extra) is
not importable; with CI=true they fail instead, since CI installs the extra.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PBF = Path(__file__).resolve().parents[2] / "backend" / "demo" / "helsinki-centre.osm.pbf"
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Points in the extract: a rep's home on Kaisaniemenkatu, stores on streets a car reaches.
HOME = (60.1722, 24.9450)
STREET_STORES = [
    (60.1686, 24.9418),  # Aleksanterinkatu, Stockmann
    (60.1665, 24.9435),  # Erottaja
    (60.1648, 24.9390),  # Bulevardi
    (60.1690, 24.9475),  # Kluuvikatu
    (60.1710, 24.9455),  # Mikonkatu
    (60.1705, 24.9500),  # Hallituskatu
    (60.1693, 24.9522),  # Senaatintori's east side
]
# Kaisaniemi park, beside Rautatientori: a footpath at 11 m, the nearest car road ~155 m away.
PARK = (60.1746, 24.9461)
# In the sea off Eteläsatama: the nearest road for any mode is ~460 m away.
SEA = (60.1600, 24.9500)


def require_valhalla() -> None:
    """Skip (locally) or fail (CI) when the roads extra is missing."""
    try:
        import valhalla  # noqa: F401
    except ImportError as exc:
        if CI:
            pytest.fail(f"CI installs the [roads] extra; valhalla is missing: {exc}")
        pytest.skip(f"valhalla is not installed (pip install '.[roads]'): {exc}")


@pytest.fixture(scope="session")
def helsinki_tiles(tmp_path_factory) -> Path:
    """Routing tiles of central Helsinki (built once per test session, ~1 s)."""
    require_valhalla()
    from backend.planning.road_tiles import build_tiles

    lines: list[str] = []
    tiles = build_tiles(PBF, tmp_path_factory.mktemp("roads"), progress=lines.append)
    assert len(lines) == 3, lines
    return tiles


@pytest.fixture
def roads_app(app, helsinki_tiles, tmp_path, monkeypatch):
    """The session app on the Helsinki tiles, with a matrix cache of this test's own."""
    monkeypatch.setitem(app.config, "ROAD_TILES", str(helsinki_tiles))
    monkeypatch.setitem(app.config, "ROAD_CACHE_DIR", str(tmp_path / "road-cache"))
    monkeypatch.setitem(app.config, "PLAN_TRAVEL_MODE", "")
    return app
