"""Nyttig Arbeid in the JSON API (``/api/v1/nyttig/...``): the same services as the pages."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException, PermissionDeniedException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, parse_date, validate
from core.i18n import gettext as _
from core.i18n import today
from core.models import Participant, WorkOrder
from core.services.disclosure import Disclosure
from core.web.handlers import api_get, api_post, disclosure, get_or_404
from plugins.nyttig_contract import labels
from plugins.nyttig_contract.assignments import decide
from plugins.nyttig_contract.eligibility import answers_from, collect_checks, run_screening
from plugins.nyttig_contract.incidents import confirm_breach, dismiss, follow_up_done, record_incident
from plugins.nyttig_contract.incidents import incidents_of
from plugins.nyttig_contract.interview import SENSITIVE_FIELDS, assessments_of, record_interview
from plugins.nyttig_contract.models import Absence, Assessment, Incident, Meeting, PathRecord, Timesheet
from plugins.nyttig_contract.phases import come_back, leave, move, path_of, register_contact, relapse, timeline
from plugins.nyttig_contract.signing import collect_providers
from plugins.nyttig_contract.start import (
    add_consent, checklist_items, consents_of, hand_out, make_start_gate, set_contact_persons, sign_document, update_checklist,
)
from plugins.nyttig_contract.views import path_json
from plugins.nyttig_contract.waiting_list import entry_json, shown_through, waiting_list
from plugins.nyttig_contract.weekly import approve, expected_shifts, log_contact, record_absence, record_hours, record_meeting, week_start

BASE = "/api/v1/nyttig"
VIEW, EDIT, TIME = {"permission": "nyttig.view"}, {"permission": "nyttig.edit"}, {"permission": "nyttig.timesheets"}
TAGS = ["nyttig"]
Req = Request[Any, Any, Any]


def _user(request: Req) -> Any:
    return request.scope["user"]


def _path(db: Session, pid: int) -> PathRecord:
    get_or_404(db, Participant, pid)
    path = path_of(db, pid)
    if path is None:
        raise NotFoundException()
    return path


def _body(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise FormError({"__all__": _("The request body must be an object.")})
    return data


def _checks(request: Req, db: Session) -> list[Any]:
    return collect_checks(request.app.state["ctx"].plugins, _user(request).organization, db)


def _out(request: Req, db: Session, path: PathRecord) -> dict[str, Any]:
    return path_json(path, timeline(db, path.participant_id), disclosure(request).value)


@api_get(f"{BASE}/people", opt=VIEW, name="api.nyttig.people", tags=TAGS)
def people(request: Req, db: Session, phase: str | None = None) -> dict[str, Any]:
    q = select(PathRecord)
    if phase:
        q = q.where(PathRecord.phase == phase)
    return {"items": [path_json(p, [], disclosure(request).value) for p in db.scalars(q.order_by(PathRecord.id))]}


@api_post(f"{BASE}/people", opt=EDIT, name="api.nyttig.contact", tags=TAGS, status_code=201)
def new_contact(request: Req, db: Session, data: dict[str, Any]) -> dict[str, Any]:
    """A first contact: an existing participant (``participant_id``) or a new one."""
    body = _body(data)
    c = validate([Field("participant_id", kind="ref"), Field("first_name", max_length=100), Field("last_name", max_length=100),
                  Field("birth_date", kind="date"), Field("on", kind="date", required=True),
                  Field("came_via", kind="choice", choices=tuple(labels.CAME_VIA), required=True), Field("helper_name", max_length=200),
                  Field("channel", kind="choice", choices=tuple(labels.CHANNELS), default="phone")], body)
    org = _user(request).organization.id
    if c["participant_id"]:
        person = get_or_404(db, Participant, c["participant_id"])
    else:
        if not c["first_name"]:
            raise FormError({"first_name": _("This field is required.")})
        person = Participant(organization_id=org, first_name=c["first_name"], last_name=c["last_name"], birth_date=c["birth_date"])
        db.add(person)
        db.flush()
    path = register_contact(db, org, person, c["on"], _user(request).id, came_via=c["came_via"], helper_name=c["helper_name"])
    log_contact(db, org, person.id, on=c["on"], initiated_by="person" if c["came_via"] == "self" else "helper",
                channel=c["channel"] or "phone", reached=True, note="", by_id=_user(request).id)
    return _out(request, db, path)


@api_get(f"{BASE}/people/{{pid:int}}", opt=VIEW, name="api.nyttig.person", tags=TAGS)
def person(request: Req, db: Session, pid: int) -> dict[str, Any]:
    """The person's path. Special-category values (a relapse's note, consents, meeting
    summaries, incidents, absence reasons) come through the core's gate: ``null`` where the
    requester may not read them, and each category shown is logged once."""
    return _person_json(request, db, pid)


def _person_json(request: Req, db: Session, pid: int) -> dict[str, Any]:
    path = _path(db, pid)
    gate = disclosure(request)
    out = _out(request, db, path)
    out["start_checklist"] = [{"key": i.key, "label": i.label, "done": i.done} for i in checklist_items(db, path, path.started_on or today())]
    out.update(_special_json(db, gate, pid))
    return out


def _special_json(db: Session, gate: Disclosure, pid: int) -> dict[str, Any]:
    v = gate.value
    return {
        "consents": [{"id": c.id, "given_on": c.given_on.isoformat(), "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                      "withdrawn_on": c.withdrawn_on.isoformat() if c.withdrawn_on else None, "contacts": v(c, "contacts"),
                      "scope": v(c, "scope")} for c in consents_of(db, pid)],
        "meetings": [{"id": m.id, "kind": m.kind, "held_on": m.held_on.isoformat(), "staff_ids": [m.staff_1_id, m.staff_2_id],
                      "summary": v(m, "summary")}
                     for m in db.scalars(select(Meeting).where(Meeting.participant_id == pid).order_by(Meeting.held_on.desc(), Meeting.id.desc()))],
        "incidents": [{"id": i.id, "on": i.on.isoformat(), "kind": v(i, "kind"), "breach": v(i, "breach"), "description": v(i, "description")}
                      for i in incidents_of(db, pid)],
        "absences": [_absence(gate, a) for a in db.scalars(select(Absence).where(Absence.participant_id == pid).order_by(Absence.date.desc()))],
    }


def _absence(gate: Disclosure, a: Absence) -> dict[str, Any]:
    return {"id": a.id, "participant_id": a.participant_id, "date": a.date.isoformat(), "reason": gate.value(a, "reason"),
            "note": gate.value(a, "note")}


@api_post(f"{BASE}/people/{{pid:int}}/screening", opt=EDIT, name="api.nyttig.screening", tags=TAGS, status_code=201)
def screening(request: Req, db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    body = _body(data)
    path = _path(db, pid)
    c = validate([Field("planned_start_on", kind="date")], body)
    overrides = body.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise FormError({"overrides": _("Not a valid value.")})
    s = run_screening(db, _checks(request, db), path, db.get(Participant, pid), stage="screening",
                      answers=answers_from(body.get("answers") or {}), on=today(), by_id=_user(request).id,
                      planned_start_on=c["planned_start_on"], overrides={str(k): str(v) for k, v in overrides.items()})
    return {"id": s.id, "passed": s.passed, "results": s.results, "checked_on": s.checked_on.isoformat()}


@api_post(f"{BASE}/people/{{pid:int}}/phase", opt=EDIT, name="api.nyttig.phase", tags=TAGS, status_code=200)
def phase(request: Req, db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    """``action``: ``move`` (with ``to_phase``), ``relapse``, ``leave`` (``to_phase`` onward/retired/ended) or ``return``."""
    body = _body(data)
    path = _path(db, pid)
    c = validate([Field("action", kind="choice", choices=("move", "relapse", "leave", "return"), required=True),
                  Field("to_phase", kind="choice", choices=("", *labels.PHASES)), Field("on", kind="date", required=True),
                  Field("reason", max_length=500), Field("onward", kind="choice", choices=("", *labels.ONWARD))], body)
    uid = _user(request).id
    try:
        if c["action"] == "move":
            gate = None
            if c["to_phase"] == "started":
                answers = answers_from(body.get("answers") or {}, ("housing_in_place", "economy_stable"))
                gate = make_start_gate(_checks(request, db), answers, body.get("overrides") or {}, uid)
            move(db, path, c["to_phase"], c["on"], uid, c["reason"], start_gate=gate)
        elif c["action"] == "relapse":
            relapse(db, path, c["on"], uid, c["reason"])
        elif c["action"] == "leave":
            leave(db, path, c["to_phase"], c["on"], uid, c["reason"], c["onward"])
        else:
            come_back(db, path, c["on"], uid, c["reason"])
    except FormError:
        db.rollback()
        raise
    return _out(request, db, path)


@api_post(f"{BASE}/people/{{pid:int}}/facts", opt=EDIT, name="api.nyttig.facts", tags=TAGS, status_code=200)
def facts(request: Req, db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    path = _path(db, pid)
    c = validate([Field("treatment_plan_job", kind="bool"), Field("ready_to_return", kind="bool"),
                  Field("discharge_expected_on", kind="date"), Field("paid_worker", kind="bool")], _body(data), partial=True)
    for k, v in c.items():
        setattr(path, k, v)
    db.commit()
    return _out(request, db, path)


@api_post(f"{BASE}/people/{{pid:int}}/interview", opt=EDIT, name="api.nyttig.interview", tags=TAGS, status_code=201)
def interview(request: Req, db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    i = record_interview(db, _path(db, pid), _body(data), _user(request).id)
    return {"id": i.id, "held_on": i.held_on.isoformat(), "rules_explained": i.rules_explained}


@api_post(f"{BASE}/people/{{pid:int}}/assessment/show", opt=VIEW, name="api.nyttig.assessment", tags=TAGS, status_code=200)
def assessment(request: Req, db: Session, pid: int) -> dict[str, Any]:
    """The assessment form: a POST (never a URL with data), through the core's gate, which
    decides who may read it (``data.assessment``, or a contact person), asks for the second
    factor where the organization requires it (403 without), and logs the showing."""
    _path(db, pid)
    gate = disclosure(request)
    if not gate.may_read_column(Assessment, "substance_history", pid):
        raise PermissionDeniedException()
    return {"items": [{"id": a.id, "interview_id": a.interview_id, **{f: gate.value(a, f) for f in SENSITIVE_FIELDS}}
                      for a in assessments_of(db, pid)]}


@api_post(f"{BASE}/people/{{pid:int}}/contacts", opt=EDIT, name="api.nyttig.contacts", tags=TAGS, status_code=201)
def contacts(request: Req, db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    _path(db, pid)
    c = validate([Field("on", kind="date", required=True), Field("initiated_by", kind="choice", choices=tuple(labels.INITIATED_BY), required=True),
                  Field("channel", kind="choice", choices=tuple(labels.CHANNELS), required=True), Field("reached", kind="bool", default=True),
                  Field("note", max_length=500)], _body(data))
    row = log_contact(db, _user(request).organization.id, pid, on=c["on"], initiated_by=c["initiated_by"], channel=c["channel"],
                      reached=c["reached"] if "reached" in data else True, note=c["note"], by_id=_user(request).id)
    return {"id": row.id}


@api_post(f"{BASE}/people/{{pid:int}}/start", opt=EDIT, name="api.nyttig.start", tags=TAGS, status_code=200)
def start_checklist(request: Req, db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    """Job talk: hours and days, department, shoe size, photo, paid or not, contact persons."""
    body = _body(data)
    path = _path(db, pid)
    c = validate([Field("weekly_hours", kind="decimal", min_value=0, max_value=40), Field("shoe_size", max_length=10),
                  Field("photo_taken", kind="bool"), Field("department_id", kind="ref"), Field("paid_worker", kind="bool", default=True),
                  Field("job_talk_on", kind="date"), Field("contact_person_1_id", kind="ref"), Field("contact_person_2_id", kind="ref")], body)
    schedule = body.get("schedule") or []
    if not isinstance(schedule, list) or not all(isinstance(x, dict) for x in schedule):
        raise FormError({"schedule": _("Each agreed day needs a weekday and hours.")})
    if "contact_person_1_id" in body or "contact_person_2_id" in body:
        # Only when sent: recording the job talk is a work leader's task, appointing contact
        # persons a leader's, and leaving them out must not read as taking them away.
        # Checked first, stored with the checklist: a refusal leaves nothing half-written.
        first = c["contact_person_1_id"] if "contact_person_1_id" in body else path.contact_person_1_id
        second = c["contact_person_2_id"] if "contact_person_2_id" in body else path.contact_person_2_id
        set_contact_persons(db, path, first, second, by=_user(request), commit=False)
    update_checklist(db, path, weekly_hours=c["weekly_hours"], schedule=schedule, shoe_size=c["shoe_size"], photo_taken=c["photo_taken"],
                     department_id=c["department_id"], paid_worker=c["paid_worker"] if "paid_worker" in body else True, job_talk_on=c["job_talk_on"])
    return _person_json(request, db, pid)


@api_post(f"{BASE}/people/{{pid:int}}/consent", opt=EDIT, name="api.nyttig.consent", tags=TAGS, status_code=201)
def consent(request: Req, db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    path = _path(db, pid)  # the person first: another organization's id is 404, not a form error
    c = validate([Field("contacts", required=True, max_length=500), Field("scope", required=True, max_length=500),
                  Field("given_on", kind="date", required=True), Field("valid_until", kind="date")], _body(data))
    row = add_consent(db, path, contacts=c["contacts"], scope=c["scope"], given_on=c["given_on"], valid_until=c["valid_until"],
                      by_id=_user(request).id)
    return {"id": row.id}


@api_post(f"{BASE}/people/{{pid:int}}/documents/{{kind:str}}", opt=EDIT, name="api.nyttig.sign", tags=TAGS, status_code=200)
def sign(request: Req, db: Session, pid: int, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    body = _body(data)
    provider = collect_providers(request.app.state["ctx"].plugins, _user(request).organization).get(str(body.get("provider") or "paper"))
    if provider is None:
        raise FormError({"provider": _("Not one of the allowed choices.")})
    doc = sign_document(db, _path(db, pid), kind, provider, body, _user(request).id)
    return {"kind": doc.kind, "status": doc.status, "signed_on": doc.signed_on.isoformat() if doc.signed_on else None,
            "provider": doc.provider, "seen_by_id": doc.seen_by_id}


@api_post(f"{BASE}/people/{{pid:int}}/equipment", opt=EDIT, name="api.nyttig.equipment", tags=TAGS, status_code=201)
def equipment(db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    path = _path(db, pid)  # the person first: another organization's id is 404, not a form error
    c = validate([Field("kind", kind="choice", choices=tuple(labels.EQUIPMENT), required=True), Field("label", max_length=100),
                  Field("on", kind="date", required=True)], _body(data))
    row = hand_out(db, path, c["kind"], c["label"], c["on"])
    return {"id": row.id}


@api_post(f"{BASE}/people/{{pid:int}}/meetings", opt=EDIT, name="api.nyttig.meetings", tags=TAGS, status_code=201)
def meetings(db: Session, pid: int, data: dict[str, Any]) -> dict[str, Any]:
    path = _path(db, pid)  # the person first: another organization's id is 404, not a form error
    c = validate([Field("kind", kind="choice", choices=tuple(labels.MEETING_KINDS), required=True), Field("on", kind="date", required=True),
                  Field("staff_1_id", kind="ref"), Field("staff_2_id", kind="ref"), Field("summary", kind="text", max_length=1000)], _body(data))
    row = record_meeting(db, path, kind=c["kind"], held_on=c["on"], staff_1_id=c["staff_1_id"], staff_2_id=c["staff_2_id"],
                         summary=c["summary"])
    return {"id": row.id}


@api_post(f"{BASE}/incidents", opt=EDIT, name="api.nyttig.incidents", tags=TAGS, status_code=201)
def incidents(request: Req, db: Session, data: dict[str, Any]) -> dict[str, Any]:
    c = validate([Field("kind", kind="choice", choices=tuple(labels.INCIDENT_KINDS), required=True), Field("on", kind="date", required=True),
                  Field("participant_id", kind="ref"), Field("description", kind="text", max_length=1000), Field("staff_1_id", kind="ref"),
                  Field("staff_2_id", kind="ref"), Field("breach", kind="choice", choices=("", *labels.BREACHES)),
                  Field("department_id", kind="ref")], _body(data))
    if c["participant_id"] is not None:
        _path(db, c["participant_id"])
    row = record_incident(db, _user(request).organization.id, by_id=_user(request).id, **c)
    return {"id": row.id, "kind": row.kind, "follow_up_due": row.follow_up_due.isoformat() if row.follow_up_due else None}


@api_post(f"{BASE}/incidents/{{iid:int}}/{{action:str}}", opt=EDIT, name="api.nyttig.incident_action", tags=TAGS, status_code=200)
def incident_action(request: Req, db: Session, iid: int, action: str) -> dict[str, Any]:
    inc = get_or_404(db, Incident, iid)
    if action == "confirm":
        confirm_breach(db, inc, today())
    elif action == "dismiss" and inc.participant_id is not None:
        dismiss(db, inc, _path(db, inc.participant_id), today(), _user(request).id)
    elif action == "follow-up":
        if "leader" not in _user(request).roles:
            raise PermissionDeniedException()
        follow_up_done(db, inc, today(), _user(request).id)
    else:
        raise NotFoundException()
    return {"id": inc.id, "confirmed_by_person_on": inc.confirmed_by_person_on.isoformat() if inc.confirmed_by_person_on else None,
            "dismissed_on": inc.dismissed_on.isoformat() if inc.dismissed_on else None,
            "follow_up_done_on": inc.follow_up_done_on.isoformat() if inc.follow_up_done_on else None}


@api_get(f"{BASE}/waiting-list", opt=VIEW, name="api.nyttig.waiting_list", tags=TAGS)
def waiting(request: Req, db: Session) -> dict[str, Any]:
    return {"items": [entry_json(e) for e in shown_through(waiting_list(db, today()), disclosure(request))]}


def _sheet(t: Timesheet) -> dict[str, Any]:
    return {"id": t.id, "participant_id": t.participant_id, "date": t.date.isoformat(), "department_id": t.department_id,
            "hours": str(t.hours), "approved": t.approved_at is not None}


@api_get(f"{BASE}/timesheets", opt=TIME, name="api.nyttig.timesheets", tags=TAGS)
def timesheets(request: Req, db: Session, week: str | None = None) -> dict[str, Any]:
    """The week's expected days, hours and absences; an absence's reason only through the
    core's gate (``null`` where the requester may not read it)."""
    try:
        monday = week_start(parse_date(week)) if week else week_start(today())
    except ValueError as exc:
        raise FormError({"week": str(exc)}) from None
    sunday = monday + dt.timedelta(days=6)
    return {
        "week": monday.isoformat(),
        "expected": [{"participant_id": e.participant_id, "date": e.date.isoformat(), "department_id": e.department_id, "hours": str(e.hours)}
                     for e in expected_shifts(db, monday, sunday)],
        "timesheets": [_sheet(t) for t in db.scalars(select(Timesheet).where(Timesheet.date >= monday, Timesheet.date <= sunday).order_by(Timesheet.date))],
        "absences": [_absence(disclosure(request), a)
                     for a in db.scalars(select(Absence).where(Absence.date >= monday, Absence.date <= sunday).order_by(Absence.date, Absence.id))],
    }


@api_post(f"{BASE}/timesheets", opt=TIME, name="api.nyttig.timesheet_record", tags=TAGS, status_code=201)
def timesheet_record(request: Req, db: Session, data: dict[str, Any]) -> dict[str, Any]:
    c = validate([Field("participant_id", kind="ref", required=True), Field("date", kind="date", required=True),
                  Field("department_id", kind="ref", required=True), Field("hours", kind="decimal", required=True), Field("note", max_length=300)],
                 _body(data))
    _path(db, c["participant_id"])
    t = record_hours(db, _user(request).organization.id, c["participant_id"], c["date"], c["department_id"], Decimal(c["hours"]),
                     _user(request).id, c["note"])
    return _sheet(t)


@api_post(f"{BASE}/timesheets/approve", opt=TIME, name="api.nyttig.timesheet_approve", tags=TAGS, status_code=200)
def timesheet_approve(request: Req, db: Session, data: dict[str, Any]) -> dict[str, Any]:
    ids = _body(data).get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise FormError({"ids": _("Not a valid value.")})
    sheets = list(db.scalars(select(Timesheet).where(Timesheet.id.in_(ids))))
    return {"approved": approve(db, sheets, _user(request).id)}


@api_post(f"{BASE}/absences", opt=TIME, name="api.nyttig.absences", tags=TAGS, status_code=201)
def absences(request: Req, db: Session, data: dict[str, Any]) -> dict[str, Any]:
    c = validate([Field("participant_id", kind="ref", required=True), Field("date", kind="date", required=True),
                  Field("reason", kind="choice", choices=tuple(labels.ABSENCE_REASONS), required=True), Field("note", max_length=300)], _body(data))
    _path(db, c["participant_id"])
    row = record_absence(db, _user(request).organization.id, c["participant_id"], c["date"], c["reason"], _user(request).id, c["note"])
    return _absence(disclosure(request), row)


@api_post(f"{BASE}/assignments/{{oid:int}}", opt={"permission": "nyttig.assignments"}, name="api.nyttig.assignment", tags=TAGS, status_code=200)
def assignment(request: Req, db: Session, oid: int, data: dict[str, Any]) -> dict[str, Any]:
    body = _body(data)
    order = get_or_404(db, WorkOrder, oid)
    for key in ("someone_else_would_do_it", "someone_would_pay"):
        if body.get(key) is not None and not isinstance(body.get(key), bool):
            raise FormError({key: _("Must be yes or no.")})
    try:
        check = decide(db, order, someone_else=body.get("someone_else_would_do_it"), someone_pays=body.get("someone_would_pay"),
                       decision=str(body.get("decision") or ""), reason=str(body.get("reason") or ""), by_id=_user(request).id)
    except FormError:
        db.rollback()
        raise
    return {"work_order_id": order.id, "status": order.status, "status_reason": order.status_reason,
            "someone_else_would_do_it": check.someone_else_would_do_it, "someone_would_pay": check.someone_would_pay}


API_HANDLERS = [people, new_contact, person, screening, phase, facts, interview, assessment, contacts, start_checklist, consent, sign,
                equipment, meetings, incidents, incident_action, waiting, timesheets, timesheet_record, timesheet_approve, absences, assignment]
