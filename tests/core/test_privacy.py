"""Sensitive data apart: who may see it, the explicit "show", the append-only access log,
consent checks, and the GDPR rights (export, erasure, retention)."""
from __future__ import annotations

import datetime as dt
import json
import types
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.models import (
    AccessLogEntry,
    Attendance,
    Consent,
    FollowUpNote,
    IntakeRecord,
    Participant,
    ProgramDay,
    Shift,
)
from core.plugins import hookimpl
from plugins.dagsverk_lottery.models import WorkProfile
from core.services import privacy as svc
from tests.conftest import TEST_PLUGINS, api_token, bearer, login, post_form

SECRET = "Bruker heroin daglig, LAR-samtale avtalt"


def make_person(world, org=None, **kw) -> int:  # type: ignore[no-untyped-def]
    org = org or world.a
    with world.db(org) as db:
        p = Participant(organization_id=org.org.id, first_name=kw.pop("first_name", "Kari"), last_name="Nordmann", phone="99999999", **kw)
        db.add(p)
        db.commit()
        return p.id


def write_intake(world, pid: int, **values: str) -> None:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        p = db.get(Participant, pid)
        svc.save_intake(db, world.a.users["social_worker"], p, values, "/test", dt.date(2026, 1, 5))


def log_rows(world, pid: int | None = None) -> list[AccessLogEntry]:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        stmt = select(AccessLogEntry).order_by(AccessLogEntry.id)
        if pid is not None:
            stmt = stmt.where(AccessLogEntry.subject_id == pid)
        return list(db.scalars(stmt))


# --- a test plugin that has contact persons ---------------------------------------------------

CONTACTS: set[tuple[int, int]] = set()
LAST_ACTIVITY: dict[int, dt.date] = {}


def _contact_plugin() -> types.ModuleType:
    mod = types.ModuleType("contact_people")

    @hookimpl
    def lavterskel_is_contact_person(staff_user_id: int, participant_id: int) -> bool | None:
        return True if (staff_user_id, participant_id) in CONTACTS else None

    @hookimpl
    def lavterskel_participant_last_activity(participant) -> dt.date | None:  # type: ignore[no-untyped-def]
        return LAST_ACTIVITY.get(participant.id)

    mod.lavterskel_is_contact_person = lavterskel_is_contact_person  # type: ignore[attr-defined]
    mod.lavterskel_participant_last_activity = lavterskel_participant_last_activity  # type: ignore[attr-defined]
    return mod


@pytest.fixture(scope="module")
def app2(app: Litestar) -> Litestar:
    """The app with the contact-person plugin loaded too (same database)."""
    from core.config import load_settings
    from core.web.app import create_app

    return create_app(load_settings(), extra_plugins=[*TEST_PLUGINS, ("contact_people", _contact_plugin())])


@pytest.fixture
def client2(app2: Litestar, world) -> Iterator[TestClient]:  # type: ignore[no-untyped-def, type-arg]
    from core.models import OrganizationPlugin

    CONTACTS.clear()
    LAST_ACTIVITY.clear()
    with world.db() as db:
        db.add(OrganizationPlugin(organization_id=world.a.org.id, plugin="contact_people", enabled=True))
        db.commit()
    with TestClient(app2, base_url="http://testserver.local") as c:
        yield c


# --- who may see sensitive notes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("leader", 200), ("social_worker", 200), ("work_leader", 403), ("admin", 403), ("payroll", 403)]
)
def test_sensitive_page_by_role(world, client, role: str, status: int) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    login(client, world.a.users[role])
    assert client.get(f"/participants/{pid}/sensitive", follow_redirects=False).status_code == status
    r = post_form(client, f"/participants/{pid}/sensitive/show", {"category": "health"})
    assert r.status_code == status


def test_lavterskel_is_contact_person_lets_a_work_leader_see_their_own_people_only(world, client2) -> None:  # type: ignore[no-untyped-def]
    mine, other = make_person(world), make_person(world, first_name="Ola")
    write_intake(world, mine, health=SECRET)
    wl = world.a.users["work_leader"]
    CONTACTS.add((wl.id, mine))
    login(client2, wl)
    r = post_form(client2, f"/participants/{mine}/sensitive/show", {"category": "health"})
    assert r.status_code == 200 and SECRET in r.text
    assert post_form(client2, f"/participants/{other}/sensitive/show", {"category": "health"}).status_code == 403
    # Payroll holds no sensitive.contact: being named a contact person does not open it.
    CONTACTS.add((world.a.users["payroll"].id, mine))
    with TestClient(client2.app, base_url="http://testserver.local") as c:
        login(c, world.a.users["payroll"])
        assert c.get(f"/participants/{mine}/sensitive", follow_redirects=False).status_code == 403


def test_contact_person_hook_is_not_asked_when_the_organization_has_not_enabled_the_plugin(world, client2) -> None:  # type: ignore[no-untyped-def]
    from core.models import OrganizationPlugin

    pid = make_person(world)
    wl = world.a.users["work_leader"]
    CONTACTS.add((wl.id, pid))
    with world.db() as db:
        db.execute(update(OrganizationPlugin).where(OrganizationPlugin.plugin == "contact_people").values(enabled=False))
        db.commit()
    login(client2, wl)
    assert client2.get(f"/participants/{pid}/sensitive", follow_redirects=False).status_code == 403


def test_values_are_shown_only_after_an_explicit_post_and_every_showing_is_logged(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    write_intake(world, pid, health=SECRET, debt="Inkasso 40 000")
    before = len(log_rows(world, pid))
    login(client, world.a.users["social_worker"])
    page = client.get(f"/participants/{pid}/sensitive")
    assert page.status_code == 200 and SECRET not in page.text and "Inkasso" not in page.text
    assert len(log_rows(world, pid)) == before  # looking at the page shows nothing, logs nothing
    r = post_form(client, f"/participants/{pid}/sensitive/show", {"category": "health"})
    assert SECRET in r.text and "Inkasso" not in r.text
    rows = log_rows(world, pid)[before:]
    assert [(e.category, e.action, e.staff_user_id, e.page) for e in rows] == [
        # The route, not the path: the page never names the person (their id is subject_id).
        ("health", "view", world.a.users["social_worker"].id, "/participants/{obj_id}/sensitive/show")
    ]
    assert rows[0].staff_name == world.a.users["social_worker"].full_name
    # The log never holds a value.
    for e in log_rows(world):
        assert SECRET not in f"{e.category}{e.page}{e.staff_name}{e.source}"


def test_intake_notes_are_read_per_category_through_the_gate(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A role given ``data.health`` only (and the notes route's ``sensitive.contact``) reads
    the intake's health note and nothing else of it: each field's category comes from its
    column, as for every plugin's classified value. Before, the core's notes were all or
    nothing behind ``sensitive.view``."""
    from core.contrib import PermissionDef

    ctx = client.app.state["ctx"]
    monkeypatch.setattr(ctx, "permission_defs", [
        *ctx.permission_defs,
        PermissionDef("data.health", "health only", ("payroll",), sensitive=True),
        PermissionDef("sensitive.contact", "the notes route", ("payroll",), sensitive=True),
    ])
    pid = make_person(world)
    write_intake(world, pid, health=SECRET, substance_use="Amfetamin i helgene")
    with world.db(world.a) as db:
        svc.add_follow_up_note(db, world.a.users["social_worker"], db.get(Participant, pid), {"body": "Husleie skyldes"}, "/t", dt.date(2026, 1, 6))
    before = len(log_rows(world, pid))
    login(client, world.a.users["payroll"])
    page = client.get(f"/participants/{pid}/sensitive", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'id="show-substance_use" name="category" value="substance_use" disabled' in page.text
    r = post_form(client, f"/participants/{pid}/sensitive/show", {"category": ["health", "substance_use", "follow_up"]})
    assert r.status_code == 200 and SECRET in r.text
    assert "Amfetamin" not in r.text and "Husleie" not in r.text
    assert [(e.category, e.action) for e in log_rows(world, pid)[before:]] == [("health", "view")]


def test_writing_notes_is_logged_as_a_change(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    login(client, world.a.users["social_worker"])
    assert post_form(client, f"/participants/{pid}/sensitive/notes", {"body": "Møtte NAV-veileder", "category": "general"}).status_code == 303
    assert post_form(client, f"/participants/{pid}/sensitive/intake", {"housing": "Bor hos søster"}).status_code == 303
    assert [(e.category, e.action) for e in log_rows(world, pid)] == [("follow_up", "change"), ("housing", "change")]
    # An empty field leaves what is written; a shown-and-emptied one clears it.
    post_form(client, f"/participants/{pid}/sensitive/intake", {"housing": ""})
    with world.db(world.a) as db:
        assert svc.intake_of(db, pid).housing == "Bor hos søster"  # type: ignore[union-attr]
    post_form(client, f"/participants/{pid}/sensitive/intake", {"housing": "", "replace": "housing"})
    with world.db(world.a) as db:
        assert svc.intake_of(db, pid).housing == ""  # type: ignore[union-attr]


def test_a_note_without_text_is_refused_with_a_translated_message(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    login(client, world.a.users["social_worker"])
    r = post_form(client, f"/participants/{pid}/sensitive/notes", {"body": "   "}, headers={"Accept-Language": "nb"})
    assert r.status_code == 400
    with world.db(world.a) as db:
        assert db.scalar(select(func.count()).select_from(FollowUpNote)) == 0


def test_sensitive_data_never_appears_in_urls_of_pages(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    write_intake(world, pid, health=SECRET)
    login(client, world.a.users["leader"])
    r = post_form(client, f"/participants/{pid}/sensitive/show", {"category": "all"})
    import re

    for url in re.findall(r'(?:href|action|src)="([^"]*)"', r.text):
        assert "heroin" not in url.lower()


# --- the access log ---------------------------------------------------------------------------


def test_log_sensitive_access_is_callable_by_plugins_and_read_by_leaders(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    with world.db(world.a) as db:
        svc.log_sensitive_access(db, world.a.users["work_leader"], pid, "nyttig_assessment", page="/nyttig/x", source="nyttig_contract")
        db.commit()
    login(client, world.a.users["leader"])
    page = client.get("/access-log")
    assert page.status_code == 200
    assert world.a.users["work_leader"].full_name in page.text and "nyttig_assessment" in page.text
    with TestClient(client.app, base_url="http://testserver.local") as sw:
        login(sw, world.a.users["social_worker"])
        assert sw.get("/access-log", follow_redirects=False).status_code == 403
    token = api_token(world, world.a, "leader")
    items = client.get("/api/v1/access-log", headers=bearer(token)).json()["items"]
    assert items[0]["source"] == "nyttig_contract" and items[0]["participant_id"] == pid


def test_access_log_reads_as_words_not_codes_or_route_templates(world, client) -> None:  # type: ignore[no-untyped-def]
    """A leader reading the log sees which kind of data and which page in words: the gate
    stores a category code and a route template, which mean nothing to them."""
    pid = make_person(world)
    with world.db(world.a) as db:
        svc.log_sensitive_access(db, world.a.users["work_leader"], pid, "conduct", page="/participants/{obj_id}/sensitive")
        svc.log_sensitive_access(db, world.a.users["work_leader"], pid, "social", page="/api/v1/participants/{obj_id}")
        db.commit()
    login(client, world.a.users["leader"])
    post_form(client, "/language", {"locale": "en", "next": "/access-log"})
    text = " ".join(client.get("/access-log").text.split())
    assert ">conduct<" not in text and ">social<" not in text
    assert "Incidents and conduct" in text and "Confidential circumstances" in text
    assert ">/participants/{obj_id}/sensitive<" not in text and "{obj_id}</" not in text
    assert "Participants: one person&#39;s page" in text or "Participants: one person's page" in text
    assert "(JSON API)" in text


def test_log_sensitive_access_takes_a_staff_user_id_too(world) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    wl = world.a.users["work_leader"]
    with world.db() as db:
        entry = svc.log_sensitive_access(db, wl.id, pid, "nyttig_assessment", organization_id=world.a.org.id, source="nyttig_contract")
        db.commit()
        assert (entry.staff_user_id, entry.staff_name) == (wl.id, wl.full_name)
    with world.db(world.a) as db, pytest.raises(ValueError):
        svc.log_sensitive_access(db, 999_999, pid, "health")


def test_log_needs_an_organization(world) -> None:  # type: ignore[no-untyped-def]
    with world.db() as db, pytest.raises(ValueError):
        svc.log_sensitive_access(db, None, None, "health")


def test_the_access_log_has_no_route_that_changes_it(app) -> None:  # type: ignore[no-untyped-def]
    for route in app.routes:
        if "access-log" in route.path:
            assert route.methods <= {"GET", "HEAD", "OPTIONS"}, route.path


def _entry(world, pid: int) -> int:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        e = svc.log_sensitive_access(db, world.a.users["leader"], pid, "health", page="/x")
        db.commit()
        return e.id


@pytest.mark.parametrize(
    "change",
    [
        {"category": "nothing"},
        {"staff_name": "someone else"},
        {"at": dt.datetime(2000, 1, 1)},
        {"subject_id": None, "page": "/elsewhere"},
    ],
)
def test_the_database_refuses_to_edit_the_access_log(world, change: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    eid = _entry(world, make_person(world))
    with world.db() as db, pytest.raises((DBAPIError, IntegrityError)):
        db.execute(update(AccessLogEntry).where(AccessLogEntry.id == eid).values(**change))
        db.commit()


def test_the_database_refuses_to_delete_from_the_access_log(world) -> None:  # type: ignore[no-untyped-def]
    eid = _entry(world, make_person(world))
    with world.db() as db, pytest.raises((DBAPIError, IntegrityError)):
        db.execute(delete(AccessLogEntry).where(AccessLogEntry.id == eid))
        db.commit()
    with world.db() as db, pytest.raises((DBAPIError, IntegrityError)):
        db.execute(text("DELETE FROM access_log_entry"))
        db.commit()
    assert len(log_rows(world)) == 1


def test_the_only_edit_allowed_is_clearing_the_subject_and_deleting_needs_a_permit(world) -> None:  # type: ignore[no-untyped-def]
    eid = _entry(world, make_person(world))
    with world.db() as db:
        db.execute(update(AccessLogEntry).where(AccessLogEntry.id == eid).values(subject_id=None))
        db.commit()
    assert log_rows(world)[0].subject_id is None
    with world.db() as db:
        with svc.purge_permit(db, "log retention"):
            db.execute(delete(AccessLogEntry).where(AccessLogEntry.id == eid))
        db.commit()
    assert log_rows(world) == []
    # The permit does not outlive its block.
    _entry(world, make_person(world))
    with world.db() as db, pytest.raises((DBAPIError, IntegrityError)):
        db.execute(delete(AccessLogEntry))
        db.commit()


def test_printable_copy_of_who_looked_at_a_persons_data(world, client) -> None:  # type: ignore[no-untyped-def]
    pid, other = make_person(world), make_person(world, first_name="Ola")
    write_intake(world, pid, health=SECRET)
    login(client, world.a.users["social_worker"])
    post_form(client, f"/participants/{pid}/sensitive/show", {"category": ["health", "debt"]})
    post_form(client, f"/participants/{other}/sensitive/show", {"category": "justice"})
    with TestClient(client.app, base_url="http://testserver.local") as leader:
        login(leader, world.a.users["leader"])
        r = leader.get(f"/participants/{pid}/access-log", headers={"Accept-Language": "en"})
    assert r.status_code == 200
    assert world.a.users["social_worker"].full_name in r.text
    assert "Health" in r.text and "Debt and economy" in r.text
    assert "Police, courts and prison" not in r.text  # another person's entry
    assert SECRET not in r.text
    assert log_rows(world, pid)[-1].action == "print"


# --- consent ------------------------------------------------------------------------------------


def _consent(world, pid: int, **kw) -> int:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        c = Consent(organization_id=world.a.org.id, participant_id=pid, party=kw.pop("party", "NAV Lerkendal"), scope="Økonomi", **kw)
        db.add(c)
        db.commit()
        return c.id


@pytest.mark.parametrize(
    ("consent", "reason"),
    [
        (None, "none"),
        ({"given_on": dt.date(2025, 1, 1), "expires_on": dt.date(2025, 12, 31)}, "expired"),
        ({"given_on": dt.date(2025, 1, 1), "withdrawn_on": dt.date(2026, 1, 10)}, "withdrawn"),
        ({"given_on": dt.date(2026, 3, 1)}, "not_yet"),
        ({"given_on": dt.date(2025, 1, 1), "expires_on": dt.date(2026, 12, 31)}, ""),
    ],
)
def test_consent_check_gives_the_reason(world, consent, reason: str) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    if consent:
        _consent(world, pid, **consent)
    with world.db(world.a) as db:
        check = svc.check_consent(db, pid, "  nav   LERKENDAL ", dt.date(2026, 2, 1))
    assert check.reason == reason
    assert bool(check.message()) == bool(reason)


def test_recording_a_contact_without_consent_warns_and_stores_nothing_until_confirmed(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    _consent(world, pid, given_on=dt.date(2024, 1, 1), expires_on=dt.date(2024, 12, 31))
    login(client, world.a.users["social_worker"])
    data = {"party": "NAV Lerkendal", "contacted_on": "2026-02-01", "purpose": "Søknad"}
    r = post_form(client, f"/participants/{pid}/contacts", data, headers={"Accept-Language": "en"})
    assert r.status_code == 409
    assert "expired on 2024-12-31" in r.text
    with world.db(world.a) as db:
        assert svc.contacts_of(db, pid) == []
    assert post_form(client, f"/participants/{pid}/contacts", {**data, "confirm": "1"}).status_code == 303
    with world.db(world.a) as db:
        (contact,) = svc.contacts_of(db, pid)
        assert contact.without_consent_reason == "expired" and contact.consent_id is None


def test_consents_can_be_given_and_withdrawn_and_cover_contacts(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    login(client, world.a.users["social_worker"])
    r = post_form(client, f"/participants/{pid}/consents", {"party": "Fastlege", "scope": "Helse", "given_on": "2026-01-01"})
    assert r.status_code == 303
    with world.db(world.a) as db:
        (consent,) = svc.consents_of(db, pid)
    ok = post_form(client, f"/participants/{pid}/contacts", {"party": "fastlege", "contacted_on": "2026-01-02"})
    assert ok.status_code == 303
    assert post_form(client, f"/participants/{pid}/consents/{consent.id}/withdraw").status_code == 303
    with world.db(world.a) as db:
        assert svc.consents_of(db, pid)[0].withdrawn_on is not None
        assert svc.check_consent(db, pid, "Fastlege", dt.date(2100, 1, 1)).reason == "withdrawn"
    bad = post_form(client, f"/participants/{pid}/consents", {"party": "X", "scope": "Y", "given_on": "2026-02-01", "expires_on": "2026-01-01"})
    assert bad.status_code == 400


def test_contact_api_answers_409_with_the_reason(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    token = bearer(api_token(world, world.a, "social_worker"))
    r = client.post(f"/api/v1/participants/{pid}/contacts", json={"party": "Barnevernet", "contacted_on": "2026-02-01"}, headers=token)
    assert r.status_code == 409 and r.json()["warning"]["reason"] == "none"
    c = client.post(f"/api/v1/participants/{pid}/consents", json={"party": "Barnevernet", "scope": "Samvær", "given_on": "2026-01-01"}, headers=token)
    assert c.status_code == 201
    r = client.post(f"/api/v1/participants/{pid}/contacts", json={"party": "Barnevernet", "contacted_on": "2026-02-01"}, headers=token)
    assert r.status_code == 201 and r.json()["consent_id"] == c.json()["id"]
    assert client.get(f"/api/v1/participants/{pid}/consents", headers=bearer(api_token(world, world.a, "payroll"))).status_code == 403


# --- GDPR: export, erasure, retention ---------------------------------------------------------


def _history(world, pid: int) -> None:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        day = ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=dt.date(2026, 1, 5))
        db.add(day)
        db.flush()
        db.add(Attendance(organization_id=world.a.org.id, day_id=day.id, participant_id=pid))
        db.add(Shift(organization_id=world.a.org.id, day_id=day.id, participant_id=pid, outcome="worked"))
        db.commit()
    write_intake(world, pid, health=SECRET)
    with world.db(world.a) as db:
        svc.add_follow_up_note(db, world.a.users["social_worker"], db.get(Participant, pid), {"body": "Oppfølging"}, "/t", dt.date(2026, 1, 6))
    _consent(world, pid, given_on=dt.date(2026, 1, 1))
    with world.db(world.a) as db:
        # A plugin's own table, which the export and erasure reach through its classification.
        db.add(WorkProfile(organization_id=world.a.org.id, participant_id=pid, preferences=["firewood"], limits=["no_ladders"]))
        db.commit()


def test_export_holds_the_cores_and_the_enabled_plugins_classified_rows_and_is_logged(world, client2) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world)
    _history(world, pid)
    login(client2, world.a.users["social_worker"])
    page = client2.get(f"/participants/{pid}/export")
    assert page.status_code == 200 and SECRET not in page.text
    r = post_form(client2, f"/participants/{pid}/export", {"format": "json"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = json.loads(r.text)
    tables = data["tables"]
    assert tables["participant"]["rows"][0]["phone"] == "99999999"
    assert tables["intake_record"]["rows"][0]["health"] == SECRET
    assert [n["body"] for n in tables["follow_up_note"]["rows"]] == ["Oppfølging"]
    assert tables["consent"]["rows"][0]["party"] == "NAV Lerkendal"
    assert data["attendance"] == [{"date": "2026-01-05", "outcome": "worked", "hours": None}]
    assert tables["dagsverk_lottery_profile"]["rows"][0]["limits"] == '["no_ladders"]'  # a stored list, as its JSON text
    assert tables["dagsverk_lottery_profile"]["owner"] == "dagsverk_lottery"
    assert tables["intake_record"]["categories"]["health"] == "health"
    assert log_rows(world, pid)[-1].action == "export"
    html = post_form(client2, f"/participants/{pid}/export", {"format": "html"})
    assert SECRET in html.text and "no_ladders" in html.text


def test_erasure_anonymizes_the_core_and_the_plugins_but_keeps_pay_and_counts(world, client2) -> None:  # type: ignore[no-untyped-def]
    pid = make_person(world, birth_date=dt.date(1980, 5, 17))
    _history(world, pid)
    login(client2, world.a.users["social_worker"])
    post_form(client2, f"/participants/{pid}/sensitive/show", {"category": "health"})
    assert client2.get(f"/participants/{pid}/erase", follow_redirects=False).status_code == 403  # leaders only
    with TestClient(client2.app, base_url="http://testserver.local") as leader:
        login(leader, world.a.users["leader"])
        assert post_form(leader, f"/participants/{pid}/erase", {}).status_code == 400  # not confirmed
        r = post_form(leader, f"/participants/{pid}/erase", {"confirm": "1"})
        assert r.status_code == 200
    with world.db(world.a) as db:
        p = db.get(Participant, pid)
        assert p is not None and "Kari" not in p.display_name and p.phone == "" and not p.active
        assert p.birth_date == dt.date(1980, 7, 1)
        assert db.scalar(select(func.count()).select_from(IntakeRecord)) == 0
        assert db.scalar(select(func.count()).select_from(FollowUpNote)) == 0
        assert db.scalar(select(func.count()).select_from(Consent)) == 0
        assert db.scalar(select(func.count()).select_from(WorkProfile)) == 0
        # Kept: the shift pay rests on, and the person still counts.
        assert db.scalar(select(func.count()).select_from(Shift).where(Shift.participant_id == pid)) == 1
        assert db.scalar(select(func.count()).select_from(Participant)) == 1
        # The log keeps every entry, but no longer points at the person.
        entries = list(db.scalars(select(AccessLogEntry)))
        assert entries and all(e.subject_id is None for e in entries)
        assert entries[-1].action == "erase"
        assert svc.is_erased(db, pid)


def test_lavterskel_participant_last_activity_and_the_retention_dry_run(world, client2, app2) -> None:  # type: ignore[no-untyped-def]
    from core.builtin.privacy import privacy as privacy_cli

    old = make_person(world, first_name="Gammel", first_seen_on=dt.date(2015, 1, 1))
    kept_by_plugin = make_person(world, first_name="Aktiv", first_seen_on=dt.date(2015, 1, 1))
    recent = make_person(world, first_name="Ny", first_seen_on=dt.date(2025, 6, 1))
    with world.db(world.a) as db:
        db.execute(update(Participant).values(created_at=dt.datetime(2015, 1, 1)))
        db.commit()
    LAST_ACTIVITY[kept_by_plugin] = dt.date(2024, 1, 1)
    with world.db(world.a) as db:
        from core.models import Organization

        org = db.get(Organization, world.a.org.id)
        found = svc.retention_candidates(db, app2.state["ctx"].plugins, org, 5, dt.date(2026, 6, 1))
    assert [c.participant_id for c in found] == [old]
    assert recent not in [c.participant_id for c in found]
    # The command line: a dry run lists them and changes nothing.
    runner = CliRunner()
    out = runner.invoke(privacy_cli, ["retention", "--organization", "alpha", "--today", "2026-06-01"])
    assert out.exit_code == 0, out.output
    assert f"#{old}" in out.output and "Gammel" in out.output and "dry run" in out.output
    with world.db(world.a) as db:
        assert not svc.is_erased(db, old)
    out = runner.invoke(privacy_cli, ["retention", "--organization", "alpha", "--today", "2026-06-01", "--apply"])
    assert out.exit_code == 0, out.output
    with world.db(world.a) as db:
        assert svc.is_erased(db, old)
        assert not svc.is_erased(db, recent)


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("leader", {"sensitive", "consents", "access-log", "export", "erase"}),
        ("social_worker", {"sensitive", "consents", "export"}),
        ("work_leader", {"sensitive"}),
        ("admin", set()),
    ],
)
def test_the_participant_page_links_only_to_what_the_role_may_open(world, client, role: str, links: set[str]) -> None:  # type: ignore[no-untyped-def]
    import re

    pid = make_person(world)
    write_intake(world, pid, health=SECRET)
    login(client, world.a.users[role])
    page = client.get(f"/participants/{pid}")
    assert page.status_code == 200
    found = set(re.findall(rf'href="/participants/{pid}/([a-z-]+)"', page.text)) - {"edit"}
    assert found == links
    assert SECRET not in page.text


def test_another_organizations_person_is_not_found_on_the_privacy_pages(world, client) -> None:  # type: ignore[no-untyped-def]
    theirs = make_person(world, org=world.b)
    login(client, world.a.users["leader"])
    for path in ("sensitive", "consents", "access-log", "export", "erase"):
        assert client.get(f"/participants/{theirs}/{path}", follow_redirects=False).status_code == 404, path
    assert post_form(client, f"/participants/{theirs}/sensitive/show", {"category": "all"}).status_code == 404
    assert post_form(client, f"/participants/{theirs}/erase", {"confirm": "1"}).status_code == 404
