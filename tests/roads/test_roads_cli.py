"""`flask roads build` and `flask roads status`."""

from __future__ import annotations

from backend.planning.road_tiles import tiles_version
from tests.roads.conftest import PBF, require_valhalla


def test_build_prints_each_stage_and_status_reads_the_tiles(app, tmp_path, monkeypatch):
    require_valhalla()
    into = tmp_path / "tiles"
    monkeypatch.setitem(app.config, "ROAD_TILES", str(into))
    monkeypatch.setitem(app.config, "ROAD_CACHE_DIR", str(tmp_path / "cache"))
    runner = app.test_cli_runner()
    off = runner.invoke(args=["roads", "status"])
    assert off.exit_code == 0 and f"no tiles at {into}" in off.output
    built = runner.invoke(args=["roads", "build", str(PBF), "--into", str(into)])
    assert built.exit_code == 0, built.output
    assert [line[:5] for line in built.output.splitlines()] == ["[1/3]", "[2/3]", "[3/3]"]
    status = runner.invoke(args=["roads", "status"])
    assert status.exit_code == 0, status.output
    assert f"version {tiles_version(into)}" in status.output
    assert "Default travel mode (PLAN_TRAVEL_MODE): none" in status.output


def test_build_elsewhere_says_where_the_setting_points(app, tmp_path, monkeypatch):
    require_valhalla()
    monkeypatch.setitem(app.config, "ROAD_TILES", "none")
    built = app.test_cli_runner().invoke(
        args=["roads", "build", str(PBF), "--into", str(tmp_path / "t")]
    )
    assert built.exit_code == 0, built.output
    assert "ROAD_TILES points elsewhere (none)" in built.output


def test_a_broken_extract_is_a_one_line_error(app, tmp_path):
    require_valhalla()
    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"not a pbf")
    done = app.test_cli_runner().invoke(
        args=["roads", "build", str(bad), "--into", str(tmp_path / "t")]
    )
    assert done.exit_code == 1 and "valhalla_build_tiles failed" in done.output
    assert "Traceback" not in done.output
