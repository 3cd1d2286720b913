import math
import time

import numpy as np

from backend.planning import build_tables, haversine_matrix, problem_from_dict
from tests.planning.planning_helpers import line_problem


def scalar_haversine(a, b):
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def geo_problem(n, seed=1, speed=15, detour=1.3, rep_travel=None):
    rng = np.random.default_rng(seed)
    lat = 35.6 + rng.random(n) * 0.2
    lng = 139.6 + rng.random(n) * 0.2
    locs = [
        {"id": f"L{i}", "lat": float(a), "lng": float(b)}
        for i, (a, b) in enumerate(zip(lat, lng, strict=True))
    ]
    rep = {"id": "r1", "start": "L0", "end": "L0", "shift": [0, 86400]}
    reps = [rep]
    if rep_travel:
        reps.append({**rep, "id": "r2", "travel": rep_travel})
    return problem_from_dict(
        {
            "locations": locs,
            "travel": {"speed_kmh": speed, "detour_factor": detour},
            "reps": reps,
            "stops": [],
        }
    )


def test_haversine_matches_scalar():
    p = geo_problem(40)
    lat = np.array([x.lat for x in p.locations])
    lng = np.array([x.lng for x in p.locations])
    m = haversine_matrix(lat, lng)
    for i in range(40):
        for j in range(40):
            expect = scalar_haversine((lat[i], lng[i]), (lat[j], lng[j]))
            assert abs(m[i, j] - expect) < 1e-6


def test_tables_round_as_the_scorer():
    p = geo_problem(60, speed=15, detour=1.3)
    t = build_tables(p)
    speed = 15 / 3.6
    for i in range(60):
        for j in range(60):
            a, b = p.locations[i], p.locations[j]
            d = scalar_haversine((a.lat, a.lng), (b.lat, b.lng))
            assert t.distance[i, j] == round(d * 1.3)
            assert t.durations[0][i, j] == round(d * 1.3 / speed)


def test_per_rep_speed():
    p = geo_problem(20, rep_travel={"speed_kmh": 30})
    t = build_tables(p)
    assert np.all(t.durations[1] <= t.durations[0])
    a, b = p.locations[0], p.locations[5]
    d = scalar_haversine((a.lat, a.lng), (b.lat, b.lng)) * 1.3
    assert t.durations[1][0, 5] == round(d / (30 / 3.6))


def test_planar_is_euclidean_unrounded():
    p = problem_from_dict(line_problem([(3, 4), (1, 1)]))
    t = build_tables(p)
    assert t.distance[0, 1] == 5.0
    assert t.durations[0][1, 2] == math.hypot(2, 3)


def test_given_matrix_is_used():
    data = line_problem([(3, 4)])
    data["matrix"] = {"duration": [[0, 7], [8, 0]], "distance": [[0, 70], [80, 0]]}
    t = build_tables(problem_from_dict(data))
    assert t.durations[0][1, 0] == 8 and t.distance[0, 1] == 70


def test_thousand_locations_fast():
    p = geo_problem(1000)
    build_tables(p)  # warm up
    t0 = time.perf_counter()
    build_tables(p)
    assert time.perf_counter() - t0 < 0.5  # target 0.2 s; slack for loaded CI machines
