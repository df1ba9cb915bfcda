"""A person's Dagsverket history in plain words: days attended, drawn, worked, their
rights now, days without work, and why they did or did not get work on each day."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.models import Attendance, Participant, ProgramDay, Shift
from plugins.dagsverk_lottery.draws import seen_before, waited_before
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant
from plugins.dagsverk_lottery.rights import right_from

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
        "carried_over": _("Third-day right, carried over"),
        "none": _("No right"),
    }.get(right, right)


def reason(checkin: CheckIn | None, draw: Draw | None, entrant: DrawEntrant | None, shift: Shift | None) -> tuple[bool, str]:
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


def summary(db: Session, participant: Participant, site_id: int | None, today: dt.date) -> dict[str, object]:
    pid = participant.id
    # Three counts in one statement: each statement costs more in SQLAlchemy than in the database.
    attended, drawn, worked = db.execute(select(
        select(func.count()).select_from(Attendance).where(Attendance.participant_id == pid).scalar_subquery(),
        select(func.count()).select_from(DrawEntrant).join(Draw, DrawEntrant.draw_id == Draw.id)
        .where(DrawEntrant.participant_id == pid, Draw.status == "drawn", DrawEntrant.result.in_(("right", "lottery"))).scalar_subquery(),
        select(func.count()).select_from(Shift)
        .where(Shift.participant_id == pid, Shift.outcome.in_(("worked", "left_early", "sent_home"))).scalar_subquery(),
    )).one()
    right, waited = "none", 0
    if site_id is not None:
        todays = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site_id, ProgramDay.date == today)).first()
        drawn_today = todays is not None and db.scalar(select(func.count()).select_from(Draw).where(Draw.day_id == todays.id, Draw.status == "drawn"))
        probe = SimpleNamespace(site_id=site_id, date=today + dt.timedelta(days=1) if drawn_today else today)
        waited = waited_before(db, site_id, probe.date, [pid]).get(pid, 0)
        right = right_from(waited, pid not in seen_before(db, probe, [pid]))  # type: ignore[arg-type]
    # The last ten days as columns: an attendance or shift object would bring its person
    # and day along (joined eagerly), on a page that already has both.
    recent = db.execute(
        select(ProgramDay.id, ProgramDay.date).join(Attendance, Attendance.day_id == ProgramDay.id)
        .where(Attendance.participant_id == pid).order_by(ProgramDay.date.desc()).limit(10)
    ).all()
    day_ids = [d.id for d in recent]
    checkins = {c.day_id: c for c in db.scalars(select(CheckIn).where(CheckIn.participant_id == pid, CheckIn.day_id.in_(day_ids)))}
    draws = {d.day_id: d for d in db.scalars(select(Draw).where(Draw.day_id.in_(day_ids), Draw.status == "drawn"))}
    entrants = {e.draw_id: e for e in db.scalars(select(DrawEntrant).where(DrawEntrant.participant_id == pid, DrawEntrant.draw_id.in_([d.id for d in draws.values()])))}
    shifts = {s.day_id: s for s in db.execute(select(Shift.day_id, Shift.outcome).where(Shift.participant_id == pid, Shift.day_id.in_(day_ids)))}
    reasons = []
    for d in recent:
        draw = draws.get(d.id)
        got, text = reason(checkins.get(d.id), draw, entrants.get(draw.id) if draw else None, shifts.get(d.id))
        reasons.append(DayReason(d.date, got, text, draw.id if draw else None))
    return {"attended": attended, "drawn": drawn, "worked": worked, "right": right, "right_label": right_label(right),
            "waited": waited, "reasons": reasons}
