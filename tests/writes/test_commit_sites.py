"""One commit site: no `.commit()` call in the backend outside the write executor (migrations
aside), and services know nothing of the write layer or of the HTTP request."""

from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[2] / "backend"
EXECUTOR = BACKEND / "writes" / "executor.py"


def modules() -> list[Path]:
    return [p for p in sorted(BACKEND.rglob("*.py")) if "migrations" not in p.parts]


def commit_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    ]


def imported(path: Path) -> set[str]:
    """What the module imports, as absolute dotted names (`from x import y` gives x and x.y)."""
    package = list(path.relative_to(BACKEND.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_commit_is_called_in_the_executor_only():
    sites = {p.relative_to(BACKEND.parent): commit_calls(p) for p in modules()}
    outside = {
        str(p): lines for p, lines in sites.items() if lines and BACKEND.parent / p != EXECUTOR
    }
    assert outside == {}
    assert sites[EXECUTOR.relative_to(BACKEND.parent)], "the walk missed the executor's commits"


def test_services_import_neither_the_write_layer_nor_the_request():
    services = [p for p in modules() if "services" in p.relative_to(BACKEND).parts[:1]]
    assert len(services) > 20
    found = {
        str(p.relative_to(BACKEND.parent)): sorted(
            name
            for name in imported(p)
            if name == "backend.writes"
            or name.startswith("backend.writes.")
            or name == "flask.request"
        )
        for p in services
    }
    assert {p: names for p, names in found.items() if names} == {}
    # The walk sees relative imports: the executor's own imports resolve to absolute names.
    assert "backend.services.reports.rep_days" in imported(EXECUTOR)
