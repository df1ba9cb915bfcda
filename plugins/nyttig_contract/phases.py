"""The path as explicit, dated phases.

Forward steps follow :data:`FORWARD`; a relapse moves a person back one phase and never
out; anyone may leave (onward, retired, ended) with a reason; a person who left may come
back, to the waiting list. Each change is one transaction and one :class:`PhaseChange`.
Steps that need something done first (a passed screening, an interview, a complete
start checklist) are checked here, so the HTML pages and the API refuse the same things.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.models import Participant
from plugins.nyttig_contract.labels import ONWARD, PHASES, label
from plugins.nyttig_contract.models import Interview, PathRecord, PhaseChange, Screening

ORDER = ("contact", "interview", "waiting", "status_meeting", "job_talk", "started", "stable")
LEFT = ("onward", "retired", "ended")
FORWARD: dict[str, tuple[str, ...]] = {
    "contact": ("interview",),
    "interview": ("waiting",),
    "waiting": ("status_meeting", "job_talk"),
    "status_meeting": ("job_talk", "waiting"),
    "job_talk": ("started", "waiting"),
    "started": ("stable",),
    "stable": (),
}
# Where a relapse takes a person: one phase back, never out of the program.
RELAPSE_TO = {"interview": "contact", "waiting": "waiting", "status_meeting": "waiting", "job_talk": "waiting",
              "started": "job_talk", "stable": "started"}


def path_of(db: Session, participant_id: int) -> PathRecord | None:
    return db.scalars(select(PathRecord).where(PathRecord.participant_id == participant_id)).first()


def timeline(db: Session, participant_id: int) -> list[PhaseChange]:
    return list(db.scalars(select(PhaseChange).where(PhaseChange.participant_id == participant_id)
                           .order_by(PhaseChange.on, PhaseChange.id)))


def _clean_reason(reason: str | None, required: bool) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise FormError({"reason": _("Say why: the reason is kept in the person's history.")})
    if len(reason) > 500:
        raise FormError({"reason": _("At most %(n)s characters.", n=500)})
    return reason


def _record(db: Session, path: PathRecord, to: str, kind: str, on: dt.date, by_id: int | None, reason: str) -> PhaseChange:
    change = PhaseChange(organization_id=path.organization_id, participant_id=path.participant_id, from_phase=path.phase,
                         to_phase=to, kind=kind, on=on, by_id=by_id, reason=reason)
    db.add(change)
    path.phase = to
    path.phase_since = on
    return change


def register_contact(db: Session, organization_id: int, participant: Participant, on: dt.date, by_id: int | None,
                     came_via: str = "self", helper_name: str = "", reason: str = "", **facts: Any) -> PathRecord:
    """A first call or visit: the person enters the path in the contact phase."""
    if path_of(db, participant.id) is not None:
        raise FormError({"__all__": _("This person is already on the path.")})
    if came_via == "helper" and not helper_name.strip():
        raise FormError({"helper_name": _("Name the helper who made contact.")})
    path = PathRecord(organization_id=organization_id, participant_id=participant.id, phase="contact", phase_since=on,
                      came_via=came_via, helper_name=helper_name.strip(), **facts)
    db.add(path)
    db.add(PhaseChange(organization_id=organization_id, participant_id=participant.id, from_phase="", to_phase="contact",
                       kind="first_contact", on=on, by_id=by_id, reason=reason or (helper_name if came_via == "helper" else "")))
    if participant.first_seen_on is None:
        participant.first_seen_on = on
    db.commit()
    return path


def latest_screening(db: Session, participant_id: int, stage: str = "screening") -> Screening | None:
    return db.scalars(select(Screening).where(Screening.participant_id == participant_id, Screening.stage == stage)
                      .order_by(Screening.created_at.desc(), Screening.id.desc())).first()


def _latest_interview(db: Session, participant_id: int) -> Interview | None:
    return db.scalars(select(Interview).where(Interview.participant_id == participant_id)
                      .order_by(Interview.held_on.desc(), Interview.id.desc())).first()


def move(db: Session, path: PathRecord, to: str, on: dt.date, by_id: int | None, reason: str = "", *,
         start_gate: Any = None) -> PhaseChange:
    """A forward step (or back to the waiting list from a status meeting or job talk).

    ``start_gate`` is called before a start: it raises :class:`FormError` when the
    checklist, the contact persons or the start-date eligibility are not in order.
    """
    if to not in PHASES:
        raise FormError({"to_phase": _("Not one of the allowed choices.")})
    if to in LEFT:
        raise FormError({"to_phase": _("Use 'leave' to end a path, with its reason.")})
    if to not in FORWARD.get(path.phase, ()):
        raise FormError({"to_phase": _("From %(old)s the path cannot go to %(new)s.", old=label(PHASES, path.phase), new=label(PHASES, to))})
    if on < path.phase_since:
        raise FormError({"on": _("The date cannot be before the current phase began (%(date)s).", date=path.phase_since.isoformat())})
    backwards = ORDER.index(to) < ORDER.index(path.phase)
    reason = _clean_reason(reason, required=backwards)
    if to == "interview":
        screening = latest_screening(db, path.participant_id)
        if screening is None:
            raise FormError({"__all__": _("Screen the person before booking a first meeting.")})
        if not screening.passed:
            raise FormError({"__all__": _("The screening did not pass. Override the checks that do not apply, with a reason, or end the contact.")})
    if to == "waiting" and path.phase == "interview" and _latest_interview(db, path.participant_id) is None:
        raise FormError({"__all__": _("Record the recruitment interview before putting the person on the waiting list.")})
    if to == "started":
        if start_gate is None:
            raise FormError({"__all__": _("A start needs the start checklist.")})
        start_gate(db, path, on)
    change = _record(db, path, to, "back" if backwards else "forward", on, by_id, reason)
    if to == "waiting" and path.waiting_since is None:
        path.waiting_since = on
    if to == "started":
        path.started_on = on
        path.ever_started = True
        path.ready_to_return = False
        path.waiting_since = None
    db.commit()
    return change


def relapse(db: Session, path: PathRecord, on: dt.date, by_id: int | None, reason: str = "") -> PhaseChange:
    """A relapse moves the person back a phase, never out of the program."""
    if path.phase not in RELAPSE_TO:
        raise FormError({"__all__": _("A relapse can only move someone back from a phase on the path.")})
    to = RELAPSE_TO[path.phase]
    change = _record(db, path, to, "relapse", on, by_id, _clean_reason(reason, required=False))
    if to == "waiting" and path.waiting_since is None:
        path.waiting_since = on
    db.commit()
    return change


def leave(db: Session, path: PathRecord, to: str, on: dt.date, by_id: int | None, reason: str, onward: str = "") -> PhaseChange:
    """Onward (work, education, training), retired, or ended with a reason."""
    if to not in LEFT:
        raise FormError({"to_phase": _("Not one of the allowed choices.")})
    if path.phase in LEFT:
        raise FormError({"__all__": _("This path has already ended. A person who comes back returns to the waiting list.")})
    if to == "onward" and onward not in ONWARD:
        raise FormError({"onward": _("Say where the person is going: work, education or training.")})
    reason = _clean_reason(reason, required=to == "ended")
    change = _record(db, path, to, "leave", on, by_id, reason)
    path.outcome = onward if to == "onward" else (reason if to == "ended" else "")
    path.waiting_since = None
    db.commit()
    return change


def come_back(db: Session, path: PathRecord, on: dt.date, by_id: int | None, reason: str = "") -> PhaseChange:
    """A person who left comes back to the waiting list; a former medarbeider is ready to return."""
    if path.phase not in LEFT:
        raise FormError({"__all__": _("Only someone who has left can come back.")})
    change = _record(db, path, "waiting", "return", on, by_id, _clean_reason(reason, required=False))
    path.outcome = ""
    path.waiting_since = on
    path.started_on = None
    path.ready_to_return = path.ever_started
    db.commit()
    return change
