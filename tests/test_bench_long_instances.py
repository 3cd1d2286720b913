"""The long-route benchmark set: Solomon converter, generator, bench.planning groups."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from backend.planning import load
from bench import long_instances, planning

INSTANCES = Path(__file__).resolve().parent.parent / "bench" / "instances"

# The head of each original Solomon file (VROOM-Project/vroom-scripts), CRLF line ends as there.
R101_HEAD = """R101

VEHICLE
NUMBER     CAPACITY
  25         200

CUSTOMER
CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME

    0          35      35           0       0         230           0
    1          41      49          10     161         171          10
    2          35      17           7      50          60          10
    3          55      45          13     116         126          10
""".replace("\n", "\r\n")
C201_HEAD = """C201

VEHICLE
NUMBER     CAPACITY
  25         700

CUSTOMER
CUST NO.  XCOORD.    YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE TIME

    0      40         50          0          0       3390          0
    1      52         75         10        311        471         90
    2      45         70         30        213        373         90
""".replace("\n", "\r\n")


@pytest.mark.parametrize("name, head", [("R101", R101_HEAD), ("C201", C201_HEAD)])
def test_converted_head_equals_the_instance_file(name, head):
    ours = long_instances.solomon_problem(head)
    stored = json.loads((INSTANCES / "solomon" / f"{name}.json").read_text())
    n = len(ours["stops"])
    assert ours["name"] == stored["name"] and ours["objective"] == "distance"
    assert ours["reps"] == stored["reps"]  # the file's whole fleet, the depot's window
    assert ours["locations"] == stored["locations"][: n + 1]
    assert ours["stops"] == stored["stops"][:n]
    # the same layout as the files converted before (byte-equal for a whole file): the text up
    # to the end of the head's locations is the stored file's beginning
    head_text = json.dumps(ours).split(', "reps"')[0][:-1]
    assert (INSTANCES / "solomon" / f"{name}.json").read_text().startswith(head_text)


def test_every_solomon_instance_has_a_best_known_distance():
    with (INSTANCES / "solomon" / "bks.csv").open() as f:
        bks = {row["instance"]: float(row["min_distance"]) for row in csv.DictReader(f)}
    names = {p.stem for p in (INSTANCES / "solomon").glob("*.json")}
    assert len(names) == 56 and names == set(bks)
    assert {planning.solomon_class(n) for n in names} == {"C1", "R1", "RC1", "C2", "R2", "RC2"}
    assert all(500 < v < 1700 for v in bks.values())


def test_generator_reproduces_the_committed_set():
    stores = long_instances.field_stores()
    assert len(stores) > 1000  # the real store coordinates of the field instances
    files = sorted((INSTANCES / "long").glob("*.json"))
    assert [p.stem for p in files] == sorted(long_instances.SET)
    for path in files:
        assert json.dumps(long_instances.generated(path.stem, stores)) == path.read_text()


@pytest.mark.parametrize("name", sorted(long_instances.SET))
def test_generated_instance_is_valid_for_the_scorer_and_the_planner(name):
    path = INSTANCES / "long" / f"{name}.json"
    raw = json.loads(path.read_text())
    evaluate = planning.load_evaluator(INSTANCES)
    ids = {loc["id"] for loc in raw["locations"]}
    assert 1 <= len(raw["reps"]) <= 4
    assert 25 <= len(raw["stops"]) / len(raw["reps"]) <= 100
    for stop in raw["stops"]:
        assert stop["location"] in ids
        (w0, w1), (s0, s1) = stop["windows"][0], raw["reps"][0]["shift"]
        assert s0 <= w0 < w1 <= s1
    score = evaluate(raw, {"routes": []})  # nothing planned: every required stop is missing
    required = sum(s["penalty"] is None for s in raw["stops"])
    assert score["dropped"] == len(raw["stops"])
    assert score["feasible"] is (required == 0)
    assert len(load(path).stops) == len(raw["stops"])


def test_groups_and_summary():
    assert planning.instance_kind(INSTANCES / "solomon" / "RC204.json") == "solomon2"
    assert planning.instance_kind(INSTANCES / "solomon" / "R112.json") == "solomon"
    assert planning.instance_kind(INSTANCES / "long" / "long-R-60-2.json") == "long"
    rows = [
        {"instance": i, "kind": k, "solver": s, "feasible": True, "objective": o, "gap_bks_pct": g}
        | {"ratio_to_peer": None}
        for i, k, s, o, g in [
            ("R101", "solomon", "ours", 1659.3, 1.0),
            ("R201", "solomon2", "ours", 1172.67, 2.0),
            ("R201", "solomon2", "pyvrp", 1149.68, 0.0),
            ("long-R-60-2", "long", "ours", 800.0, None),
            ("long-R-60-2", "long", "pyvrp", 640.0, None),
        ]
    ]
    lines = planning.summary_lines(rows, ["ours", "pyvrp"])
    assert lines[0] == (
        "ours: feasible 3/3, Solomon mean gap 1.00% over 1, Solomon C2/R2/RC2 mean gap 2.00% over 1"
    )
    assert lines[1] == "ours: gap BKS by class: R1 1.00% (1), R2 2.00% (1)"
    assert "ours/pyvrp (solomon2): mean 1.0200 over 1 of 1 (both feasible): R201 1.0200" in lines
    assert "ours/pyvrp (long): mean 1.2500 over 1 of 1 (both feasible): long-R-60-2 1.2500" in lines
