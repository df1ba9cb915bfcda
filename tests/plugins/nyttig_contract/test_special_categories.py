"""Nyttig Arbeid's special-category values, tried as a colleague without a need to know.

Absence reasons, relapse notes, incidents, consents, meeting summaries and the assessment
form are shown only through the core's gate (core.services.disclosure): to those holding the
category's permission (leaders, social workers), to the person's contact persons, and to
whoever recorded the record. Every response that shows one writes one access-log entry per
person and category; where the organization requires two-factor sign-in, showing one needs
the second factor, whatever permission the route declares.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import select

from core.i18n import today
from core.models import AccessLogEntry, Membership, Participant, StaffUser
from core.services.disclosure import category_of
from plugins.nyttig_contract.models import Absence, Assessment, Consent, Incident, Meeting, PhaseChange
from tests.conftest import api_token, bearer, login, password_hash, post_form

MARKERS = ("RELAPSE-NOTE-7", "SEEMED-AFFECTED-7", "DEALING-DESC-7", "FASTLEGE-7", "SCOPE-7", "MEETING-SUM-7", "ABSENCE-NOTE-7",
           "HEMMELIG-7")


def _setup(world: Any) -> dict[str, int]:
    """One medarbeider whose contact person is the org's work leader, with one of each
    special record; and a second work leader who is nobody's contact person."""
    from plugins.nyttig_contract.interview import record_interview
    from plugins.nyttig_contract.phases import register_contact

    org = world.b.org.id
    leader = world.b.users["leader"].id
    monday = today() - dt.timedelta(days=today().weekday())
    with world.db(world.b) as db:
        other = StaffUser(username="beta-wl2", full_name="Beta other work leader", password_hash=password_hash())
        db.add(other)
        db.flush()
        db.add(Membership(user_id=other.id, organization_id=org, role="work_leader"))
        p = Participant(organization_id=org, first_name="Sigrid")
        db.add(p)
        db.flush()
        path = register_contact(db, org, p, monday - dt.timedelta(days=60), leader)
        path.phase = "interview"
        record_interview(db, path, {"held_on": (monday - dt.timedelta(days=50)).isoformat(), "current_use": "HEMMELIG-7", "rules": []}, leader)
        path.phase, path.started_on, path.contact_person_1_id = "started", monday - dt.timedelta(days=30), world.b.users["work_leader"].id
        db.add(PhaseChange(organization_id=org, participant_id=p.id, from_phase="stable", to_phase="started", kind="relapse",
                           on=monday - dt.timedelta(days=3), by_id=leader, reason="RELAPSE-NOTE-7"))
        db.add(Absence(organization_id=org, participant_id=p.id, date=monday, reason="mental_health", note="ABSENCE-NOTE-7",
                       recorded_by_id=leader))
        db.add(Incident(organization_id=org, participant_id=p.id, kind="sent_home", on=monday - dt.timedelta(days=2),
                        description="SEEMED-AFFECTED-7", staff_1_id=leader, staff_2_id=world.b.users["social_worker"].id,
                        recorded_by_id=leader))
        db.add(Incident(organization_id=org, participant_id=p.id, kind="serious", breach="dealing", on=monday - dt.timedelta(days=1),
                        description="DEALING-DESC-7", recorded_by_id=leader))
        db.add(Consent(organization_id=org, participant_id=p.id, contacts="FASTLEGE-7", scope="SCOPE-7", given_on=monday - dt.timedelta(days=30)))
        db.add(Meeting(organization_id=org, participant_id=p.id, kind="follow_up", held_on=monday - dt.timedelta(days=4),
                       staff_1_id=leader, staff_2_id=world.b.users["social_worker"].id, summary="MEETING-SUM-7"))
        db.commit()
        return {"pid": p.id, "other": other.id, "monday": monday.toordinal()}


def _views(world: Any, pid: int) -> list[tuple[int | None, str, str]]:
    with world.db(world.b) as db:
        return [(e.staff_user_id, e.category, e.page) for e in db.scalars(
            select(AccessLogEntry).where(AccessLogEntry.subject_id == pid, AccessLogEntry.action == "view").order_by(AccessLogEntry.id))]


def _login_other(client: Any) -> None:
    login(client, "beta-wl2")


def _token_for(world: Any, user_id: int) -> str:
    from core.services.auth import create_api_token

    with world.db() as db:
        return create_api_token(db, db.get(StaffUser, user_id), world.b.org.id, "test")


def _pages(s: dict[str, int]) -> list[str]:
    pid, monday = s["pid"], dt.date.fromordinal(s["monday"])
    return [f"/nyttig/people/{pid}", f"/participants/{pid}", "/nyttig/incidents", f"/nyttig/timesheets?week={monday.isoformat()}"]


# --- no need to know: withheld, nothing logged ------------------------------------------


def test_a_work_leader_who_is_not_contact_person_reads_no_special_value_on_any_page(world, client) -> None:
    s = _setup(world)
    _login_other(client)
    texts = {}
    for url in _pages(s):
        r = client.get(url)
        assert r.status_code == 200, url
        texts[url] = r.text
        for marker in MARKERS:
            assert marker not in r.text, f"{marker} shown on {url}"
    # The grid says someone was away, not why, in words (not by colour alone).
    grid = texts[_pages(s)[3]]
    assert "Fravær: Psykisk helse" not in grid and "Fravær (årsak skjult)" in grid
    assert "Hendelse (detaljer skjult)" in texts[f"/nyttig/people/{s['pid']}"]
    assert "Velkommen tilbake" not in texts[f"/nyttig/people/{s['pid']}"]  # the "sent home" notice is conduct too
    assert post_form(client, f"/nyttig/people/{s['pid']}/assessment").status_code == 403
    assert _views(world, s["pid"]) == []


def test_a_work_leader_who_is_not_contact_person_gets_nulls_and_403_from_the_api(world, client) -> None:
    s = _setup(world)
    h = bearer(_token_for(world, s["other"]))
    pid = s["pid"]
    person = client.get(f"/api/v1/nyttig/people/{pid}", headers=h)
    assert person.status_code == 200
    body = person.json()
    assert all(c["reason"] is None for c in body["timeline"])
    assert [c["contacts"] for c in body["consents"]] == [None] and [c["scope"] for c in body["consents"]] == [None]
    assert [m["summary"] for m in body["meetings"]] == [None]
    assert {(i["kind"], i["breach"], i["description"]) for i in body["incidents"]} == {(None, None, None)}
    assert [(a["reason"], a["note"]) for a in body["absences"]] == [(None, None)]
    week = client.get(f"/api/v1/nyttig/timesheets?week={dt.date.fromordinal(s['monday']).isoformat()}", headers=h).json()
    assert [a["reason"] for a in week["absences"]] == [None]
    for marker in MARKERS:
        assert marker not in person.text and marker not in str(week)
    assert client.post(f"/api/v1/nyttig/people/{pid}/assessment/show", headers=h).status_code == 403
    assert _views(world, pid) == []


def test_the_admin_reads_no_special_value(world, client) -> None:
    s = _setup(world)
    login(client, world.b.users["admin"])
    for url in _pages(s)[:3]:  # the admin has no timesheets
        r = client.get(url)
        assert r.status_code == 200, url
        assert not [m for m in MARKERS if m in r.text], url
    assert post_form(client, f"/nyttig/people/{s['pid']}/assessment").status_code == 403
    body = client.get(f"/api/v1/nyttig/people/{s['pid']}", headers=bearer(api_token(world, world.b, "admin"))).json()
    assert not [m for m in MARKERS if m in str(body)]
    assert _views(world, s["pid"]) == []


# --- need to know: shown, one entry per category per response ----------------------------


def test_the_contact_person_reads_them_and_each_response_is_logged_once_per_category(world, client) -> None:
    s = _setup(world)
    pid, wl = s["pid"], world.b.users["work_leader"].id
    login(client, world.b.users["work_leader"])
    page = client.get(f"/nyttig/people/{pid}").text
    for marker in ("RELAPSE-NOTE-7", "SEEMED-AFFECTED-7", "DEALING-DESC-7", "FASTLEGE-7", "SCOPE-7", "MEETING-SUM-7"):
        assert marker in page
    first = _views(world, pid)
    assert Counter(c for _u, c, _p in first) == Counter({"substance_use": 1, "conduct": 1, "social": 1})
    assert {(u, p) for u, _c, p in first} == {(wl, "/nyttig/people/{participant_id}")}  # the route, never the id
    grid = client.get(f"/nyttig/timesheets?week={dt.date.fromordinal(s['monday']).isoformat()}").text
    assert "Fravær: Psykisk helse" in grid
    assert [c for _u, c, _p in _views(world, pid)[len(first):]] == ["health"]
    shown = post_form(client, f"/nyttig/people/{pid}/assessment")
    assert "HEMMELIG-7" in shown.text
    form = category_of(Assessment, "current_use").value  # the column's own declaration, not typed here
    assert sorted(c for _u, c, _p in _views(world, pid)[len(first) + 1:]) == sorted({form, "conduct", "social", "substance_use"})
    # The API: one response, one entry per category shown.
    before = len(_views(world, pid))
    body = client.get(f"/api/v1/nyttig/people/{pid}", headers=bearer(api_token(world, world.b, "work_leader"))).json()
    assert body["absences"][0]["reason"] == "mental_health" and body["meetings"][0]["summary"] == "MEETING-SUM-7"
    assert sorted(c for _u, c, _p in _views(world, pid)[before:]) == ["conduct", "health", "social", "substance_use"]


def test_a_leader_reads_everyone_through_the_category_permissions_and_is_logged(world, client) -> None:
    s = _setup(world)
    login(client, world.b.users["leader"])
    r = client.get(f"/participants/{s['pid']}")  # the core's page, with the plugin's path panel
    assert "RELAPSE-NOTE-7" in r.text
    assert [(c, p) for _u, c, p in _views(world, s["pid"])][-1] == ("substance_use", "/participants/{obj_id}")


def test_the_author_of_an_incident_keeps_seeing_what_they_wrote_and_nothing_else(world, client) -> None:
    s = _setup(world)
    pid = s["pid"]
    _login_other(client)
    r = post_form(client, f"/nyttig/people/{pid}/incidents",
                  {"kind": "minor", "date": today().isoformat(), "description": "OWN-NOTE-7", "staff_1_id": str(s["other"])})
    assert r.status_code == 303
    page = client.get(f"/nyttig/people/{pid}").text
    assert "OWN-NOTE-7" in page and "SEEMED-AFFECTED-7" not in page and "DEALING-DESC-7" not in page
    assert [(u, c) for u, c, _p in _views(world, pid)] == [(s["other"], "conduct")]


# --- two-factor, derived at the point of disclosure --------------------------------------


def _require_totp(world: Any) -> None:
    from core.builtin.privacy import SETTINGS
    from core.services.settings import set_setting

    with world.db(world.b) as db:
        set_setting(db, world.b.org.id, next(d for d in SETTINGS if d.key == "privacy.require_totp"), True)


def test_the_assessment_form_needs_the_second_factor_where_the_organization_requires_it(world, client) -> None:
    s = _setup(world)
    _require_totp(world)
    login(client, world.b.users["social_worker"])
    r = post_form(client, f"/nyttig/people/{s['pid']}/assessment")
    assert r.status_code == 303 and r.headers["location"].startswith("/account/totp")
    assert "HEMMELIG-7" not in r.text
    api = client.post(f"/api/v1/nyttig/people/{s['pid']}/assessment/show", headers=bearer(api_token(world, world.b, "social_worker")))
    assert api.status_code == 403 and "HEMMELIG-7" not in api.text
    assert "two-factor" in api.json()["detail"] or "tofaktor" in api.json()["detail"]
    assert _views(world, s["pid"]) == []


def test_any_page_that_would_show_a_special_value_needs_the_second_factor(world, client) -> None:
    s = _setup(world)
    _require_totp(world)
    login(client, world.b.users["work_leader"])  # the contact person: allowed, but without the code
    for url in (f"/nyttig/people/{s['pid']}", f"/nyttig/timesheets?week={dt.date.fromordinal(s['monday']).isoformat()}"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/account/totp"), url
    api = client.get(f"/api/v1/nyttig/people/{s['pid']}", headers=bearer(api_token(world, world.b, "work_leader")))
    assert api.status_code == 403
    assert _views(world, s["pid"]) == []


# --- hard to bypass -----------------------------------------------------------------------


def test_a_plugin_template_cannot_read_a_special_column_directly(app) -> None:
    import pytest

    from core.web.templating import SpecialValueInTemplate

    env = app.state["ctx"].jinja
    row = Incident(participant_id=1, kind="sent_home", description="SEEMED-AFFECTED-7", breach="")
    for source in ("{{ i.description }}", "{{ i['kind'] }}", "{% if i.kind == 'sent_home' %}x{% endif %}"):
        with pytest.raises(SpecialValueInTemplate):
            env.from_string(source).render(i=row)
    # What is not special stays readable; the value itself only through the gate.
    assert env.from_string("{{ i.on }}").render(i=Incident(on=dt.date(2026, 3, 2))) == "2026-03-02"


def test_no_get_route_of_the_app_shows_a_special_value_to_a_colleague_without_need_to_know(app, world, client) -> None:
    """Every GET route, HTML and API, the core's and the plugins', with the person's id
    wherever a route takes an id: none shows one of the person's special-category values."""
    import re

    from tests.core.test_role_matrix import _routes

    s = _setup(world)
    _login_other(client)
    h = bearer(_token_for(world, s["other"]))
    monday = dt.date.fromordinal(s["monday"]).isoformat()
    leaks = []
    for path, method, _handler in _routes(app):
        if method != "GET":
            continue
        url = re.sub(r"\{[^}:]+:int\}", str(s["pid"]), path)
        url = re.sub(r"\{[^}:]+:date\}", monday, url)
        url = re.sub(r"\{[^}:]+:\w+\}", "x", url)
        r = client.get(url + f"?week={monday}", headers=h if path.startswith("/api/") else None)
        leaks += [f"{url}: {m}" for m in MARKERS if m in r.text]
    assert not leaks
    assert _views(world, s["pid"]) == []


def test_a_token_without_the_sensitive_scope_reads_no_special_value_even_for_a_leader(world, client) -> None:
    """The gate follows the token's scope as the routes do: a read-only integration token of a
    leader gets the person, not their incidents, consents or meeting summaries."""
    from core.services.auth import create_api_token

    s = _setup(world)
    pid = s["pid"]
    with world.db() as db:
        leader = db.get(StaffUser, world.b.users["leader"].id)
        read_only = create_api_token(db, leader, world.b.org.id, "read only", scopes=("read",))
        full = create_api_token(db, leader, world.b.org.id, "full", scopes=("read", "sensitive"))
    body = client.get(f"/api/v1/nyttig/people/{pid}", headers=bearer(read_only))
    assert body.status_code == 200
    for marker in MARKERS:
        assert marker not in body.text
    assert _views(world, pid) == []
    shown = client.get(f"/api/v1/nyttig/people/{pid}", headers=bearer(full))
    assert "MEETING-SUM-7" in shown.text and "DEALING-DESC-7" in shown.text
    assert {c for _u, c, _p in _views(world, pid)} >= {"conduct", "social"}


def test_the_waiting_list_does_not_tell_a_colleague_who_is_in_treatment(world: Any, client: Any) -> None:
    """The waiting list's "why" column is derived from the path's substance-use columns
    (the job is part of a treatment plan, the discharge date): shown through the gate, so a
    work leader who is nobody's contact person sees a neutral priority, not the treatment,
    on the page and in the API; a leader sees it, and that showing is logged."""
    from plugins.nyttig_contract.phases import register_contact

    ids = _setup(world)
    org, leader = world.b.org.id, world.b.users["leader"].id
    discharge = today() + dt.timedelta(days=9)
    with world.db(world.b) as db:
        p = Participant(organization_id=org, first_name="Åsmund")
        db.add(p)
        db.flush()
        path = register_contact(db, org, p, today() - dt.timedelta(days=20), leader)
        path.phase, path.waiting_since = "waiting", today() - dt.timedelta(days=10)
        path.treatment_plan_job, path.discharge_expected_on = True, discharge
        db.commit()
        waiting_pid = p.id
    _login_other(client)
    page = client.get("/nyttig/waiting-list")
    assert page.status_code == 200 and "Åsmund" in page.text
    assert discharge.isoformat() not in page.text
    table = page.text.split("<table", 1)[1]  # above it, the page explains the priorities in general
    for label in ("treatment plan", "behandlingsplan", "Discharged from treatment", "Utskrives fra behandling"):
        assert label not in table
    items = client.get("/api/v1/nyttig/waiting-list", headers=bearer(_token_for(world, ids["other"]))).json()["items"]
    mine = next(i for i in items if i["participant_id"] == waiting_pid)
    assert {f["key"] for f in mine["factors"]} == {"withheld"} and discharge.isoformat() not in str(mine)
    assert not [v for v in _views(world, waiting_pid) if v[0] == ids["other"]]
    items = client.get("/api/v1/nyttig/waiting-list", headers=bearer(_token_for(world, leader))).json()["items"]
    mine = next(i for i in items if i["participant_id"] == waiting_pid)
    assert {f["key"] for f in mine["factors"]} == {"treatment_plan", "discharge_soon"}
    assert (leader, "substance_use", "/api/v1/nyttig/waiting-list") in _views(world, waiting_pid)
