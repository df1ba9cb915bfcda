"""Nyttig Arbeid in the JSON API (``/api/v1/nyttig/...``): each write is one of the actions
in :mod:`plugins.nyttig_contract.actions`, the same the pages call; the reads answer the
typed results of :mod:`plugins.nyttig_contract.results`."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Request
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.i18n import today
from core.web.handlers import api_get, api_post, caller_of, disclosure
from plugins.nyttig_contract import actions as a
from plugins.nyttig_contract.models import PathRecord
from plugins.nyttig_contract.results import (
    AbsenceOut, CreatedOut, DepartmentsOut, IncidentOut, IncidentsOut, PathOut, PeopleOut, PersonOut, TimesheetOut, WaitingListOut,
    WeekOut, absence_out, departments_out, incident_out, incidents_list, path_out, waiting_entry_out, week_out,
)
from plugins.nyttig_contract.waiting_list import shown_through, waiting_list
from plugins.nyttig_contract.weekly import week_start

BASE = "/api/v1/nyttig"
TAGS = ["nyttig"]
Req = Request[Any, Any, Any]
VIEW = {"permission": "nyttig.view"}

ParticipantPath = Annotated[int, Parameter(description="The participant's id.")]
IncidentPath = Annotated[int, Parameter(description="The incident's id.")]


@api_get(f"{BASE}/people", opt=VIEW, name="api.nyttig.people", tags=TAGS, summary="List the people on the path",
         description="Every person on Nyttig Arbeid's path, optionally in one phase; the timeline is left out (read one "
                     "person for it). Special-category values through the gate (null where withheld).")
def people(request: Req, db: Session,
           phase: Annotated[a.Phase | None, Parameter(description="Only people in this phase.")] = None) -> PeopleOut:
    q = select(PathRecord)
    if phase:
        q = q.where(PathRecord.phase == phase)
    gate = disclosure(request)
    return PeopleOut(items=[path_out(p, [], gate) for p in db.scalars(q.order_by(PathRecord.id))])


@api_post(f"{BASE}/people", **api_doc(a.first_contact), name="api.nyttig.contact", tags=TAGS, status_code=201)
def new_contact(request: Req, db: Session, data: a.FirstContact) -> PathOut:
    caller = caller_of(request, db)
    return a.path_result(caller, a.first_contact.run(caller, data))


@api_get(f"{BASE}/people/{{participant_id:int}}", opt=VIEW, name="api.nyttig.person", tags=TAGS, summary="Read a person's path",
         description="The person's path, start checklist, consents, meetings, incidents and absences. Special-category values "
                     "(a relapse's reason, consents, meeting summaries, incidents, absence reasons) come through the core's "
                     "gate: null where the requester may not read them, and each category shown is logged once.")
def person(request: Req, db: Session, participant_id: ParticipantPath) -> PersonOut:
    return a.person_result(caller_of(request, db), participant_id)


@api_post(f"{BASE}/people/{{participant_id:int}}/screening", **api_doc(a.screening), name="api.nyttig.screening", tags=TAGS,
          status_code=201)
def screening(request: Req, db: Session, participant_id: ParticipantPath, data: a.Screening) -> a.ScreeningOut:
    return a.screening.run(caller_of(request, db), participant_id, data)


@api_post(f"{BASE}/people/{{participant_id:int}}/phase", **api_doc(a.change_phase), name="api.nyttig.phase", tags=TAGS, status_code=200)
def phase(request: Req, db: Session, participant_id: ParticipantPath, data: a.PhaseStep) -> PathOut:
    caller = caller_of(request, db)
    return a.path_result(caller, a.change_phase.run(caller, participant_id, data))


@api_post(f"{BASE}/people/{{participant_id:int}}/facts", **api_doc(a.set_facts), name="api.nyttig.facts", tags=TAGS, status_code=200)
def facts(request: Req, db: Session, participant_id: ParticipantPath, data: a.Facts) -> PathOut:
    caller = caller_of(request, db)
    return a.path_result(caller, a.set_facts.run(caller, participant_id, data))


@api_post(f"{BASE}/people/{{participant_id:int}}/interview", **api_doc(a.interview), name="api.nyttig.interview", tags=TAGS,
          status_code=201)
def interview(request: Req, db: Session, participant_id: ParticipantPath, data: a.Interview) -> a.InterviewOut:
    return a.interview.run(caller_of(request, db), participant_id, data)


@api_post(f"{BASE}/people/{{participant_id:int}}/assessment/show", opt=VIEW, name="api.nyttig.assessment", tags=TAGS, status_code=200,
          summary="Read a person's assessment forms",
          description="A POST (never a URL with data), through the core's gate, which decides who may read the forms "
                      "(data.assessment, or a contact person), asks for the second factor where the organization requires "
                      "it (403 without), and logs the showing.")
def assessment(request: Req, db: Session, participant_id: ParticipantPath) -> a.AssessmentsOut:
    return a.read_assessments(caller_of(request, db), participant_id)


@api_post(f"{BASE}/people/{{participant_id:int}}/contacts", **api_doc(a.contact), name="api.nyttig.contacts", tags=TAGS, status_code=201)
def contacts(request: Req, db: Session, participant_id: ParticipantPath, data: a.LogContact) -> CreatedOut:
    return a.contact.run(caller_of(request, db), participant_id, data)


@api_post(f"{BASE}/people/{{participant_id:int}}/contact-persons", **api_doc(a.contact_persons), name="api.nyttig.contact_persons",
          tags=TAGS, status_code=200)
def contact_persons(request: Req, db: Session, participant_id: ParticipantPath, data: a.ContactPersons) -> PathOut:
    caller = caller_of(request, db)
    return a.path_result(caller, a.contact_persons.run(caller, participant_id, data))


@api_post(f"{BASE}/people/{{participant_id:int}}/start", **api_doc(a.start_checklist), name="api.nyttig.start", tags=TAGS,
          status_code=200)
def start_checklist(request: Req, db: Session, participant_id: ParticipantPath, data: a.StartChecklist) -> PersonOut:
    caller = caller_of(request, db)
    a.start_checklist.run(caller, participant_id, data)
    return a.person_result(caller, participant_id)


@api_post(f"{BASE}/people/{{participant_id:int}}/consent", **api_doc(a.consent), name="api.nyttig.consent", tags=TAGS, status_code=201)
def consent(request: Req, db: Session, participant_id: ParticipantPath, data: a.Consent) -> CreatedOut:
    return a.consent.run(caller_of(request, db), participant_id, data)


@api_post(f"{BASE}/people/{{participant_id:int}}/documents/{{kind:str}}", **api_doc(a.sign), name="api.nyttig.sign", tags=TAGS,
          status_code=200)
def sign(request: Req, db: Session, participant_id: ParticipantPath,
         kind: Annotated[Literal["contract", "confidentiality"], Parameter(description="Which document.")],
         data: a.SignDocument) -> a.DocumentOut:
    return a.sign.run(caller_of(request, db), participant_id, kind, data)


@api_post(f"{BASE}/people/{{participant_id:int}}/equipment", **api_doc(a.equipment), name="api.nyttig.equipment", tags=TAGS,
          status_code=201)
def equipment(request: Req, db: Session, participant_id: ParticipantPath, data: a.HandOut) -> CreatedOut:
    return a.equipment.run(caller_of(request, db), participant_id, data)


@api_post(f"{BASE}/people/{{participant_id:int}}/meetings", **api_doc(a.meeting), name="api.nyttig.meetings", tags=TAGS, status_code=201)
def meetings(request: Req, db: Session, participant_id: ParticipantPath, data: a.RecordMeeting) -> CreatedOut:
    return a.meeting.run(caller_of(request, db), participant_id, data)


@api_get(f"{BASE}/incidents", opt=VIEW, name="api.nyttig.incident_list", tags=TAGS, summary="List incidents",
         description="Incidents, newest first (at most 500), filtered. What happened, its kind and a breach are special "
                     "categories: through the gate exactly as on the person's page (null where withheld, each category "
                     "shown logged once).")
def incident_list(
    request: Req, db: Session,
    participant_id: Annotated[int | None, Parameter(description="Only incidents concerning this participant.", ge=1)] = None,
    date_from: Annotated[dt.date | None, Parameter(description="From this day (inclusive).")] = None,
    date_to: Annotated[dt.date | None, Parameter(description="To this day (inclusive).")] = None,
    open_follow_up: Annotated[bool | None, Parameter(description="true: only injuries still to follow up; false: all others.")] = None,
) -> IncidentsOut:
    return incidents_list(db, disclosure(request), participant_id=participant_id, date_from=date_from, date_to=date_to,
                          open_follow_up=open_follow_up)


@api_post(f"{BASE}/incidents", **api_doc(a.incident), name="api.nyttig.incidents", tags=TAGS, status_code=201)
def incidents(request: Req, db: Session, data: a.RecordIncident) -> IncidentOut:
    return incident_out(a.incident.run(caller_of(request, db), data), disclosure(request))


@api_post(f"{BASE}/incidents/{{incident_id:int}}/confirm", **api_doc(a.confirm), name="api.nyttig.incident_confirm", tags=TAGS,
          status_code=200)
def incident_confirm(request: Req, db: Session, incident_id: IncidentPath) -> IncidentOut:
    return incident_out(a.confirm.run(caller_of(request, db), incident_id), disclosure(request))


@api_post(f"{BASE}/incidents/{{incident_id:int}}/dismiss", **api_doc(a.dismissal), name="api.nyttig.incident_dismiss", tags=TAGS,
          status_code=200)
def incident_dismiss(request: Req, db: Session, incident_id: IncidentPath) -> IncidentOut:
    return incident_out(a.dismissal.run(caller_of(request, db), incident_id), disclosure(request))


@api_post(f"{BASE}/incidents/{{incident_id:int}}/follow-up", **api_doc(a.follow_up), name="api.nyttig.incident_follow_up", tags=TAGS,
          status_code=200)
def incident_follow_up(request: Req, db: Session, incident_id: IncidentPath) -> IncidentOut:
    return incident_out(a.follow_up.run(caller_of(request, db), incident_id), disclosure(request))


@api_get(f"{BASE}/waiting-list", opt=VIEW, name="api.nyttig.waiting_list", tags=TAGS, summary="Read the waiting list",
         description="Who waits, in order: points for each priority (a special-category one through the gate, replaced by "
                     "a neutral priority with the same points where withheld), days waited, last contact, reminders.")
def waiting(request: Req, db: Session) -> WaitingListOut:
    return WaitingListOut(items=[waiting_entry_out(e) for e in shown_through(waiting_list(db, today()), disclosure(request))])


@api_get(f"{BASE}/departments", opt=VIEW, name="api.nyttig.departments", tags=TAGS, summary="List departments",
         description="Every department with Nyttig Arbeid's profile of it: opening days, places, description, work leaders; "
                     "the ids the timesheets, incidents and the start checklist refer to.")
def department_list(db: Session) -> DepartmentsOut:
    return departments_out(db, today())


@api_get(f"{BASE}/timesheets", opt={"permission": "nyttig.timesheets"}, name="api.nyttig.timesheets", tags=TAGS,
         summary="Read a week's timesheets",
         description="The week's expected days, hours and absences; an absence's reason only through the core's gate "
                     "(null where the requester may not read it).")
def timesheets(request: Req, db: Session,
               week: Annotated[dt.date | None, Parameter(description="Any day of the week (Monday to Sunday); default this week.")] = None,
               ) -> WeekOut:
    return week_out(db, week_start(week or today()), disclosure(request))


@api_post(f"{BASE}/timesheets", **api_doc(a.hours), name="api.nyttig.timesheet_record", tags=TAGS, status_code=201)
def timesheet_record(request: Req, db: Session, data: a.RecordHours) -> TimesheetOut:
    return a.hours.run(caller_of(request, db), data)


@api_post(f"{BASE}/timesheets/approve", **api_doc(a.approve_week), name="api.nyttig.timesheet_approve", tags=TAGS, status_code=200)
def timesheet_approve(request: Req, db: Session, data: a.ApproveWeek) -> a.ApprovedOut:
    return a.approve_week.run(caller_of(request, db), data)


@api_post(f"{BASE}/absences", **api_doc(a.absence), name="api.nyttig.absences", tags=TAGS, status_code=201)
def absences(request: Req, db: Session, data: a.RecordAbsence) -> AbsenceOut:
    return absence_out(a.absence.run(caller_of(request, db), data), disclosure(request))


@api_post(f"{BASE}/assignments/{{work_order_id:int}}", **api_doc(a.decide_assignment), name="api.nyttig.assignment", tags=TAGS,
          status_code=200)
def assignment(request: Req, db: Session, work_order_id: Annotated[int, Parameter(description="The work order's id.")],
               data: a.Decide) -> a.AssignmentOut:
    return a.decide_assignment.run(caller_of(request, db), work_order_id, data)


API_HANDLERS = [people, new_contact, person, screening, phase, facts, interview, assessment, contacts, contact_persons, start_checklist,
                consent, sign, equipment, meetings, incident_list, incidents, incident_confirm, incident_dismiss, incident_follow_up,
                waiting, department_list, timesheets, timesheet_record, timesheet_approve, absences, assignment]
