"""backend.planning.roads on the Helsinki extract: tiles, matrices, snapping, legs; and a team
problem whose reps travel by different modes."""

from __future__ import annotations

import numpy as np
import pytest

from backend.planning import Location, Problem, Rep, Stop, build_tables, roads, solve
from backend.planning.road_tiles import RoadsError, build_tiles, tiles_version
from backend.planning.roads import (
    MODES,
    UNREACHABLE_S,
    RoadNetwork,
    decode_polyline,
)
from tests.roads.conftest import HOME, PARK, PBF, SEA, STREET_STORES


@pytest.fixture(scope="module")
def net(helsinki_tiles):
    return RoadNetwork(helsinki_tiles)


def test_tiles_build_with_a_line_per_stage_and_a_new_version(helsinki_tiles, tmp_path):
    assert (helsinki_tiles / "valhalla.json").is_file()
    first = tiles_version(helsinki_tiles)
    lines: list[str] = []
    build_tiles(PBF, tmp_path / "again", progress=lines.append)
    assert [line.split(":")[0] for line in lines] == [
        "[1/3] config",
        "[2/3] parse and build",
        "[3/3] done",
    ]
    assert "tiles" in lines[2] and "MB" in lines[2]
    second = tiles_version(tmp_path / "again")
    assert second and second != first
    with pytest.raises(RoadsError, match="No OpenStreetMap extract"):
        build_tiles(tmp_path / "missing.osm.pbf", tmp_path / "x")


@pytest.mark.parametrize("mode", MODES)
def test_street_matrix_is_finite_and_never_zero_off_the_diagonal(net, mode):
    points = [HOME, *STREET_STORES]
    m = net.matrix(points, mode)
    off = ~np.eye(len(points), dtype=bool)
    assert m.unreachable == []
    assert np.all(m.duration[off] > 0) and np.all(m.duration[off] < 3600)
    assert np.all(m.distance[off] > 0)
    assert all(metres < 30 for metres in m.snap_m)


def test_foot_is_slower_than_car(net):
    points = [HOME, *STREET_STORES]
    car, foot = net.matrix(points, "car"), net.matrix(points, "foot")
    assert foot.duration.sum() > 2 * car.duration.sum()


def test_car_free_park_is_snapped_and_the_sea_is_far_from_any_road(net):
    m = net.matrix([HOME, PARK, SEA], "car")
    assert 100 < m.snap_m[1] < 250  # a car stops in the street beside the park
    assert m.snap_m[2] > 400
    foot = net.matrix([HOME, PARK], "foot")
    assert foot.snap_m[1] < 25  # a footpath crosses the park


def test_a_point_with_no_road_in_reach_is_unreachable_with_a_reason(net, monkeypatch):
    """Valhalla's locate finds no edge: the point is reported, its row and column are huge."""
    real = net.snap

    def no_road_for_the_last(points, mode):
        found = real(points, mode)
        return [*found[:-1], type(found[-1])(None, float("inf"))]

    monkeypatch.setattr(net, "snap", no_road_for_the_last)
    m = net.matrix([HOME, *STREET_STORES[:2], PARK], "car")
    assert m.unreachable == [3]
    assert m.reasons[3] == "No road a car may use near it."
    assert np.all(m.duration[3, :3] == UNREACHABLE_S) and np.all(m.duration[:3, 3] == UNREACHABLE_S)


def test_pairs_the_matrix_misses_are_routed_not_zero(net, monkeypatch):
    real = net.block

    def with_holes(sources, targets, mode):
        dur, dist = real(sources, targets, mode)
        dur[0, 1] = dist[0, 1] = np.nan
        return dur, dist

    monkeypatch.setattr(net, "block", with_holes)
    m = net.matrix([HOME, *STREET_STORES[:3]], "car")
    (leg,) = net.route([m.snapped[0], m.snapped[1]], "car")
    assert m.duration[0, 1] == pytest.approx(leg.duration)


def test_legs_are_one_route_with_polyline6_shapes(net):
    points = [HOME, *STREET_STORES[:4], HOME]
    legs = net.legs(points, "bicycle")
    assert len(legs) == 5 and all(leg is not None for leg in legs)
    assert all(leg.duration > 0 and leg.distance > 0 and leg.polyline for leg in legs)
    shape = decode_polyline(legs[0].polyline)
    (lat, lng), end = shape[0], shape[-1]
    assert abs(lat - HOME[0]) < 0.001 and abs(lng - HOME[1]) < 0.001  # precision 6
    assert abs(end[0] - STREET_STORES[0][0]) < 0.001 and abs(end[1] - STREET_STORES[0][1]) < 0.001


def test_team_reps_of_one_mode_share_a_duration_table(net):
    """nodes.py groups reps by their duration array: two car reps share one, the foot rep
    has its own, and each rep's distances are its mode's."""
    points = [HOME, *STREET_STORES]
    ids = ["H", *(f"L{k}" for k in range(len(STREET_STORES)))]
    car, foot = net.matrix(points, "car"), net.matrix(points, "foot")
    problem = Problem(
        locations=tuple(Location(i, lat=p[0], lng=p[1]) for i, p in zip(ids, points, strict=True)),
        reps=(
            Rep("c1", "H", "H", (30600.0, 63000.0), mode="car", speed_kmh=20.0),
            Rep("f1", "H", "H", (30600.0, 63000.0), mode="foot", speed_kmh=4.5),
            Rep("c2", "H", "H", (30600.0, 63000.0), mode="car", speed_kmh=20.0),
        ),
        stops=tuple(Stop(str(k), f"L{k}", 600.0, penalty=3600.0) for k in range(7)),
        matrices={
            "car": {"duration": car.duration, "distance": car.distance},
            "foot": {"duration": foot.duration, "distance": foot.distance},
        },
    )
    tables = build_tables(problem)
    assert tables.durations[0] is tables.durations[2]
    assert tables.durations[1] is not tables.durations[0]
    assert np.array_equal(tables.durations[1], foot.duration)
    assert tables.distance_of(1) is not tables.distance_of(0)
    plan = solve(problem, seconds=1, seed=0, iterations=50)
    assert plan.feasible
    walked = plan.route("f1")
    if walked.stops:
        first = int(walked.stops[0]) + 1
        assert walked.visits[0].arrival == 30600.0 + foot.duration[0, first]


def test_threads_share_the_actor_one_call_at_a_time(net):
    """gunicorn threads and the job thread call one Actor: under its lock their answers are the
    ones a single thread gets."""
    from concurrent.futures import ThreadPoolExecutor

    sets = [[HOME, *STREET_STORES[k:]] for k in range(4)]
    alone = [net.matrix(points, "foot").duration for points in sets]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda points: net.matrix(points, "foot").duration, sets * 3))
    for k, table in enumerate(together):
        assert np.array_equal(table, alone[k % 4])


def _trapped(net, monkeypatch, traps: set[int], points) -> None:
    """Valhalla finds no way out of the points `traps` (a one-way street into a pedestrian
    zone): their matrix rows are empty and routes leaving them fail."""
    real_block, real_route = net.block, net.route
    road = [s.point for s in net.snap(points, "car")]
    trapped = {road[k] for k in traps}

    def block(sources, targets, mode):
        dur, dist = real_block(sources, targets, mode)
        for i, p in enumerate(sources):
            if p in trapped:
                dur[i, :] = dist[i, :] = np.nan
        return dur, dist

    def route(stops, mode):
        if stops[0] in trapped:
            raise RuntimeError("No path could be found for input")
        return real_route(stops, mode)

    monkeypatch.setattr(net, "block", block)
    monkeypatch.setattr(net, "route", route)


def test_a_trapped_store_is_reached_from_another_road_point_near_it(net, monkeypatch):
    points = [HOME, *STREET_STORES[:3]]
    first = net.matrix(points, "car")
    _trapped(net, monkeypatch, {2}, points)
    m = net.matrix(points, "car")
    assert m.unreachable == [] and m.snapped[2] != first.snapped[2]
    assert first.snap_m[2] <= m.snap_m[2] <= roads.RESNAP_RADIUS_M
    assert np.all(m.duration[2] < 3600) and np.all(m.duration[:, 2] < 3600)


def test_stores_nothing_leaves_are_unreachable_not_the_home(net, monkeypatch):
    """A day whose every store is such a trap (and no other road point near them helps): they
    are unreachable, the home is not."""
    monkeypatch.setattr(roads, "RESNAP_TRIES", 0)
    points = [HOME, *STREET_STORES[:3]]
    _trapped(net, monkeypatch, {1, 2, 3}, points)
    m = net.matrix(points, "car")
    assert m.unreachable == [1, 2, 3]
    assert {r.split(" (")[0] for r in m.reasons.values()} == {"No car route from it"}


def test_a_home_nothing_leaves_is_the_one_unreachable(net, monkeypatch):
    monkeypatch.setattr(roads, "RESNAP_TRIES", 0)
    points = [HOME, *STREET_STORES[:3]]
    _trapped(net, monkeypatch, {0}, points)
    m = net.matrix(points, "car")
    assert m.unreachable == [0] and m.reasons[0].startswith("No car route from it (")
    assert np.all(m.duration[1:, 1:] < UNREACHABLE_S)


def test_pairs_joined_through_several_points_get_a_time(net, monkeypatch):
    """Only a chain home -> 1 -> 2 -> 3 -> home is known (a one-way loop): every pair of the
    four gets the chain's time, none is left at a week."""
    points = [HOME, *STREET_STORES[:3]]
    real = net.block

    def chain(sources, targets, mode):
        dur, dist = real(sources, targets, mode)
        keep = np.full(dur.shape, np.nan)
        for i in range(len(sources)):
            keep[i, (i + 1) % len(sources)] = dur[i, (i + 1) % len(sources)]
        return keep, np.where(np.isnan(keep), np.nan, dist)

    monkeypatch.setattr(net, "block", chain)
    monkeypatch.setattr(roads, "ROUTE_FILLS_MAX", 0)
    m = net.matrix(points, "car")
    assert m.unreachable == [] and np.all(m.duration < UNREACHABLE_S)
    assert m.duration[1, 0] == pytest.approx(m.duration[1, 2] + m.duration[2, 3] + m.duration[3, 0])
