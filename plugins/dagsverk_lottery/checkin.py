"""Check-in at the door: find a person by a few letters or their card code, register them
in one action, add a newcomer in seconds (warned of people with similar names), mark
someone not fit to work today, and undo a registration made by mistake until check-in
closes."""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from litestar.exceptions import ClientException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import format_date, today
from core.i18n import gettext as _
from core.models import Attendance, Participant, ProgramDay
from core.services import days as day_service
from core.services.name_search import find_people, last_visits
from core.services.privacy import log_sensitive_access
from plugins.dagsverk_lottery.draws import active_draw, new_receipt_code
from plugins.dagsverk_lottery.models import CheckIn, WorkProfile

CARD_END = 3
"""How many of a card code's last characters tell two people apart on the results."""


@dataclass(frozen=True)
class Hit:
    """A person found at the door, with what tells them apart from someone of the same
    name: what the door's staff may see of anyone (no phone number, no health)."""

    participant: Participant
    last_seen: dt.date | None
    card: bool = False
    """Found by the exact card code."""

    @property
    def birth_year(self) -> int | None:
        return self.participant.birth_date.year if self.participant.birth_date is not None else None

    @property
    def card_end(self) -> str | None:
        code = self.participant.card_code or ""
        return code[-CARD_END:] if code else None

    @property
    def last_seen_text(self) -> str:
        return seen_text(self.last_seen)


def seen_text(day: dt.date | None) -> str:
    """When someone was last here, as staff say it: today, yesterday, else the date."""
    if day is None:
        return ""
    delta = (today() - day).days
    if delta == 0:
        return _("today")
    if delta == 1:
        return _("yesterday")
    return format_date(day, "medium")


def find(db: Session, query: str, limit: int = 8, organization_id: int | None = None) -> list[Hit]:
    """An exact card code first (alone); else the people whose names match the letters
    typed best, best first (:func:`core.services.name_search.find_people`: every typed
    word starts a name word, Æ/Ø/Å folded alike on every database, "o" finding "ø" as a
    second choice, then a letter missing, doubled or swapped)."""
    # Control characters match nothing, and PostgreSQL refuses NUL in a text parameter.
    q = " ".join("".join(ch for ch in (query or "") if unicodedata.category(ch) != "Cc").split())[:100]
    if not q:
        return []
    card = db.scalars(select(Participant).where(Participant.card_code == q)).first()
    if card is not None:
        return [Hit(card, last_visits(db, [card.id]).get(card.id), card=True)]
    return [Hit(f.participant, f.last_visit) for f in find_people(db, q, limit=limit, organization_id=organization_id)]


def similar_to(db: Session, organization_id: int, first_name: str, nickname: str, limit: int = 6) -> list[Hit]:
    """People whose first name or nickname is like the newcomer's, inactive people too (a
    person back after a year is the likeliest double)."""
    seen: dict[int, Hit] = {}
    for name in (first_name, nickname):
        for f in find_people(db, name, limit=limit, organization_id=organization_id, active_only=False) if name else []:
            seen.setdefault(f.participant.id, Hit(f.participant, f.last_visit))
    return list(seen.values())[:limit]


class SimilarNames(ClientException):
    """A newcomer refused because people with similar names exist (409): one of them may
    be the person. ``similar`` lists them; adding anyway needs ``confirm``."""

    status_code = 409

    def __init__(self, similar: list[Hit]) -> None:
        names = ", ".join(h.participant.display_name.strip() for h in similar)
        message = _("These people have similar names: %(names)s. Is it one of them? If not, confirm to add a new person.", names=names)
        super().__init__(detail=message, extra={"confirm_new_person": message})
        self.similar = similar
        self.message = message


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


def add_newcomer(db: Session, day: ProgramDay, first_name: str, nickname: str, staff_id: int | None, *,
                 confirmed: bool = False) -> tuple[Participant, CheckIn]:
    """A new person with only a name or a nickname; the intake conversation is flagged as
    due. Refused with :class:`SimilarNames` while people of similar names exist and the
    staff member has not confirmed it is none of them."""
    first_name = " ".join((first_name or "").split())[:100]
    nickname = " ".join((nickname or "").split())[:100]
    if not first_name and not nickname:
        raise FormError({"first_name": _("Write a first name or a nickname.")})
    if not confirmed and (similar := similar_to(db, day.organization_id, first_name, nickname)):
        raise SimilarNames(similar)
    person = Participant(organization_id=day.organization_id, first_name=first_name, nickname=nickname, active=True)
    db.add(person)
    db.flush()
    db.add(WorkProfile(organization_id=day.organization_id, participant_id=person.id, intake_due=True, limits=[], preferences=[], not_with=[]))
    db.commit()
    checkin, _created = check_in(db, day, person, staff_id)
    return person, checkin


def undo_check_in(db: Session, day: ProgramDay, participant_id: int, staff_id: int | None, *, page: str) -> None:
    """Take back a registration made by mistake: the person's check-in and their
    attendance that day go, as if they had not been registered, and the access log says
    who did it (the person's id, no name). Refused once check-in has closed (409): the
    draw's entrants are fixed from then on. Someone not registered today is 422."""
    closed = ClientException(status_code=409, extra={"__all__": _("Check-in has closed: a registration can no longer be undone.")})
    if active_draw(db, day) is not None:
        raise closed
    row = db.scalars(select(CheckIn).where(CheckIn.day_id == day.id, CheckIn.participant_id == participant_id)).first()
    present = db.scalars(select(Attendance).where(Attendance.day_id == day.id, Attendance.participant_id == participant_id)).first()
    if row is None and present is None:
        raise FormError({"participant_id": _("This person is not registered today.")})
    if row is not None:
        db.delete(row)
    day_service.remove_attendance(db, day, participant_id)
    log_sensitive_access(db, staff_id, participant_id, "work", action="change", page=page, source="dagsverk_lottery",
                         organization_id=day.organization_id)
    db.flush()
    # Check-in may have closed while this ran: then the draw's entrants stand as sealed.
    if active_draw(db, day) is not None:
        db.rollback()
        raise closed
    db.commit()


def day_list(db: Session, day: ProgramDay) -> list[tuple[Attendance, CheckIn | None]]:
    attendance = list(db.scalars(select(Attendance).where(Attendance.day_id == day.id).order_by(Attendance.arrived_at.desc(), Attendance.id.desc())))
    marks = {c.participant_id: c for c in db.scalars(select(CheckIn).where(CheckIn.day_id == day.id))}
    return [(a, marks.get(a.participant_id)) for a in attendance]


def intake_due(db: Session, participant_ids: list[int]) -> set[int]:
    if not participant_ids:
        return set()
    return set(db.scalars(select(WorkProfile.participant_id).where(WorkProfile.participant_id.in_(participant_ids), WorkProfile.intake_due)))
