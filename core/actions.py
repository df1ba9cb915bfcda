"""One definition per action: its typed input, its permission, and the service that does it.

Every action staff take (register a person, move someone to a team, approve a week's
hours...) is an :class:`Action`. The HTML page and the JSON API both reach it:

- the page handler turns its form into the action's input with :func:`form_input` and
  renders the outcome;
- the API handler takes the same input type as its JSON body (Litestar decodes and
  documents it from the type) and returns the action's typed result.

Both routes are declared with :func:`action_opt`, so they carry the action's permission and
cannot differ: the permission guard reads it from there, and ``tests/core/test_action_parity``
checks that every route naming an action carries that action's permission. The service
function enforces every rule of the action; the handlers only translate.

Inputs are msgspec ``Struct`` classes derived from :class:`Input`. Field types say what is
valid (``Annotated[int, Meta(ge=1, description=...)]``), so the OpenAPI schema, the API's
400s and the page's form errors all come from one place. The common field types are in
:mod:`core.api_types`.
"""
from __future__ import annotations

import datetime as dt
import re
import typing
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

import msgspec

from core.forms import DATE_MAX, DATE_MIN, INT_MAX, FormError
from core.i18n import gettext as _

if typing.TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from core.config import Settings
    from core.plugins import Plugins
    from core.services.disclosure import Disclosure
    from core.web.context import CurrentUser

I = TypeVar("I", bound="Input")  # noqa: E741 - the conventional name for an input type
O = TypeVar("O")  # noqa: E741


class Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The base of every action's input: unknown fields are refused (a typo must not be
    silently ignored, or a client believes it changed something it did not), text is
    cleaned of control characters, and dates stay within the range the app works with."""

    def __post_init__(self) -> None:
        errors: dict[str, str] = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, clean_text(value))
            elif _beyond_a_column(value):
                # Every whole number is stored in a 32-bit column, or looked up by one: beyond
                # it the driver fails (a 500), so it is refused here, whatever the field forgot.
                errors[name] = _("Must be at most %(n)s.", n=INT_MAX) if _largest(value) > 0 else _("Must be at least %(n)s.", n=-INT_MAX)
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                if not DATE_MIN <= value <= DATE_MAX:
                    errors[name] = _("Must be a date between %(first)s and %(last)s.", first=DATE_MIN.isoformat(), last=DATE_MAX.isoformat())
        if errors:
            # Not a ValueError: msgspec would fold it into an English message without the
            # field's name. A FormError reaches the error handlers as it is.
            raise FormError(errors)


def _ints(value: Any) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def _beyond_a_column(value: Any) -> bool:
    return any(abs(v) > INT_MAX for v in _ints(value))


def _largest(value: Any) -> int:
    return max(_ints(value), key=abs)


def clean_text(value: str) -> str:
    """Text as typed, without control characters other than newline and tab (a pasted
    spreadsheet cell can smuggle them in, and they break CSV exports), trimmed."""
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


@dataclass(frozen=True)
class Caller:
    """Who does an action, and with what: everything a service needs from the request,
    and nothing of the request itself, so the page and the API hand over the same thing
    (``core.web.handlers.caller_of`` builds it)."""

    db: Session
    user: CurrentUser
    """The signed-in staff member: ``user.id``, ``user.organization``, ``user.can(...)``."""
    plugins: Plugins
    settings: Settings
    gate: Disclosure
    """The request's gate for special-category values (see core.services.disclosure)."""
    api: bool = False
    """Whether the action came through the API (for the access log's wording only)."""
    setting_defs: Mapping[str, Any] = field(default_factory=dict)
    """The settings this organization can see and change (the core's and its enabled plugins')."""
    permission_defs: tuple[Any, ...] = ()
    """Every permission declared (the core's and every plugin's), with the roles holding it."""

    @property
    def organization_id(self) -> int:
        return self.user.organization.id


@dataclass(frozen=True)
class Action(Generic[I, O]):
    """An action staff take, defined once. ``run(caller, data)`` does it."""

    name: str
    """Dotted, owner first: ``days.register_attendance``, ``dagsverk.draw``."""
    permission: str
    summary: str
    """One line for the OpenAPI operation (English; the API speaks English)."""
    description: str
    """What the action does and which rules it enforces, for an integrator."""
    run: Callable[..., O]

    def opt(self, **extra: Any) -> dict[str, Any]:
        return action_opt(self, **extra)


ACTIONS: dict[str, Action[Any, Any]] = {}
"""Every action defined, by name: what the parity test walks."""


def action(name: str, *, permission: str, summary: str, description: str = "") -> Callable[[Callable[..., O]], Action[Any, O]]:
    """Declare a service function as an action: ``@action("days.open", permission=...)``.

    The function keeps its signature (usually ``(caller, data)`` or with path ids between)
    and is called through the returned :class:`Action` by both the page and the API."""

    def register(fn: Callable[..., O]) -> Action[Any, O]:
        if name in ACTIONS and ACTIONS[name].run.__qualname__ != fn.__qualname__:
            raise RuntimeError(f"action {name!r} is defined twice")
        act: Action[Any, O] = Action(name=name, permission=permission, summary=summary,
                                    description=description or (fn.__doc__ or "").strip(), run=fn)
        ACTIONS[name] = act
        return act

    return register


def action_opt(act: Action[Any, Any], **extra: Any) -> dict[str, Any]:
    """A route's ``opt`` for an action: its permission (what the guard checks) and its name
    (what the parity test matches page and API routes by)."""
    return {"permission": act.permission, "action": act.name, **extra}


def api_doc(act: Action[Any, Any]) -> dict[str, Any]:
    """The keyword arguments that describe an API route of ``act`` in OpenAPI:
    ``@api_post("/x", **api_doc(MY_ACTION), name=...)``."""
    return {"opt": action_opt(act), "summary": act.summary, "description": act.description}


# --- turning a submitted form into an action's input -------------------------------------

_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


def _field_types(input_type: type[Input]) -> dict[str, Any]:
    hints = typing.get_type_hints(input_type, include_extras=False)
    return {name: hints[name] for name in input_type.__struct_fields__}


def _is(kind: Any, target: type) -> bool:
    if kind is target:
        return True
    return any(a is target for a in typing.get_args(kind))


def _is_list(kind: Any) -> bool:
    origin = typing.get_origin(kind)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(typing.get_origin(a) in (list, tuple, set, frozenset) for a in typing.get_args(kind))


def _form_value(kind: Any, raw: Any) -> Any:
    if _is_list(kind):
        values = raw if isinstance(raw, list) else [raw]
        return [v for v in values if not (isinstance(v, str) and v.strip() == "")]
    if isinstance(raw, list):
        # A checkbox with a hidden "0" before it sends both when ticked: the last one wins.
        raw = raw[-1] if raw else None
    if _is(kind, bool) and isinstance(raw, str):
        low = raw.strip().lower()
        return True if low in _TRUE else False if low in _FALSE else raw
    if _is(kind, Decimal) and isinstance(raw, str):
        return raw.strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    return raw


def form_input(input_type: type[I], form: Mapping[str, Any], **fixed: Any) -> I:
    """The action's input from a submitted HTML form, or a :class:`FormError` with a
    translated message per field.

    Empty fields count as not given, so the input's defaults apply (a form always sends
    every field). A ticked checkbox (``on``) is true and one not sent is false. A decimal
    may be written with a comma, as Norwegians do. Names starting with ``_`` (the CSRF
    token, button names) are not input. ``fixed`` sets fields the page decides itself (the
    person in the URL)."""
    kinds = _field_types(input_type)
    data: dict[str, Any] = {}
    for name, kind in kinds.items():
        if name in fixed:
            data[name] = fixed[name]
            continue
        if name not in form:
            if _is(kind, bool) and not _is(kind, type(None)):
                data[name] = False  # an unticked checkbox sends nothing
            continue
        raw = form[name]
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            continue
        data[name] = _form_value(kind, raw)
    # A field may have another name in JSON (``rename``): the form speaks the Python name.
    to_json = {f.name: f.encode_name for f in msgspec.structs.fields(input_type)}
    from_json = {v: k for k, v in to_json.items()}
    try:
        return msgspec.convert({to_json[k]: v for k, v in data.items()}, input_type, strict=False)
    except msgspec.ValidationError as exc:
        raise FormError({from_json.get(k, k): m for k, m in validation_errors(str(exc)).items()}) from None


# --- msgspec's messages in the person's language -------------------------------------------

_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"Object contains unknown field `(?P<name>[^`]+)`")


def validation_errors(message: str) -> dict[str, str]:
    """msgspec's English validation message as ``{field: translated message}``.

    msgspec reports the first problem it meets, with the field's path; the message is
    rebuilt from its kind, never echoed (it may quote the input)."""
    if m := _MISSING.search(message):
        return {m["name"]: _("This field is required.")}
    if m := _UNKNOWN.search(message):
        return {"__all__": _("Unknown fields: %(names)s", names=m["name"])}
    at = _AT.search(message)
    path = at["path"] if at else ""
    head = message[: at.start()] if at else message
    field = path.lstrip(".").split(".")[0].split("[")[0] or "__all__"
    return {field: explain(head)}


_EXPECTED = re.compile(r"Expected `(?P<kind>[^`]+)`, got `[^`]+`")
_BOUND = re.compile(r"Expected `(?P<kind>\w+)`(?: of length)? (?P<op>[<>]=?) (?P<n>-?[\d.]+)")


def explain(head: str) -> str:
    """One msgspec complaint (without its path) in the reader's language."""
    if m := _BOUND.search(head):
        n, op, length = m["n"], m["op"], " of length" in head
        if length:
            return _("At most %(n)s characters.", n=n) if op.startswith("<") else _("This field is required.")
        return _("Must be at most %(n)s.", n=n) if op.startswith("<") else _("Must be at least %(n)s.", n=n)
    if "got `null`" in head:
        return _("This field is required.")  # null where a value must be: as if left out
    if (m := _EXPECTED.search(head)) and "got `float`" in head and m["kind"].split(" | ")[0] == "str":
        # A decimal sent as a JSON number: refused on purpose, hours and money are exact.
        return _("Must be a number written as text, like \"7.5\".")
    if m := _EXPECTED.search(head):
        # What was expected decides the message, not what was sent ("Expected `str`, got `int`").
        # In a union (`int | null`) the first kind is the one asked for.
        head = f"Expected `{m['kind'].split(' | ')[0]}`"
    if "matching regex" in head:
        return _("This field is required.") if "\\S" in head else _("Not a valid value.")
    if "enum value" in head:
        return _("Not one of the allowed choices.")
    if "date" in head:
        return _("Must be a date (YYYY-MM-DD).")
    if "decimal" in head:
        return _("Must be a number.")
    if "`int`" in head:
        return _("Must be a whole number.")
    if "`bool`" in head:
        return _("Must be yes or no.")
    if "`str`" in head:
        return _("Must be text.")
    if "`array`" in head:
        return _("Must be a list.")
    if "`object`" in head:
        return _("The request body must be an object.")
    return _("Not a valid value.")
