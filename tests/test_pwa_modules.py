"""The PWA's ES modules: every import names a file of the shell, no module reaches itself
through its imports (static, re-exports and dynamic `import()`), and one module builds the
authorised requests."""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "pwa" / "static"

# Comments go first, so that an import named in a comment is not taken for one; `://` in a
# string (a URL) is not a comment.
_COMMENT = re.compile(r"/\*.*?\*/|(?<![:'\"`])//[^\n]*", re.S)
_SPECIFIER = re.compile(
    r"""\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)"""  # import('./x.js')
    # import {...} from './x.js', export {...} from './x.js'; not an i18n key like 'price.from'
    r"""|(?<![.'"])\bfrom\s*['"]([^'"]+)['"]"""
    r"""|^\s*import\s*['"]([^'"]+)['"]""",  # import './x.js'
    re.M,
)


def modules(root: Path = STATIC) -> list[Path]:
    """The shell's own modules: the service worker and js/ (not the vendored libraries)."""
    return sorted(p for p in root.rglob("*.js") if "vendor" not in p.relative_to(root).parts)


def specifiers(source: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in _SPECIFIER.finditer(_COMMENT.sub("", source))]


def resolve(specifier: str, importer: Path, root: Path) -> Path:
    """The file a specifier names as the browser resolves it: `/app/...` is served from the
    static folder, `./` and `../` are relative; there is no bundler, so nothing else works."""
    if specifier.startswith("/app/"):
        return (root / specifier.removeprefix("/app/")).resolve()
    assert specifier.startswith(("./", "../")), f"{importer.name}: bare specifier {specifier!r}"
    return (importer.parent / specifier).resolve()


def import_graph(root: Path = STATIC) -> dict[Path, list[Path]]:
    graph = {}
    for path in modules(root):
        found = specifiers(path.read_text(encoding="utf-8"))
        graph[path.resolve()] = [resolve(s, path, root) for s in found]
    return graph


def find_cycle(graph: dict[Path, list[Path]]) -> list[Path] | None:
    """One import cycle (its modules, the first repeated at the end), or None."""
    done: set[Path] = set()
    path: list[Path] = []

    def visit(node: Path) -> list[Path] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        path.append(node)
        for target in graph.get(node, []):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in graph:
        if cycle := visit(node):
            return cycle
    return None


def test_every_import_names_a_shell_file():
    for importer, targets in import_graph().items():
        for target in targets:
            assert target.is_file(), f"{importer.name} imports {target}, which does not exist"
            assert STATIC.resolve() in target.parents, f"{importer.name}: {target} is outside"


def test_no_import_cycles():
    graph = import_graph()
    assert len(graph) > 10 and sum(map(len, graph.values())) > 30  # the parser sees the imports
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(p.name for p in cycle)


def test_the_cycle_finder_follows_static_dynamic_and_re_exports(tmp_path):
    js = tmp_path / "js"
    js.mkdir()
    (tmp_path / "sw.js").write_text("import { flush } from '/app/js/a.js';\n")
    (js / "a.js").write_text("// import './c.js' is only a comment\nimport { b } from './b.js';\n")
    (js / "b.js").write_text("export { c } from './c.js';\n")
    (js / "c.js").write_text("const u = 'https://x.org';\nexport const c = () => import('./d.js');")
    (js / "d.js").write_text("export const d = 1;\n")
    graph = import_graph(tmp_path)
    assert graph[(js / "a.js").resolve()] == [(js / "b.js").resolve()]
    assert find_cycle(graph) is None

    (js / "d.js").write_text("import {\n  b,\n} from './b.js';\n")
    cycle = find_cycle(import_graph(tmp_path))
    assert [p.name for p in cycle] == ["b.js", "c.js", "d.js", "b.js"]


def test_one_module_builds_authorised_requests():
    builders = [p.name for p in modules() if re.search(r"Authorization|Bearer", p.read_text())]
    assert builders == ["http.js"]
