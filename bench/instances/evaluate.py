#!/usr/bin/env python3
# ruff: noqa: B023  (take_break is called only inside the iteration that defines it)
"""Check a route plan against a planning problem and score it.

    evaluate.py PROBLEM.json SOLUTION.json      -> prints one JSON object

Only the standard library is used, so any planner's output can be scored the same way.
The formats are described in README.md beside this file.
"""

import json
import math
import sys

EPS = 1e-6


def haversine_m(a, b):
    lat1, lng1, lat2, lng2 = map(math.radians, (a["lat"], a["lng"], b["lat"], b["lng"]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def travel_tables(problem):
    """Duration and distance between location indices, from the matrix or from the travel model."""
    locs = problem["locations"]
    matrix = problem.get("matrix")
    if matrix:
        dur = matrix["duration"]
        dist = matrix.get("distance", dur)
        return (lambda i, j: dur[i][j]), (lambda i, j: dist[i][j])
    if "lat" not in locs[0]:  # planar benchmark coordinates: Euclidean, duration equals distance

        def planar(i, j):
            return math.hypot(locs[i]["x"] - locs[j]["x"], locs[i]["y"] - locs[j]["y"])

        return planar, planar
    travel = problem.get("travel", {})
    speed = travel.get("speed_kmh", 20) / 3.6
    detour = travel.get("detour_factor", 1.3)
    # whole metres and whole seconds per leg, as README.md specifies
    return (
        lambda i, j: round(haversine_m(locs[i], locs[j]) * detour / speed),
        lambda i, j: round(haversine_m(locs[i], locs[j]) * detour),
    )


def evaluate(problem, solution):
    index = {loc["id"]: k for k, loc in enumerate(problem["locations"])}
    stops = {s["id"]: s for s in problem["stops"]}
    reps = {r["id"]: r for r in problem["reps"]}
    duration, distance = travel_tables(problem)
    violations = []
    seen = set()
    travel_total = distance_total = 0.0
    routes_used = 0

    for route in solution.get("routes", []):
        rep = reps.get(route.get("rep"))
        if rep is None:
            violations.append(f"unknown rep {route.get('rep')!r}")
            continue
        ids = route.get("stops", [])
        if not ids:
            continue
        routes_used += 1
        shift_start, shift_end = rep["shift"]
        t = shift_start
        here = index[rep["start"]]
        load = 0
        brk = rep.get("break")
        break_after = route.get("break_after")
        if brk and break_after is None:
            violations.append(f"{rep['id']}: no break_after given for the break")

        def take_break(t):
            w0, w1 = brk["window"]
            start = max(t, w0)
            if start > w1 + EPS:
                violations.append(
                    f"{rep['id']}: break starts at {start:.0f}, after its window ends at {w1}"
                )
            return start + brk["duration"]

        for k, sid in enumerate(ids):
            if brk and break_after == k:
                t = take_break(t)
            stop = stops.get(sid)
            if stop is None:
                violations.append(f"{rep['id']}: unknown stop {sid!r}")
                continue
            if sid in seen:
                violations.append(f"stop {sid} visited twice")
            seen.add(sid)
            there = index[stop["location"]]
            travel_total += duration(here, there)
            distance_total += distance(here, there)
            t += duration(here, there)
            windows = stop.get("windows") or [[-math.inf, math.inf]]
            fit = [max(t, w0) for w0, w1 in windows if max(t, w0) <= w1 + EPS]
            if not fit:
                violations.append(
                    f"{rep['id']}: stop {sid} reached at {t:.0f}, outside its windows {windows}"
                )
                fit = [t]
            t = min(fit) + stop.get("service", 0)
            load += stop.get("demand", 0)
            here = there
        if brk and break_after == len(ids):
            t = take_break(t)
        end = index[rep["end"]]
        travel_total += duration(here, end)
        distance_total += distance(here, end)
        t += duration(here, end)
        if t > shift_end + EPS:
            violations.append(
                f"{rep['id']}: returns at {t:.0f}, after the shift ends at {shift_end}"
            )
        if "capacity" in rep and load > rep["capacity"]:
            violations.append(f"{rep['id']}: load {load} over capacity {rep['capacity']}")

    dropped = [sid for sid in stops if sid not in seen]
    penalty = 0.0
    for sid in dropped:
        pen = stops[sid].get("penalty")
        if pen is None:
            violations.append(f"required stop {sid} not visited")
        else:
            penalty += pen
    objective_kind = problem.get("objective", "duration")
    base = distance_total if objective_kind == "distance" else travel_total
    return {
        "feasible": not violations,
        "violations": violations[:20],
        "routes": routes_used,
        "travel": round(travel_total, 3),
        "distance": round(distance_total, 3),
        "dropped": len(dropped),
        "dropped_penalty": round(penalty, 3),
        "objective": round(base + penalty, 3),
    }


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        problem = json.load(f)
    with open(argv[2]) as f:
        solution = json.load(f)
    print(json.dumps(evaluate(problem, solution)))


if __name__ == "__main__":
    main(sys.argv)
