"""Check-in at the door: find a person by a few letters or their card code, register them
in one action, add a newcomer in seconds, and mark someone not fit to work today."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.models import Attendance, Participant, ProgramDay
from core.services import days as day_service
from plugins.dagsverk_lottery.draws import active_draw, new_receipt_code
from plugins.dagsverk_lottery.models import CheckIn, WorkProfile


def find(db: Session, query: str, limit: int = 8) -> list[Participant]:
    """An exact card code first; else people whose first name, last name or nickname starts
    with the letters typed (each word must match one of them)."""
    q = " ".join((query or "").split())[:100]
    if not q:
        return []
    card = db.scalars(select(Participant).where(Participant.card_code == q)).first()
    if card is not None:
        return [card]
    stmt = select(Participant).where(Participant.active)
    for word in q.lower().split()[:3]:
        like = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(
            func.lower(Participant.first_name).like(like, escape="\\"),
            func.lower(Participant.last_name).like(like, escape="\\"),
            func.lower(Participant.nickname).like(like, escape="\\"),
        ))
    return list(db.scalars(stmt.order_by(Participant.first_name, Participant.last_name).limit(limit)))


def check_in(db: Session, day: ProgramDay, participant: Participant, staff_id: int | None, *, not_fit: bool = False) -> tuple[CheckIn, bool]:
    """Register a person; returns ``(check-in, newly registered?)``. Registering twice is
    harmless (a double scan returns the first registration). After check-in has closed
    the person is recorded as attended but not entered."""
    if not participant.active:
        participant.active = True
    day_service.register_attendance(db, day, participant, staff_id)
    existing = db.scalars(select(CheckIn).where(CheckIn.day_id == day.id, CheckIn.participant_id == participant.id)).first()
    if existing is not None:
        return existing, False
    status = "after_draw" if active_draw(db, day) is not None else ("not_fit" if not_fit else "entered")
    # The person's receipt code for the day (see the draw's version 2). A failed insert is
    # either the same person registered at the same moment (theirs stands) or, rarely, a
    # code given to someone else at the same moment: then once more with a new code.
    for attempt in (1, 2):
        row = CheckIn(organization_id=day.organization_id, day_id=day.id, participant_id=participant.id, status=status,
                      receipt_code=new_receipt_code(db, day.id))
        db.add(row)
        try:
            db.commit()
            return row, True
        except IntegrityError:
            db.rollback()
            existing = db.scalars(select(CheckIn).where(CheckIn.day_id == day.id, CheckIn.participant_id == participant.id)).first()
            if existing is not None or attempt == 2:
                return db.scalars(select(CheckIn).where(CheckIn.day_id == day.id, CheckIn.participant_id == participant.id)).one(), False
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns


def set_fit(db: Session, day: ProgramDay, participant_id: int, fit: bool) -> CheckIn:
    """Staff's judgement today: not fit means present but not entered, with no mark."""
    row = db.scalars(select(CheckIn).where(CheckIn.day_id == day.id, CheckIn.participant_id == participant_id)).first()
    if row is None:
        raise FormError({"participant_id": _("This person is not registered today.")})
    if active_draw(db, day) is not None:
        raise FormError({"__all__": _("Check-in has closed; the draw's entrants can no longer change.")})
    row.status = "entered" if fit else "not_fit"
    db.commit()
    return row


def add_newcomer(db: Session, day: ProgramDay, first_name: str, nickname: str, staff_id: int | None) -> tuple[Participant, CheckIn]:
    """A new person with only a name or a nickname; the intake conversation is flagged as due."""
    first_name = " ".join((first_name or "").split())[:100]
    nickname = " ".join((nickname or "").split())[:100]
    if not first_name and not nickname:
        raise FormError({"first_name": _("Write a first name or a nickname.")})
    person = Participant(organization_id=day.organization_id, first_name=first_name, nickname=nickname, active=True)
    db.add(person)
    db.flush()
    db.add(WorkProfile(organization_id=day.organization_id, participant_id=person.id, intake_due=True, limits=[], preferences=[], not_with=[]))
    db.commit()
    checkin, _created = check_in(db, day, person, staff_id)
    return person, checkin


def day_list(db: Session, day: ProgramDay) -> list[tuple[Attendance, CheckIn | None]]:
    attendance = list(db.scalars(select(Attendance).where(Attendance.day_id == day.id).order_by(Attendance.arrived_at.desc(), Attendance.id.desc())))
    marks = {c.participant_id: c for c in db.scalars(select(CheckIn).where(CheckIn.day_id == day.id))}
    return [(a, marks.get(a.participant_id)) for a in attendance]


def intake_due(db: Session, participant_ids: list[int]) -> set[int]:
    if not participant_ids:
        return set()
    return set(db.scalars(select(WorkProfile.participant_id).where(WorkProfile.participant_id.in_(participant_ids), WorkProfile.intake_due)))
