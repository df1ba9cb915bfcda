"""Every hook is documented, tested, and in the generated reference (Datasette-style).

A hook added to core/hookspecs.py without a full docstring, without a test named
``test_<hookname>...`` somewhere under tests/, or without regenerating docs/plugins.md
fails here, so the hook reference and the tests cannot fall behind the specs.
"""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from core import hookdocs, hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS = hookdocs.hooks()
HOOK_NAMES = [h.name for h in HOOKS]


def _test_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                names.add(node.name)
    return names


def test_the_spec_module_defines_hooks():
    assert len(HOOKS) >= 14
    assert all(name.startswith("lavterskel_") for name in HOOK_NAMES)
    # Every spec is found: none hides outside the generator's view.
    specs = [n for n, f in vars(hookspecs).items() if hasattr(f, "lavterskel_spec")]
    assert sorted(specs) == sorted(HOOK_NAMES)


@pytest.mark.parametrize("hook", HOOKS, ids=HOOK_NAMES)
def test_hook_is_documented(hook: hookdocs.HookDoc):
    doc = hook.docstring
    func = getattr(hookspecs, hook.name)
    assert doc, f"{hook.name} has no docstring"
    scope = re.findall(r"\b(Global|Per organization)\b", doc)
    assert scope, f"{hook.name}: say whether it is global or per organization"
    assert re.search(r"\bcalled\b", doc, re.I), f"{hook.name}: say when it is called ('called when ...')"
    for name in inspect.signature(func).parameters:
        assert re.search(rf":param {name}:", doc), f"{hook.name}: document parameter {name!r} with ':param {name}:'"
    assert ":returns:" in doc, f"{hook.name}: say what it returns (':returns: nothing.' if nothing)"
    if hook.firstresult:
        assert "first result wins" in doc.lower(), f"{hook.name}: say that the first result wins"
    else:
        assert "first result wins" not in doc.lower()
        assert re.search(r"collected|every implementation is called", doc, re.I), (
            f"{hook.name}: say how results are combined ('All results are collected...')"
        )
    assert hook.section, f"{hook.name} stands under no banner section"


def test_banner_sections_say_global_or_per_organization():
    for section in {h.section for h in HOOKS}:
        assert re.search(r"\((global|per organization)\)", section), section


@pytest.mark.parametrize("hook_name", HOOK_NAMES)
def test_every_hook_has_a_test_named_after_it(hook_name: str):
    names = _test_names()
    assert any(n.startswith(f"test_{hook_name}") for n in names), (
        f"no test named test_{hook_name}... under tests/: write one that shows the hook working"
    )


def test_the_committed_hook_reference_is_current():
    document = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    committed = hookdocs.committed_reference(document)
    assert committed == hookdocs.reference().strip("\n"), (
        "docs/plugins.md is stale: run `.venv/bin/python -m core.hookdocs --write docs/plugins.md`"
    )


def test_the_reference_shows_every_hook_with_its_signature_and_params():
    ref = hookdocs.reference()
    for hook in HOOKS:
        assert f"#### `{hook.name}`" in ref
        assert hook.signature in ref
    assert "- `permissions`:" in ref and "- returns:" in ref
    assert ":param" not in ref and ":returns:" not in ref and ":class:" not in ref
    assert not re.search(r"(?<!`)``(?!`)", ref), "reST double backticks left in the reference"


def test_hookdocs_writes_between_the_markers_only(tmp_path):
    doc = tmp_path / "plugins.md"
    doc.write_text(f"# Guide\n\nhand-written\n\n{hookdocs.BEGIN}\nold stuff\n{hookdocs.END}\n\nafter\n", encoding="utf-8")
    assert hookdocs.main(["--write", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Guide\n\nhand-written\n\n") and text.endswith(f"{hookdocs.END}\n\nafter\n")
    assert "old stuff" not in text and "#### `lavterskel_navigation`" in text
    with pytest.raises(ValueError):
        hookdocs.replace_reference("no markers here")
