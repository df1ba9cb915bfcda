"""The path through the pages and the JSON API: forms, sensitive data behind a logged POST,
timesheets to pay, incidents, assignments and the dashboard."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from core.contrib import PayableWork
from core.i18n import today
from core.models import Customer, Organization, Participant, WorkOrder
from plugins.nyttig_contract.hooks import lavterskel_payable_work
from core.models import AccessLogEntry
from plugins.nyttig_contract.models import Assessment, Incident, PathRecord, Timesheet
from tests.conftest import api_token, bearer, login, post_form

from .helpers import department


def _pid(response) -> int:
    return int(re.search(r"/nyttig/people/(\d+)", response.headers["location"]).group(1))


def test_a_helpers_call_to_a_first_timesheet_through_the_pages(client, world):
    users = world.b.users
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
    login(client, users["leader"])
    t = today()
    r = post_form(client, "/nyttig/contact", {"first_name": "Stine", "last_name": "Berg", "birth_date": "1985-03-02", "date": t.isoformat(),
                                              "came_via": "helper", "helper_name": "Ruskonsulent, Bydel Sagene", "channel": "phone"})
    assert r.status_code == 303
    pid = _pid(r)
    base = f"/nyttig/people/{pid}"
    # Booking the interview before screening is refused, with a message.
    r = post_form(client, f"{base}/move", {"to_phase": "interview", "date": t.isoformat()})
    assert r.status_code == 400 and "error-summary" in r.text
    answers = {"substance_main_problem": "yes", "nav_program": "no", "physically_able": "yes", "wants_change": "yes"}
    assert post_form(client, f"{base}/screening", answers).status_code == 303
    page = client.get(base).text
    assert "Passer" in page or "Fits" in page
    assert post_form(client, f"{base}/move", {"to_phase": "interview", "date": t.isoformat()}).status_code == 303
    assert post_form(client, f"{base}/interview", {"held_on": t.isoformat(), "helper_present": "Ruskonsulent", "life_situation": "Bor alene",
                                                   "substance_history": "HEMMELIG-HISTORIKK", "current_use": "Lite", "rule_hygiene": "1",
                                                   "rule_zero_tolerance": "1", "rule_no_promises": "1"}).status_code == 303
    page = client.get(base).text
    assert "HEMMELIG-HISTORIKK" not in page, "sensitive data only behind the explicit show"
    for step in ("waiting", "status_meeting", "job_talk"):
        assert post_form(client, f"{base}/move", {"to_phase": step, "date": t.isoformat()}).status_code == 303, step
    # The start is refused while the checklist is incomplete.
    r = post_form(client, f"{base}/move", {"to_phase": "started", "date": t.isoformat(), "housing_in_place": "yes", "economy_stable": "yes"})
    assert r.status_code == 400
    wd = t.weekday()
    assert post_form(client, f"{base}/checklist", {"weekly_hours": "8", f"day_{wd}_hours": "4", f"day_{(wd + 2) % 7}_hours": "4",
                                                   "shoe_size": "39", "photo_taken": "1", "department_id": str(dept.id), "paid_worker": "1",
                                                   "job_talk_on": t.isoformat()}).status_code == 303
    assert post_form(client, f"{base}/contact-persons", {"contact_person_1_id": str(users["work_leader"].id),
                                                         "contact_person_2_id": str(users["social_worker"].id)}).status_code == 303
    assert post_form(client, f"{base}/consent", {"contacts": "Ruskonsulent", "scope": "Oppmøte", "given_on": t.isoformat()}).status_code == 303
    for kind in ("contract", "confidentiality"):
        assert post_form(client, f"{base}/documents/{kind}", {"provider": "paper", "signed_on": t.isoformat()}).status_code == 303
    r = post_form(client, f"{base}/move", {"to_phase": "started", "date": t.isoformat(), "housing_in_place": "yes", "economy_stable": "yes"})
    assert r.status_code == 303, r.text[:3000]
    for kind, label in (("id_card", ""), ("locker", "12"), ("uniform", "L"), ("key", "K-3")):
        assert post_form(client, f"{base}/equipment", {"kind": kind, "label": label, "handed_out_on": t.isoformat()}).status_code == 303
    card = client.get(f"{base}/card")
    assert card.status_code == 200 and "<svg" in card.text and "Stine" in card.text
    # The first timesheet, approved, becomes payable work.
    assert post_form(client, "/nyttig/timesheets", {"participant_id": str(pid), "date": t.isoformat(), "what": "hours",
                                                    "department_id": str(dept.id), "hours": "4"}).status_code == 303
    week = client.get(f"/nyttig/timesheets?week={t.isoformat()}").text
    assert "Stine" in week
    assert post_form(client, "/nyttig/timesheets/approve", {"week": t.isoformat()}).status_code == 303
    with world.db(world.b) as db:
        org = db.get(Organization, world.b.org.id)
        work = lavterskel_payable_work(db, t, t)
        sheet = db.scalars(select(Timesheet).where(Timesheet.participant_id == pid)).one()
        path = db.scalars(select(PathRecord).where(PathRecord.participant_id == pid)).one()
    assert work == [PayableWork(participant_id=pid, date=t, kind="hours", source=f"nyttig_timesheet:{sheet.id}", hours=sheet.hours)]
    assert path.phase == "started" and org is not None
    # Sent home: two staff, no consequence, welcome back.
    r = post_form(client, f"{base}/incidents", {"kind": "sent_home", "date": t.isoformat(), "staff_1_id": str(users["work_leader"].id),
                                                "staff_2_id": str(users["work_leader"].id)})
    assert r.status_code == 400, "two different staff must be present"
    r = post_form(client, f"{base}/incidents", {"kind": "sent_home", "date": t.isoformat(), "staff_1_id": str(users["work_leader"].id),
                                                "staff_2_id": str(users["leader"].id)})
    assert r.status_code == 303
    page = client.get(base).text
    assert "welcome" in page.lower() or "velkommen" in page.lower()
    with world.db(world.b) as db:
        assert db.scalars(select(PathRecord).where(PathRecord.participant_id == pid)).one().phase == "started"


def _interviewed(world):
    with world.db(world.b) as db:
        p = Participant(organization_id=world.b.org.id, first_name="Amir", birth_date=dt.date(1990, 1, 1))
        db.add(p)
        db.flush()
        from plugins.nyttig_contract.interview import record_interview
        from plugins.nyttig_contract.phases import register_contact

        path = register_contact(db, world.b.org.id, p, today(), None)
        path.phase = "interview"
        record_interview(db, path, {"held_on": today().isoformat(), "substance_history": "HEMMELIG", "rules": ["hygiene"]}, None)
        path.contact_person_1_id = world.b.users["work_leader"].id
        db.commit()
        return p.id


def test_assessment_is_shown_only_after_a_post_to_allowed_staff_and_every_view_is_logged(client, world):
    pid = _interviewed(world)
    login(client, world.b.users["social_worker"])
    assert "HEMMELIG" not in client.get(f"/nyttig/people/{pid}").text
    assert client.get(f"/nyttig/people/{pid}/assessment").status_code in (404, 405)
    r = post_form(client, f"/nyttig/people/{pid}/assessment")
    assert r.status_code == 201 or r.status_code == 200
    assert "HEMMELIG" in r.text

    def viewers():
        # Who has looked at the person's special-category data (the form's answers are
        # logged under the categories their columns declare).
        with world.db(world.b) as db:
            return {x.staff_user_id for x in db.scalars(
                select(AccessLogEntry).where(AccessLogEntry.action == "view", AccessLogEntry.subject_id == pid))}
    assert viewers() == {world.b.users["social_worker"].id}
    # A contact person may look; an admin who is not may not, and nothing is logged for them.
    client.cookies.clear()
    login(client, world.b.users["work_leader"])
    assert "HEMMELIG" in post_form(client, f"/nyttig/people/{pid}/assessment").text
    client.cookies.clear()
    login(client, world.b.users["admin"])
    assert post_form(client, f"/nyttig/people/{pid}/assessment").status_code == 403
    assert viewers() == {world.b.users["social_worker"].id, world.b.users["work_leader"].id}


def test_api_walks_the_path_and_shows_sensitive_data_only_on_post(client, world):
    token = api_token(world, world.b, "leader")
    h = bearer(token)
    t = today().isoformat()
    r = client.post("/api/v1/nyttig/people", json={"first_name": "Ida", "born_on": "1988-01-01", "date": t, "came_via": "self", "channel": "phone"}, headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["participant_id"]
    r = client.post(f"/api/v1/nyttig/people/{pid}/phase", json={"step": "move", "to_phase": "interview", "date": t}, headers=h)
    assert r.status_code == 422 and "__all__" in r.json()["errors"]
    r = client.post(f"/api/v1/nyttig/people/{pid}/screening", json={"answers": {"substance_main_problem": True, "nav_program": False,
                                                                              "physically_able": True, "wants_change": True}}, headers=h)
    assert r.status_code == 201 and r.json()["passed"] is True
    assert client.post(f"/api/v1/nyttig/people/{pid}/phase", json={"step": "move", "to_phase": "interview", "date": t}, headers=h).status_code == 200
    r = client.post(f"/api/v1/nyttig/people/{pid}/interview", json={"held_on": t, "current_use": "API-HEMMELIG", "rules": ["rested"]}, headers=h)
    assert r.status_code == 201
    assert "API-HEMMELIG" not in client.get(f"/api/v1/nyttig/people/{pid}", headers=h).text
    shown = client.post(f"/api/v1/nyttig/people/{pid}/assessment/show", headers=h)
    assert shown.status_code == 200 and shown.json()["items"][0]["current_use"] == "API-HEMMELIG"
    assert client.post(f"/api/v1/nyttig/people/{pid}/phase", json={"step": "move", "to_phase": "waiting", "date": t}, headers=h).status_code == 200
    client.post(f"/api/v1/nyttig/people/{pid}/facts", json={"treatment_plan_job": True}, headers=h)
    client.post(f"/api/v1/nyttig/people/{pid}/contacts", json={"date": t, "initiated_by": "person", "channel": "sms"}, headers=h)
    items = client.get("/api/v1/nyttig/waiting-list", headers=h).json()["items"]
    assert items[0]["participant_id"] == pid and {f["key"] for f in items[0]["factors"]} == {"treatment_plan", "own_initiative"}
    r = client.post(f"/api/v1/nyttig/people/{pid}/phase", json={"step": "relapse", "date": t}, headers=h)
    assert r.json()["phase"] == "waiting" and r.json()["timeline"][-1]["kind"] == "relapse"
    # Bad input is a translated 4xx, never a 500.
    assert client.post(f"/api/v1/nyttig/people/{pid}/phase", json={"step": "fly", "date": t}, headers=h).status_code == 400, "a step outside the enum is malformed input (docs/api.md)"
    assert client.post(f"/api/v1/nyttig/people/{pid}/phase", json=[1], headers=h).status_code in (400, 422)
    # Another organization's token sees nothing.
    other = bearer(api_token(world, world.a, "leader"))
    assert client.get(f"/api/v1/nyttig/people/{pid}", headers=other).status_code == 404


def test_incidents_serious_breach_dismissal_only_after_confirmation_and_injury_follow_up(client, world):
    token = bearer(api_token(world, world.b, "leader"))
    t = today()
    pid = _interviewed(world)
    r = client.post("/api/v1/nyttig/incidents", json={"kind": "serious", "date": t.isoformat(), "participant_id": pid}, headers=token)
    assert r.status_code == 422
    r = client.post("/api/v1/nyttig/incidents", json={"kind": "serious", "breach": "threats", "date": t.isoformat(), "participant_id": pid,
                                                       "description": "Truet en kollega"}, headers=token)
    iid = r.json()["id"]
    assert client.post(f"/api/v1/nyttig/incidents/{iid}/dismiss", headers=token).status_code == 422
    assert client.post(f"/api/v1/nyttig/incidents/{iid}/confirm", headers=token).status_code == 200
    assert client.post(f"/api/v1/nyttig/incidents/{iid}/dismiss", headers=token).json()["dismissed_on"] == t.isoformat()
    with world.db(world.b) as db:
        path = db.scalars(select(PathRecord).where(PathRecord.participant_id == pid)).one()
        assert path.phase == "ended"
    friday = t + dt.timedelta(days=(4 - t.weekday()) % 7)
    r = client.post("/api/v1/nyttig/incidents", json={"kind": "injury", "date": friday.isoformat(), "description": "Kuttet seg på glass"}, headers=token)
    assert r.json()["follow_up_due_on"] == (friday + dt.timedelta(days=3)).isoformat(), "next working day after a Friday is Monday"
    wl = bearer(api_token(world, world.b, "work_leader"))
    assert client.post(f"/api/v1/nyttig/incidents/{r.json()['id']}/follow-up", headers=wl).status_code == 403
    assert client.post(f"/api/v1/nyttig/incidents/{r.json()['id']}/follow-up", headers=token).status_code == 200
    with world.db(world.b) as db:
        assert db.get(Incident, r.json()["id"]).follow_up_done_on == t


def test_assignment_is_accepted_only_after_the_two_questions(client, world):
    with world.db(world.b) as db:
        c = Customer(organization_id=world.b.org.id, name="Bydel Sagene", kind="district")
        db.add(c)
        db.flush()
        o = WorkOrder(organization_id=world.b.org.id, title="Rydde bakgård", customer_id=c.id)
        o2 = WorkOrder(organization_id=world.b.org.id, title="Sortere arkiv", customer_id=c.id)
        db.add_all([o, o2])
        db.commit()
        oid, oid2 = o.id, o2.id
    h = bearer(api_token(world, world.b, "leader"))
    # The core's own status route cannot accept it without the answers.
    r = client.post(f"/api/v1/work-orders/{oid}/status", json={"status": "accepted", "status_reason": "ok"}, headers=h)
    assert r.status_code == 422
    r = client.post(f"/api/v1/nyttig/assignments/{oid}", json={"decision": "accepted", "reason": "Ekte arbeid"}, headers=h)
    assert r.status_code == 422 and set(r.json()["errors"]) == {"someone_else_would_do_it", "someone_would_pay"}
    r = client.post(f"/api/v1/nyttig/assignments/{oid}", json={"someone_else_would_do_it": True, "someone_would_pay": True,
                                                               "decision": "accepted", "reason": "Ekte arbeid"}, headers=h)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    login(client, world.b.users["leader"])
    r = post_form(client, f"/nyttig/assignments/{oid2}", {"someone_else_would_do_it": "no", "someone_would_pay": "no", "decision": "declined",
                                                          "reason": "Ingen ville betalt for dette"})
    assert r.status_code == 303
    with world.db(world.b) as db:
        assert db.get(WorkOrder, oid2).status == "declined" and db.get(WorkOrder, oid2).status_reason == "Ingen ville betalt for dette"
    # In an organization without Nyttig Arbeid the core flow is untouched.
    with world.db(world.a) as db:
        o3 = WorkOrder(organization_id=world.a.org.id, title="Plenklipp")
        db.add(o3)
        db.commit()
        oid3 = o3.id
    ha = bearer(api_token(world, world.a, "leader"))
    assert client.post(f"/api/v1/work-orders/{oid3}/status", json={"status": "accepted", "status_reason": "ok"}, headers=ha).status_code == 200


def test_review_after_start_shows_on_the_contact_persons_dashboard(client, world):
    from plugins.nyttig_contract.models import Meeting, PhaseChange
    from plugins.nyttig_contract.weekly import record_meeting

    with world.db(world.b) as db:
        p = Participant(organization_id=world.b.org.id, first_name="Reviewperson")
        db.add(p)
        db.flush()
        path = PathRecord(organization_id=world.b.org.id, participant_id=p.id, phase="started", phase_since=today() - dt.timedelta(days=16),
                          started_on=today() - dt.timedelta(days=16), ever_started=True,
                          contact_person_1_id=world.b.users["work_leader"].id, contact_person_2_id=world.b.users["social_worker"].id)
        db.add(path)
        db.add(PhaseChange(organization_id=world.b.org.id, participant_id=p.id, to_phase="started", on=path.started_on))
        db.commit()
    login(client, world.b.users["work_leader"])
    assert "Reviewperson" in client.get("/").text
    client.cookies.clear()
    login(client, world.b.users["leader"])
    assert "Reviewperson" not in client.get("/").text.split("Reviews due")[-1].split("</section>")[0]
    with world.db(world.b) as db:
        path = db.scalars(select(PathRecord).where(PathRecord.participant_id == p.id)).one()
        record_meeting(db, path, kind="review", held_on=today(), staff_1_id=world.b.users["work_leader"].id,
                       staff_2_id=world.b.users["social_worker"].id, summary="Går fint")
        assert db.query(Meeting).count() == 1
    client.cookies.clear()
    login(client, world.b.users["work_leader"])
    assert "Reviewperson" not in client.get("/").text
    # The person's core page shows the path timeline through the participant panel hook.
    assert "nyttig/people" in client.get(f"/participants/{p.id}").text


def test_departments_open_and_close_with_days_places_and_work_leaders(client, world):
    login(client, world.b.users["leader"])
    wl = world.b.users["work_leader"].id
    r = post_form(client, "/nyttig/departments", {"name": "Brenneriet kaffebar", "opened_on": "2020-01-01", "opening_days": ["0", "2"],
                                                  "places": "6", "work_leader_ids": [str(wl)]})
    assert r.status_code == 303
    with world.db(world.b) as db:
        from core.models import Department
        from plugins.nyttig_contract.models import DepartmentProfile, DepartmentWorkLeader

        dep = db.scalars(select(Department)).one()
        prof = db.scalars(select(DepartmentProfile)).one()
        assert (prof.opening_days, prof.places) == ("0,2", 6)
        assert [x.user_id for x in db.scalars(select(DepartmentWorkLeader))] == [wl]
    bad = post_form(client, f"/nyttig/departments/{dep.id}", {"name": "Brenneriet kaffebar", "opened_on": "2020-01-01", "closed_on": "2019-01-01"})
    assert bad.status_code == 400
    assert post_form(client, f"/nyttig/departments/{dep.id}", {"name": "Brenneriet kaffebar", "opened_on": "2020-01-01",
                                                               "closed_on": today().isoformat()}).status_code == 303
    with world.db(world.b) as db:
        assert not db.get(Department, dep.id).is_open_on(today())
    client.cookies.clear()
    login(client, world.b.users["work_leader"])
    assert post_form(client, "/nyttig/departments", {"name": "X"}).status_code == 403


def test_a_refused_timesheet_entry_keeps_what_was_typed_and_says_which_field(client, world):
    """Hours that are not a number: the hours form comes back with the error at Hours and the
    typed value and date kept; the absence form beside it stays clean."""
    with world.db(world.b) as db:
        dept = department(db, world.b.org.id)
    login(client, world.b.users["work_leader"])
    day = today() - dt.timedelta(days=7)
    r = post_form(client, "/nyttig/timesheets", {"participant_id": "1", "date": day.isoformat(), "what": "hours",
                                                 "department_id": str(dept.id), "hours": "fire og en halv"})
    assert r.status_code == 400
    hours_form, absence_form = r.text.split('name="what" value="hours"')[1].split('name="what" value="absence"')
    assert re.search(r'<input id="f-ts-h" name="hours" inputmode="decimal" value="fire og en halv" required aria-invalid="true" '
                     r'aria-describedby="err-hours">', hours_form)
    assert 'id="err-hours"' in hours_form
    assert f'id="f-ts-d" name="date" value="{day.isoformat()}"' in hours_form
    assert f'<option value="{dept.id}" selected>' in hours_form
    assert "field-error" not in absence_form and "aria-invalid" not in absence_form


def test_a_refused_facts_change_opens_its_section_with_what_was_sent(client, world):
    """The facts form is folded away; a refused change (a date out of range) opens it, shows the
    error at the date and keeps the boxes and the date as sent (paid work unticked, though stored
    as paid), while nothing is stored."""
    from .helpers import on_path
    with world.db(world.b) as db:
        p, _path = on_path(db, world.b.org.id, world.b.users["leader"].id, first="Åsmund")
        pid = p.id
    login(client, world.b.users["leader"])
    r = post_form(client, f"/nyttig/people/{pid}/facts", {"treatment_plan_job": "1", "discharge_expected_on": "1200-01-01"})
    assert r.status_code == 400
    section = r.text.split('action="/nyttig/people/%d/facts"' % pid)[0].rsplit("<details", 1)[1]
    assert section.startswith(" open>"), "the facts section is open on its error"
    form = r.text.split('action="/nyttig/people/%d/facts"' % pid)[1].split("</form>")[0]
    assert 'name="treatment_plan_job" value="1" checked>' in form
    assert 'name="paid_worker" value="1">' in form and 'name="ready_to_return" value="1">' in form
    assert 'value="1200-01-01"' in form and 'id="err-discharge_expected_on"' in form
    with world.db(world.b) as db:
        stored = db.scalars(select(PathRecord).where(PathRecord.participant_id == pid)).one()
        assert stored.paid_worker and not stored.treatment_plan_job
