"""What Nyttig Arbeid's actions and reads answer in the API: typed, every field described.

Special-category values are read through the request's gate (``Disclosure.value``) when a
result is built, so a field the requester may not read is ``null``, and showing one is
logged once per category, exactly as on the person page.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Department
from core.services.disclosure import Disclosure
from plugins.nyttig_contract.incidents import incidents_of
from plugins.nyttig_contract.models import (
    Absence, DepartmentProfile, DepartmentWorkLeader, Incident, Meeting, PathRecord, PhaseChange, Timesheet,
)
from plugins.nyttig_contract.start import Item, consents_of
from plugins.nyttig_contract.waiting_list import WaitingEntry
from plugins.nyttig_contract.weekly import expected_shifts

Gated = "null where the requester may not read it (special category, through the disclosure gate)."


def _d(text: str) -> Meta:
    return Meta(description=text)


class PhaseChangeOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The change's id.")]
    from_phase: Annotated[str, _d("The phase the person left.")]
    to_phase: Annotated[str, _d("The phase the person came to.")]
    kind: Annotated[str | None, _d(f"move, relapse, leave or return; {Gated}")]
    date: Annotated[dt.date, _d("The day of the change.")]
    by_id: Annotated[int | None, _d("The staff member who recorded it.")]
    reason: Annotated[str | None, _d(f"Why; {Gated}")]


class PathOut(msgspec.Struct, kw_only=True):
    participant_id: Annotated[int, _d("The participant's id.")]
    phase: Annotated[str, _d("Where the person is on the path: contact, screening, interview, waiting, started, onward...")]
    phase_since: Annotated[dt.date, _d("The day the current phase began.")]
    came_via: Annotated[str, _d("How the first contact came about: self or helper.")]
    helper_name: Annotated[str, _d("The helper who made the contact, if any.")]
    paid_worker: Annotated[bool, _d("Whether the person works for pay (false: unpaid, e.g. on a benefit).")]
    treatment_plan_job: Annotated[bool | None, _d(f"Work is part of the person's treatment plan; {Gated}")]
    discharge_expected_on: Annotated[dt.date | None, _d(f"The expected discharge from treatment; {Gated}")]
    ready_to_return: Annotated[bool, _d("Someone who left is ready to come back.")]
    ever_started: Annotated[bool, _d("The person has started at least once.")]
    waiting_since: Annotated[dt.date | None, _d("The day the person joined the waiting list, if waiting.")]
    department_id: Annotated[int | None, _d("The department the person works in.")]
    contact_person_ids: Annotated[list[int | None], _d("The two contact persons' staff ids (null where none is appointed).")]
    started_on: Annotated[dt.date | None, _d("The first working day.")]
    outcome: Annotated[str | None, _d(f"How the path ended; {Gated}")]
    timeline: Annotated[list[PhaseChangeOut], _d("Every phase change, oldest first (empty in lists).")]


class PeopleOut(msgspec.Struct, kw_only=True):
    items: Annotated[list[PathOut], _d("The paths, oldest first.")]


class ChecklistItemOut(msgspec.Struct, kw_only=True):
    key: Annotated[str, _d("What must be in place before the first day.")]
    label: Annotated[str, _d("The item in the requester's language.")]
    done: Annotated[bool, _d("Whether it is done.")]


class ConsentOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The consent's id.")]
    given_on: Annotated[dt.date, _d("The day it was given.")]
    expires_on: Annotated[dt.date | None, _d("The last day it holds; null: until withdrawn.")]
    withdrawn_on: Annotated[dt.date | None, _d("The day it was withdrawn, if it was.")]
    contacts: Annotated[str | None, _d(f"Whom staff may talk to (the helpers named); {Gated}")]
    scope: Annotated[str | None, _d(f"What they may talk about; {Gated}")]


class MeetingOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The meeting's id.")]
    kind: Annotated[str, _d("status, job_talk, review...")]
    held_on: Annotated[dt.date, _d("The day it was held.")]
    staff_ids: Annotated[list[int | None], _d("The two staff members present (null where none).")]
    summary: Annotated[str | None, _d(f"What was said; {Gated}")]


class IncidentOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The incident's id.")]
    participant_id: Annotated[int | None, _d("The person it concerns; null for one that concerns no one person.")]
    date: Annotated[dt.date, _d("The day it happened.")]
    kind: Annotated[str | None, _d(f"minor, sent_home, serious, injury...; {Gated}")]
    breach: Annotated[str | None, _d(f"For a serious breach: violence, threats or dealing; {Gated}")]
    description: Annotated[str | None, _d(f"What happened; {Gated}")]
    department_id: Annotated[int | None, _d("Where it happened.")]
    confirmed_by_person_on: Annotated[dt.date | None, _d("The day the person confirmed a serious breach.")]
    dismissed_on: Annotated[dt.date | None, _d("The day of the dismissal that followed, if any.")]
    follow_up_due_on: Annotated[dt.date | None, _d("The day an injury report must be followed up by (the next working day).")]
    follow_up_done_on: Annotated[dt.date | None, _d("The day a leader followed it up.")]


class IncidentsOut(msgspec.Struct, kw_only=True):
    items: Annotated[list[IncidentOut], _d("The incidents, newest first.")]


class AbsenceOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The absence's id.")]
    participant_id: Annotated[int, _d("The participant's id.")]
    date: Annotated[dt.date, _d("The day the person was away.")]
    reason: Annotated[str | None, _d(f"ill, mental_health or unknown; {Gated}")]
    note: Annotated[str | None, _d(f"A note; {Gated}")]


class PersonOut(PathOut, kw_only=True):
    start_checklist: Annotated[list[ChecklistItemOut], _d("What must be in place before the first day.")]
    consents: Annotated[list[ConsentOut], _d("Consents to talk with helpers, newest first.")]
    meetings: Annotated[list[MeetingOut], _d("Meetings, newest first.")]
    incidents: Annotated[list[IncidentOut], _d("Incidents, newest first.")]
    absences: Annotated[list[AbsenceOut], _d("Absences, newest first.")]


class CreatedOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The id of the record made.")]


class TimesheetOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The timesheet row's id.")]
    participant_id: Annotated[int, _d("The participant's id.")]
    date: Annotated[dt.date, _d("The day worked.")]
    department_id: Annotated[int, _d("The department worked in.")]
    hours: Annotated[str, _d("Hours worked, a decimal string.")]
    approved: Annotated[bool, _d("Whether the hours are approved (approved hours are paid).")]


class DepartmentOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, _d("The department's id.")]
    name: Annotated[str, _d("Its name.")]
    opened_on: Annotated[dt.date | None, _d("The day it opened.")]
    closed_on: Annotated[dt.date | None, _d("The day it closed, if it has.")]
    open_today: Annotated[bool, _d("Whether it is open today.")]
    opening_days: Annotated[list[int], _d("Weekdays it is open, 0 = Monday.")]
    places: Annotated[int, _d("How many people can work there.")]
    description: Annotated[str, _d("What the work is.")]
    work_leader_ids: Annotated[list[int], _d("The staff ids of its work leaders.")]


class DepartmentsOut(msgspec.Struct, kw_only=True):
    items: Annotated[list[DepartmentOut], _d("The departments, by name.")]


def path_out(path: PathRecord, changes: list[PhaseChange], gate: Disclosure) -> PathOut:
    return PathOut(**_path_fields(path, changes, gate))


def _path_fields(path: PathRecord, changes: list[PhaseChange], gate: Disclosure) -> dict[str, object]:
    v = gate.value
    return {
        "participant_id": path.participant_id, "phase": path.phase, "phase_since": path.phase_since, "came_via": path.came_via,
        "helper_name": path.helper_name, "paid_worker": path.paid_worker, "treatment_plan_job": v(path, "treatment_plan_job"),
        "discharge_expected_on": v(path, "discharge_expected_on"), "ready_to_return": path.ready_to_return,
        "ever_started": path.ever_started, "waiting_since": path.waiting_since, "department_id": path.department_id,
        "contact_person_ids": [path.contact_person_1_id, path.contact_person_2_id], "started_on": path.started_on,
        "outcome": v(path, "outcome"),
        "timeline": [PhaseChangeOut(id=c.id, from_phase=c.from_phase, to_phase=c.to_phase, kind=v(c, "kind"), date=c.on, by_id=c.by_id,
                                    reason=v(c, "reason")) for c in changes],
    }


def person_out(db: Session, path: PathRecord, changes: list[PhaseChange], items: list[Item], gate: Disclosure) -> PersonOut:
    v, pid = gate.value, path.participant_id
    meetings = db.scalars(select(Meeting).where(Meeting.participant_id == pid).order_by(Meeting.held_on.desc(), Meeting.id.desc()))
    absences = db.scalars(select(Absence).where(Absence.participant_id == pid).order_by(Absence.date.desc()))
    return PersonOut(
        **_path_fields(path, changes, gate),
        start_checklist=[ChecklistItemOut(key=i.key, label=str(i.label), done=i.done) for i in items],
        consents=[ConsentOut(id=c.id, given_on=c.given_on, expires_on=c.valid_until, withdrawn_on=c.withdrawn_on, contacts=v(c, "contacts"),
                             scope=v(c, "scope")) for c in consents_of(db, pid)],
        meetings=[MeetingOut(id=m.id, kind=m.kind, held_on=m.held_on, staff_ids=[m.staff_1_id, m.staff_2_id], summary=v(m, "summary"))
                  for m in meetings],
        incidents=[incident_out(i, gate) for i in incidents_of(db, pid)],
        absences=[absence_out(a, gate) for a in absences],
    )


def incident_out(i: Incident, gate: Disclosure) -> IncidentOut:
    v = gate.value
    return IncidentOut(id=i.id, participant_id=i.participant_id, date=i.on, kind=v(i, "kind"), breach=v(i, "breach"),
                       description=v(i, "description"), department_id=i.department_id, confirmed_by_person_on=i.confirmed_by_person_on,
                       dismissed_on=i.dismissed_on, follow_up_due_on=i.follow_up_due, follow_up_done_on=i.follow_up_done_on)


def absence_out(a: Absence, gate: Disclosure) -> AbsenceOut:
    return AbsenceOut(id=a.id, participant_id=a.participant_id, date=a.date, reason=gate.value(a, "reason"), note=gate.value(a, "note"))


def timesheet_out(t: Timesheet) -> TimesheetOut:
    return TimesheetOut(id=t.id, participant_id=t.participant_id, date=t.date, department_id=t.department_id, hours=str(t.hours),
                        approved=t.approved_at is not None)


def departments_out(db: Session, today: dt.date) -> DepartmentsOut:
    profiles = {p.department_id: p for p in db.scalars(select(DepartmentProfile))}
    leaders: dict[int, list[int]] = {}
    for row in db.scalars(select(DepartmentWorkLeader).order_by(DepartmentWorkLeader.user_id)):
        leaders.setdefault(row.department_id, []).append(row.user_id)
    out = []
    for d in db.scalars(select(Department).order_by(Department.name, Department.id)):
        p = profiles.get(d.id)
        days = [int(x) for x in (p.opening_days or "").split(",") if x.strip().isdigit()] if p else []
        out.append(DepartmentOut(id=d.id, name=d.name, opened_on=d.opened_on, closed_on=d.closed_on, open_today=d.is_open_on(today),
                                 opening_days=days, places=p.places if p else 0, description=p.description if p else "",
                                 work_leader_ids=leaders.get(d.id, [])))
    return DepartmentsOut(items=out)



class FactorOut(msgspec.Struct, kw_only=True):
    key: Annotated[str, _d("What gives the points; withheld where the requester may not see the reason.")]
    label: Annotated[str, _d("The factor in the requester's language.")]
    points: Annotated[int, _d("Its points.")]


class WaitingEntryOut(msgspec.Struct, kw_only=True):
    rank: Annotated[int, _d("Place on the list, 1 first.")]
    participant_id: Annotated[int, _d("The participant's id.")]
    name: Annotated[str, _d("The person's name as shown.")]
    phase: Annotated[str, _d("The person's phase (waiting, status_meeting...).")]
    score: Annotated[int, _d("The sum of the factors' points.")]
    factors: Annotated[list[FactorOut], _d("What the score is made of; a special-category factor through the gate.")]
    waited_days: Annotated[int, _d("Days on the list.")]
    waiting_since: Annotated[dt.date, _d("The day the person joined the list.")]
    last_contact_on: Annotated[dt.date | None, _d("The last contact logged.")]
    interview_on: Annotated[dt.date | None, _d("The day of the interview.")]
    needs_contact: Annotated[bool, _d("Time to get in touch again.")]
    status_meeting_suggested: Annotated[bool, _d("Time for a status meeting.")]


class WaitingListOut(msgspec.Struct, kw_only=True):
    items: Annotated[list[WaitingEntryOut], _d("The list, first place first.")]


def waiting_entry_out(e: WaitingEntry) -> WaitingEntryOut:
    return WaitingEntryOut(rank=e.rank, participant_id=e.participant.id, name=e.participant.display_name, phase=e.path.phase,
                           score=e.score, factors=[FactorOut(key=f.key, label=str(f.label), points=f.points) for f in e.factors],
                           waited_days=e.waited_days, waiting_since=e.path.waiting_since or e.path.phase_since,
                           last_contact_on=e.last_contact, interview_on=e.interview_on, needs_contact=e.needs_contact,
                           status_meeting_suggested=e.status_meeting_suggested)


class ExpectedOut(msgspec.Struct, kw_only=True):
    participant_id: Annotated[int, _d("The participant's id.")]
    date: Annotated[dt.date, _d("A day the person is expected at work.")]
    department_id: Annotated[int | None, _d("Where.")]
    hours: Annotated[str, _d("Hours agreed, a decimal string.")]


class WeekOut(msgspec.Struct, kw_only=True):
    week: Annotated[dt.date, _d("The week's Monday.")]
    expected: Annotated[list[ExpectedOut], _d("The agreed days of everyone working.")]
    timesheets: Annotated[list[TimesheetOut], _d("Hours recorded.")]
    absences: Annotated[list[AbsenceOut], _d("Absences recorded; the reason through the gate.")]


def week_out(db: Session, monday: dt.date, gate: Disclosure) -> WeekOut:
    sunday = monday + dt.timedelta(days=6)
    return WeekOut(
        week=monday,
        expected=[ExpectedOut(participant_id=e.participant_id, date=e.date, department_id=e.department_id, hours=str(e.hours))
                  for e in expected_shifts(db, monday, sunday)],
        timesheets=[timesheet_out(t) for t in db.scalars(select(Timesheet).where(Timesheet.date >= monday, Timesheet.date <= sunday)
                                                          .order_by(Timesheet.date, Timesheet.id))],
        absences=[absence_out(a, gate) for a in db.scalars(select(Absence).where(Absence.date >= monday, Absence.date <= sunday)
                                                          .order_by(Absence.date, Absence.id))],
    )


def incidents_list(db: Session, gate: Disclosure, *, participant_id: int | None, date_from: dt.date | None, date_to: dt.date | None,
                   open_follow_up: bool | None) -> IncidentsOut:
    q = select(Incident)
    if participant_id is not None:
        q = q.where(Incident.participant_id == participant_id)
    if date_from is not None:
        q = q.where(Incident.on >= date_from)
    if date_to is not None:
        q = q.where(Incident.on <= date_to)
    if open_follow_up is not None:
        pending = Incident.follow_up_due.is_not(None) & Incident.follow_up_done_on.is_(None)
        q = q.where(pending if open_follow_up else ~pending)
    rows = list(db.scalars(q.order_by(Incident.on.desc(), Incident.id.desc()).limit(500)))
    # The relations (contact person?) are looked up once, as the incidents page does.
    gate.prepare([r.participant_id for r in rows])
    return IncidentsOut(items=[incident_out(r, gate) for r in rows])
