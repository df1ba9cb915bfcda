"""Numbers for the funders, per day and per period: registered, entered, drawn by right,
drawn by lottery, turned away (attended but got no work), unique people, women's share."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Attendance, Participant, ProgramDay, Shift
from plugins.dagsverk_lottery.models import Draw, DrawEntrant


@dataclass
class DayNumbers:
    date: dt.date
    registered: int = 0
    entered: int = 0
    by_right: int = 0
    by_lottery: int = 0
    called_in: int = 0
    worked: int = 0
    turned_away: int = 0
    capacity: int | None = None


@dataclass
class PeriodNumbers:
    start: dt.date
    end: dt.date
    days: list[DayNumbers] = field(default_factory=list)
    unique_people: int = 0
    unique_women: int = 0
    unique_workers: int = 0

    def total(self, name: str) -> int:
        return sum(getattr(d, name) for d in self.days)

    @property
    def women_share(self) -> float | None:
        return None if not self.unique_people else self.unique_women / self.unique_people


def period(db: Session, start: dt.date, end: dt.date) -> PeriodNumbers:
    # Columns, not ORM objects: a draw object would load all its entrants with it, and the
    # dashboard asks for these numbers on every visit.
    days = db.execute(select(ProgramDay.id, ProgramDay.date)
                      .where(ProgramDay.date >= start, ProgramDay.date <= end, ProgramDay.is_open).order_by(ProgramDay.date)).all()
    ids = [d.id for d in days]
    out = PeriodNumbers(start, end)
    if not ids:
        return out
    by_day = {d.id: DayNumbers(d.date) for d in days}
    present: dict[int, set[int]] = {i: set() for i in ids}
    for day_id, pid in db.execute(select(Attendance.day_id, Attendance.participant_id).where(Attendance.day_id.in_(ids))):
        present[day_id].add(pid)
    got_work: dict[int, set[int]] = {i: set() for i in ids}
    draws = {d.day_id: d for d in db.execute(select(Draw.id, Draw.day_id, Draw.capacity)
                                             .where(Draw.day_id.in_(ids), Draw.status == "drawn").order_by(Draw.attempt))}
    for d in draws.values():
        by_day[d.day_id].capacity = d.capacity
    rows = db.execute(
        select(Draw.day_id, DrawEntrant.participant_id, DrawEntrant.result, DrawEntrant.called_in)
        .join(DrawEntrant, DrawEntrant.draw_id == Draw.id).where(Draw.id.in_([d.id for d in draws.values()]))
    )
    for day_id, pid, result, called_in in rows:
        n = by_day[day_id]
        n.entered += 1
        if result == "right":
            n.by_right += 1
        elif result == "lottery":
            n.by_lottery += 1
        if called_in:
            n.called_in += 1
        if result in ("right", "lottery") or called_in:
            got_work[day_id].add(pid)
    worked: dict[int, set[int]] = {i: set() for i in ids}
    for day_id, pid, outcome in db.execute(select(Shift.day_id, Shift.participant_id, Shift.outcome).where(Shift.day_id.in_(ids))):
        if outcome != "no_show":
            got_work[day_id].add(pid)
        if outcome in ("worked", "left_early", "sent_home"):
            worked[day_id].add(pid)
    everyone: set[int] = set()
    workers: set[int] = set()
    for day_id in ids:
        n = by_day[day_id]
        n.registered = len(present[day_id])
        n.worked = len(worked[day_id])
        n.turned_away = len(present[day_id] - got_work[day_id])
        everyone |= present[day_id]
        workers |= worked[day_id]
        out.days.append(n)
    out.unique_people = len(everyone)
    out.unique_workers = len(workers)
    if everyone:
        out.unique_women = len(set(db.scalars(select(Participant.id).where(Participant.id.in_(everyone), Participant.gender == "woman"))))
    return out
