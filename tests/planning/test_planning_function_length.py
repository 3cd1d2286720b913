"""The planner reads like a library: no function in backend/planning is longer than a screen."""

import ast
from pathlib import Path

PLANNING = Path(__file__).resolve().parents[2] / "backend" / "planning"
LIMIT = 60


def function_lengths(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        (f"{path.name}:{node.lineno} {node.name}", node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_function_lengths_are_measured_from_def_to_last_line(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text("def short():\n    return 1\n\n\ndef longer(x):\n    y = x\n\n    return y\n")
    assert [n for _, n in function_lengths(path)] == [2, 4]


def test_no_planning_function_is_longer_than_sixty_lines():
    lengths = [item for path in sorted(PLANNING.glob("*.py")) for item in function_lengths(path)]
    assert lengths
    too_long = [f"{name}: {n} lines" for name, n in lengths if n > LIMIT]
    assert not too_long, "\n".join(too_long)
