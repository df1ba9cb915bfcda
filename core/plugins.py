"""The plugin manager: loading, per-organization dispatch, and fault isolation.

One manager per app, built at start-up and never mutated per request. Per-organization
hook callers are cached by the set of plugins to leave out, so dispatching costs a dict
lookup.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy

from core import hookspecs

log = logging.getLogger(__name__)

hookimpl = pluggy.HookimplMarker("lavterskel")
ENTRY_POINT_GROUP = "lavterskel"
# Plugins of the core itself: always on, registered trylast so program plugins come first.
BUILTIN_PLUGINS = ("core.builtin.navigation", "core.builtin.dashboard", "core.builtin.participant", "core.builtin.work", "core.builtin.report", "core.builtin.privacy")


class PluginError(RuntimeError):
    pass


class Plugins:
    def __init__(self, pm: pluggy.PluginManager, program_plugins: Sequence[str]) -> None:
        self.pm = pm
        self.program_plugins: tuple[str, ...] = tuple(program_plugins)
        """Names of loaded plugins an organization can switch on or off (built-ins are not)."""
        self._subset_cache: dict[tuple[str, frozenset[str]], Any] = {}

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def module(self, name: str) -> Any:
        return self.pm.get_plugin(name)

    def for_organization(self, hook_name: str, enabled: Iterable[str]) -> Any:
        """A hook caller that reaches only the built-ins and the plugins in ``enabled``."""
        disabled = frozenset(self.program_plugins) - frozenset(enabled)
        key = (hook_name, disabled)
        caller = self._subset_cache.get(key)
        if caller is None:
            remove = [self.pm.get_plugin(n) for n in disabled]
            caller = self.pm.subset_hook_caller(hook_name, remove_plugins=[p for p in remove if p is not None])
            self._subset_cache[key] = caller
        return caller

    def call_each(self, hook_name: str, enabled: Iterable[str], **kwargs: Any) -> list[tuple[str, Any, BaseException | None]]:
        """Call each enabled implementation on its own, so one raising plugin does not take
        the others down. Returns ``(plugin_name, result, error)`` per implementation."""
        caller = self.for_organization(hook_name, enabled)
        out: list[tuple[str, Any, BaseException | None]] = []
        for impl in reversed(caller.get_hookimpls()):  # pluggy calls the last-registered first
            args = {k: kwargs[k] for k in impl.argnames}
            try:
                out.append((impl.plugin_name, impl.function(**args), None))
            except Exception as exc:  # noqa: BLE001 - isolating plugin faults is the point
                log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)
                out.append((impl.plugin_name, None, exc))
        return out

    def per_plugin(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a global hook and keep track of which plugin returned what."""
        hc = getattr(self.pm.hook, hook_name)
        return [(impl.plugin_name, impl.function(**{k: kwargs[k] for k in impl.argnames})) for impl in hc.get_hookimpls()]


def build_plugin_manager(allowed: Sequence[str], extra: Sequence[tuple[str, ModuleType | object]] = ()) -> Plugins:
    """Load the built-ins, then allowed entry points, then ``extra`` (tests register theirs here).

    Entry points not in ``allowed`` are never imported.
    """
    import importlib

    pm = pluggy.PluginManager("lavterskel")
    pm.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        pm.register(importlib.import_module(name), name=name)

    program: list[str] = []
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    for name in allowed:
        ep = found.get(name)
        if ep is None:
            raise PluginError(f"plugin {name!r} is in the allow-list but not installed")
        pm.register(ep.load(), name=name)
        program.append(name)
    for name, module in extra:
        pm.register(module, name=name)
        program.append(name)
    pm.check_pending()  # an implementation without a spec is a typo, not a feature
    plugins = Plugins(pm, program)
    _check_table_prefixes(plugins)
    return plugins


def _check_table_prefixes(plugins: Plugins) -> None:
    """A plugin's tables must be named ``<plugin>_...`` so they never collide with the
    core's or another plugin's, and so the core can tell whose a table is."""
    from core.db import Base

    for name in plugins.program_plugins:
        module = plugins.module(name)
        tables = getattr(module, "TABLES", ())
        for table in tables:
            if not table.startswith(f"{name}_"):
                raise PluginError(f"plugin {name}: table {table!r} must start with {name}_")
            if table not in Base.metadata.tables:
                raise PluginError(f"plugin {name}: table {table!r} is declared but not defined")
