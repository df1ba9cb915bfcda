"""Nyttig Arbeid's HTML pages. Thin: parse the form, call a service, redirect or re-render."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, parse_date, validate
from core.i18n import today
from core.models import Department, Participant, WorkOrder
from core.web.handlers import disclosure, form_data, form_list, get_or_404, page_get, page_post, redirect
from core.web.templating import render
from plugins.nyttig_contract import labels
from plugins.nyttig_contract.assignments import check_of, decide
from plugins.nyttig_contract.eligibility import QUESTIONS, answers_from, collect_checks, run_screening, shown
from plugins.nyttig_contract.incidents import confirm_breach, dismiss, follow_up_done, open_follow_ups, record_incident
from plugins.nyttig_contract.interview import SENSITIVE_FIELDS, assessments_of, record_interview
from plugins.nyttig_contract.models import Assessment, Consent, DepartmentProfile, DepartmentWorkLeader, Equipment, Incident, PathRecord, Timesheet
from plugins.nyttig_contract.phases import FORWARD, LEFT, RELAPSE_TO, come_back, leave, move, path_of, register_contact, relapse
from plugins.nyttig_contract.signing import collect_providers
from plugins.nyttig_contract.start import (
    add_consent, card_code, collect, hand_out, make_start_gate, qr_svg, set_contact_persons, sign_document, staff_choices,
    update_checklist, withdraw_consent,
)
from plugins.nyttig_contract.views import departments, person_context, staff_names
from plugins.nyttig_contract.waiting_list import shown_through, waiting_list
from plugins.nyttig_contract.weekly import approve, log_contact, record_absence, record_hours, record_meeting, week_start, week_view

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
VIEW, EDIT = {"permission": "nyttig.view"}, {"permission": "nyttig.edit"}
Req = Request[Any, Any, Any]


def _user(request: Req) -> Any:
    return request.scope["user"]


def _org(request: Req) -> int:
    return _user(request).organization.id


def _plugins(request: Req) -> Any:
    return request.app.state["ctx"].plugins


def _person(db: Session, pid: int) -> tuple[Participant, PathRecord]:
    person = get_or_404(db, Participant, pid)
    path = path_of(db, pid)
    if path is None:
        raise NotFoundException()
    return person, path


def common(request: Req, db: Session) -> dict[str, Any]:
    return {"L": labels, "label": labels.label, "staff_choices": staff_choices(db), "open_departments": departments(db, today())}


def person_page(request: Req, db: Session, pid: int, *, errors: dict[str, str] | None = None, status: int = 200,
                assessments: Any = None) -> Any:
    person, path = _person(db, pid)
    ctx = person_context(db, person, path, today())
    # The relation (contact person?) is looked up here, in the worker thread; the template
    # shows each special-category value through ``reveal``, which decides and logs.
    disclosure(request).prepare([pid])
    checks = collect_checks(_plugins(request), _user(request).organization, db)
    return render(request, "nyttig_contract/person.html", status_code=status, errors=errors or {}, assessments=assessments,
                  questions=QUESTIONS, checks=checks, providers=collect_providers(_plugins(request), _user(request).organization),
                  today=today(), shown=shown, forward=FORWARD.get(path.phase, ()), relapse_to=RELAPSE_TO.get(path.phase), left=LEFT,
                  **ctx, **common(request, db))


def _act(request: Req, db: Session, pid: int, action: Any) -> Any:
    """Run one change; on bad input roll back and show the page again with the errors."""
    try:
        action()
    except FormError as exc:
        db.rollback()
        return person_page(request, db, pid, errors=exc.errors, status=400)
    return redirect(f"/nyttig/people/{pid}")


DATE_ON = Field("on", kind="date", required=True)


# --- overview and first contact ------------------------------------------------------


@page_get("/nyttig", opt=VIEW, name="nyttig.index")
def overview(request: Req, db: Session) -> Any:
    rows = db.execute(select(PathRecord, Participant).join(Participant, Participant.id == PathRecord.participant_id)
                      .order_by(Participant.first_name, Participant.last_name)).all()
    by_phase: dict[str, list[Any]] = {k: [] for k in labels.PHASES}
    for path, person in rows:
        by_phase.setdefault(path.phase, []).append((path, person))
    return render(request, "nyttig_contract/index.html", by_phase=by_phase, **common(request, db))


CONTACT_FIELDS = [
    Field("first_name", required=True, max_length=100), Field("last_name", max_length=100),
    Field("birth_date", kind="date"), Field("phone", max_length=40), DATE_ON,
    Field("came_via", kind="choice", choices=tuple(labels.CAME_VIA), required=True),
    Field("helper_name", max_length=200), Field("channel", kind="choice", choices=tuple(labels.CHANNELS), required=True),
    Field("note", max_length=500),
]


@page_get("/nyttig/contact/new", opt=EDIT, name="nyttig.contact_new")
def contact_form(request: Req, db: Session) -> Any:
    return render(request, "nyttig_contract/contact_new.html", values={"on": today().isoformat()}, errors={}, **common(request, db))


@page_post("/nyttig/contact", opt=EDIT)
def contact_create(request: Req, db: Session, data: Form) -> Any:
    values = form_data(data)
    try:
        clean = validate(CONTACT_FIELDS, values)
        person = Participant(organization_id=_org(request), first_name=clean["first_name"], last_name=clean["last_name"],
                             birth_date=clean["birth_date"], phone=clean["phone"])
        db.add(person)
        db.flush()
        register_contact(db, _org(request), person, clean["on"], _user(request).id, came_via=clean["came_via"],
                         helper_name=clean["helper_name"])
        log_contact(db, _org(request), person.id, on=clean["on"], initiated_by="person" if clean["came_via"] == "self" else "helper",
                    channel=clean["channel"], reached=True, note=clean["note"], by_id=_user(request).id)
    except FormError as exc:
        db.rollback()
        return render(request, "nyttig_contract/contact_new.html", status_code=400, values=values, errors=exc.errors, **common(request, db))
    return redirect(f"/nyttig/people/{person.id}")


# --- the person's page and path ------------------------------------------------------


@page_get("/nyttig/people/{pid:int}", opt=VIEW, name="nyttig.person")
def person_detail(request: Req, db: Session, pid: int) -> Any:
    return person_page(request, db, pid)


@page_post("/nyttig/people/{pid:int}/screening", opt=EDIT)
def screening_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    person, path = _person(db, pid)
    values = form_data(data)

    def act() -> None:
        clean = validate([Field("planned_start_on", kind="date")], values)
        run_screening(db, collect_checks(_plugins(request), _user(request).organization, db), path, person, stage="screening",
                      answers=answers_from(values), on=today(), by_id=_user(request).id,
                      planned_start_on=clean["planned_start_on"], overrides=_overrides(values))
    return _act(request, db, pid, act)


def _overrides(values: dict[str, Any]) -> dict[str, str]:
    return {k[len("override_"):]: str(v) for k, v in values.items() if k.startswith("override_") and str(v).strip()}


@page_post("/nyttig/people/{pid:int}/move", opt=EDIT)
def move_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _person_, path = _person(db, pid)
    values = form_data(data)

    def act() -> None:
        clean = validate([Field("to_phase", kind="choice", choices=tuple(labels.PHASES), required=True), DATE_ON,
                          Field("reason", max_length=500)], values)
        gate = None
        if clean["to_phase"] == "started":
            answers = answers_from(values, ("housing_in_place", "economy_stable"))
            gate = make_start_gate(collect_checks(_plugins(request), _user(request).organization, db), answers, _overrides(values), _user(request).id)
        move(db, path, clean["to_phase"], clean["on"], _user(request).id, clean["reason"], start_gate=gate)
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/relapse", opt=EDIT)
def relapse_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)
    values = form_data(data)
    return _act(request, db, pid, lambda: relapse(db, path, validate([DATE_ON], values)["on"], _user(request).id, str(values.get("reason", ""))))


@page_post("/nyttig/people/{pid:int}/leave", opt=EDIT)
def leave_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)
    values = form_data(data)

    def act() -> None:
        clean = validate([Field("to_phase", kind="choice", choices=("onward", "retired", "ended"), required=True), DATE_ON,
                          Field("reason", max_length=500), Field("onward", kind="choice", choices=("", *labels.ONWARD))], values)
        leave(db, path, clean["to_phase"], clean["on"], _user(request).id, clean["reason"], clean["onward"])
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/return", opt=EDIT)
def return_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)
    values = form_data(data)
    return _act(request, db, pid, lambda: come_back(db, path, validate([DATE_ON], values)["on"], _user(request).id, str(values.get("reason", ""))))


FACT_FIELDS = [Field("treatment_plan_job", kind="bool"), Field("ready_to_return", kind="bool"),
               Field("discharge_expected_on", kind="date")]


@page_post("/nyttig/people/{pid:int}/facts", opt=EDIT)
def facts_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)

    def act() -> None:
        clean = validate(FACT_FIELDS, form_data(data))
        for k, v in clean.items():
            setattr(path, k, v)
        db.commit()
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/interview", opt=EDIT)
def interview_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)
    values = form_data(data)
    return _act(request, db, pid, lambda: record_interview(db, path, values, _user(request).id))


@page_post("/nyttig/people/{pid:int}/assessment", opt=VIEW, name="nyttig.assessment_show")
def assessment_show(request: Req, db: Session, pid: int) -> Any:
    """Shown only after an explicit POST, through the core's gate: it decides who may read
    the form, asks for the second factor where the organization requires it, and logs."""
    _person(db, pid)
    gate = disclosure(request)
    if not gate.may_read_column(Assessment, "substance_history", pid):
        raise PermissionDeniedException()
    shown = [{f: gate.reveal(a, f) for f in SENSITIVE_FIELDS} for a in assessments_of(db, pid)]
    return person_page(request, db, pid, assessments=shown)


CONTACT_LOG_FIELDS = [DATE_ON, Field("initiated_by", kind="choice", choices=tuple(labels.INITIATED_BY), required=True),
                      Field("channel", kind="choice", choices=tuple(labels.CHANNELS), required=True),
                      Field("reached", kind="bool"), Field("note", max_length=500)]


@page_post("/nyttig/people/{pid:int}/contacts", opt=EDIT)
def contacts_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _person(db, pid)

    def act() -> None:
        c = validate(CONTACT_LOG_FIELDS, form_data(data))
        log_contact(db, _org(request), pid, on=c["on"], initiated_by=c["initiated_by"], channel=c["channel"], reached=c["reached"],
                    note=c["note"], by_id=_user(request).id)
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/contact-persons", opt=EDIT)
def contact_persons_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)

    def act() -> None:
        c = validate([Field("contact_person_1_id", kind="ref"), Field("contact_person_2_id", kind="ref")], form_data(data))
        set_contact_persons(db, path, c["contact_person_1_id"], c["contact_person_2_id"], by=_user(request))
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/checklist", opt=EDIT)
def checklist_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)
    values = form_data(data)

    def act() -> None:
        c = validate([Field("weekly_hours", kind="decimal", min_value=0, max_value=40), Field("shoe_size", max_length=10),
                      Field("photo_taken", kind="bool"), Field("department_id", kind="ref"), Field("paid_worker", kind="bool"),
                      Field("job_talk_on", kind="date")], values)
        schedule = [{"weekday": wd, "hours": values.get(f"day_{wd}_hours"), "department_id": values.get(f"day_{wd}_department") or None}
                    for wd in range(7) if str(values.get(f"day_{wd}_hours") or "").strip()]
        update_checklist(db, path, weekly_hours=c["weekly_hours"], schedule=schedule, shoe_size=c["shoe_size"],
                         photo_taken=c["photo_taken"], department_id=c["department_id"], paid_worker=c["paid_worker"],
                         job_talk_on=c["job_talk_on"])
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/consent", opt=EDIT)
def consent_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)

    def act() -> None:
        c = validate([Field("contacts", required=True, max_length=500), Field("scope", required=True, max_length=500),
                      Field("given_on", kind="date", required=True), Field("valid_until", kind="date")], form_data(data))
        add_consent(db, path, contacts=c["contacts"], scope=c["scope"], given_on=c["given_on"], valid_until=c["valid_until"], by_id=_user(request).id)
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/consent/{cid:int}/withdraw", opt=EDIT)
def consent_withdraw(request: Req, db: Session, pid: int, cid: int) -> Any:
    consent = get_or_404(db, Consent, cid)
    if consent.participant_id != pid:
        raise NotFoundException()
    return _act(request, db, pid, lambda: withdraw_consent(db, consent, today()))


@page_post("/nyttig/people/{pid:int}/documents/{kind:str}", opt=EDIT)
def document_sign(request: Req, db: Session, pid: int, kind: str, data: Form) -> Any:
    _p, path = _person(db, pid)
    values = form_data(data)
    providers = collect_providers(_plugins(request), _user(request).organization)
    provider = providers.get(str(values.get("provider") or "paper"))
    if provider is None:
        return person_page(request, db, pid, errors={"provider": _t("Not one of the allowed choices.")}, status=400)
    return _act(request, db, pid, lambda: sign_document(db, path, kind, provider, values, _user(request).id))


@page_post("/nyttig/people/{pid:int}/equipment", opt=EDIT)
def equipment_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)

    def act() -> None:
        c = validate([Field("kind", kind="choice", choices=tuple(labels.EQUIPMENT), required=True), Field("label", max_length=100), DATE_ON],
                     form_data(data))
        hand_out(db, path, c["kind"], c["label"], c["on"])
    return _act(request, db, pid, act)


@page_post("/nyttig/people/{pid:int}/equipment/{eid:int}/collect", opt=EDIT)
def equipment_collect(request: Req, db: Session, pid: int, eid: int) -> Any:
    item = get_or_404(db, Equipment, eid)
    if item.participant_id != pid:
        raise NotFoundException()
    return _act(request, db, pid, lambda: collect(db, item, today()))


@page_get("/nyttig/people/{pid:int}/card", opt=VIEW, name="nyttig.card")
def id_card(request: Req, db: Session, pid: int) -> Any:
    person, path = _person(db, pid)
    ctx = person_context(db, person, path, today())
    code = card_code(db, person)
    return render(request, "nyttig_contract/card.html", code=code, qr=qr_svg(code), **ctx)


@page_post("/nyttig/people/{pid:int}/meetings", opt=EDIT)
def meeting_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _p, path = _person(db, pid)

    def act() -> None:
        c = validate([Field("kind", kind="choice", choices=tuple(labels.MEETING_KINDS), required=True), DATE_ON,
                      Field("staff_1_id", kind="ref"), Field("staff_2_id", kind="ref"), Field("summary", kind="text", max_length=1000)],
                     form_data(data))
        record_meeting(db, path, kind=c["kind"], held_on=c["on"], staff_1_id=c["staff_1_id"], staff_2_id=c["staff_2_id"], summary=c["summary"])
    return _act(request, db, pid, act)


INCIDENT_FIELDS = [Field("kind", kind="choice", choices=tuple(labels.INCIDENT_KINDS), required=True), DATE_ON,
                   Field("description", kind="text", max_length=1000), Field("staff_1_id", kind="ref"), Field("staff_2_id", kind="ref"),
                   Field("breach", kind="choice", choices=("", *labels.BREACHES)), Field("department_id", kind="ref")]


@page_post("/nyttig/people/{pid:int}/incidents", opt=EDIT)
def incident_post(request: Req, db: Session, pid: int, data: Form) -> Any:
    _person(db, pid)

    def act() -> None:
        c = validate(INCIDENT_FIELDS, form_data(data))
        record_incident(db, _org(request), participant_id=pid, by_id=_user(request).id, **{**c, "on": c["on"]})
    return _act(request, db, pid, act)


@page_post("/nyttig/incidents/{iid:int}/{action:str}", opt=EDIT)
def incident_action(request: Req, db: Session, iid: int, action: str) -> Any:
    inc = get_or_404(db, Incident, iid)
    pid = inc.participant_id
    back = f"/nyttig/people/{pid}" if pid else "/nyttig/incidents"
    try:
        if action == "confirm":
            confirm_breach(db, inc, today())
        elif action == "dismiss":
            if pid is None:
                raise NotFoundException()
            dismiss(db, inc, _person(db, pid)[1], today(), _user(request).id)
        elif action == "follow-up":
            if "leader" not in _user(request).roles:
                raise PermissionDeniedException()
            follow_up_done(db, inc, today(), _user(request).id)
        else:
            raise NotFoundException()
    except FormError as exc:
        db.rollback()
        if pid:
            return person_page(request, db, pid, errors=exc.errors, status=400)
        return incidents_page(request, db, exc.errors, 400)
    return redirect(back)


# --- lists ---------------------------------------------------------------------------


@page_get("/nyttig/waiting-list", opt=VIEW, name="nyttig.waiting_list")
def waiting_page(request: Req, db: Session) -> Any:
    entries = shown_through(waiting_list(db, today()), disclosure(request))
    return render(request, "nyttig_contract/waiting_list.html", entries=entries, **common(request, db))


def incidents_page(request: Req, db: Session, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    rows = list(db.scalars(select(Incident).order_by(Incident.on.desc(), Incident.id.desc()).limit(200)))
    follow_ups = open_follow_ups(db)
    people = {p.id: p for p in db.scalars(select(Participant).where(Participant.id.in_({r.participant_id for r in rows if r.participant_id})))}
    disclosure(request).prepare([r.participant_id for r in (*rows, *follow_ups)])
    return render(request, "nyttig_contract/incidents.html", status_code=status, rows=rows, people=people, follow_ups=follow_ups,
                  staff=staff_names(db), errors=errors or {}, today=today(), **common(request, db))


@page_get("/nyttig/incidents", opt=VIEW, name="nyttig.incidents")
def incidents_get(request: Req, db: Session) -> Any:
    return incidents_page(request, db)


@page_post("/nyttig/incidents", opt=EDIT)
def incidents_post(request: Req, db: Session, data: Form) -> Any:
    try:
        c = validate([*INCIDENT_FIELDS, Field("participant_id", kind="ref")], form_data(data))
        if c["participant_id"] is not None:
            _person(db, c["participant_id"])
        record_incident(db, _org(request), by_id=_user(request).id, **c)
    except FormError as exc:
        db.rollback()
        return incidents_page(request, db, exc.errors, 400)
    return redirect("/nyttig/incidents")


# --- week by week --------------------------------------------------------------------


def _monday(raw: str | None) -> dt.date:
    try:
        return week_start(parse_date(raw)) if raw else week_start(today())
    except ValueError:
        return week_start(today())


def timesheet_page(request: Req, db: Session, monday: dt.date, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    weeks = week_view(db, monday)
    disclosure(request).prepare([w.participant.id for w in weeks])
    return render(request, "nyttig_contract/timesheets.html", status_code=status, monday=monday, days=days, weeks=weeks,
                  errors=errors or {}, prev=monday - dt.timedelta(days=7), next=monday + dt.timedelta(days=7),
                  dept_names={d.id: d.name for d in departments(db)}, **common(request, db))


@page_get("/nyttig/timesheets", opt={"permission": "nyttig.timesheets"}, name="nyttig.timesheets")
def timesheets_get(request: Req, db: Session, week: str | None = None) -> Any:
    return timesheet_page(request, db, _monday(week))


@page_post("/nyttig/timesheets", opt={"permission": "nyttig.timesheets"})
def timesheets_post(request: Req, db: Session, data: Form) -> Any:
    values = form_data(data)
    try:
        c = validate([Field("participant_id", kind="ref", required=True), Field("date", kind="date", required=True),
                      Field("what", kind="choice", choices=("hours", "absence"), required=True),
                      Field("department_id", kind="ref"), Field("hours", kind="decimal"),
                      Field("reason", kind="choice", choices=("", *labels.ABSENCE_REASONS)), Field("note", max_length=300)], values)
        _person(db, c["participant_id"])
        if c["what"] == "hours":
            if c["department_id"] is None or c["hours"] is None:
                raise FormError({"hours": _t("Give the department and the hours.")})
            record_hours(db, _org(request), c["participant_id"], c["date"], c["department_id"], c["hours"], _user(request).id, c["note"])
        else:
            if not c["reason"]:
                raise FormError({"reason": _t("Choose a reason.")})
            record_absence(db, _org(request), c["participant_id"], c["date"], c["reason"], _user(request).id, c["note"])
    except FormError as exc:
        db.rollback()
        return timesheet_page(request, db, _monday(str(values.get("date") or "")), exc.errors, 400)
    return redirect(f"/nyttig/timesheets?week={week_start(c['date']).isoformat()}")


@page_post("/nyttig/timesheets/approve", opt={"permission": "nyttig.timesheets"})
def timesheets_approve(request: Req, db: Session, data: Form) -> Any:
    monday = _monday(str(form_data(data).get("week") or ""))
    sheets = list(db.scalars(select(Timesheet).where(Timesheet.date >= monday, Timesheet.date <= monday + dt.timedelta(days=6))))
    approve(db, sheets, _user(request).id)
    return redirect(f"/nyttig/timesheets?week={monday.isoformat()}")


def _t(msg: str) -> str:
    from core.i18n import gettext

    return gettext(msg)


# --- departments and assignments ------------------------------------------------------


@page_get("/nyttig/departments", opt=VIEW, name="nyttig.departments")
def departments_get(request: Req, db: Session) -> Any:
    return departments_page(request, db)


DEPARTMENT_FIELDS = [Field("name", required=True, max_length=200), Field("opened_on", kind="date"), Field("closed_on", kind="date"),
                     Field("places", kind="int", min_value=0, max_value=200, default=0), Field("description", max_length=500)]


@page_post("/nyttig/departments", opt={"permission": "nyttig.departments"})
def department_create(request: Req, db: Session, data: Form) -> Any:
    return _save_department(request, db, None, data)


@page_post("/nyttig/departments/{did:int}", opt={"permission": "nyttig.departments"})
def department_update(request: Req, db: Session, did: int, data: Form) -> Any:
    return _save_department(request, db, get_or_404(db, Department, did), data)


def _save_department(request: Req, db: Session, dept: Any, data: Any) -> Any:
    from plugins.nyttig_contract.departments import save_department

    values = form_data(data)
    try:
        c = validate(DEPARTMENT_FIELDS, values)
        days = [int(d) for d in form_list(data, "opening_days") if d.isdigit()]
        leaders = [int(u) for u in form_list(data, "work_leader_ids") if u.isdigit()]
        save_department(db, _org(request), dept, opening_days=days, work_leader_ids=leaders, **c)
    except FormError as exc:
        db.rollback()
        return departments_page(request, db, exc.errors, 400)
    return redirect("/nyttig/departments")


def departments_page(request: Req, db: Session, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    profiles = {p.department_id: p for p in db.scalars(select(DepartmentProfile))}
    leaders: dict[int, list[int]] = {}
    for row in db.scalars(select(DepartmentWorkLeader)):
        leaders.setdefault(row.department_id, []).append(row.user_id)
    return render(request, "nyttig_contract/departments.html", status_code=status, all_departments=departments(db), profiles=profiles,
                  leaders=leaders, staff=staff_names(db), today=today(), errors=errors or {}, **common(request, db))


@page_get("/nyttig/assignments", opt={"permission": "nyttig.assignments"}, name="nyttig.assignments")
def assignments_get(request: Req, db: Session) -> Any:
    return assignments_page(request, db)


def assignments_page(request: Req, db: Session, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    orders = list(db.scalars(select(WorkOrder).order_by(WorkOrder.created_at.desc()).limit(100)))
    checks = {o.id: check_of(db, o.id) for o in orders}
    return render(request, "nyttig_contract/assignments.html", status_code=status, orders=orders, checks=checks, errors=errors or {},
                  **common(request, db))


@page_post("/nyttig/assignments/{oid:int}", opt={"permission": "nyttig.assignments"})
def assignment_decide(request: Req, db: Session, oid: int, data: Form) -> Any:
    order = get_or_404(db, WorkOrder, oid)
    values = form_data(data)
    try:
        c = validate([Field("someone_else_would_do_it", kind="choice", choices=("", "yes", "no")),
                      Field("someone_would_pay", kind="choice", choices=("", "yes", "no")),
                      Field("decision", kind="choice", choices=("accepted", "declined"), required=True), Field("reason", max_length=500)], values)
        decide(db, order, someone_else={"yes": True, "no": False}.get(c["someone_else_would_do_it"]),
               someone_pays={"yes": True, "no": False}.get(c["someone_would_pay"]), decision=c["decision"], reason=c["reason"],
               by_id=_user(request).id)
    except FormError as exc:
        db.rollback()
        return assignments_page(request, db, {**exc.errors, "order_id": str(oid)}, 400)
    return redirect("/nyttig/assignments")


HANDLERS = [
    overview, contact_form, contact_create, person_detail, screening_post, move_post, relapse_post, leave_post, return_post, facts_post,
    interview_post, assessment_show, contacts_post, contact_persons_post, checklist_post, consent_post, consent_withdraw, document_sign,
    equipment_post, equipment_collect, id_card, meeting_post, incident_post, incident_action, waiting_page, incidents_get, incidents_post,
    timesheets_get, timesheets_post, timesheets_approve, departments_get, department_create, department_update, assignments_get, assignment_decide,
]
