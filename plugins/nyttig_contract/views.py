"""What the person page, the API and the panels show about one person (read-only)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Department, Participant, StaffUser
from plugins.nyttig_contract.incidents import incidents_of, welcome_back
from plugins.nyttig_contract.models import CheckOverride, ContactLog, Interview, Meeting, PathRecord
from plugins.nyttig_contract.phases import latest_screening, timeline
from plugins.nyttig_contract.start import checklist_items, checklist_of, consents_of, documents_of, equipment_of


def staff_names(db: Session) -> dict[int, str]:
    return {u.id: u.full_name for u in db.scalars(select(StaffUser))}


def departments(db: Session, on: dt.date | None = None) -> list[Department]:
    rows = list(db.scalars(select(Department).order_by(Department.name)))
    return [d for d in rows if on is None or d.is_open_on(on)]


def person_context(db: Session, participant: Participant, path: PathRecord, today: dt.date) -> dict[str, Any]:
    """Everything on the person's page except sensitive data."""
    interviews = list(db.scalars(select(Interview).where(Interview.participant_id == participant.id).order_by(Interview.held_on.desc())))
    contacts = list(db.scalars(select(ContactLog).where(ContactLog.participant_id == participant.id)
                               .order_by(ContactLog.on.desc(), ContactLog.id.desc())))
    meetings = list(db.scalars(select(Meeting).where(Meeting.participant_id == participant.id).order_by(Meeting.held_on.desc())))
    overrides = list(db.scalars(select(CheckOverride).where(CheckOverride.participant_id == participant.id).order_by(CheckOverride.id.desc())))
    start_on = path.started_on or today
    return {
        "person": participant, "npath": path, "timeline": timeline(db, participant.id),
        "screening": latest_screening(db, participant.id), "start_screening": latest_screening(db, participant.id, "start"),
        "overrides": overrides, "interviews": interviews, "contacts": contacts, "meetings": meetings,
        "checklist": checklist_of(db, path), "items": checklist_items(db, path, start_on),
        "consents": consents_of(db, participant.id), "documents": documents_of(db, path),
        "equipment": equipment_of(db, participant.id), "incidents": incidents_of(db, participant.id),
        "welcome": welcome_back(db, participant.id), "staff": staff_names(db),
        "departments": {d.id: d for d in departments(db)},
    }


def not_on_path(db: Session) -> list[Participant]:
    """Participants the organization knows who are not on Nyttig Arbeid's path yet: whom a
    first contact can put on it without registering them again."""
    on_path = select(PathRecord.participant_id)
    return list(db.scalars(select(Participant).where(Participant.id.not_in(on_path))
                           .order_by(Participant.first_name, Participant.last_name, Participant.id)))
