"""Incidents at work, as the method describes them.

* minor issues are noted and solved on the spot;
* "seemed affected, sent home": two staff present, no consequence, welcome back;
* serious breaches (violence, threats, dealing): dismissal only after the person has
  confirmed the breach;
* deviations go to the deviation log;
* injuries get a follow-up task for the leader, due the next working day.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.services.staff import optional_member
from plugins.nyttig_contract.labels import BREACHES, INCIDENT_KINDS
from plugins.nyttig_contract.models import Incident, PathRecord, Timesheet
from plugins.nyttig_contract.phases import leave


def next_working_day(day: dt.date) -> dt.date:
    nxt = day + dt.timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += dt.timedelta(days=1)
    return nxt


def record_incident(db: Session, organization_id: int, *, kind: str, on: dt.date, participant_id: int | None, description: str,
                    staff_1_id: int | None, staff_2_id: int | None, breach: str = "", department_id: int | None = None,
                    by_id: int | None) -> Incident:
    if kind not in INCIDENT_KINDS:
        raise FormError({"kind": _("Not one of the allowed choices.")})
    staff_1_id = optional_member(db, staff_1_id, "staff_1_id")
    staff_2_id = optional_member(db, staff_2_id, "staff_2_id")
    if kind in ("minor", "sent_home", "serious") and participant_id is None:
        raise FormError({"participant_id": _("Say who it concerns.")})
    if kind == "sent_home" and (not staff_1_id or not staff_2_id or staff_1_id == staff_2_id):
        raise FormError({"staff_2_id": _("Two different staff members must be present when someone is sent home.")})
    if kind == "serious" and breach not in BREACHES:
        raise FormError({"breach": _("Say what happened: violence, threats or dealing.")})
    if kind in ("deviation", "injury", "serious") and not description:
        raise FormError({"description": _("Describe what happened.")})
    row = Incident(organization_id=organization_id, kind=kind, on=on, participant_id=participant_id, description=description,
                   staff_1_id=staff_1_id, staff_2_id=staff_2_id, breach=breach if kind == "serious" else "",
                   department_id=department_id, recorded_by_id=by_id,
                   follow_up_due=next_working_day(on) if kind == "injury" else None)
    db.add(row)
    db.commit()
    return row


def confirm_breach(db: Session, incident: Incident, on: dt.date) -> Incident:
    if incident.kind != "serious":
        raise FormError({"__all__": _("Only a serious breach is confirmed by the person.")})
    incident.confirmed_by_person_on = on
    db.commit()
    return incident


def dismiss(db: Session, incident: Incident, path: PathRecord, on: dt.date, by_id: int | None) -> Incident:
    """Dismissal after a serious breach, only once the person has confirmed it."""
    if incident.kind != "serious":
        raise FormError({"__all__": _("Only a serious breach can lead to dismissal.")})
    if incident.confirmed_by_person_on is None:
        raise FormError({"__all__": _("Dismissal only after the person has confirmed the breach.")})
    if incident.dismissed_on is not None:
        raise FormError({"__all__": _("Already recorded.")})
    incident.dismissed_on = on
    leave(db, path, "ended", on, by_id, _("Dismissed after a confirmed serious breach (%(breach)s).", breach=str(BREACHES[incident.breach])))
    return incident


def follow_up_done(db: Session, incident: Incident, on: dt.date, by_id: int | None) -> Incident:
    if incident.follow_up_due is None:
        raise FormError({"__all__": _("This incident has no follow-up task.")})
    incident.follow_up_done_on, incident.follow_up_by_id = on, by_id
    db.commit()
    return incident


def incidents_of(db: Session, participant_id: int) -> list[Incident]:
    return list(db.scalars(select(Incident).where(Incident.participant_id == participant_id).order_by(Incident.on.desc(), Incident.id.desc())))


def welcome_back(db: Session, participant_id: int) -> dict[str, object] | None:
    """The latest "sent home", and whether the person has worked since: the page says so,
    to those the core's gate lets read the incident (``incident`` is the row to reveal)."""
    last = db.scalars(select(Incident).where(Incident.participant_id == participant_id, Incident.kind == "sent_home")
                      .order_by(Incident.on.desc(), Incident.id.desc())).first()
    if last is None:
        return None
    back = db.scalars(select(Timesheet.date).where(Timesheet.participant_id == participant_id, Timesheet.date > last.on)
                      .order_by(Timesheet.date)).first()
    return {"incident": last, "sent_home_on": last.on, "back_on": back}


def open_follow_ups(db: Session) -> list[Incident]:
    return list(db.scalars(select(Incident).where(Incident.follow_up_due.is_not(None), Incident.follow_up_done_on.is_(None))
                           .order_by(Incident.follow_up_due)))
