"""The inputs that gave a 500, sent again as an attacker sent them: each is now a 4xx
with a translated message, and nothing is written.

One test per kind of 500 the fuzzers found (see the module docstrings of
test_security_api_fuzz.py and test_security_form_fuzz.py for how they were found): JSON
nested ten thousand levels deep, dates at the ends of the calendar, a setting of "NaN",
numbers beyond what a column holds, and what the database itself refuses.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.db import Base
from core.models import DatedSetting, Membership
from tests.conftest import ROLES, api_token, bearer, login, post_form

DEEP_ARRAYS = b"[" * 10_000 + b"]" * 10_000
DEEP_OBJECTS = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
DEEP_UNCLOSED = b'{"first_name": ' + b"[" * 10_000
TOO_DEEP = ("The request is nested too deeply (at most 32 levels).", "Forespørselen er nøstet for dypt (høyst 32 nivåer).")
DATE_RANGE = ("Must be a date between 1900-01-01 and 2199-12-31.", "Må være en dato mellom 1900-01-01 og 2199-12-31.")


SIGNING_IN = {"api_token", "login_session", "access_log"}
"""Rows a test writes itself by signing in; everything else must stay as it was."""


def counts(world) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with world.db() as db:
        return {t.name: db.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables if t.name not in SIGNING_IN}


def every_role(world, side) -> None:  # type: ignore[no-untyped-def]
    """The side's leader also holds every other role, so one login reaches every form."""
    with world.db() as db:
        user = side.users["leader"]
        for role in ROLES:
            if role != "leader":
                db.add(Membership(user_id=user.id, organization_id=side.org.id, role=role))
        db.commit()


@pytest.mark.parametrize("lang", ["en", "nb"])
@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS, DEEP_UNCLOSED], ids=["arrays", "objects", "unclosed"])
def test_json_nested_ten_thousand_levels_is_a_translated_400(world, client, body, lang) -> None:  # type: ignore[no-untyped-def]
    """The JSON decoder recursed into the brackets until Python's RecursionError: a 500 on
    every API route that takes a body, the core's and every plugin's."""
    every_role(world, world.b)
    headers = {**bearer(api_token(world, world.b, "leader")), "Content-Type": "application/json", "Accept-Language": lang}
    before = counts(world)
    for path in ("/api/v1/participants", "/api/v1/nyttig/people", "/api/v1/payroll/runs", "/api/v1/admin/settings"):
        r = client.post(path, content=body, headers=headers)
        assert r.status_code == 400, (path, r.status_code, r.text[:200])
        assert r.json()["errors"]["__all__"] == TOO_DEEP[0 if lang == "en" else 1]
    assert counts(world) == before


def test_json_nested_within_the_limit_still_reaches_the_validation(world, client) -> None:  # type: ignore[no-untyped-def]
    headers = {**bearer(api_token(world, world.a, "leader")), "Content-Type": "application/json", "Accept-Language": "en"}
    body = b'{"first_name": ' + b"[" * 30 + b'"Ola"' + b"]" * 30 + b', "nickname": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}'
    r = client.post("/api/v1/participants", content=body, headers=headers)
    assert r.status_code == 400 and r.json()["errors"] == {"first_name": "Must be text."}
    r = client.post("/api/v1/participants", json={"first_name": "Ola", "nickname": "[" * 45 + "{" * 45}, headers=headers)
    assert r.status_code == 201, r.text[:200]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_at_the_ends_of_the_calendar_are_refused_not_overflowing(world, client, day) -> None:  # type: ignore[no-untyped-def]
    """A week or a month computed from 0001-01-01 or 9999-12-31 overflowed Python's date:
    the timesheet form, the cash sheet and the lottery's team suggestion gave a 500."""
    every_role(world, world.a)
    every_role(world, world.b)
    before = counts(world)
    login(client, world.b.users["leader"])
    r = post_form(client, "/nyttig/timesheets", {"date": day}, headers={"Accept-Language": "en"})
    assert r.status_code == 400, r.text[:300]
    r = client.get(f"/nyttig/timesheets?week={day}")
    assert r.status_code == 200
    client.cookies.clear()
    login(client, world.a.users["leader"])
    r = post_form(client, "/payroll/cash-sheet", {"date": day}, headers={"Accept-Language": "nb"})
    assert r.status_code == 400 and DATE_RANGE[1] in r.text, r.text[:300]
    r = post_form(client, f"/dagsverk/days/{day}/teams/suggest", {})
    assert r.status_code == 404
    token = bearer(api_token(world, world.a, "leader"))
    r = client.post(f"/api/v1/dagsverk/days/{day}/teams/suggest", json={}, headers=token)
    assert r.status_code == 404
    r = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": day}, headers={**token, "Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["errors"]["date"] == DATE_RANGE[0]
    assert counts(world) == before


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-1e999", "99999999999999999999"])
def test_a_setting_that_is_not_a_number_is_refused(world, client, value) -> None:  # type: ignore[no-untyped-def]
    """ "NaN" was accepted (201) and stored as the day wage: a number no pay line can be
    computed with. Settings are now bounded like form fields."""
    every_role(world, world.a)
    h = {**bearer(api_token(world, world.a, "admin")), "Accept-Language": "en"}
    r = client.post("/api/v1/admin/settings", json={"key": "payroll.day_wage", "value": value, "valid_from": "2026-01-01"}, headers=h)
    assert r.status_code == 422 and "value" in r.json()["errors"], r.text[:300]
    r = client.post("/api/v1/admin/settings", json={"key": "dagsverk.capacity", "value": value, "valid_from": "2026-01-01"}, headers=h)
    assert r.status_code == 422, r.text[:300]
    with world.db() as db:
        assert db.scalar(select(func.count()).select_from(DatedSetting)) == 0


@pytest.mark.parametrize("field", ["staff_1_id", "staff_2_id", "department_id"])
def test_an_unknown_id_in_a_body_is_a_4xx_not_a_500(world, client, field) -> None:  # type: ignore[no-untyped-def]
    """A staff member or department id that exists nowhere reached the INSERT, and the
    database's foreign-key refusal came back as a 500. The core now answers what the
    database refuses with a 4xx and a message, for every route; nothing is written."""
    from plugins.nyttig_contract import labels

    every_role(world, world.b)
    h = {**bearer(api_token(world, world.b, "leader")), "Accept-Language": "en"}
    person = client.post("/api/v1/nyttig/people", json={"first_name": "Kari", "on": "2026-01-05", "came_via": next(iter(labels.CAME_VIA))}, headers=h)
    assert person.status_code == 201, person.text[:300]
    before = counts(world)
    body = {"kind": "minor", "on": "2026-01-05", "description": "Kranglet", "participant_id": person.json()["participant_id"], field: 999_999}
    r = client.post("/api/v1/nyttig/incidents", json=body, headers=h)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    assert r.json()["errors"], r.text[:300]
    assert counts(world) == before
