"""The core never depends on a plugin: every program's model lives in a plugin the core
does not import. Checked on the source, so it holds for code no test happens to run."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"
DYNAMIC_IMPORTERS = {"import_module", "__import__", "find_spec", "import_string", "load_module", "run_module"}


def _is_plugins(name: str | None) -> bool:
    return bool(name) and (name == "plugins" or name.startswith("plugins."))  # type: ignore[union-attr]


def plugin_imports(source: str, filename: str = "<string>") -> list[tuple[int, str]]:
    """Every place ``source`` imports from the ``plugins`` package, as (line, what)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _is_plugins(a.name)]
        elif isinstance(node, ast.ImportFrom):
            # "from plugins import x"; a relative import cannot leave core/, so level > 0 is fine.
            if node.level == 0 and _is_plugins(node.module):
                found.append((node.lineno, f"from {node.module}"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in DYNAMIC_IMPORTERS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _is_plugins(arg.value):
                        found.append((node.lineno, f"{name}({arg.value!r})"))
                    elif isinstance(arg, ast.JoinedStr) and arg.values:
                        head = arg.values[0]
                        if isinstance(head, ast.Constant) and isinstance(head.value, str) and _is_plugins(head.value.rstrip(".")):
                            found.append((node.lineno, f"{name}(f'{head.value}...')"))
    return found


def core_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "__pycache__" not in p.parts)


def test_core_has_modules_to_check():
    names = {p.relative_to(CORE).as_posix() for p in core_modules()}
    # The scan must really look at the core, including its subpackages.
    assert {"__init__.py", "web/app.py", "services/days.py", "api/records.py", "migrations/env.py"} <= names


def test_core_imports_nothing_from_plugins():
    offenders = []
    for path in core_modules():
        for line, what in plugin_imports(path.read_text(encoding="utf-8"), str(path)):
            offenders.append(f"{path.relative_to(CORE.parent)}:{line}: {what}")
    assert offenders == [], "core/ must reach plugins only through hooks:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        "import plugins",
        "import plugins.dagsverk_lottery.hooks as h",
        "from plugins import payroll_rules",
        "from plugins.nyttig_contract.hooks import x",
        "import importlib\nimportlib.import_module('plugins.payroll_rules')",
        "from importlib import import_module\nimport_module(name='plugins.x')",
        "def f(n):\n    return __import__(f'plugins.{n}')",
        "def f():\n    import plugins.x",
    ],
)
def test_the_scan_catches_every_way_of_importing(source):
    assert plugin_imports(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "import core.plugins",
        "from core.plugins import hookimpl",
        "from . import plugins",
        "import importlib\nimportlib.import_module('core.web')",
        "x = 'plugins are found by entry point'",
        "import pluginsx",
    ],
)
def test_the_scan_allows_the_core_its_own_modules(source):
    assert plugin_imports(source) == []
