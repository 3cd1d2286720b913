"""Small planar instances for planning tests (travel time = Euclidean distance)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def line_problem(points, *, reps=None, stops=None, objective="duration"):
    """Depot D at (0, 0); stop i at points[i] (x, y); all stops required unless overridden."""
    locations = [{"id": "D", "x": 0, "y": 0}]
    locations += [{"id": f"L{i}", "x": x, "y": y} for i, (x, y) in enumerate(points, 1)]
    default_stops = [
        {"id": f"S{i}", "location": f"L{i}", "service": 0, "windows": [], "penalty": None}
        for i in range(1, len(points) + 1)
    ]
    for k, extra in (stops or {}).items():
        default_stops[k - 1].update(extra)
    return {
        "name": "test",
        "objective": objective,
        "locations": locations,
        "reps": reps or [{"id": "r1", "start": "D", "end": "D", "shift": [0, 1000]}],
        "stops": default_stops,
    }
