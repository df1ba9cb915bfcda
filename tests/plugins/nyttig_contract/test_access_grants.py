"""Need-to-know relations are granted, not taken, and staff of another organization are
never named: written as a work leader (or a curious colleague elsewhere) would try it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.i18n import today
from core.models import Participant
from plugins.nyttig_contract.models import Incident, Meeting, PathRecord, StartChecklist
from tests.conftest import api_token, bearer, login, post_form

NO_STAFF = ("No such staff member in this organization.", "Ingen slik ansatt i denne organisasjonen.")


def _person_with_assessment(world) -> int:
    with world.db(world.b) as db:
        p = Participant(organization_id=world.b.org.id, first_name="Amir", birth_date=dt.date(1990, 1, 1))
        db.add(p)
        db.flush()
        from plugins.nyttig_contract.interview import record_interview
        from plugins.nyttig_contract.phases import register_contact

        path = register_contact(db, world.b.org.id, p, today(), None)
        path.phase = "interview"
        record_interview(db, path, {"held_on": today().isoformat(), "substance_history": "HEMMELIG-HELSE", "rules": ["hygiene"]}, None)
        path.phase = "job_talk"
        db.commit()
        return p.id


def _contact_persons(world, pid: int) -> tuple[int | None, int | None]:
    with world.db(world.b) as db:
        path = db.scalars(select(PathRecord).where(PathRecord.participant_id == pid)).one()
        return path.contact_person_1_id, path.contact_person_2_id


def _changes(world) -> list[tuple[str, str, int | None, int | None, int | None]]:
    from core.models import AccessChange  # here, so that code without it fails at the assertion, not the import

    with world.db(world.b) as db:
        return [(c.action, c.what, c.actor_id, c.staff_id, c.subject_id) for c in db.scalars(select(AccessChange).order_by(AccessChange.id))]


def test_a_work_leader_cannot_make_themselves_a_contact_person_and_read_the_notes(client, world):
    pid = _person_with_assessment(world)
    me, colleague = world.b.users["work_leader"], world.b.users["social_worker"]
    login(client, me)
    # The page: posting the form with oneself as contact person is refused...
    r = post_form(client, f"/nyttig/people/{pid}/contact-persons", {"contact_person_1_id": str(me.id), "contact_person_2_id": str(colleague.id)})
    assert r.status_code == 403
    assert _contact_persons(world, pid) == (None, None)
    assert post_form(client, f"/nyttig/people/{pid}/assessment").status_code == 403
    # ...and the form is not offered.
    page = client.get(f"/nyttig/people/{pid}").text
    assert f'action="/nyttig/people/{pid}/contact-persons"' not in page
    # The API's start: refused too, and the checklist sent with it is not half-saved.
    h = bearer(api_token(world, world.b, "work_leader"))
    r = client.post(f"/api/v1/nyttig/people/{pid}/start", json={"shoe_size": "44", "contact_person_1_id": me.id}, headers=h)
    assert r.status_code == 403
    assert _contact_persons(world, pid) == (None, None)
    with world.db(world.b) as db:
        assert db.scalars(select(StartChecklist.shoe_size)).first() in (None, "")
    assert client.post(f"/api/v1/nyttig/people/{pid}/assessment/show", headers=h).status_code == 403
    # Recording the job talk without naming contact persons stays a work leader's task.
    assert client.post(f"/api/v1/nyttig/people/{pid}/start", json={"shoe_size": "44"}, headers=h).status_code == 200
    assert _changes(world) == []


def test_a_leader_appoints_contact_persons_and_each_appointment_is_recorded(client, world):
    pid = _person_with_assessment(world)
    leader, wl, sw = world.b.users["leader"], world.b.users["work_leader"], world.b.users["social_worker"]
    login(client, leader)
    r = post_form(client, f"/nyttig/people/{pid}/contact-persons", {"contact_person_1_id": str(wl.id), "contact_person_2_id": str(sw.id)})
    assert r.status_code == 303
    assert _contact_persons(world, pid) == (wl.id, sw.id)
    assert _changes(world) == [("grant", "contact_person", leader.id, wl.id, pid), ("grant", "contact_person", leader.id, sw.id, pid)]
    # Appointed, the work leader now reads the assessment as the person's contact person.
    client.cookies.clear()
    login(client, wl)
    assert "HEMMELIG-HELSE" in post_form(client, f"/nyttig/people/{pid}/assessment").text
    # Replacing one through the API records who lost and who gained access.
    h = bearer(api_token(world, world.b, "leader"))
    r = client.post(f"/api/v1/nyttig/people/{pid}/start", json={"contact_person_1_id": leader.id}, headers=h)
    assert r.status_code == 200, r.text
    assert _contact_persons(world, pid) == (leader.id, sw.id)
    assert _changes(world)[2:] == [("grant", "contact_person", leader.id, leader.id, pid), ("withdraw", "contact_person", leader.id, wl.id, pid)]
    # The leaders' page lists it with both names.
    client.cookies.clear()
    login(client, leader)
    page = client.get("/access-requests").text
    assert wl.full_name in page and leader.full_name in page


def test_staff_of_another_organization_are_never_accepted_or_named(client, world):
    pid = _person_with_assessment(world)
    stranger = world.a.users["leader"]  # a real account, in the other organization
    t = today().isoformat()
    h = bearer(api_token(world, world.b, "leader"))
    login(client, world.b.users["leader"])
    own = world.b.users["work_leader"].id
    for bad in (stranger.id, 999_999):
        # Meetings (API and page)
        r = client.post(f"/api/v1/nyttig/people/{pid}/meetings", json={"kind": "status", "held_on": t, "staff_1_id": bad}, headers=h)
        assert r.status_code == 422 and r.json()["errors"]["staff_1_id"] in NO_STAFF, r.text
        r = post_form(client, f"/nyttig/people/{pid}/meetings", {"kind": "status", "held_on": t, "staff_1_id": own, "staff_2_id": str(bad)})
        assert r.status_code == 400 and any(m in r.text for m in NO_STAFF)
        # Incidents (API and page)
        r = client.post("/api/v1/nyttig/incidents", json={"kind": "sent_home", "date": t, "participant_id": pid, "staff_1_id": own,
                                                          "staff_2_id": bad}, headers=h)
        assert r.status_code == 422 and r.json()["errors"]["staff_2_id"] in NO_STAFF, r.text
        r = post_form(client, f"/nyttig/people/{pid}/incidents", {"kind": "sent_home", "date": t, "staff_1_id": str(bad), "staff_2_id": str(own)})
        assert r.status_code == 400 and any(m in r.text for m in NO_STAFF)
        # Contact persons (a leader, who may appoint: still only their own staff)
        r = post_form(client, f"/nyttig/people/{pid}/contact-persons", {"contact_person_1_id": str(bad)})
        assert r.status_code == 400 and any(m in r.text for m in NO_STAFF)
        r = client.post(f"/api/v1/nyttig/people/{pid}/start", json={"contact_person_2_id": bad}, headers=h)
        assert r.status_code == 422 and r.json()["errors"]["contact_person_2_id"] in NO_STAFF
        # Departments' work leaders
        r = post_form(client, "/nyttig/departments", {"name": "Kafé", "opened_on": "2020-01-01", "places": "4", "work_leader_ids": [str(bad)]})
        assert r.status_code == 400 and any(m in r.text for m in NO_STAFF)
    with world.db(world.b) as db:
        assert db.scalars(select(Meeting)).first() is None and db.scalars(select(Incident)).first() is None
    assert _contact_persons(world, pid) == (None, None)
    # And the stranger's name is nowhere on the person's page.
    assert stranger.full_name not in client.get(f"/nyttig/people/{pid}").text
