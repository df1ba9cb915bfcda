"""Nyttig Arbeid's page and API reach the same action: for every role, the same outcome
(allowed or refused) and the same stored result (issue 14; see tests/parity.py)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import today
from core.models import Customer, Participant, WorkOrder
from plugins.nyttig_contract.models import (
    AssignmentCheck, ContactLog, Consent, Equipment, Incident, Meeting, PathRecord, Screening, StartChecklist, Timesheet,
)
from plugins.nyttig_contract.phases import timeline
from tests.conftest import OrgWorld
from tests.parity import Pair, assert_parity

from .helpers import department, on_path, screened

T = today()
TI = T.isoformat()


def _person(db: Session, org: OrgWorld, *, first: str = "Kari", phase: str | None = None, screen: bool = False) -> dict[str, Any]:
    p, path = on_path(db, org.org.id, org.users["leader"].id, first=first)
    if screen:
        screened(db, path, p, org.users["leader"].id)
    if phase:
        path.phase = phase
    db.flush()
    return {"pid": p.id}


def _path(db: Session, ctx: dict[str, Any]) -> PathRecord:
    return db.scalars(select(PathRecord).where(PathRecord.participant_id == ctx["pid"])).one()


def _names(db: Session, ctx: dict[str, Any]) -> Any:
    return sorted((p.phone, p.birth_date) for p in db.scalars(select(Participant).where(Participant.first_name == ctx["name"])))


_counter = iter(range(10_000))


def _fresh_name(_db: Session, _org: OrgWorld) -> dict[str, Any]:
    return {"name": f"Ny{next(_counter)}"}


def _with_department(db: Session, org: OrgWorld, **kw: Any) -> dict[str, Any]:
    ctx = _person(db, org, **kw)
    ctx["dept"] = department(db, org.org.id, name=f"Avd {ctx['pid']}").id
    return ctx


def _incident(db: Session, org: OrgWorld, kind: str) -> dict[str, Any]:
    ctx = _person(db, org, phase="started")
    inc = Incident(organization_id=org.org.id, participant_id=ctx["pid"], kind=kind, on=T, breach="threats" if kind == "serious" else "",
                   follow_up_due=T if kind == "injury" else None, description="x")
    db.add(inc)
    db.flush()
    return {**ctx, "iid": inc.id}


def _incident_state(db: Session, ctx: dict[str, Any]) -> Any:
    i = db.get(Incident, ctx["iid"])
    return (i.confirmed_by_person_on, i.dismissed_on, i.follow_up_done_on)


def _sheet(db: Session, org: OrgWorld) -> dict[str, Any]:
    ctx = _with_department(db, org, phase="started")
    row = Timesheet(organization_id=org.org.id, participant_id=ctx["pid"], date=T, department_id=ctx["dept"], hours=4)
    db.add(row)
    db.flush()
    return {**ctx, "sid": row.id}


def _order(db: Session, org: OrgWorld) -> dict[str, Any]:
    c = Customer(organization_id=org.org.id, name="Bydel Sagene", kind="district")
    db.add(c)
    db.flush()
    o = WorkOrder(organization_id=org.org.id, title="Rydde bakgård", customer_id=c.id)
    db.add(o)
    db.flush()
    return {"oid": o.id}


def _contact_log(db: Session, ctx: dict[str, Any]) -> Any:
    return [(c.on, c.initiated_by, c.channel, c.reached, c.note) for c in db.scalars(select(ContactLog).where(ContactLog.participant_id == ctx["pid"]))]


PEOPLE = "/api/v1/nyttig/people"
PAIRS = [
    Pair("nyttig.first_contact", org="b", setup=_fresh_name,
         page=lambda c: ("/nyttig/contact", {"first_name": c["name"], "phone": "99887766", "date": TI, "came_via": "self", "channel": "sms"}),
         api=lambda c: (PEOPLE, {"first_name": c["name"], "phone": "99887766", "date": TI, "came_via": "self", "channel": "sms"}),
         stored=_names),
    Pair("nyttig.screening", org="b", setup=lambda db, o: _person(db, o),
         page=lambda c: (f"/nyttig/people/{c['pid']}/screening", {"substance_main_problem": "yes", "nav_program": "no"}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/screening", {"answers": {"substance_main_problem": True, "nav_program": False}}),
         stored=lambda db, c: [(x.stage, x.answers, x.passed) for x in db.scalars(select(Screening).where(Screening.participant_id == c["pid"]))]),
    Pair("nyttig.change_phase", org="b", setup=lambda db, o: _person(db, o, screen=True),
         page=lambda c: (f"/nyttig/people/{c['pid']}/move", {"to_phase": "interview", "date": TI}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/phase", {"step": "move", "to_phase": "interview", "date": TI}),
         stored=lambda db, c: [(x.from_phase, x.to_phase, x.on) for x in timeline(db, c["pid"])]),
    Pair("nyttig.facts", org="b", setup=lambda db, o: _person(db, o, phase="waiting"),
         page=lambda c: (f"/nyttig/people/{c['pid']}/facts", {"treatment_plan_job": "1", "discharge_expected_on": TI}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/facts", {"treatment_plan_job": True, "ready_to_return": False, "paid_worker": False,
                                                       "discharge_expected_on": TI}),
         stored=lambda db, c: (lambda p: (p.treatment_plan_job, p.ready_to_return, p.paid_worker, p.discharge_expected_on))(_path(db, c))),
    Pair("nyttig.log_contact", org="b", setup=lambda db, o: _person(db, o, phase="waiting"),
         page=lambda c: (f"/nyttig/people/{c['pid']}/contacts", {"date": TI, "initiated_by": "staff", "channel": "phone", "note": "Ringte"}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/contacts", {"date": TI, "initiated_by": "staff", "channel": "phone", "reached": False,
                                                          "note": "Ringte"}),
         stored=_contact_log),
    Pair("nyttig.consent", org="b", setup=lambda db, o: _person(db, o, phase="job_talk"),
         page=lambda c: (f"/nyttig/people/{c['pid']}/consent", {"contacts": "NAV", "scope": "Oppmøte", "given_on": TI, "expires_on": TI}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/consent", {"contacts": "NAV", "scope": "Oppmøte", "given_on": TI, "expires_on": TI}),
         stored=lambda db, c: [(x.contacts, x.scope, x.given_on, x.valid_until)
                               for x in db.scalars(select(Consent).where(Consent.participant_id == c["pid"]))]),
    Pair("nyttig.hand_out", org="b", setup=lambda db, o: _person(db, o, phase="started"),
         page=lambda c: (f"/nyttig/people/{c['pid']}/equipment", {"kind": "locker", "label": "12", "handed_out_on": TI}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/equipment", {"kind": "locker", "label": "12", "handed_out_on": TI}),
         stored=lambda db, c: [(x.kind, x.label, x.handed_out_on)
                               for x in db.scalars(select(Equipment).where(Equipment.participant_id == c["pid"]))]),
    Pair("nyttig.meeting", org="b", setup=lambda db, o: _person(db, o, phase="waiting"),
         page=lambda c: (f"/nyttig/people/{c['pid']}/meetings", {"kind": "status", "held_on": TI, "summary": "Greit"}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/meetings", {"kind": "status", "held_on": TI, "summary": "Greit"}),
         stored=lambda db, c: [(x.kind, x.held_on, x.summary)
                               for x in db.scalars(select(Meeting).where(Meeting.participant_id == c["pid"]))]),
    Pair("nyttig.start_checklist", org="b", setup=lambda db, o: _with_department(db, o, phase="job_talk"),
         page=lambda c: (f"/nyttig/people/{c['pid']}/checklist", {"weekly_hours": "8", "day_0_hours": "4", "shoe_size": "41",
                                                                   "department_id": str(c["dept"]), "paid_worker": "1", "job_talk_on": TI}),
         api=lambda c: (f"{PEOPLE}/{c['pid']}/start", {"weekly_hours": "8", "schedule": [{"weekday": 0, "hours": "4"}], "shoe_size": "41",
                                                      "department_id": c["dept"], "paid_worker": True, "job_talk_on": TI}),
         stored=lambda db, c: [(str(x.weekly_hours), [(d["weekday"], d["hours"], d["department_id"] == c["dept"]) for d in x.schedule],
                                x.shoe_size, x.photo_taken, x.job_talk_on)
                               for x in db.scalars(select(StartChecklist).where(StartChecklist.participant_id == c["pid"]))]),
    Pair("nyttig.incident", org="b", setup=lambda db, o: _person(db, o, phase="started"),
         page=lambda c: (f"/nyttig/people/{c['pid']}/incidents", {"kind": "minor", "date": TI, "description": "Kranglet"}),
         api=lambda c: ("/api/v1/nyttig/incidents", {"kind": "minor", "date": TI, "description": "Kranglet", "participant_id": c["pid"]}),
         stored=lambda db, c: [(x.kind, x.on, x.description)
                               for x in db.scalars(select(Incident).where(Incident.participant_id == c["pid"]))]),
    Pair("nyttig.confirm_breach", org="b", setup=lambda db, o: _incident(db, o, "serious"),
         page=lambda c: (f"/nyttig/incidents/{c['iid']}/confirm", {}), api=lambda c: (f"/api/v1/nyttig/incidents/{c['iid']}/confirm", {}),
         stored=_incident_state),
    Pair("nyttig.follow_up", org="b", setup=lambda db, o: _incident(db, o, "injury"),
         page=lambda c: (f"/nyttig/incidents/{c['iid']}/follow-up", {}),
         api=lambda c: (f"/api/v1/nyttig/incidents/{c['iid']}/follow-up", {}), stored=_incident_state),
    Pair("nyttig.record_hours", org="b", setup=lambda db, o: _with_department(db, o, phase="started"),
         page=lambda c: ("/nyttig/timesheets", {"what": "hours", "participant_id": str(c["pid"]), "date": TI, "department_id": str(c["dept"]),
                                                "hours": "4,5"}),
         api=lambda c: ("/api/v1/nyttig/timesheets", {"participant_id": c["pid"], "date": TI, "department_id": c["dept"], "hours": "4.5"}),
         stored=lambda db, c: [(x.date, str(x.hours)) for x in db.scalars(select(Timesheet).where(Timesheet.participant_id == c["pid"]))]),
    Pair("nyttig.approve_week", org="b", setup=_sheet,
         page=lambda c: ("/nyttig/timesheets/approve", {"week": TI, "department_id": str(c["dept"])}),
         api=lambda c: ("/api/v1/nyttig/timesheets/approve", {"week": TI, "department_id": c["dept"]}),
         stored=lambda db, c: db.get(Timesheet, c["sid"]).approved_at is not None),
    Pair("nyttig.decide_assignment", org="b", setup=_order,
         page=lambda c: (f"/nyttig/assignments/{c['oid']}", {"someone_else_would_do_it": "no", "someone_would_pay": "yes",
                                                             "decision": "accepted", "reason": "Ekte arbeid"}),
         api=lambda c: (f"/api/v1/nyttig/assignments/{c['oid']}", {"someone_else_would_do_it": False, "someone_would_pay": True,
                                                                   "decision": "accepted", "reason": "Ekte arbeid"}),
         stored=lambda db, c: (db.get(WorkOrder, c["oid"]).status, [(x.someone_else_would_do_it, x.someone_would_pay) for x in
                                                                     db.scalars(select(AssignmentCheck).where(AssignmentCheck.work_order_id == c["oid"]))])),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.action)
def test_page_and_api_agree(pair: Pair, app: Any, world: Any) -> None:
    assert_parity(pair, app, world)


def test_a_bad_week_is_refused_on_the_page_and_in_the_api(client: Any, world: Any) -> None:
    """The page used to approve this week instead of a week it could not read."""
    from tests.conftest import api_token, bearer, login, post_form

    with world.db(world.b) as db:
        ctx = _sheet(db, world.b)
        db.commit()
    login(client, world.b.users["leader"])
    assert post_form(client, "/nyttig/timesheets/approve", {"week": "2026-13-45"}).status_code == 400
    r = client.post("/api/v1/nyttig/timesheets/approve", json={"week": "2026-13-45"}, headers=bearer(api_token(world, world.b, "leader")))
    assert r.status_code == 400
    with world.db(world.b) as db:
        assert db.get(Timesheet, ctx["sid"]).approved_at is None


@pytest.mark.parametrize("hours", ["NaN", "Infinity", "-1", "17"])
def test_hours_that_are_no_number_of_hours_are_refused_not_a_500(client: Any, world: Any, hours: str) -> None:
    from tests.conftest import api_token, bearer

    with world.db(world.b) as db:
        ctx = _with_department(db, world.b, phase="started")
        db.commit()
    r = client.post("/api/v1/nyttig/timesheets", json={"participant_id": ctx["pid"], "date": TI, "department_id": ctx["dept"], "hours": hours},
                    headers=bearer(api_token(world, world.b, "leader")))
    assert r.status_code == 422 and "hours" in r.json()["errors"], r.text


def test_the_department_and_incident_reads_answer_what_the_writes_refer_to(client: Any, world: Any) -> None:
    from tests.conftest import api_token, bearer

    with world.db(world.b) as db:
        ctx = _incident(db, world.b, "injury")
        dept = department(db, world.b.org.id, name="Kampen")
        db.commit()
    h = bearer(api_token(world, world.b, "leader"))
    items = client.get("/api/v1/nyttig/departments", headers=h).json()["items"]
    assert [d["id"] for d in items] == [dept.id] and items[0]["name"] == "Kampen"
    shown = client.get(f"/api/v1/nyttig/incidents?participant_id={ctx['pid']}&open_follow_up=true", headers=h).json()["items"]
    assert [(i["id"], i["description"]) for i in shown] == [(ctx["iid"], "x")]
    assert client.get("/api/v1/nyttig/incidents?open_follow_up=false", headers=h).json()["items"] == []
    # A work leader who is no contact person gets the incident, not what happened (the gate, as on the person's page).
    other = client.get("/api/v1/nyttig/incidents", headers=bearer(api_token(world, world.b, "work_leader"))).json()["items"]
    assert [(i["id"], i["description"], i["kind"]) for i in other] == [(ctx["iid"], None, None)]
