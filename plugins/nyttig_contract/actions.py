"""The actions staff take in Nyttig Arbeid, each defined once: its typed input, its
permission and the service that does it. The pages (web.py) and the API (api.py) both call
these; neither carries a rule of its own.

Every service raises :class:`core.forms.FormError` for a value a rule refuses (400 on the
page, 422 in the API) and ``NotFoundException`` for a person, incident or order that is
not in the caller's organization. A refused change leaves nothing half-written.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar.exceptions import NotFoundException, PermissionDeniedException
from msgspec import UNSET, Meta, UnsetType
from sqlalchemy import select

from core.actions import Caller, Input, action
from core.api_types import Date, ParticipantId
from core.db import get_scoped
from core.forms import FormError
from core.i18n import gettext as _
from core.i18n import today
from core.models import Participant, WorkOrder
from plugins.nyttig_contract import labels
from plugins.nyttig_contract.assignments import decide
from plugins.nyttig_contract.eligibility import answers_from, collect_checks, run_screening
from plugins.nyttig_contract.incidents import confirm_breach, dismiss, follow_up_done, record_incident
from plugins.nyttig_contract.interview import SENSITIVE_FIELDS, assessments_of, record_interview
from plugins.nyttig_contract.models import Absence, Assessment, Incident, PathRecord, Timesheet
from plugins.nyttig_contract.phases import come_back, leave, move, path_of, register_contact, relapse, timeline
from plugins.nyttig_contract.results import CreatedOut, PathOut, PersonOut, TimesheetOut, path_out, person_out, timesheet_out
from plugins.nyttig_contract.signing import collect_providers
from plugins.nyttig_contract.start import (
    add_consent, checklist_items, hand_out, make_start_gate, set_contact_persons, sign_document, update_checklist,
)
from plugins.nyttig_contract.weekly import approve, log_contact, record_absence, record_hours, record_meeting, week_start

# Choices, as the schema's enums: the keys of the labels the pages show.
CameVia = Literal[tuple(labels.CAME_VIA)]  # type: ignore[valid-type]
Channel = Literal[tuple(labels.CHANNELS)]  # type: ignore[valid-type]
InitiatedBy = Literal[tuple(labels.INITIATED_BY)]  # type: ignore[valid-type]
Phase = Literal[tuple(labels.PHASES)]  # type: ignore[valid-type]
Onward = Literal[tuple(labels.ONWARD)]  # type: ignore[valid-type]
MeetingKind = Literal[tuple(labels.MEETING_KINDS)]  # type: ignore[valid-type]
IncidentKind = Literal[tuple(labels.INCIDENT_KINDS)]  # type: ignore[valid-type]
Breach = Literal[tuple(labels.BREACHES)]  # type: ignore[valid-type]
EquipmentKind = Literal[tuple(labels.EQUIPMENT)]  # type: ignore[valid-type]
AbsenceReason = Literal[tuple(labels.ABSENCE_REASONS)]  # type: ignore[valid-type]
Rule = Literal[tuple(labels.RULES)]  # type: ignore[valid-type]

PosInt = Annotated[int, Meta(ge=1, le=2**31 - 1)]
StaffRef = Annotated[PosInt | None, Meta(description="A staff member's id; null for none.", examples=[3])]
DepartmentRef = Annotated[PosInt | None, Meta(description="A department's id; null for none.", examples=[1])]
Reason = Annotated[str, Meta(max_length=500, description="Why, in a sentence.", examples=[""])]
Text = Annotated[str, Meta(max_length=1000, description="Free text; may span lines.", examples=[""])]
Answers = Annotated[dict[str, bool | None], Meta(
    description="Answers to the eligibility questions by key (e.g. substance_main_problem, nav_program, housing_in_place, "
                "economy_stable): true, false, or null for not known. A question left out is not known.",
    examples=[{"substance_main_problem": True, "nav_program": False}])]
Overrides = Annotated[dict[str, Annotated[str, Meta(max_length=500)]], Meta(
    description="A check that did not pass, let through anyway: check key → the reason (kept with the screening).",
    examples=[{}])]

VIEW, EDIT, TIMESHEETS = "nyttig.view", "nyttig.edit", "nyttig.timesheets"


def path_or_404(caller: Caller, participant_id: int) -> PathRecord:
    """The person's path in the caller's organization; 404 for anyone else's or a person not on the path."""
    if get_scoped(caller.db, Participant, participant_id) is None:
        raise NotFoundException()
    path = path_of(caller.db, participant_id)
    if path is None:
        raise NotFoundException()
    return path


def path_result(caller: Caller, path: PathRecord) -> PathOut:
    """The path as the API answers it, read through the caller's gate. Built by the API
    handler, not by the action: a page that redirects after the action shows nothing, so
    nothing may be read (and logged) on its behalf."""
    return path_out(path, timeline(caller.db, path.participant_id), caller.gate)


def person_result(caller: Caller, participant_id: int) -> PersonOut:
    path = path_or_404(caller, participant_id)
    items = checklist_items(caller.db, path, path.started_on or today())
    return person_out(caller.db, path, timeline(caller.db, participant_id), items, caller.gate)


def _number(value: Decimal | None, field: str) -> None:
    """NaN and infinities decode as decimals but are no number of hours (and cannot be compared)."""
    if value is not None and not value.is_finite():
        raise FormError({field: _("Not a valid value.")})


def _rolled_back(caller: Caller, exc: FormError) -> FormError:
    caller.db.rollback()
    return exc


# --- first contact ------------------------------------------------------------------------


class FirstContact(Input, kw_only=True, rename={"birth_date": "born_on"}):
    participant_id: Annotated[PosInt | None, Meta(description="An existing participant to put on the path; null makes a new one "
                                                                 "from first_name, last_name, born_on.", examples=[None])] = None
    first_name: Annotated[str, Meta(max_length=100, description="The new person's first name (required without participant_id).",
                                    examples=["Ida"])] = ""
    last_name: Annotated[str, Meta(max_length=100, description="The new person's last name.", examples=[""])] = ""
    birth_date: Annotated[dt.date | None, Meta(description="The new person's date of birth.", examples=["1988-01-01"])] = None
    phone: Annotated[str, Meta(max_length=40, description="A phone number to reach the person on; for an existing participant it "
                                                          "replaces the one stored when given.", examples=[""])] = ""
    date: Annotated[dt.date, Meta(description="The day of the first contact.", examples=["2026-12-03"])]
    came_via: Annotated[CameVia, Meta(description="self: the person got in touch; helper: a helper did.")]
    helper_name: Annotated[str, Meta(max_length=200, description="The helper's name, when came_via is helper.", examples=[""])] = ""
    channel: Annotated[Channel, Meta(description="How the contact was made (phone, sms, meeting, visit...).")]
    note: Annotated[str, Meta(max_length=500, description="A note on the contact, kept in the contact log.", examples=[""])] = ""


@action("nyttig.first_contact", permission=EDIT, summary="Register a first contact",
        description="Put a person on the path at its first phase: an existing participant (participant_id) or a new one "
                    "(first_name required). The contact itself is logged with its channel and note. A person already on the "
                    "path is refused (422).")
def first_contact(caller: Caller, data: FirstContact) -> PathRecord:
    db, org = caller.db, caller.organization_id
    if data.participant_id is not None:
        person = get_scoped(db, Participant, data.participant_id)
        if person is None:
            raise FormError({"participant_id": _("Not one of the allowed choices.")})
        if data.phone:
            person.phone = data.phone
    else:
        if not data.first_name:
            raise FormError({"first_name": _("This field is required.")})
        person = Participant(organization_id=org, first_name=data.first_name, last_name=data.last_name, birth_date=data.birth_date,
                             phone=data.phone)
        db.add(person)
        db.flush()
    try:
        path = register_contact(db, org, person, data.date, caller.user.id, came_via=data.came_via, helper_name=data.helper_name)
        log_contact(db, org, person.id, on=data.date, initiated_by="person" if data.came_via == "self" else "helper",
                    channel=data.channel, reached=True, note=data.note, by_id=caller.user.id)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return path


# --- the path -----------------------------------------------------------------------------


class Screening(Input, kw_only=True):
    planned_start_on: Annotated[dt.date | None, Meta(description="The planned first day, if known: the age limit is judged on it.",
                                                      examples=[None])] = None
    answers: Answers = msgspec.field(default_factory=dict)
    overrides: Overrides = msgspec.field(default_factory=dict)


class ScreeningResultOut(msgspec.Struct, kw_only=True):
    key: Annotated[str, Meta(description="The check's key.")]
    label: Annotated[str, Meta(description="The check, in words.")]
    passed: Annotated[bool | None, Meta(description="true, false, or null when not known.")]
    explanation: Annotated[str, Meta(description="Why it passed or did not.")]
    override: Annotated[str, Meta(description="The reason it was let through anyway; empty when not.")]


class ScreeningOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The screening's id.")]
    passed: Annotated[bool, Meta(description="Whether every check passed or was overridden.")]
    results: Annotated[list[ScreeningResultOut], Meta(description="Each check's outcome.")]
    checked_on: Annotated[dt.date, Meta(description="The day of the screening.")]


@action("nyttig.screening", permission=EDIT, summary="Screen a person's eligibility",
        description="Run every eligibility check of the screening stage (built-in and from other plugins) on the answers "
                    "given, and store the outcome; a check that fails can be let through with a reason (overrides).")
def screening(caller: Caller, participant_id: int, data: Screening) -> ScreeningOut:
    path = path_or_404(caller, participant_id)
    checks = collect_checks(caller.plugins, caller.user.organization, caller.db)
    try:
        s = run_screening(caller.db, checks, path, caller.db.get(Participant, participant_id), stage="screening",
                          answers=answers_from(data.answers), on=today(), by_id=caller.user.id, planned_start_on=data.planned_start_on,
                          overrides=dict(data.overrides))
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return ScreeningOut(id=s.id, passed=s.passed, checked_on=s.checked_on,
                        results=[ScreeningResultOut(key=r["key"], label=r["label"], passed=r["passed"], explanation=r["explanation"],
                                                    override=r.get("override", "")) for r in s.results])


class PhaseStep(Input, kw_only=True):
    step: Annotated[Literal["move", "relapse", "leave", "return"], Meta(
        description="move: forward to to_phase; relapse: back one step; leave: off the path to to_phase (onward, retired, "
                    "ended); return: back from having left.")]
    to_phase: Annotated[Phase | None, Meta(description="Where to (move and leave only).")] = None
    date: Annotated[dt.date, Meta(description="The day of the change.", examples=["2026-12-03"])]
    reason: Reason = ""
    onward: Annotated[Onward | None, Meta(description="For leave to onward: to work, education or training.")] = None
    answers: Answers = msgspec.field(default_factory=dict)
    overrides: Overrides = msgspec.field(default_factory=dict)


@action("nyttig.change_phase", permission=EDIT, summary="Move a person along the path",
        description="One step on the path. A move to started first checks the start checklist and the start-stage "
                    "eligibility checks (answers, overrides) on the start date; a relapse goes one phase back; leaving needs "
                    "to_phase onward, retired or ended. A step the path does not allow is refused (422).")
def change_phase(caller: Caller, participant_id: int, data: PhaseStep) -> PathRecord:
    path = path_or_404(caller, participant_id)
    db, uid = caller.db, caller.user.id
    try:
        if data.step == "move":
            if data.to_phase is None:
                raise FormError({"to_phase": _("This field is required.")})
            gate = None
            if data.to_phase == "started":
                answers = answers_from(data.answers, ("housing_in_place", "economy_stable"))
                gate = make_start_gate(collect_checks(caller.plugins, caller.user.organization, db), answers, dict(data.overrides), uid)
            move(db, path, data.to_phase, data.date, uid, data.reason, start_gate=gate)
        elif data.step == "relapse":
            relapse(db, path, data.date, uid, data.reason)
        elif data.step == "leave":
            leave(db, path, data.to_phase or "", data.date, uid, data.reason, data.onward or "")
        else:
            come_back(db, path, data.date, uid, data.reason)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return path


class Facts(Input, kw_only=True):
    treatment_plan_job: Annotated[bool | UnsetType, Meta(description="Work is part of the treatment plan; left out: unchanged.")] = UNSET
    ready_to_return: Annotated[bool | UnsetType, Meta(description="Someone who left is ready to come back; left out: unchanged.")] = UNSET
    discharge_expected_on: Annotated[dt.date | None | UnsetType, Meta(
        description="The expected discharge from treatment; null: not known; left out: unchanged.")] = UNSET
    paid_worker: Annotated[bool | UnsetType, Meta(description="The person works for pay; left out: unchanged.")] = UNSET


@action("nyttig.facts", permission=EDIT, summary="Change what is known about a person's path",
        description="Set the facts that weigh on the waiting list and on pay: treatment plan, ready to return, expected "
                    "discharge, paid or unpaid. Only the fields given change.")
def set_facts(caller: Caller, participant_id: int, data: Facts) -> PathRecord:
    path = path_or_404(caller, participant_id)
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if value is not UNSET:
            setattr(path, name, value)
    caller.db.commit()
    return path


class Interview(Input, kw_only=True):
    held_on: Annotated[dt.date, Meta(description="The day of the interview.", examples=["2026-12-03"])]
    helper_present: Annotated[str, Meta(max_length=200, description="A helper who came along, if any.", examples=[""])] = ""
    rules: Annotated[list[Rule], Meta(description="The rules explained to the person.", examples=[["rested"]])] = msgspec.field(
        default_factory=list)
    life_situation: Annotated[str, Meta(max_length=5000, description="Assessment form (special category, never shown back here).")] = ""
    substance_history: Annotated[str, Meta(max_length=5000, description="Assessment form (special category).")] = ""
    current_use: Annotated[str, Meta(max_length=5000, description="Assessment form (special category).")] = ""
    adaptations: Annotated[str, Meta(max_length=5000, description="Assessment form (special category).")] = ""
    helpers: Annotated[str, Meta(max_length=5000, description="Assessment form (special category).")] = ""


class InterviewOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The interview's id.")]
    held_on: Annotated[dt.date, Meta(description="The day of the interview.")]
    rules_explained: Annotated[list[str], Meta(description="The rules explained.")]


@action("nyttig.interview", permission=EDIT, summary="Record the recruitment interview",
        description="The interview (when, helper present, rules explained) and its assessment form, in one transaction, "
                    "after the screening has booked it. Writing the form is recorded in the access log.")
def interview(caller: Caller, participant_id: int, data: Interview) -> InterviewOut:
    path = path_or_404(caller, participant_id)
    values = {"held_on": data.held_on, "helper_present": data.helper_present, "rules": list(data.rules),
              **{k: getattr(data, k) for k in SENSITIVE_FIELDS}}
    try:
        row = record_interview(caller.db, path, values, caller.user.id)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return InterviewOut(id=row.id, held_on=row.held_on, rules_explained=list(row.rules_explained))


class AssessmentOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The form's id.")]
    interview_id: Annotated[int, Meta(description="The interview it belongs to.")]
    life_situation: Annotated[str | None, Meta(description="Life situation (special category).")]
    substance_history: Annotated[str | None, Meta(description="Substance history (special category).")]
    current_use: Annotated[str | None, Meta(description="Current use (special category).")]
    adaptations: Annotated[str | None, Meta(description="Adaptations needed (special category).")]
    helpers: Annotated[str | None, Meta(description="Helpers around the person (special category).")]


class AssessmentsOut(msgspec.Struct, kw_only=True):
    items: Annotated[list[AssessmentOut], Meta(description="The person's assessment forms, newest first.")]


def read_assessments(caller: Caller, participant_id: int) -> AssessmentsOut:
    """The assessment forms through the gate: 403 for whom may not read them (not
    ``data.assessment`` and no contact person, or the second factor missing where the
    organization requires it); showing them is logged."""
    path_or_404(caller, participant_id)
    if not caller.gate.may_read_column(Assessment, "substance_history", participant_id):
        raise PermissionDeniedException()
    return AssessmentsOut(items=[AssessmentOut(id=a.id, interview_id=a.interview_id, **{f: caller.gate.value(a, f) for f in SENSITIVE_FIELDS})
                                 for a in assessments_of(caller.db, participant_id)])


class LogContact(Input, kw_only=True):
    date: Annotated[dt.date, Meta(description="The day of the contact.", examples=["2026-12-03"])]
    initiated_by: Annotated[InitiatedBy, Meta(description="Who took the initiative: person, staff or helper.")]
    channel: Annotated[Channel, Meta(description="How: phone, sms, meeting, visit...")]
    reached: Annotated[bool, Meta(description="Whether the person was reached.")] = True
    note: Annotated[str, Meta(max_length=500, description="A note.", examples=[""])] = ""


@action("nyttig.log_contact", permission=EDIT, summary="Log a contact with a person",
        description="Keeping in touch with someone on the waiting list: who got in touch, how, and whether the person "
                    "was reached. The waiting list reminds staff of whom they have not heard from.")
def contact(caller: Caller, participant_id: int, data: LogContact) -> CreatedOut:
    path_or_404(caller, participant_id)
    row = log_contact(caller.db, caller.organization_id, participant_id, on=data.date, initiated_by=data.initiated_by,
                      channel=data.channel, reached=data.reached, note=data.note, by_id=caller.user.id)
    return CreatedOut(id=row.id)


class ScheduleDay(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    weekday: Annotated[int, Meta(ge=0, le=6, description="0 = Monday … 6 = Sunday.")]
    hours: Annotated[Decimal, Meta(description="Hours agreed that day, a decimal string, more than 0 and at most 12.", examples=["4"])]
    department_id: DepartmentRef = None


class StartChecklist(Input, kw_only=True):
    weekly_hours: Annotated[Decimal | None, Meta(description="Hours a week agreed, a decimal string, 0 to 40.",
                                                 examples=["12"])] = None
    schedule: Annotated[list[ScheduleDay], Meta(description="The agreed days; replaces the schedule stored.")] = msgspec.field(
        default_factory=list)
    shoe_size: Annotated[str, Meta(max_length=10, description="For work shoes.", examples=["44"])] = ""
    photo_taken: Annotated[bool, Meta(description="The photo for the service ID card is taken.")] = False
    department_id: DepartmentRef = None
    paid_worker: Annotated[bool, Meta(description="The person works for pay.")] = True
    job_talk_on: Annotated[dt.date | None, Meta(description="The day of the job talk.", examples=[None])] = None
    contact_person_1_id: Annotated[PosInt | None | UnsetType, Meta(description="Appoint the first contact person (a leader's "
                                                                                  "task); null: none; left out: unchanged.")] = UNSET
    contact_person_2_id: Annotated[PosInt | None | UnsetType, Meta(description="Appoint the second contact person; null: none; "
                                                                                  "left out: unchanged.")] = UNSET


@action("nyttig.start_checklist", permission=EDIT, summary="Record the job talk",
        description="The job talk before the start: weekly hours and agreed days, department, shoe size, photo, paid or "
                    "not. Contact persons given are appointed through the core's need-to-know rule (only a leader "
                    "appoints, 403 otherwise); left out, they stay as they are. A refusal leaves nothing half-written.")
def start_checklist(caller: Caller, participant_id: int, data: StartChecklist) -> PathRecord:
    path = path_or_404(caller, participant_id)
    _number(data.weekly_hours, "weekly_hours")
    for day in data.schedule:
        _number(day.hours, "schedule")
    if data.weekly_hours is not None and not 0 <= data.weekly_hours <= 40:
        raise FormError({"weekly_hours": _("Must be at most %(n)s.", n=40) if data.weekly_hours > 0 else _("Must be at least %(n)s.", n=0)})
    try:
        if data.contact_person_1_id is not UNSET or data.contact_person_2_id is not UNSET:
            # Only when sent: recording the job talk is a work leader's task, appointing
            # contact persons a leader's, and leaving them out must not read as taking them away.
            # Checked first, stored with the checklist: a refusal leaves nothing half-written.
            first = path.contact_person_1_id if data.contact_person_1_id is UNSET else data.contact_person_1_id
            second = path.contact_person_2_id if data.contact_person_2_id is UNSET else data.contact_person_2_id
            set_contact_persons(caller.db, path, first, second, by=caller.user, commit=False)
        update_checklist(caller.db, path, weekly_hours=data.weekly_hours,
                         schedule=[{"weekday": d.weekday, "hours": d.hours, "department_id": d.department_id} for d in data.schedule],
                         shoe_size=data.shoe_size, photo_taken=data.photo_taken, department_id=data.department_id,
                         paid_worker=data.paid_worker, job_talk_on=data.job_talk_on)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return path


class ContactPersons(Input, kw_only=True):
    contact_person_1_id: Annotated[PosInt | None, Meta(description="The first contact person's staff id; null: none.")] = None
    contact_person_2_id: Annotated[PosInt | None, Meta(description="The second contact person's staff id; null: none.")] = None


@action("nyttig.contact_persons", permission=EDIT, summary="Appoint a person's contact persons",
        description="The two staff members who follow the person. A contact person reads the person's notes, so this goes "
                    "through the core's need-to-know rule: only a leader appoints (403 otherwise), and every appointment "
                    "is recorded. The two must be different people (422).")
def contact_persons(caller: Caller, participant_id: int, data: ContactPersons) -> PathRecord:
    path = path_or_404(caller, participant_id)
    try:
        set_contact_persons(caller.db, path, data.contact_person_1_id, data.contact_person_2_id, by=caller.user)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return path


class Consent(Input, kw_only=True):
    contacts: Annotated[str, Meta(min_length=1, max_length=500, pattern=r"\S",
                                  description="Whom staff may talk with about the person (the helpers, by name or service).",
                                  examples=["NAV-veileder Kari"])]
    scope: Annotated[str, Meta(min_length=1, max_length=500, pattern=r"\S", description="What they may talk about.",
                               examples=["Oppmøte og arbeid"])]
    given_on: Annotated[dt.date, Meta(description="The day the person gave it.", examples=["2026-12-03"])]
    expires_on: Annotated[dt.date | None, Meta(description="The last day it holds; null: until withdrawn.", examples=[None])] = None


@action("nyttig.consent", permission=EDIT, summary="Record a consent to talk with helpers",
        description="The person's consent that staff talk with named helpers (contacts) about what scope says, from "
                    "given_on until expires_on or until withdrawn. A start needs one in force.")
def consent(caller: Caller, participant_id: int, data: Consent) -> CreatedOut:
    path = path_or_404(caller, participant_id)
    try:
        row = add_consent(caller.db, path, contacts=data.contacts, scope=data.scope, given_on=data.given_on, valid_until=data.expires_on,
                          by_id=caller.user.id)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return CreatedOut(id=row.id)


class SignDocument(Input, kw_only=True):
    provider: Annotated[str, Meta(max_length=40, description="How it is signed: paper (built in) or a signing plugin's key.",
                                  examples=["paper"])] = "paper"
    signed_on: Annotated[dt.date | None, Meta(description="The day it was signed (paper).", examples=["2026-12-03"])] = None


class DocumentOut(msgspec.Struct, kw_only=True):
    kind: Annotated[str, Meta(description="contract or confidentiality.")]
    status: Annotated[str, Meta(description="signed, or where the signing stands.")]
    signed_on: Annotated[dt.date | None, Meta(description="The day it was signed.")]
    provider: Annotated[str, Meta(description="How it was signed.")]
    seen_by_id: Annotated[int | None, Meta(description="The staff member who saw it signed.")]


@action("nyttig.sign_document", permission=EDIT, summary="Sign a start document",
        description="Mark the employment contract or the confidentiality declaration signed, through a signing provider "
                    "(paper: signed_on required). An unknown provider or document is refused (422).")
def sign(caller: Caller, participant_id: int, kind: str, data: SignDocument) -> DocumentOut:
    path = path_or_404(caller, participant_id)
    provider = collect_providers(caller.plugins, caller.user.organization).get(data.provider)
    if provider is None:
        raise FormError({"provider": _("Not one of the allowed choices.")})
    values = {"signed_on": data.signed_on.isoformat() if data.signed_on else ""}
    try:
        doc = sign_document(caller.db, path, kind, provider, values, caller.user.id)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return DocumentOut(kind=doc.kind, status=doc.status, signed_on=doc.signed_on, provider=doc.provider, seen_by_id=doc.seen_by_id)


class HandOut(Input, kw_only=True):
    kind: Annotated[EquipmentKind, Meta(description="What is handed out: id_card, locker, uniform...")]
    label: Annotated[str, Meta(max_length=100, description="Which one (a locker's number...).", examples=[""])] = ""
    handed_out_on: Annotated[dt.date, Meta(description="The day it was handed out.", examples=["2026-12-03"])]


@action("nyttig.hand_out", permission=EDIT, summary="Hand out equipment",
        description="Record a piece of day-one equipment handed out (ID card, locker, uniform...).")
def equipment(caller: Caller, participant_id: int, data: HandOut) -> CreatedOut:
    path = path_or_404(caller, participant_id)
    try:
        row = hand_out(caller.db, path, data.kind, data.label, data.handed_out_on)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return CreatedOut(id=row.id)


class RecordMeeting(Input, kw_only=True):
    kind: Annotated[MeetingKind, Meta(description="status, job_talk, review...")]
    held_on: Annotated[dt.date, Meta(description="The day it was held.", examples=["2026-12-03"])]
    staff_1_id: StaffRef = None
    staff_2_id: StaffRef = None
    summary: Annotated[str, Meta(max_length=1000, description="What was said (special category).", examples=[""])] = ""


@action("nyttig.meeting", permission=EDIT, summary="Record a meeting",
        description="A status meeting, job talk or review with the person, the two staff members present and a summary. "
                    "A staff id outside the organization is refused (422).")
def meeting(caller: Caller, participant_id: int, data: RecordMeeting) -> CreatedOut:
    path = path_or_404(caller, participant_id)
    try:
        row = record_meeting(caller.db, path, kind=data.kind, held_on=data.held_on, staff_1_id=data.staff_1_id, staff_2_id=data.staff_2_id,
                             summary=data.summary)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return CreatedOut(id=row.id)


# --- incidents ----------------------------------------------------------------------------


class RecordIncident(Input, kw_only=True):
    kind: Annotated[IncidentKind, Meta(description="minor, sent_home, serious, injury...")]
    date: Annotated[dt.date, Meta(description="The day it happened.", examples=["2026-12-03"])]
    participant_id: Annotated[PosInt | None, Meta(description="The person it concerns; null for none.")] = None
    description: Annotated[str, Meta(max_length=1000, description="What happened (special category).", examples=[""])] = ""
    staff_1_id: StaffRef = None
    staff_2_id: StaffRef = None
    breach: Annotated[Breach | None, Meta(description="For a serious breach: violence, threats or dealing.")] = None
    department_id: DepartmentRef = None


@action("nyttig.incident", permission=EDIT, summary="Record an incident",
        description="Something that happened at work: a minor incident, someone sent home, a serious breach (which needs "
                    "breach), or an injury (which gets a follow-up by the next working day).")
def incident(caller: Caller, data: RecordIncident) -> Incident:
    if data.participant_id is not None:
        path_or_404(caller, data.participant_id)
    try:
        row = record_incident(caller.db, caller.organization_id, kind=data.kind, on=data.date, participant_id=data.participant_id,
                              description=data.description, staff_1_id=data.staff_1_id, staff_2_id=data.staff_2_id,
                              breach=data.breach or "", department_id=data.department_id, by_id=caller.user.id)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return row


def _incident(caller: Caller, incident_id: int) -> Incident:
    row = get_scoped(caller.db, Incident, incident_id)
    if row is None:
        raise NotFoundException()
    return row


def _incident_step(caller: Caller, step: Callable[[], Incident]) -> Incident:
    try:
        return step()
    except FormError as exc:
        raise _rolled_back(caller, exc) from None


@action("nyttig.confirm_breach", permission=EDIT, summary="Record that the person confirmed a serious breach",
        description="The person has confirmed the serious breach (today). Only a serious breach is confirmed (422 otherwise).")
def confirm(caller: Caller, incident_id: int) -> Incident:
    row = _incident(caller, incident_id)
    return _incident_step(caller, lambda: confirm_breach(caller.db, row, today()))


@action("nyttig.dismiss", permission=EDIT, summary="Dismiss after a serious breach",
        description="End the person's path after a confirmed serious breach (today). Refused (422) for another kind of "
                    "incident or a breach not yet confirmed; 404 for an incident that concerns no one person.")
def dismissal(caller: Caller, incident_id: int) -> Incident:
    row = _incident(caller, incident_id)
    if row.participant_id is None:
        raise NotFoundException()
    path = path_or_404(caller, row.participant_id)
    return _incident_step(caller, lambda: dismiss(caller.db, row, path, today(), caller.user.id))


@action("nyttig.follow_up", permission="nyttig.follow_up", summary="Follow up an injury report",
        description="A leader has followed up an injury (today). Only an incident with a follow-up task (422 otherwise).")
def follow_up(caller: Caller, incident_id: int) -> Incident:
    row = _incident(caller, incident_id)
    return _incident_step(caller, lambda: follow_up_done(caller.db, row, today(), caller.user.id))


# --- timesheets ---------------------------------------------------------------------------


class RecordHours(Input, kw_only=True):
    participant_id: ParticipantId
    date: Date
    department_id: Annotated[int, Meta(ge=1, description="The department worked in.", examples=[1])]
    hours: Annotated[Decimal, Meta(description="Hours worked, a decimal string, more than 0 and at most 16.", examples=["4.5"])]
    note: Annotated[str, Meta(max_length=300, description="A note.", examples=[""])] = ""


@action("nyttig.record_hours", permission=TIMESHEETS, summary="Record hours worked",
        description="A person's hours on a day in a department; a day already recorded is replaced while not approved.")
def hours(caller: Caller, data: RecordHours) -> TimesheetOut:
    path_or_404(caller, data.participant_id)
    _number(data.hours, "hours")
    try:
        row = record_hours(caller.db, caller.organization_id, data.participant_id, data.date, data.department_id, data.hours,
                           caller.user.id, data.note)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return timesheet_out(row)


class RecordAbsence(Input, kw_only=True):
    participant_id: ParticipantId
    date: Date
    reason: Annotated[AbsenceReason, Meta(description="ill, mental_health or unknown (special category).")]
    note: Annotated[str, Meta(max_length=300, description="A note (special category).", examples=[""])] = ""


@action("nyttig.record_absence", permission=TIMESHEETS, summary="Record an absence",
        description="A person was away on an agreed day, and why; the reason is a special category, read through the gate.")
def absence(caller: Caller, data: RecordAbsence) -> Absence:
    path_or_404(caller, data.participant_id)
    row = record_absence(caller.db, caller.organization_id, data.participant_id, data.date, data.reason, caller.user.id, data.note)
    return row


class ApproveWeek(Input, kw_only=True):
    week: Annotated[dt.date, Meta(description="Any day of the week to approve; the week runs Monday to Sunday.",
                                  examples=["2026-11-30"])]
    department_id: Annotated[PosInt | None, Meta(description="Only this department's hours; null: every department.")] = None
    ids: Annotated[list[PosInt] | None, Meta(
        description="Only these timesheet rows (of that week); null: all of the week's rows.", examples=[None])] = None


class ApprovedOut(msgspec.Struct, kw_only=True):
    week: Annotated[dt.date, Meta(description="The Monday of the week approved.")]
    approved: Annotated[int, Meta(description="How many rows were approved now (rows approved before are not counted).")]


@action("nyttig.approve_week", permission=TIMESHEETS, summary="Approve a week's hours",
        description="Approve the hours of one week (approved hours are paid), optionally of one department only, "
                    "optionally only the rows listed. An id that is not a row of that week is refused (422).")
def approve_week(caller: Caller, data: ApproveWeek) -> ApprovedOut:
    monday = week_start(data.week)
    q = select(Timesheet).where(Timesheet.date >= monday, Timesheet.date <= monday + dt.timedelta(days=6))
    if data.department_id is not None:
        q = q.where(Timesheet.department_id == data.department_id)
    sheets = list(caller.db.scalars(q.order_by(Timesheet.id)))
    if data.ids is not None:
        wanted = set(data.ids)
        if wanted - {t.id for t in sheets}:
            raise FormError({"ids": _("Not one of the allowed choices.")})
        sheets = [t for t in sheets if t.id in wanted]
    return ApprovedOut(week=monday, approved=approve(caller.db, sheets, caller.user.id))


# --- assignments --------------------------------------------------------------------------


class Decide(Input, kw_only=True):
    someone_else_would_do_it: Annotated[bool | None, Meta(description="Would someone else do it if not us? Required to decide.")] = None
    someone_would_pay: Annotated[bool | None, Meta(description="Would someone pay for it? Required to decide.")] = None
    decision: Annotated[Literal["accepted", "declined"], Meta(description="Accept or decline the order.")]
    reason: Annotated[str, Meta(max_length=500, description="Why; kept with the order.", examples=["Ekte arbeid"])] = ""


class AssignmentOut(msgspec.Struct, kw_only=True):
    work_order_id: Annotated[int, Meta(description="The work order's id.")]
    status: Annotated[str, Meta(description="The order's status now: accepted or declined.")]
    status_reason: Annotated[str, Meta(description="The reason kept with it.")]
    someone_else_would_do_it: Annotated[bool, Meta(description="The first question's answer.")]
    someone_would_pay: Annotated[bool, Meta(description="The second question's answer.")]


@action("nyttig.decide_assignment", permission="nyttig.assignments", summary="Accept or decline an assignment",
        description="A district's work order is accepted or declined only after the two questions are answered (would "
                    "someone else do it, would someone pay), with a reason (422 otherwise). The core's own status change "
                    "refuses to accept an order without them in an organization running Nyttig Arbeid.")
def decide_assignment(caller: Caller, work_order_id: int, data: Decide) -> AssignmentOut:
    order = get_scoped(caller.db, WorkOrder, work_order_id)
    if order is None:
        raise NotFoundException()
    try:
        check = decide(caller.db, order, someone_else=data.someone_else_would_do_it, someone_pays=data.someone_would_pay,
                       decision=data.decision, reason=data.reason, by_id=caller.user.id, plugins=caller.plugins)
    except FormError as exc:
        raise _rolled_back(caller, exc) from None
    return AssignmentOut(work_order_id=order.id, status=order.status, status_reason=order.status_reason or "",
                         someone_else_would_do_it=check.someone_else_would_do_it, someone_would_pay=check.someone_would_pay)

