"""Nyttig Arbeid's HTML pages. Thin: turn the form into the action's input, call the action
(the same the API calls, in :mod:`plugins.nyttig_contract.actions`), redirect or re-render."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input
from core.forms import DATE_MAX, DATE_MIN, Field, FormError, parse_date, validate
from core.i18n import today
from core.models import Department, Participant, WorkOrder
from core.web.handlers import caller_of, disclosure, form_data, form_list, get_or_404, page_get, page_post, redirect
from core.web.templating import render
from plugins.nyttig_contract import actions as a
from plugins.nyttig_contract import labels
from plugins.nyttig_contract.actions import path_or_404
from plugins.nyttig_contract.assignments import check_of
from plugins.nyttig_contract.departments import save_department
from plugins.nyttig_contract.eligibility import QUESTIONS, answers_from, collect_checks, shown
from plugins.nyttig_contract.incidents import open_follow_ups
from plugins.nyttig_contract.interview import SENSITIVE_FIELDS, assessments_of
from plugins.nyttig_contract.models import Assessment, Consent, DepartmentProfile, DepartmentWorkLeader, Equipment, Incident, PathRecord
from plugins.nyttig_contract.phases import FORWARD, LEFT, RELAPSE_TO, path_of
from plugins.nyttig_contract.signing import collect_providers
from plugins.nyttig_contract.start import card_code, collect, qr_svg, staff_choices, withdraw_consent
from plugins.nyttig_contract.views import departments, not_on_path, person_context, staff_names
from plugins.nyttig_contract.waiting_list import shown_through, waiting_list
from plugins.nyttig_contract.weekly import week_start, week_view

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
VIEW, EDIT = {"permission": "nyttig.view"}, {"permission": "nyttig.edit"}
Req = Request[Any, Any, Any]


def _person(db: Session, participant_id: int) -> tuple[Participant, PathRecord]:
    person = get_or_404(db, Participant, participant_id)
    path = path_of(db, participant_id)
    if path is None:
        raise NotFoundException()
    return person, path


def common(request: Req, db: Session) -> dict[str, Any]:
    return {"L": labels, "label": labels.label, "staff_choices": staff_choices(db), "open_departments": departments(db, today())}


def person_page(request: Req, db: Session, participant_id: int, *, errors: dict[str, str] | None = None, status: int = 200,
                assessments: Any = None, values: dict[str, Any] | None = None) -> Any:
    """The person's page. After a refusal, ``sent`` names the form that was sent (the last part of
    its address: "facts", "consent"...), so the folded section holding it opens on its errors, and
    ``values`` is what it sent."""
    person, path = _person(db, participant_id)
    ctx = person_context(db, person, path, today())
    # The relation (contact person?) is looked up here, in the worker thread; the template
    # shows each special-category value through ``reveal``, which decides and logs.
    disclosure(request).prepare([participant_id])
    plugins, organization = request.app.state["ctx"].plugins, request.scope["user"].organization
    sent = request.url.path.rstrip("/").rsplit("/", 1)[-1] if errors else ""
    return render(request, "nyttig_contract/person.html", status_code=status, errors=errors or {}, assessments=assessments,
                  sent=sent, values=values if errors and values is not None else None,
                  questions=QUESTIONS, checks=collect_checks(plugins, organization, db), providers=collect_providers(plugins, organization),
                  today=today(), shown=shown, forward=FORWARD.get(path.phase, ()), relapse_to=RELAPSE_TO.get(path.phase), left=LEFT,
                  **ctx, **common(request, db))


def _act(request: Req, db: Session, participant_id: int, step: Callable[[], object], values: dict[str, Any] | None = None) -> Any:
    """Run one action from the person's page; a refusal shows the page again with the errors
    (and, for a form that shows them again, what was sent)."""
    try:
        step()
    except FormError as exc:
        db.rollback()
        return person_page(request, db, participant_id, errors=exc.errors, status=400, values=values)
    return redirect(f"/nyttig/people/{participant_id}")


def _overrides(values: dict[str, Any]) -> dict[str, str]:
    return {k[len("override_"):]: str(v) for k, v in values.items() if k.startswith("override_") and str(v).strip()}


# --- overview and first contact ------------------------------------------------------


@page_get("/nyttig", opt=VIEW, name="nyttig.index")
def overview(request: Req, db: Session) -> Any:
    rows = db.execute(select(PathRecord, Participant).join(Participant, Participant.id == PathRecord.participant_id)
                      .order_by(Participant.first_name, Participant.last_name)).all()
    by_phase: dict[str, list[Any]] = {k: [] for k in labels.PHASES}
    for path, person in rows:
        by_phase.setdefault(path.phase, []).append((path, person))
    return render(request, "nyttig_contract/index.html", by_phase=by_phase, **common(request, db))


def contact_page(request: Req, db: Session, values: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200) -> Any:
    return render(request, "nyttig_contract/contact_new.html", status_code=status, values=values, errors=errors or {},
                  not_on_path=not_on_path(db), **common(request, db))


@page_get("/nyttig/contact/new", opt=EDIT, name="nyttig.contact_new")
def contact_form(request: Req, db: Session) -> Any:
    return contact_page(request, db, {"date": today().isoformat()})


@page_post("/nyttig/contact", opt=action_opt(a.first_contact))
def contact_create(request: Req, db: Session, data: Form) -> Any:
    values = form_data(data)
    try:
        path = a.first_contact.run(caller_of(request, db), form_input(a.FirstContact, values))
    except FormError as exc:
        db.rollback()
        return contact_page(request, db, values, exc.errors, 400)
    return redirect(f"/nyttig/people/{path.participant_id}")


# --- the person's page and path ------------------------------------------------------


@page_get("/nyttig/people/{participant_id:int}", opt=VIEW, name="nyttig.person")
def person_detail(request: Req, db: Session, participant_id: int) -> Any:
    return person_page(request, db, participant_id)


@page_post("/nyttig/people/{participant_id:int}/screening", opt=action_opt(a.screening))
def screening_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id, lambda: a.screening.run(caller, participant_id, form_input(
        a.Screening, values, answers=answers_from(values), overrides=_overrides(values))))


def _phase_step(request: Req, db: Session, participant_id: int, data: Form, step: str) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)

    def run() -> object:
        fixed: dict[str, Any] = {"step": step, "overrides": _overrides(values)}
        if step == "move" and values.get("to_phase") == "started":
            fixed["answers"] = answers_from(values, ("housing_in_place", "economy_stable"))
        return a.change_phase.run(caller, participant_id, form_input(a.PhaseStep, values, **fixed))
    return _act(request, db, participant_id, run)


@page_post("/nyttig/people/{participant_id:int}/move", opt=action_opt(a.change_phase))
def move_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    return _phase_step(request, db, participant_id, data, "move")


@page_post("/nyttig/people/{participant_id:int}/relapse", opt=action_opt(a.change_phase))
def relapse_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    return _phase_step(request, db, participant_id, data, "relapse")


@page_post("/nyttig/people/{participant_id:int}/leave", opt=action_opt(a.change_phase))
def leave_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    return _phase_step(request, db, participant_id, data, "leave")


@page_post("/nyttig/people/{participant_id:int}/return", opt=action_opt(a.change_phase))
def return_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    return _phase_step(request, db, participant_id, data, "return")


@page_post("/nyttig/people/{participant_id:int}/facts", opt=action_opt(a.set_facts))
def facts_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    # The form shows every fact: an unticked box is "no", an empty date "not known".
    fixed = {} if str(values.get("discharge_expected_on") or "").strip() else {"discharge_expected_on": None}
    return _act(request, db, participant_id, lambda: a.set_facts.run(caller, participant_id, form_input(a.Facts, values, **fixed)),
                values)


@page_post("/nyttig/people/{participant_id:int}/interview", opt=action_opt(a.interview))
def interview_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    rules = [k for k in labels.RULES if str(values.get(f"rule_{k}", "")).lower() in ("1", "on", "true", "yes")]
    caller = caller_of(request, db)
    return _act(request, db, participant_id, lambda: a.interview.run(caller, participant_id, form_input(a.Interview, values, rules=rules)))


@page_post("/nyttig/people/{participant_id:int}/assessment", opt=VIEW, name="nyttig.assessment_show")
def assessment_show(request: Req, db: Session, participant_id: int) -> Any:
    """Shown only after an explicit POST, through the core's gate: it decides who may read
    the form, asks for the second factor where the organization requires it, and logs."""
    path_or_404(caller_of(request, db), participant_id)
    gate = disclosure(request)
    if not gate.may_read_column(Assessment, "substance_history", participant_id):
        raise PermissionDeniedException()
    shown = [{f: gate.reveal(x, f) for f in SENSITIVE_FIELDS} for x in assessments_of(db, participant_id)]
    return person_page(request, db, participant_id, assessments=shown)


@page_post("/nyttig/people/{participant_id:int}/contacts", opt=action_opt(a.contact))
def contacts_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id, lambda: a.contact.run(caller, participant_id, form_input(a.LogContact, values)))


@page_post("/nyttig/people/{participant_id:int}/contact-persons", opt=action_opt(a.contact_persons))
def contact_persons_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id,
                lambda: a.contact_persons.run(caller, participant_id, form_input(a.ContactPersons, values)))


@page_post("/nyttig/people/{participant_id:int}/checklist", opt=action_opt(a.start_checklist))
def checklist_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    schedule = [{"weekday": wd, "hours": str(values.get(f"day_{wd}_hours")).strip().replace(",", "."),
                 "department_id": values.get(f"day_{wd}_department") or None}
                for wd in range(7) if str(values.get(f"day_{wd}_hours") or "").strip()]
    caller = caller_of(request, db)
    return _act(request, db, participant_id,
                lambda: a.start_checklist.run(caller, participant_id, form_input(a.StartChecklist, values, schedule=schedule)))


@page_post("/nyttig/people/{participant_id:int}/consent", opt=action_opt(a.consent))
def consent_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id, lambda: a.consent.run(caller, participant_id, form_input(a.Consent, values)))


@page_post("/nyttig/people/{participant_id:int}/consent/{consent_id:int}/withdraw", opt=EDIT)
def consent_withdraw(request: Req, db: Session, participant_id: int, consent_id: int) -> Any:
    consent = get_or_404(db, Consent, consent_id)
    if consent.participant_id != participant_id:
        raise NotFoundException()
    return _act(request, db, participant_id, lambda: withdraw_consent(db, consent, today()))


@page_post("/nyttig/people/{participant_id:int}/documents/{kind:str}", opt=action_opt(a.sign))
def document_sign(request: Req, db: Session, participant_id: int, kind: str, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id, lambda: a.sign.run(caller, participant_id, kind, form_input(a.SignDocument, values)))


@page_post("/nyttig/people/{participant_id:int}/equipment", opt=action_opt(a.equipment))
def equipment_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id, lambda: a.equipment.run(caller, participant_id, form_input(a.HandOut, values)))


@page_post("/nyttig/people/{participant_id:int}/equipment/{equipment_id:int}/collect", opt=EDIT)
def equipment_collect(request: Req, db: Session, participant_id: int, equipment_id: int) -> Any:
    item = get_or_404(db, Equipment, equipment_id)
    if item.participant_id != participant_id:
        raise NotFoundException()
    return _act(request, db, participant_id, lambda: collect(db, item, today()))


@page_get("/nyttig/people/{participant_id:int}/card", opt=VIEW, name="nyttig.card")
def id_card(request: Req, db: Session, participant_id: int) -> Any:
    person, path = _person(db, participant_id)
    ctx = person_context(db, person, path, today())
    code = card_code(db, person)
    return render(request, "nyttig_contract/card.html", code=code, qr=qr_svg(code), **ctx)


@page_post("/nyttig/people/{participant_id:int}/meetings", opt=action_opt(a.meeting))
def meeting_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id, lambda: a.meeting.run(caller, participant_id, form_input(a.RecordMeeting, values)))


@page_post("/nyttig/people/{participant_id:int}/incidents", opt=action_opt(a.incident))
def incident_post(request: Req, db: Session, participant_id: int, data: Form) -> Any:
    values = form_data(data)
    caller = caller_of(request, db)
    return _act(request, db, participant_id,
                lambda: a.incident.run(caller, form_input(a.RecordIncident, values, participant_id=participant_id)))


def _incident_step(request: Req, db: Session, incident_id: int, act: Any) -> Any:
    inc = get_or_404(db, Incident, incident_id)
    participant_id = inc.participant_id
    try:
        act.run(caller_of(request, db), incident_id)
    except FormError as exc:
        db.rollback()
        if participant_id:
            return person_page(request, db, participant_id, errors=exc.errors, status=400)
        return incidents_page(request, db, exc.errors, 400)
    return redirect(f"/nyttig/people/{participant_id}" if participant_id else "/nyttig/incidents")


@page_post("/nyttig/incidents/{incident_id:int}/confirm", opt=action_opt(a.confirm))
def incident_confirm(request: Req, db: Session, incident_id: int) -> Any:
    return _incident_step(request, db, incident_id, a.confirm)


@page_post("/nyttig/incidents/{incident_id:int}/dismiss", opt=action_opt(a.dismissal))
def incident_dismiss(request: Req, db: Session, incident_id: int) -> Any:
    return _incident_step(request, db, incident_id, a.dismissal)


@page_post("/nyttig/incidents/{incident_id:int}/follow-up", opt=action_opt(a.follow_up))
def incident_follow_up(request: Req, db: Session, incident_id: int) -> Any:
    return _incident_step(request, db, incident_id, a.follow_up)


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


@page_post("/nyttig/incidents", opt=action_opt(a.incident))
def incidents_post(request: Req, db: Session, data: Form) -> Any:
    try:
        a.incident.run(caller_of(request, db), form_input(a.RecordIncident, form_data(data)))
    except FormError as exc:
        db.rollback()
        return incidents_page(request, db, exc.errors, 400)
    return redirect("/nyttig/incidents")


# --- week by week --------------------------------------------------------------------


def _monday(raw: str | None) -> dt.date:
    """The week a page asks for; an address with no or a broken week shows this week."""
    try:
        day = parse_date(raw) if raw else None
    except ValueError:
        day = None
    return week_start(day if day and DATE_MIN <= day <= DATE_MAX else today())


def timesheet_page(request: Req, db: Session, monday: dt.date, errors: dict[str, str] | None = None, status: int = 200,
                   values: dict[str, Any] | None = None) -> Any:
    """The week's grid and its forms; after a refusal ``values`` is what was sent, so the form that
    failed (its ``what``) shows each error at its field and keeps what was typed."""
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    weeks = week_view(db, monday)
    disclosure(request).prepare([w.participant.id for w in weeks])
    return render(request, "nyttig_contract/timesheets.html", status_code=status, monday=monday, days=days, weeks=weeks,
                  errors=errors or {}, prev=monday - dt.timedelta(days=7), next=monday + dt.timedelta(days=7),
                  dept_names={d.id: d.name for d in departments(db)}, values=values or {}, **common(request, db))


@page_get("/nyttig/timesheets", opt={"permission": "nyttig.timesheets"}, name="nyttig.timesheets")
def timesheets_get(request: Req, db: Session, week: str | None = None) -> Any:
    return timesheet_page(request, db, _monday(week))


@page_post("/nyttig/timesheets", opt=action_opt(a.hours))
def timesheets_post(request: Req, db: Session, data: Form) -> Any:
    """One form records hours, the other an absence (``what``): the two actions of the week's grid."""
    values = form_data(data)
    caller = caller_of(request, db)
    try:
        if values.get("what") == "absence":
            done = a.absence.run(caller, form_input(a.RecordAbsence, values))
        else:
            done = a.hours.run(caller, form_input(a.RecordHours, values))
    except FormError as exc:
        db.rollback()
        return timesheet_page(request, db, _monday(str(values.get("date") or "")), exc.errors, 400, values)
    return redirect(f"/nyttig/timesheets?week={week_start(done.date).isoformat()}")


@page_post("/nyttig/timesheets/approve", opt=action_opt(a.approve_week))
def timesheets_approve(request: Req, db: Session, data: Form) -> Any:
    values = form_data(data)
    try:
        done = a.approve_week.run(caller_of(request, db), form_input(a.ApproveWeek, values))
    except FormError as exc:
        db.rollback()
        return timesheet_page(request, db, _monday(str(values.get("week") or "")), exc.errors, 400, {**values, "what": "approve"})
    return redirect(f"/nyttig/timesheets?week={done.week.isoformat()}")


# --- departments and assignments ------------------------------------------------------


@page_get("/nyttig/departments", opt=VIEW, name="nyttig.departments")
def departments_get(request: Req, db: Session) -> Any:
    return departments_page(request, db)


DEPARTMENT_FIELDS = [Field("name", required=True, max_length=200), Field("opened_on", kind="date"), Field("closed_on", kind="date"),
                     Field("places", kind="int", min_value=0, max_value=200, default=0), Field("description", max_length=500)]


@page_post("/nyttig/departments", opt={"permission": "nyttig.departments"})
def department_create(request: Req, db: Session, data: Form) -> Any:
    return _save_department(request, db, None, data)


@page_post("/nyttig/departments/{department_id:int}", opt={"permission": "nyttig.departments"})
def department_update(request: Req, db: Session, department_id: int, data: Form) -> Any:
    return _save_department(request, db, get_or_404(db, Department, department_id), data)


def _save_department(request: Req, db: Session, dept: Any, data: Any) -> Any:
    values = form_data(data)
    try:
        c = validate(DEPARTMENT_FIELDS, values)
        days = [int(d) for d in form_list(data, "opening_days") if d.isdigit()]
        leaders = [int(u) for u in form_list(data, "work_leader_ids") if u.isdigit()]
        save_department(db, request.scope["user"].organization.id, dept, opening_days=days, work_leader_ids=leaders, **c)
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


@page_post("/nyttig/assignments/{work_order_id:int}", opt=action_opt(a.decide_assignment))
def assignment_decide(request: Req, db: Session, work_order_id: int, data: Form) -> Any:
    get_or_404(db, WorkOrder, work_order_id)  # another organization's order is not here, whatever the form says
    values = form_data(data)
    # The form answers yes / no; left empty, a question is unanswered (and the action says so).
    answers = {k: {"yes": True, "no": False}.get(str(values.get(k) or "")) for k in ("someone_else_would_do_it", "someone_would_pay")}
    try:
        a.decide_assignment.run(caller_of(request, db), work_order_id, form_input(a.Decide, values, **answers))
    except FormError as exc:
        db.rollback()
        return assignments_page(request, db, {**exc.errors, "order_id": str(work_order_id)}, 400)
    return redirect("/nyttig/assignments")


HANDLERS = [
    overview, contact_form, contact_create, person_detail, screening_post, move_post, relapse_post, leave_post, return_post, facts_post,
    interview_post, assessment_show, contacts_post, contact_persons_post, checklist_post, consent_post, consent_withdraw, document_sign,
    equipment_post, equipment_collect, id_card, meeting_post, incident_post, incident_confirm, incident_dismiss, incident_follow_up,
    waiting_page, incidents_get, incidents_post, timesheets_get, timesheets_post, timesheets_approve, departments_get, department_create,
    department_update, assignments_get, assignment_decide,
]
