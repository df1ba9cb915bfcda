"""The typed input and output of each plain record, made from its :class:`Resource`.

A resource's fields are written down once, as :class:`core.forms.Field` lists (the edit
form is drawn from them). The msgspec types here are derived from those lists, so the
API's schema, its 400s and the page's form errors say the same thing as the form:

- ``create``: the body of ``POST``; a required text must hold something, the others take
  the form's default when left out;
- ``update``: the body of ``PATCH``; every field may be left out (it is then left alone);
- ``out``: the record as read and as every write answers it;
- ``listing``: one page of a list (``items``, ``total``, ``page``, ``per_page``).

Descriptions are the form's English labels, so the schema names a field as the form does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from core.actions import Input
from core.api_types import Id
from core.forms import INT_MAX, Field
from core.i18n import LazyString
from core.services.resources import Resource


@dataclass(frozen=True)
class ResourceTypes:
    create: type[Input]
    update: type[Input]
    out: type[msgspec.Struct]
    listing: type[msgspec.Struct]


def english(label: Any) -> str:
    """A label's English source text (the API speaks English whatever the locale)."""
    if isinstance(label, LazyString):
        return str(label._args[0])  # noqa: SLF001 - the msgid the proxy translates
    return str(label)


def _singular(res: Resource) -> str:
    """``work-orders`` → ``WorkOrder``: the schema's name for one record."""
    return "".join(part.capitalize() for part in res.name.rstrip("s").split("-"))


def _description(res: Resource, f: Field) -> str:
    text = english(res.labels.get(f.name, f.name.replace("_", " ").capitalize()))
    if f.kind == "ref":
        what = f.name.removesuffix("_id").replace("_", " ")
        text = f"{text}: the {what}'s id (a {what} of the same organization)"
    elif f.kind == "choice":
        text = f"{text}: one of {', '.join(f.choices)}"
    elif f.kind == "decimal":
        text = f"{text}, a decimal written as a string"
    elif f.kind == "weekdays":
        text = f"{text}: ISO weekday numbers, 1 Monday to 7 Sunday, each once; empty when left out"
    if f.default not in (None, "") and f.kind != "bool":
        text += f"; {f.default} when left out"
    elif f.kind == "bool" and f.default is not None:
        text += f"; {'true' if f.default else 'false'} when left out"
    return text + "."


def _base(f: Field, *, required_text: bool) -> Any:
    """The Python type a field holds, with the bounds the form enforces."""
    if f.kind in {"str", "text"}:
        limit = f.max_length if f.kind == "str" else max(f.max_length, 5000)
        if required_text:
            return Annotated[str, Meta(min_length=1, max_length=limit, pattern=r"\S")]
        return Annotated[str, Meta(max_length=limit)]
    if f.kind == "choice":
        return Literal[tuple(f.choices)]  # type: ignore[misc]  # an enum in the schema
    if f.kind == "int":
        lo = -INT_MAX if f.min_value is None else int(f.min_value)
        hi = INT_MAX if f.max_value is None else int(f.max_value)
        return Annotated[int, Meta(ge=lo, le=hi)]
    if f.kind == "ref":
        return Annotated[int, Meta(ge=1, le=INT_MAX)]
    if f.kind == "decimal":
        return Decimal
    if f.kind == "date":
        return dt.date
    if f.kind == "bool":
        return bool
    if f.kind == "weekdays":
        return Annotated[list[Annotated[int, Meta(ge=1, le=7)]], Meta(max_length=7)]
    raise RuntimeError(f"unknown field kind {f.kind}")  # pragma: no cover - a programming error


def _described(kind: Any, description: str, example: Any = None) -> Any:
    meta = Meta(description=description, examples=[example]) if example is not None else Meta(description=description)
    return Annotated[kind, meta]


def _example(f: Field) -> Any:
    if f.kind == "date":
        return "2026-12-03"
    if f.kind == "choice":
        return f.default if f.default in f.choices else f.choices[0]
    if f.kind == "bool":
        return bool(f.default) if f.default is not None else False
    if f.kind in {"int", "ref"}:
        return f.default if isinstance(f.default, int) else 1
    if f.kind == "weekdays":
        return [1, 4]
    return None


API_NAMES = {
    "birth_date": "born_on", "start_date": "starts_on", "end_date": "ends_on",
    "active": "is_active", "indoor": "is_indoor", "heavy": "is_heavy",
    "steep": "is_steep", "ladders": "needs_ladders", "repeat_until": "repeats_until_on",
}
"""A record's columns whose API names follow docs/api.md (dates ``<what>_on``, yes/no
``is_<state>``); the pages' forms keep the column names."""


def api_name(name: str) -> str:
    return API_NAMES.get(name, name)


def _nullable(res: Resource, name: str) -> bool:
    column = res.model.__table__.c.get(name)  # type: ignore[attr-defined]
    return column is None or bool(column.nullable)


def types_of(res: Resource) -> ResourceTypes:
    """The four types of ``res``, named after it (``ParticipantCreate``, ``Participant``...)."""
    name = _singular(res)
    create_fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    update_fields: list[tuple[str, Any, Any]] = []
    for f in res.editable_fields:
        text = _description(res, f)
        base = _base(f, required_text=f.required)
        if f.required:
            create_fields.append((f.name, _described(base, text, _example(f))))
            update_fields.append((f.name, _described(base | UnsetType, text, _example(f)), UNSET))
            continue
        # Left out (or null), a field takes the form's default, as an empty form field does.
        default = f.default if f.kind in {"bool", "choice", "int"} and f.default is not None else None
        if f.kind == "weekdays":
            default = []  # msgspec copies an empty list default for each instance
        kind = base if default is not None else base | None
        create_fields.append((f.name, _described(kind, text, _example(f)), default))
        update_fields.append((f.name, _described(base | None | UnsetType, text + " Null sets it back to that default." if default is not None else text + " Null clears it.", _example(f)), UNSET))
    # Required fields first: msgspec wants those without a default before the others.
    create_fields.sort(key=lambda spec: len(spec) == 3)
    out_fields: list[tuple[str, Any]] = [("id", Id)]
    for f in res.fields:
        base = _base(f, required_text=False)
        if f.kind in {"str", "text"}:
            base = str
        kind = base | None if _nullable(res, f.name) else base
        out_fields.append((f.name, _described(kind, _description(res, f), _example(f))))
    out = msgspec.defstruct(name, out_fields, kw_only=True, rename=API_NAMES)
    out.__doc__ = f"A {name} record as stored."
    listing = msgspec.defstruct(
        f"{name}List",
        [
            ("items", Annotated[list[out], Meta(description="The records on this page, in the list's order.")]),  # type: ignore[valid-type]
            ("total", Annotated[int, Meta(ge=0, description="How many records match, on every page.")]),
            ("page", Annotated[int, Meta(ge=1, description="This page's number, from 1.")]),
            ("per_page", Annotated[int, Meta(ge=1, le=200, description="Records per page.")]),
        ],
        kw_only=True,
    )
    create = msgspec.defstruct(f"{name}Create", create_fields, bases=(Input,), kw_only=True, forbid_unknown_fields=True, rename=API_NAMES)
    update = msgspec.defstruct(f"{name}Update", update_fields, bases=(Input,), kw_only=True, forbid_unknown_fields=True, rename=API_NAMES)
    return ResourceTypes(create=create, update=update, out=out, listing=listing)


def given(data: msgspec.Struct) -> dict[str, Any]:
    """The fields of ``data`` that were sent (not ``UNSET``)."""
    return {name: value for name in data.__struct_fields__ if (value := getattr(data, name)) is not UNSET}


def out_of(types: ResourceTypes, res: Resource, obj: Any) -> Any:
    """A stored record as its ``out`` type."""
    return types.out(id=obj.id, **{f.name: getattr(obj, f.name) for f in res.fields})
