import copy
import json

import pytest

from backend.planning import (
    ProblemError,
    dump,
    load,
    parse_time,
    problem_from_dict,
    problem_to_dict,
)
from tests.planning.planning_helpers import DATA, line_problem


def test_round_trip_shared_instance(tmp_path):
    raw = json.loads((DATA / "tokyo-day-s1.json").read_text())
    problem = problem_from_dict(raw)
    again = problem_from_dict(problem_to_dict(problem))
    assert again == problem
    dump(problem, tmp_path / "p.json")
    assert load(tmp_path / "p.json") == problem
    assert len(problem.stops) == 60 and problem.reps[0].shift == (30600.0, 63000.0)


def test_round_trip_planar_with_capacity():
    problem = load(DATA / "C101.json")
    assert problem.objective == "distance"
    assert problem.reps[0].capacity == 200
    assert problem_from_dict(problem_to_dict(problem)) == problem


def test_clock_times_and_date():
    data = line_problem([(1, 0)])
    data["date"] = "2026-11-23"
    data["reps"][0]["shift"] = ["08:30", "17:30"]
    data["reps"][0]["break"] = {"window": ["11:30", "13:30:30"], "duration": 2700}
    data["stops"][0]["windows"] = [["09:00", "10:00"], [50000, 52000]]
    p = problem_from_dict(data)
    assert p.date.isoformat() == "2026-11-23"
    assert p.reps[0].shift == (30600, 63000)
    assert p.reps[0].break_.window == (41400, 48630)
    assert p.stops[0].windows == ((32400, 36000), (50000, 52000))
    assert parse_time("7:05", "x") == 25500
    assert problem_to_dict(p)["date"] == "2026-11-23"


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["stops"][2]["windows"].append([10, 5]), "stops[2].windows[0]"),
        (lambda d: d["stops"][2]["windows"].append(["25:99", 5]), "stops[2].windows[0][0]"),
        (lambda d: d["stops"][1].update(service=-1), "stops[1].service"),
        (lambda d: d["stops"][1].update(location="nowhere"), "stops[1].location"),
        (lambda d: d["stops"][1].update(id="S1"), "stops[1].id"),
        (lambda d: d["stops"][0].update(penalty="high"), "stops[0].penalty"),
        (lambda d: d["reps"][0].update(shift=[10]), "reps[0].shift"),
        (lambda d: d["reps"][0].update(start="X"), "reps[0].start"),
        (lambda d: d["reps"][0].update(max_stops=1.5), "reps[0].max_stops"),
        (lambda d: d["reps"][0].update(locked=["S9"]), "reps[0].locked[0]"),
        (lambda d: d["reps"][0].update(capacity="big"), "reps[0].capacity"),
        (lambda d: d["locations"][1].pop("x"), "locations[1]"),
        (lambda d: d["locations"][1].update(lat=95, lng=0), "locations[1]"),
        (lambda d: d.update(objective="speed"), "objective"),
        (lambda d: d.update(date="23/11/2026"), "date"),
        (lambda d: d.update(matrix={"duration": [[0]]}), "matrix.duration"),
        (lambda d: d.update(reps=[]), "reps"),
        (lambda d: d.update(stops={}), "stops"),
        (lambda d: d["stops"][0].update(windows=[[0, 10], [5, 20]]), "stops[0].windows"),
    ],
)
def test_validation_names_the_field(mutate, path):
    data = line_problem([(1, 0), (2, 0), (3, 0)])
    data = copy.deepcopy(data)
    mutate(data)
    with pytest.raises(ProblemError) as err:
        problem_from_dict(data)
    assert err.value.path == path
    assert str(err.value).startswith(f"{path}: ")


def test_unreadable_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ProblemError, match="cannot read JSON"):
        load(bad)


def test_matrix_entries_checked():
    data = line_problem([(1, 0)])
    data["matrix"] = {"duration": [[0, 1], [1, "x"]]}
    with pytest.raises(ProblemError) as err:
        problem_from_dict(data)
    assert err.value.path == "matrix.duration[1][1]"


def test_rep_travel_mode():
    data = line_problem([(1, 0)])
    data["reps"][0]["travel"] = {"mode": "walk"}
    p = problem_from_dict(data)
    assert p.reps[0].speed_kmh == 4.5 and p.reps[0].mode == "walk"
    assert problem_from_dict(problem_to_dict(p)) == p
    data["reps"][0]["travel"] = {"mode": "jetpack"}
    with pytest.raises(ProblemError) as err:
        problem_from_dict(data)
    assert err.value.path == "reps[0].travel.mode"
