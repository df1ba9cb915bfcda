"""The one Jinja environment, and the helper every HTML handler renders through."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.enums import MediaType
from litestar.response import Template

from core import i18n
from core.classification import classification_of
from core.contrib import NavItem
from core.labels import choice_label
from core.services.disclosure import WITHHELD_NOTHING, Revealed

CORE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class SpecialValueInTemplate(RuntimeError):
    """A template read a special-category column of a plugin's row directly instead of
    through ``reveal(row, "column")``: a bug, refused before the value reaches a page."""


class GuardedEnvironment(Environment):
    """The app's Jinja environment: a plugin's template cannot read a special-category
    column (``info=personal(Category.X)`` with a special X) of a mapped row by attribute or
    item; it must ask the gate with ``reveal``, which decides, logs and asks for the second
    factor. The core's own templates show the core's notes and consents through their own
    logged services and are left alone (the rows' classes live in ``core.``)."""

    _special: dict[tuple[type, str], bool] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        _refuse_special(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(argument, str):
            _refuse_special(obj, argument)
        return super().getitem(obj, argument)


def _refuse_special(obj: Any, name: str) -> None:
    cls = type(obj)
    key = (cls, name)
    special = GuardedEnvironment._special.get(key)
    if special is None:
        special = False
        table = getattr(cls, "__table__", None)
        if table is not None and not cls.__module__.startswith("core.") and name in table.c:
            c = classification_of(table.c[name])
            special = c is not None and c.category.special
        GuardedEnvironment._special[key] = special
    if special:
        raise SpecialValueInTemplate(f"{cls.__name__}.{name} is special-category data: show it with reveal(row, {name!r})")


def build_environment(extra_dirs: Sequence[str]) -> Environment:
    env = GuardedEnvironment(
        loader=FileSystemLoader([str(CORE_TEMPLATES), *extra_dirs]),
        # Our own Environment: Litestar would turn autoescape on for its own, but not for
        # one passed in, so it is set here on purpose. Every string is escaped.
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    # Callables read the request's locale from a context variable; nothing is installed per request.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=i18n.gettext, ngettext=i18n.ngettext, pgettext=i18n.pgettext, npgettext=i18n.npgettext, newstyle=True
    )
    env.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        time=i18n.format_time,
        number=i18n.format_number,
        money=i18n.format_money,
        ore=lambda v: i18n.format_money(v, ore=True),
    )
    env.globals.update(current_locale=i18n.current_locale, locales=i18n.LOCALES, today=i18n.today, choice_label=choice_label)
    return env


def navigation(request: Request[Any, Any, Any]) -> list[NavItem]:
    user = request.scope.get("user")
    if user is None:
        return []
    ctx = request.app.state["ctx"]
    items: list[NavItem] = []
    for _plugin, result, _error in ctx.plugins.call_each(
        "lavterskel_navigation",
        user.organization.enabled_plugins,
        organization=user.organization,
        permissions=user.permissions,
    ):
        for item in result or ():
            if item.permission is None or item.permission in user.permissions:
                items.append(item)
    return sorted(items, key=lambda i: (i.order, str(i.label)))


def render(request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any) -> Template:
    """Render a page with the layout's context: user, navigation, language switch."""
    base = {
        "user": request.scope.get("user"),
        "nav": navigation(request),
        "path": request.url.path,
        "query": request.url.query,
        "messages": [],
        "reveal": reveal_for(request),
    }
    base.update(context)
    # Handlers default to JSON; without an explicit type browsers get HTML as application/json.
    return Template(template_name=template, context=base, status_code=status_code, media_type=MediaType.HTML)


def reveal_for(request: Request[Any, Any, Any]) -> Any:
    """What templates call to show a classified value: ``reveal(row, "column")``.

    The request's gate (core.services.disclosure) where the handler has a database
    session; otherwise one that withholds every special-category value.
    """
    disclosure = request.scope.get("state", {}).get("disclosure")
    return disclosure.reveal if disclosure is not None else _withhold_special


def _withhold_special(row: Any, column: str) -> Any:
    if row is None:
        return WITHHELD_NOTHING
    c = classification_of(type(row).__table__.c[column])
    if c is not None and c.category.special:
        return Revealed(False, None, c.category, present=bool(getattr(row, column)))
    return Revealed(True, getattr(row, column), c.category if c else None)
