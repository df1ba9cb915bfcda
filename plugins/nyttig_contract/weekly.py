"""Week by week: agreed days become expected shifts; work leaders record hours per day and
department, approve them, and note absences (never a penalty) and contact attempts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.forms import FormError
from core.i18n import gettext as _
from core.models import Department, Participant
from core.services.staff import optional_member
from plugins.nyttig_contract.models import Absence, ContactLog, Meeting, PathRecord, StartChecklist, Timesheet

WORKING_PHASES = ("started", "stable")


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Expected:
    participant_id: int
    date: dt.date
    department_id: int | None
    hours: Decimal


@dataclass
class PersonWeek:
    participant: Participant
    days: dict[dt.date, dict[str, Any]] = field(default_factory=dict)


def expected_shifts(db: Session, start: dt.date, end: dt.date) -> list[Expected]:
    """The agreed schedule of everyone working, unrolled over ``[start, end]``."""
    rows = db.execute(select(PathRecord, StartChecklist).join(StartChecklist, StartChecklist.participant_id == PathRecord.participant_id)
                      .where(PathRecord.phase.in_(WORKING_PHASES))).all()
    out: list[Expected] = []
    day = start
    while day <= end:
        for path, c in rows:
            if path.started_on and day < path.started_on:
                continue
            for slot in c.schedule or ():
                if slot["weekday"] == day.weekday():
                    out.append(Expected(path.participant_id, day, slot.get("department_id") or path.department_id, Decimal(slot["hours"])))
        day += dt.timedelta(days=1)
    return out


def week_view(db: Session, monday: dt.date) -> list[PersonWeek]:
    sunday = monday + dt.timedelta(days=6)
    people = {p.id: p for p in db.scalars(select(Participant).join(PathRecord, PathRecord.participant_id == Participant.id)
                                           .where(PathRecord.phase.in_(WORKING_PHASES)))}
    weeks = {pid: PersonWeek(participant=p) for pid, p in people.items()}

    def cell(pid: int, day: dt.date) -> dict[str, Any]:
        if pid not in weeks:
            weeks[pid] = PersonWeek(participant=db.get(Participant, pid))
        return weeks[pid].days.setdefault(day, {"expected": [], "sheets": [], "absence": None})

    for e in expected_shifts(db, monday, sunday):
        cell(e.participant_id, e.date)["expected"].append(e)
    for t in db.scalars(select(Timesheet).where(Timesheet.date >= monday, Timesheet.date <= sunday)):
        cell(t.participant_id, t.date)["sheets"].append(t)
    for a in db.scalars(select(Absence).where(Absence.date >= monday, Absence.date <= sunday)):
        cell(a.participant_id, a.date)["absence"] = a
    return sorted(weeks.values(), key=lambda w: w.participant.display_name)


def record_hours(db: Session, organization_id: int, participant_id: int, day: dt.date, department_id: int, hours: Decimal,
                 by_id: int | None, note: str = "") -> Timesheet:
    if db.get(Department, department_id) is None:
        raise FormError({"department_id": _("Choose one of the departments.")})
    if not Decimal("0") < hours <= Decimal("16"):
        raise FormError({"hours": _("Hours must be more than 0 and at most 16.")})
    row = db.scalars(select(Timesheet).where(Timesheet.participant_id == participant_id, Timesheet.date == day,
                                             Timesheet.department_id == department_id)).first()
    if row is not None and row.approved_at is not None:
        raise FormError({"hours": _("These hours are approved and may become pay; they can no longer be changed.")})
    if row is None:
        row = Timesheet(organization_id=organization_id, participant_id=participant_id, date=day, department_id=department_id,
                        hours=hours, note=note, recorded_by_id=by_id)
        db.add(row)
    else:
        row.hours, row.note, row.recorded_by_id = hours, note, by_id
    db.commit()
    return row


def approve(db: Session, sheets: list[Timesheet], by_id: int | None) -> int:
    n = 0
    for t in sheets:
        if t.approved_at is None:
            t.approved_at, t.approved_by_id = utcnow(), by_id
            n += 1
    db.commit()
    return n


def record_absence(db: Session, organization_id: int, participant_id: int, day: dt.date, reason: str, by_id: int | None,
                   note: str = "") -> Absence:
    row = db.scalars(select(Absence).where(Absence.participant_id == participant_id, Absence.date == day)).first()
    if row is None:
        row = Absence(organization_id=organization_id, participant_id=participant_id, date=day, reason=reason, note=note, recorded_by_id=by_id)
        db.add(row)
    else:
        row.reason, row.note = reason, note
    db.commit()
    return row


def log_contact(db: Session, organization_id: int, participant_id: int, *, on: dt.date, initiated_by: str, channel: str,
                reached: bool, note: str, by_id: int | None) -> ContactLog:
    row = ContactLog(organization_id=organization_id, participant_id=participant_id, on=on, initiated_by=initiated_by,
                     channel=channel, reached=reached, note=note, staff_id=by_id)
    db.add(row)
    db.commit()
    return row


def record_meeting(db: Session, path: PathRecord, *, kind: str, held_on: dt.date, staff_1_id: int | None, staff_2_id: int | None,
                   summary: str) -> Meeting:
    """Follow-up meetings and reviews need two different staff members present, of this organization."""
    staff_1_id = optional_member(db, staff_1_id, "staff_1_id")
    staff_2_id = optional_member(db, staff_2_id, "staff_2_id")
    if kind in ("follow_up", "review") and (not staff_1_id or not staff_2_id or staff_1_id == staff_2_id):
        raise FormError({"staff_2_id": _("Two different staff members must be present in a follow-up meeting.")})
    row = Meeting(organization_id=path.organization_id, participant_id=path.participant_id, kind=kind, held_on=held_on,
                  staff_1_id=staff_1_id, staff_2_id=staff_2_id, summary=summary)
    db.add(row)
    db.commit()
    return row


def reviews_due(db: Session, today: dt.date, user_id: int | None, from_days: int, by_days: int) -> list[dict[str, Any]]:
    """People whose review after the start is due (from ``from_days``) and not yet held;
    only those for whom ``user_id`` is a contact person (all when None)."""
    q = select(PathRecord, Participant).join(Participant, Participant.id == PathRecord.participant_id).where(
        PathRecord.phase.in_(WORKING_PHASES), PathRecord.started_on.is_not(None))
    out = []
    for path, person in db.execute(q).all():
        if user_id is not None and user_id not in (path.contact_person_1_id, path.contact_person_2_id):
            continue
        due_from = path.started_on + dt.timedelta(days=from_days)
        due_by = path.started_on + dt.timedelta(days=by_days)
        if today < due_from:
            continue
        done = db.scalars(select(Meeting.id).where(Meeting.participant_id == person.id, Meeting.kind == "review",
                                                   Meeting.held_on >= path.started_on)).first()
        if done is None:
            out.append({"participant": person, "due_from": due_from, "due_by": due_by, "overdue": today > due_by,
                        "contact_person_ids": (path.contact_person_1_id, path.contact_person_2_id)})
    return sorted(out, key=lambda r: r["due_by"])
