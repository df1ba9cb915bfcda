"""Hostile values through every HTML form of the app (hypothesis): never a server error.

Generic over ``app.routes``, so a form added later, by the core or a plugin, is fuzzed
without editing this file:

1. Both demo organizations run every plugin, each with a user holding every role.
2. Every POST page route is posted once, empty, with real ids of each organization in
   its path; the fields its handler validates are recorded as ``core.forms`` sees them
   (every form goes through ``core.forms.validate`` or an action's ``form_input``).
3. Each route with fields gets hypothesis-generated forms, every field either a valid
   value for its kind or a hostile one (unknown and 20-digit ids, negative numbers, huge
   and control-character text, NUL, dates like 0000-00-00 and 99999-01-01, decimals like
   1e999 and NaN, markup); then each field gets every extreme of its kind once
   (``EXTREMES``) with the others valid. All with the CSRF token as a browser sends it.
   No answer may be 5xx.
"""
from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

import core.actions
import core.forms
from core.db import Base
from core.models import Organization, OrganizationPlugin, StaffUser
from tests.conftest import csrf_token, login
from tests.core.test_isolation import IdRoute, _all_roles_user, _core_rows, _ids_of, table_for

EXAMPLES = int(os.environ.get("LAVTERSKEL_FORM_FUZZ_EXAMPLES", "6"))
SKIP = ("/static", "/dagsverk-static", "/api/", "/login", "/logout", "/language", "/account/logout-everywhere")
"""Not forms with fields to fuzz: the API (schemathesis covers it), signing in and out."""

HOSTILE = [
    "0", "-1", "2147483648", "99999999999999999999", "-99999999999999999999", "9223372036854775808",
    "0000-00-00", "99999-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "1e999", "NaN", "-Infinity", "1E+400",
    "99999999999999999999.99", "\x00", "a\x00b", "\x1b[31m\x7f", "\u202eevil", "x" * 20_000, "ø" * 5001,
    "<script>alert(1)</script>", "'; DROP TABLE participant; --", "{{ 7*7 }}", "../../etc/passwd", "%00", " ",
]
hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str))
EXTREMES = {
    "date": ["0000-00-00", "0001-01-01", "9999-12-31", "99999-01-01"],
    "int": ["-1", "2147483648", "99999999999999999999"],
    "ref": ["0", "999999", "99999999999999999999"],
    "decimal": ["1e999", "NaN", "99999999999999999999.99"],
}
"""Besides the generated forms, each field gets every extreme of its kind once, with the
other fields valid: the values that overflowed before are too few to leave to chance."""


def valid(field: core.forms.Field, ids: dict[str, list[int]]) -> str:
    """A value the field accepts, so the other fields of a form get past validation."""
    if field.choices:
        return str(field.choices[0])
    if field.kind == "ref":
        stem = field.name.removesuffix("_id").rstrip("_0123456789")
        table = stem if stem in ids else next((t for t in sorted(ids) if t.endswith(f"_{stem}")), "staff_user")
        return str((ids.get(table) or [1])[0])
    low = field.min_value if field.min_value is not None else 1
    return {"date": "2026-01-05", "int": str(low), "decimal": str(low), "bool": "1"}.get(field.kind, "Test")


@contextmanager
def recording_fields() -> Iterator[dict[str, Any]]:
    """Record the fields a request's handler validates: through ``core.forms`` or, for an
    action's input, through ``core.actions.form_input`` (whose fields are read from its type)."""
    seen: dict[str, Any] = {}
    original, original_types = core.forms._one, core.actions._field_types

    def spy(field: core.forms.Field, raw: Any) -> Any:
        seen[field.name] = field
        return original(field, raw)

    def spy_types(input_type: Any) -> dict[str, Any]:
        kinds = original_types(input_type)
        seen.update({name: field for name, field in fields_of_input(input_type).items() if name not in seen})
        return kinds

    core.forms._one, core.actions._field_types = spy, spy_types
    try:
        yield seen
    finally:
        core.forms._one, core.actions._field_types = original, original_types


def fields_of_input(input_type: Any) -> dict[str, core.forms.Field]:
    """An action input's fields as ``core.forms`` describes fields, for ``valid`` and ``EXTREMES``."""
    hints = typing.get_type_hints(input_type, include_extras=True)
    out = {}
    for name in input_type.__struct_fields__:
        kind, low, choices = hints[name], None, ()
        while True:
            if typing.get_origin(kind) is typing.Annotated:
                for meta in kind.__metadata__:
                    low = getattr(meta, "ge", None) if getattr(meta, "ge", None) is not None else low
                kind = typing.get_args(kind)[0]
            elif typing.get_origin(kind) in (typing.Union, types.UnionType):
                kind = next(a for a in typing.get_args(kind) if a is not type(None))
            elif typing.get_origin(kind) in (list, tuple, set):
                kind = typing.get_args(kind)[0]
            else:
                break
        if typing.get_origin(kind) is typing.Literal:
            choices = tuple(str(c) for c in typing.get_args(kind))
        form_kind = {dt.date: "date", int: "int", bool: "bool", decimal.Decimal: "decimal"}.get(kind, "str")
        if form_kind == "int" and name.endswith("_id"):
            form_kind = "ref"
        out[name] = core.forms.Field(name, kind=form_kind, choices=choices, min_value=low)
    return out


def post_routes(app: Any) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for route in app.routes:
        if route.path.startswith(SKIP):
            continue
        if any("POST" in h.http_methods for h in getattr(route, "route_handlers", [])):
            out.append((route.path, getattr(route, "path_parameters", {})))
    return out


def fill(path: str, params: dict[str, Any], ids: dict[str, list[int]], day: dt.date) -> str:
    for name, param in params.items():
        if param.type is int:
            table = table_for(IdRoute(path, "POST", (name,)), name)
            value = str((ids.get(table) or [1])[0]) if table else "1"
        elif param.type is dt.date or name.endswith(("_ref", "date")):
            value = day.isoformat()
        else:  # a kind of document, an action on an incident: the first the plugin offers is as good as any
            value = {"kind": "contract", "action": "dismiss"}.get(name, "x")
        path = re.sub(r"\{" + name + r":[a-z]+\}", value, path)
    return path


@pytest.fixture
def programs(app, session_factory) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    from core.demo import load_demo

    plugins = app.state["ctx"].plugins
    load_demo(session_factory, plugins)
    sides = []
    with session_factory() as db:
        for slug in ("stavne", "velferdsetaten"):
            org = db.scalars(select(Organization).where(Organization.slug == slug)).one()
            have = {p.plugin for p in org.plugins}
            for name in plugins.program_plugins:
                if name not in have:
                    db.add(OrganizationPlugin(organization_id=org.id, plugin=name, enabled=True))
            user = _all_roles_user(db, org, f"formfuzz-{slug}")
            _core_rows(db, org, user, False)
            db.commit()
            sides.append({"user": user.username, "user_id": user.id, "ids": {t: _ids_of(db, t, org.id) for t in Base.metadata.tables}})
    return sides


def test_hostile_values_in_every_form_give_no_server_error(app, client, programs, session_factory) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2026, 1, 5)  # the day _core_rows gives both organizations

    def as_user(side: dict[str, Any]) -> None:
        # A fuzzed form may deactivate or lock the fuzzer itself: revive it and sign in again.
        with session_factory() as db:
            db.execute(update(StaffUser).where(StaffUser.id == side["user_id"]).values(is_active=True, locked_until=None))
            db.commit()
        client.cookies.clear()
        login(client, side["user"])

    def send(side: dict[str, Any], path: str, data: dict[str, str]) -> Any:
        body = {**data, "_csrf_token": csrf_token(client)}
        response = client.post(path, data=body, follow_redirects=False)
        if response.status_code == 401 or "/login" in response.headers.get("location", ""):
            as_user(side)
            response = client.post(path, data={**data, "_csrf_token": csrf_token(client)}, follow_redirects=False)
        return response

    forms: list[tuple[dict[str, Any], str, str, dict[str, Any]]] = []
    for side in programs:
        as_user(side)
        for route_path, params in post_routes(app):
            path = fill(route_path, params, side["ids"], day)
            with recording_fields() as fields:
                response = send(side, path, {})
            assert response.status_code < 500, (path, response.status_code)
            if fields and route_path not in {f[1] for f in forms}:
                forms.append((side, route_path, path, dict(fields)))

    failures: list[str] = []
    sent = [0]
    for side, route_path, path, fields in forms:
        as_user(side)
        one_form = st.fixed_dictionaries({
            name: st.one_of(st.just(valid(field, side["ids"])), hostile) for name, field in fields.items()
        })

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
        @given(data=one_form)
        def run(data: dict[str, str]) -> None:
            sent[0] += 1
            response = send(side, path, data)  # noqa: B023 - run() is called in this same iteration
            assert response.status_code < 500, (response.status_code, {k: v[:80] for k, v in data.items()})

        try:
            run()
        except AssertionError as exc:
            failures.append(f"POST {route_path}: {str(exc)[:500]}")
        base = {name: valid(field, side["ids"]) for name, field in fields.items()}
        for name, field in fields.items():
            for value in EXTREMES.get(field.kind, ["\x00", "x" * 20_000]):
                sent[0] += 1
                response = send(side, path, {**base, name: value})
                if response.status_code >= 500:
                    failures.append(f"POST {route_path}: {response.status_code} with {name}={value[:40]!r}")
    print(f"form fuzz: {len(forms)} forms of {len(post_routes(app))} POST page routes, {sent[0]} generated posts")
    assert not failures, "\n".join(failures)
    # The demo reaches the forms of the core and of every plugin; a form that stopped
    # validating through core.forms would drop out of the fuzz silently without this.
    prefixes = {route_path.split("/")[1] for _side, route_path, _path, _fields in forms}
    assert {"participants", "days", "admin", "dagsverk", "nyttig", "payroll"} <= prefixes, prefixes
    assert len(forms) >= 40, len(forms)
