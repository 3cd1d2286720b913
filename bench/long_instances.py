"""Build the long-route benchmark instances (few reps, many stops each, wide windows).

    python -m bench.long_instances solomon SRC_DIR [--classes C2,R2,RC2] [--out DIR]
    python -m bench.long_instances generate [--out bench/instances/long]

``solomon`` converts Solomon's text files (``C201.txt`` ...) into the benchmark format exactly as
``bench/instances/solomon/`` holds C1/R1/RC1: one location per line (depot ``L0``), the fleet of
the file (``V1``...), distance objective, every customer required. ``generate`` writes the fixed
set of ``SET`` (seeded, so the same files every time): planar Solomon-style instances (random,
clustered, mixed) and instances on real Tokyo convenience-store coordinates. The formats are in
``bench/instances/README.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCES = ROOT / "bench" / "instances"


def solomon_problem(text: str) -> dict:
    """A Solomon VRPTW file as a benchmark problem (the numbers as written, as floats)."""
    lines = [line.split() for line in text.splitlines()]
    name = lines[0][0]
    fleet = next(k for k, parts in enumerate(lines) if parts[:1] == ["NUMBER"]) + 1
    vehicles, capacity = int(lines[fleet][0]), int(lines[fleet][1])
    rows = [list(map(float, p)) for p in lines if len(p) == 7 and p[0].isdigit()]
    depot = rows[0]
    return {
        "name": name,
        "objective": "distance",
        "locations": [{"id": f"L{int(r[0])}", "x": r[1], "y": r[2]} for r in rows],
        "reps": [
            {
                "id": f"V{v}",
                "start": "L0",
                "end": "L0",
                "shift": [depot[4], depot[5]],
                "capacity": capacity,
            }
            for v in range(1, vehicles + 1)
        ],
        "stops": [
            {
                "id": f"C{int(r[0])}",
                "location": f"L{int(r[0])}",
                "service": r[6],
                "demand": r[3],
                "windows": [[r[4], r[5]]],
                "penalty": None,
            }
            for r in rows[1:]
        ],
    }


def write_problem(path: Path, problem: dict) -> None:
    """One line of JSON, no final newline: the layout of the existing instance files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(problem))


# ---------------------------------------------------------------------------------------------
# The generated set. Planar instances use Solomon's conventions (a 100 x 100 square, the depot in
# the middle, integer coordinates and times, Euclidean distance = duration, distance objective);
# Tokyo instances use real store coordinates, seconds from midnight and the field instances'
# travel model (15 km/h, detour 1.3), with the scorer's matrix written in, as field/ does.

# name: (kind, stops, reps, optional share, seed). kind R/C/RC = planar, T = Tokyo.
SET = {
    "long-R-60-2": ("R", 60, 2, 0.0, 1),
    "long-R-100-3": ("R", 100, 3, 0.0, 2),
    "long-C-80-2": ("C", 80, 2, 0.0, 3),
    "long-C-100-4": ("C", 100, 4, 0.0, 4),
    "long-RC-90-3": ("RC", 90, 3, 0.0, 5),
    "long-RC-100-2-opt": ("RC", 100, 2, 0.3, 6),
    "long-tokyo-35-1": ("T", 35, 1, 0.0, 7),
    "long-tokyo-60-2": ("T", 60, 2, 0.0, 8),
    "long-tokyo-100-3": ("T", 100, 3, 0.0, 9),
    "long-tokyo-120-4": ("T", 120, 4, 0.0, 10),
    "long-tokyo-50-1-opt": ("T", 50, 1, 0.3, 11),
    "long-tokyo-100-2-opt": ("T", 100, 2, 0.3, 12),
}
PLANAR_SERVICE = 10
PLANAR_PENALTIES = (15, 30, 60)  # distance units; a typical detour to one stop is 10-30
TOKYO_SERVICE = (600, 720, 900)  # a convenience-store visit, seconds
SHIFT = [8 * 3600, 19 * 3600]
TOKYO_TRAVEL = {"speed_kmh": 15, "detour_factor": 1.3}
TOKYO_PENALTIES = {"B": 3600, "C": 1200}  # the field instances' tier penalties; A is required
SLACK = 1.4  # shift length over the estimated work of a rep's share (visits + a tour)


def _planar_points(kind: str, n: int, rng: random.Random) -> list[tuple[int, int]]:
    def uniform():
        return rng.randint(0, 100), rng.randint(0, 100)

    centres = [(rng.uniform(15, 85), rng.uniform(15, 85)) for _ in range(rng.randint(5, 8))]

    def clustered():
        cx, cy = rng.choice(centres)
        x, y = rng.gauss(cx, 6), rng.gauss(cy, 6)
        return min(100, max(0, round(x))), min(100, max(0, round(y)))

    draw = {"R": lambda k: uniform(), "C": lambda k: clustered()}
    draw["RC"] = lambda k: clustered() if k % 2 else uniform()
    return [draw[kind](k) for k in range(n)]


def _windows(rng: random.Random, reach: list[tuple[float, float]], horizon: float, wide: float):
    """Solomon 2-class style: a quarter of the stops open all day, the rest a window of 25-60 %
    of the horizon placed at random within what the stop can be reached and left in."""
    out = []
    for earliest, latest in reach:
        if rng.random() < 0.25 or latest - earliest < wide:
            out.append([0, int(horizon)])
            continue
        width = rng.uniform(0.25, 0.6) * horizon
        start = rng.uniform(earliest, max(earliest, latest - width))
        out.append([int(start), int(min(latest, start + width))])
    return out


def _optional(rng: random.Random, n: int, share: float, penalties) -> list:
    return [rng.choice(penalties) if rng.random() < share else None for _ in range(n)]


def planar_instance(name: str, kind: str, n: int, reps: int, share: float, seed: int) -> dict:
    rng = random.Random(seed)
    points = _planar_points(kind, n, rng)
    depot = (50, 50)
    per_rep = n * (1 - share / 2) / reps  # optional stops: about half of them fit
    tour = 0.7124 * math.sqrt(per_rep * 100 * 100)  # Beardwood-Halton-Hammersley estimate
    horizon = math.ceil(SLACK * (per_rep * PLANAR_SERVICE + tour))
    reach = []
    for p in points:
        d = math.dist(depot, p)
        reach.append((math.ceil(d), math.floor(horizon - d - PLANAR_SERVICE)))
    windows = _windows(rng, reach, horizon, 0.25 * horizon)
    penalties = _optional(rng, n, share, PLANAR_PENALTIES)
    return {
        "name": name,
        "objective": "distance",
        "locations": [{"id": "L0", "x": depot[0], "y": depot[1]}]
        + [{"id": f"L{k + 1}", "x": x, "y": y} for k, (x, y) in enumerate(points)],
        "reps": [
            {"id": f"V{v + 1}", "start": "L0", "end": "L0", "shift": [0, horizon]}
            for v in range(reps)
        ],
        "stops": [
            {
                "id": f"C{k + 1}",
                "location": f"L{k + 1}",
                "service": PLANAR_SERVICE,
                "windows": [windows[k]],
                "penalty": penalties[k],
            }
            for k in range(n)
        ],
    }


def field_stores(instances: Path = INSTANCES) -> list[tuple[float, float]]:
    """The real store coordinates of the field instances (friedbunny/konbini, 2013), sorted."""
    stores = set()
    for path in sorted((instances / "field").glob("*.json")):
        for loc in json.loads(path.read_text())["locations"]:
            if loc["id"].startswith("L"):
                stores.add((loc["lat"], loc["lng"]))
    return sorted(stores)


def _scorer_travel():
    """The scorer's travel model, so the written matrix is exactly what evaluate.py computes."""
    spec = importlib.util.spec_from_file_location("bench_evaluate", INSTANCES / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.travel_tables


def tokyo_instance(name: str, n: int, reps: int, share: float, seed: int, stores) -> dict:
    """A patch of ``n`` real stores (drawn from the 2n nearest to a random one) and each rep's
    home at a random point inside the patch's bounding box."""
    rng = random.Random(seed)
    centre = rng.choice(stores)
    patch = rng.sample(sorted(stores, key=lambda s: math.dist(s, centre))[: 2 * n], n)
    lats, lngs = [s[0] for s in patch], [s[1] for s in patch]
    homes = [
        (round(rng.uniform(min(lats), max(lats)), 6), round(rng.uniform(min(lngs), max(lngs)), 6))
        for _ in range(reps)
    ]
    locations = [{"id": f"H{k + 1}", "lat": lat, "lng": lng} for k, (lat, lng) in enumerate(homes)]
    locations += [{"id": f"L{k + 1}", "lat": lat, "lng": lng} for k, (lat, lng) in enumerate(patch)]
    problem = {
        "name": name,
        "objective": "duration",
        "travel": dict(TOKYO_TRAVEL),
        "locations": locations,
        "reps": [
            {"id": f"rep-{v + 1}", "start": f"H{v + 1}", "end": f"H{v + 1}", "shift": SHIFT}
            for v in range(reps)
        ],
    }
    duration, distance = _scorer_travel()(problem)
    tiers = [("A" if rng.random() >= share else rng.choice("BC")) for _ in range(n)]
    services = [rng.choice(TOKYO_SERVICE) for _ in range(n)]
    # receiving windows: half the stores all shift, the rest a morning, midday or afternoon block
    blocks = [[28800, 43200], [36000, 57600], [46800, 68400]]
    windows = [list(SHIFT) if rng.random() < 0.5 else rng.choice(blocks) for _ in range(n)]
    problem["stops"] = [
        {
            "id": f"S{k + 1}",
            "location": f"L{k + 1}",
            "tier": tiers[k],
            "service": services[k],
            "windows": [windows[k]],
            "penalty": TOKYO_PENALTIES.get(tiers[k]),
        }
        for k in range(n)
    ]
    size = range(len(locations))
    problem["matrix"] = {
        "duration": [[duration(i, j) for j in size] for i in size],
        "distance": [[distance(i, j) for j in size] for i in size],
    }
    return problem


def generated(name: str, stores=None) -> dict:
    kind, n, reps, share, seed = SET[name]
    if kind == "T":
        return tokyo_instance(name, n, reps, share, seed, stores or field_stores())
    return planar_instance(name, kind, n, reps, share, seed)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sol = sub.add_parser("solomon", help="convert Solomon text files")
    sol.add_argument("source", type=Path, help="folder with C201.txt ...")
    sol.add_argument("--classes", default="C2,R2,RC2")
    sol.add_argument("--out", type=Path, default=INSTANCES / "solomon")
    gen = sub.add_parser("generate", help="write the generated long-route set")
    gen.add_argument("--out", type=Path, default=INSTANCES / "long")
    args = ap.parse_args(argv)
    if args.command == "solomon":
        classes = set(args.classes.split(","))
        for src in sorted(args.source.glob("*.txt")):
            if re.fullmatch(r"[A-Z]+\d", src.stem[:-2]) and src.stem[:-2] in classes:
                write_problem(args.out / f"{src.stem}.json", solomon_problem(src.read_text()))
                print(args.out / f"{src.stem}.json")
        return 0
    stores = field_stores()
    for name in SET:
        write_problem(args.out / f"{name}.json", generated(name, stores))
        print(args.out / f"{name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
