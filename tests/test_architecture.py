"""No import cycles among the project's modules (a static scan of every import, at module level or in a
function), and no heavy import the run does not need."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gkqc", "checks", "schemas", "flows", "warehouse")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each project module → the project modules it imports anywhere in its body."""
    files = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package `level - 1` steps up
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets += [f"{base}.{a.name}" for a in node.names]
        graph[name] = set()
        for target in targets:  # the most specific project module named: `from a.b import c` is a.b.c or a.b
            while target and target not in files:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph[name].add(target)
    return graph


def shortest_cycle(graph: dict[str, set[str]], start: str) -> list[str] | None:
    paths = {start: [start]}
    todo = [start]
    while todo:
        module = todo.pop(0)
        for nxt in sorted(graph[module]):
            if nxt == start:
                return [*paths[module], start]
            if nxt not in paths:
                paths[nxt] = [*paths[module], nxt]
                todo.append(nxt)
    return None


def reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """Each group of modules that import one another: a shortest cycle through it (and the group, if larger)."""
    reaches = {m: reach(graph, m) for m in graph}
    groups = {frozenset(o for o in reaches[m] if m in reaches[o]) for m in graph if m in reaches[m]}
    out = []
    for group in sorted(groups, key=min):
        cycle = shortest_cycle(graph, min(group))
        more = f"  (group: {', '.join(sorted(group))})" if len(group) > len(cycle) - 1 else ""
        out.append(" → ".join(cycle) + more)
    return out


def test_the_scan_sees_module_and_function_level_imports():
    graph = import_graph()
    assert "warehouse.access" in graph["warehouse.build"]  # module level
    assert "flows.pipeline" in graph["gkqc.cli"]  # inside a function
    assert "gkqc.outputs.data" in graph["gkqc.outputs.excel"]  # `from a.b import c`, c a name in a.b


def test_cycles_are_found():
    graph = {"a": {"b"}, "b": {"c", "d"}, "c": {"a"}, "d": {"b"}, "e": {"a"}}
    assert cycles(graph) == ["a → b → c → a  (group: a, b, c, d)"]


def test_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import cycles among project modules:\n" + "\n".join(found)


def test_a_run_does_not_load_scipy():
    """datasketch, and scipy with it, is only the tests' reference for MinHash signatures: the run's
    modules never import it."""
    code = "import sys, flows.pipeline, checks.kinds, checks.minhash; print(sorted({'scipy', 'datasketch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
