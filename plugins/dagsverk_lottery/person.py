"""A person's Dagsverket history in plain words: days attended, drawn, worked, their
rights now, days without work, and why they did or did not get work on each day."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.models import Attendance, Participant, ProgramDay, Shift
from plugins.dagsverk_lottery.draws import seen_before, standings_before
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant
from plugins.dagsverk_lottery.numbers import GOT_WORK, PRESENT_AT_WORK
from plugins.dagsverk_lottery.rights import Standing, right_from

RIGHT_TEXT = {"first_day": "first_day", "third_day": "third_day", "carried_over": "carried_over"}


@dataclass
class DayReason:
    date: dt.date
    got_work: bool
    text: str
    draw_id: int | None = None
    """The day's draw, so the person (or their representative) can check it."""


def right_label(right: str) -> str:
    return {
        "first_day": _("First-day right"),
        "third_day": _("Third-day right"),
        "carried_over": _("Right carried over from an earlier day"),
        "none": _("No right"),
    }.get(right, right)


def reason(checkin: Any, draw: Any, entrant: Any, shift: Any) -> tuple[bool, str]:
    """Whether the person got work that day, and why, in plain words. The arguments are the
    day's check-in, drawn draw, entry in it and shift (anything with their columns), or None."""
    if checkin is not None and checkin.status == "not_fit":
        return False, _("Present, but not fit to work that day: not entered in the draw (no mark against them).")
    if checkin is not None and checkin.status == "after_draw":
        return bool(shift and shift.outcome != "no_show"), _("Came after the draw: registered as present, not entered.")
    if draw is None or entrant is None:
        if shift is not None:
            return True, _("Had work that day.")
        return False, _("There was no draw that day.")
    if entrant.result == "right":
        return True, _("Got work by right: %(right)s.", right=right_label(entrant.right).lower())
    if entrant.result == "lottery":
        return True, _("Got work in the lottery: drawn as number %(pos)s of %(cap)s places.", pos=entrant.position, cap=draw.capacity)
    if entrant.called_in:
        return True, _("Not drawn at first, reserve number %(n)s, then called in for a free place.", n=entrant.reserve_number)
    if entrant.right != "none":
        return False, _("Had a right, but the rights that day were more than the places; the draw was among them. Reserve number %(n)s; the right carries over.", n=entrant.reserve_number)
    return False, _("Not drawn in the lottery: reserve number %(n)s; %(cap)s places that day.", n=entrant.reserve_number, cap=draw.capacity)


@dataclass
class _Day:
    """One of a person's recent days, as :func:`reason` reads it: each part None when absent."""

    date: dt.date
    checkin: SimpleNamespace | None
    draw: SimpleNamespace | None
    entrant: SimpleNamespace | None
    shift: SimpleNamespace | None


def _recent_days(db: Session, pid: int, limit: int = 10) -> list[_Day]:
    """The person's last ``limit`` days with their check-in, the day's drawn draw, their
    place in it and their shift, newest first: one statement of columns (each is at most
    one row a day, by the unique indexes), not five of objects that would each bring
    their person and day along."""
    recent = (select(ProgramDay.id, ProgramDay.date).join(Attendance, Attendance.day_id == ProgramDay.id)
              .where(Attendance.participant_id == pid).order_by(ProgramDay.date.desc()).limit(limit).subquery("recent"))
    rows = db.execute(
        select(recent.c.date, CheckIn.status, Draw.id, Draw.capacity, DrawEntrant.id, DrawEntrant.right, DrawEntrant.result,
               DrawEntrant.position, DrawEntrant.reserve_number, DrawEntrant.called_in, Shift.outcome)
        .select_from(recent)
        .outerjoin(CheckIn, and_(CheckIn.day_id == recent.c.id, CheckIn.participant_id == pid))
        .outerjoin(Draw, and_(Draw.day_id == recent.c.id, Draw.status == "drawn"))
        .outerjoin(DrawEntrant, and_(DrawEntrant.draw_id == Draw.id, DrawEntrant.participant_id == pid))
        .outerjoin(Shift, and_(Shift.day_id == recent.c.id, Shift.participant_id == pid))
        .order_by(recent.c.date.desc())
    )
    return [
        _Day(date,
             SimpleNamespace(status=status) if status is not None else None,
             SimpleNamespace(id=draw_id, capacity=capacity) if draw_id is not None else None,
             SimpleNamespace(right=right, result=result, position=position, reserve_number=reserve_number, called_in=called_in)
             if entrant_id is not None else None,
             SimpleNamespace(outcome=outcome) if outcome is not None else None)
        for date, status, draw_id, capacity, entrant_id, right, result, position, reserve_number, called_in, outcome in rows
    ]


def summary(db: Session, participant: Participant, site_id: int | None, today: dt.date) -> dict[str, object]:
    pid = participant.id
    # Three counts in one statement: each statement costs more in SQLAlchemy than in the database.
    attended, drawn, worked = db.execute(select(
        select(func.count()).select_from(Attendance).where(Attendance.participant_id == pid).scalar_subquery(),
        select(func.count()).select_from(DrawEntrant).join(Draw, DrawEntrant.draw_id == Draw.id)
        .where(DrawEntrant.participant_id == pid, Draw.status == "drawn", DrawEntrant.result.in_(GOT_WORK)).scalar_subquery(),
        select(func.count()).select_from(Shift)
        .where(Shift.participant_id == pid, Shift.outcome.in_(PRESENT_AT_WORK)).scalar_subquery(),
    )).one()
    right, waited = "none", 0
    if site_id is not None:
        todays = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site_id, ProgramDay.date == today)).first()
        drawn_today = todays is not None and db.scalar(select(func.count()).select_from(Draw).where(Draw.day_id == todays.id, Draw.status == "drawn"))
        probe = SimpleNamespace(site_id=site_id, date=today + dt.timedelta(days=1) if drawn_today else today)
        standing = standings_before(db, site_id, probe.date, [pid]).get(pid, Standing())
        waited = standing.waited
        right = right_from(waited, pid not in seen_before(db, probe, [pid]), standing.carried)  # type: ignore[arg-type]
    reasons = [DayReason(day.date, *reason(day.checkin, day.draw, day.entrant, day.shift), day.draw.id if day.draw else None)
               for day in _recent_days(db, pid)]
    return {"attended": attended, "drawn": drawn, "worked": worked, "right": right, "right_label": right_label(right),
            "waited": waited, "reasons": reasons}
