"""A plugin's modules import downward only (issue 14).

From the top: ``hooks`` (what the plugin manager calls) → the surfaces ``web``, ``api``,
``cli``, ``demo`` → the services (every other module, named after what it holds) →
``models``. A service never reaches up to a surface or to ``hooks``; ``web`` and ``api``
share what they have in common through a service, not through each other; ``models`` holds
tables only. Imports inside functions count as much as those at the top: hiding an import
in a function does not remove the cycle, it only postpones the error. Checked on the
source of every plugin package shipped with the project.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
SURFACES = {"web", "api", "cli", "demo"}
PACKAGES = sorted(p.name for p in PLUGINS.iterdir() if (p / "__init__.py").exists())


def rank(module: str) -> int:
    if module == "__init__":
        return 4
    if module == "hooks":
        return 3
    if module in SURFACES:
        return 2
    if module == "models":
        return 0
    return 1


def imports_of(package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports, anywhere in its source."""
    graph: dict[str, set[str]] = {}
    prefix = f"plugins.{package}"
    for path in sorted((PLUGINS / package).glob("*.py")):
        name = path.stem
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                module = node.module if node.level == 0 else f"{prefix}.{node.module}"
                if module == prefix:
                    found |= {a.name for a in node.names if (PLUGINS / package / f"{a.name}.py").exists()}
                elif module.startswith(prefix + "."):
                    found.add(module[len(prefix) + 1:].split(".")[0])
            elif isinstance(node, ast.Import):
                found |= {a.name[len(prefix) + 1:].split(".")[0] for a in node.names if a.name.startswith(prefix + ".")}
        graph[name] = found - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_there_are_plugins_to_check() -> None:
    assert {"dagsverk_lottery", "nyttig_contract", "payroll_rules"} <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_plugin_modules_import_downward_only(package: str) -> None:
    graph = imports_of(package)
    problems = [" → ".join(c) + " (a cycle)" for c in cycles(graph)]
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if module == "__init__" or rank(target) < rank(module):
                continue
            if rank(target) == rank(module) == 1:
                continue  # services may use each other, as long as there is no cycle
            problems.append(f"{module} imports {target}, which is not below it")
    assert problems == [], f"plugins/{package}:\n" + "\n".join(problems)


def test_the_rule_catches_a_service_reaching_up() -> None:
    assert rank("web") > rank("weekly") > rank("models")
    assert cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]
