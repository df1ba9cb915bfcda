"""Dagsverket's numbers, counted in the database: registered, entered in the draw, drawn by
right, drawn by lottery, called in from the reserve list, turned away (attended but got no
work), days worked, unique people and women's share.

One way of counting serves everyone who shows them: the yearly report (by month), the
funders' page and its API (by day, with the places and the unique workers), and the
dashboard's week and today panels (by day). The rules:

- open days only; a check-in counts once per person and day;
- a day's draw is its drawn draw (at most one a site, by the unique index on live draws);
- turned away means checked in but neither drawn by right or lottery, called in from the
  reserve list, nor on a shift that was not a no-show;
- a day worked is a shift that was worked, left early or sent home;
- unique people are counted once per month (or day), and once in the period.

A day is a date: on a date with two sites open, their numbers are added together.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Date, and_, bindparam, case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from core.models import Attendance, Participant, ProgramDay, Shift
from core.services.reports import month_of
from plugins.dagsverk_lottery.models import Draw, DrawEntrant

COUNTS = ("registered", "entered", "by_right", "by_lottery", "turned_away")
GOT_WORK = ("right", "lottery")
PRESENT_AT_WORK = ("worked", "left_early", "sent_home")
"""Shift outcomes that count as a day worked."""


class Counts:
    """The numbers of one month or day, or of the whole period."""

    def __init__(self) -> None:
        self.registered = self.entered = self.by_right = self.by_lottery = self.called_in = self.turned_away = 0
        self.worked = self.days_with_draw = self.people = self.women = 0
        self.date: dt.date | None = None
        self.capacity: int | None = None
        """The places drawn for (days on the funders' page; None before a draw)."""


class _Statements(NamedTuple):
    groups: Any
    present: Any
    entrants: Any
    worked: Any
    people: Any
    places: Any
    workers: Any


@functools.cache
def _statements(by: str) -> _Statements:
    """The statements of :func:`counted`, built once per grouping (``month`` or ``day``).

    Building a statement this size costs more than running it for a week's days; the
    period comes in as the parameters ``start`` and ``end``, and the organization's scope
    is added when each runs.
    """
    group = month_of(ProgramDay.date) if by == "month" else ProgramDay.date
    open_days = and_(ProgramDay.date.between(bindparam("start", type_=Date), bindparam("end", type_=Date)), ProgramDay.is_open)

    def how_many(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    got_work_in_draw = exists().where(
        Draw.day_id == Attendance.day_id, Draw.status == "drawn", DrawEntrant.draw_id == Draw.id,
        DrawEntrant.participant_id == Attendance.participant_id,
        or_(DrawEntrant.result.in_(GOT_WORK), DrawEntrant.called_in.is_(True)))
    got_shift = exists().where(Shift.day_id == Attendance.day_id, Shift.participant_id == Attendance.participant_id,
                               Shift.outcome != "no_show")
    woman = case((Participant.gender == "woman", Attendance.participant_id))
    present = (select().select_from(Attendance).join(ProgramDay, Attendance.day_id == ProgramDay.id)
               .outerjoin(Participant, Attendance.participant_id == Participant.id).where(open_days))
    worked = select().select_from(Shift).join(ProgramDay, Shift.day_id == ProgramDay.id).where(open_days, Shift.outcome.in_(PRESENT_AT_WORK))
    drawn = select().select_from(Draw).join(ProgramDay, Draw.day_id == ProgramDay.id).where(open_days, Draw.status == "drawn")
    return _Statements(
        # select_from names the entity, so the organization's scope applies however the month is computed.
        groups=select(group).select_from(ProgramDay).where(open_days).group_by(group),
        present=present.add_columns(group, func.count(), how_many(~got_work_in_draw & ~got_shift),
                                    func.count(distinct(Attendance.participant_id)), func.count(distinct(woman))).group_by(group),
        entrants=select(group, func.count(), how_many(DrawEntrant.result == "right"), how_many(DrawEntrant.result == "lottery"),
                        how_many(DrawEntrant.called_in.is_(True)), func.count(distinct(ProgramDay.id)))
        .select_from(DrawEntrant).join(Draw, DrawEntrant.draw_id == Draw.id).join(ProgramDay, Draw.day_id == ProgramDay.id)
        .where(open_days, Draw.status == "drawn").group_by(group),
        worked=worked.add_columns(group, func.count()).group_by(group),
        people=present.add_columns(func.count(distinct(Attendance.participant_id)), func.count(distinct(woman))),
        places=drawn.add_columns(group, func.sum(Draw.capacity)).group_by(group),
        workers=worked.add_columns(func.count(distinct(Shift.participant_id))),
    )


def counted(db: Session, start: dt.date, end: dt.date, by: str, *, total_people: bool = True) -> tuple[dict[Any, Counts], Counts]:
    """The period's numbers by month (``YYYY-MM``) or day (a date), chosen by ``by``, and in
    total. The total's unique people are counted only when ``total_people`` is true."""
    stmts = _statements(by)
    period = {"start": start, "end": end}
    groups = {key: Counts() for key in db.scalars(stmts.groups, period)}
    for key, registered, away, people, women in db.execute(stmts.present, period):
        g = groups[key]
        g.registered, g.turned_away, g.people, g.women = registered, away, people, women
    for key, entered, right, lottery, called_in, days in db.execute(stmts.entrants, period):
        g = groups[key]
        g.entered, g.by_right, g.by_lottery, g.called_in, g.days_with_draw = entered, right, lottery, called_in, days
    for key, n in db.execute(stmts.worked, period):
        groups[key].worked = n
    total = Counts()
    for g in groups.values():
        for name in (*COUNTS, "called_in", "worked", "days_with_draw"):
            setattr(total, name, getattr(total, name) + getattr(g, name))
    if groups and total_people:
        total.people, total.women = db.execute(stmts.people, period).one()
    return groups, total


def by_month(db: Session, start: dt.date, end: dt.date) -> tuple[dict[str, Counts], Counts]:
    """The period's numbers by calendar month (``YYYY-MM``) and in total (the yearly report)."""
    return counted(db, start, end, "month")


def by_day(db: Session, start: dt.date, end: dt.date) -> dict[dt.date, Counts]:
    """The period's numbers per open day, each with its ``date`` (the dashboard's week and today)."""
    days = counted(db, start, end, "day", total_people=False)[0]
    for date, numbers in days.items():
        numbers.date = date
    return days


@dataclass
class PeriodNumbers:
    start: dt.date
    end: dt.date
    days: list[Counts] = field(default_factory=list)
    unique_people: int = 0
    unique_women: int = 0
    unique_workers: int = 0

    def total(self, name: str) -> int:
        return sum(getattr(d, name) for d in self.days)

    @property
    def women_share(self) -> float | None:
        return None if not self.unique_people else self.unique_women / self.unique_people


def period(db: Session, start: dt.date, end: dt.date) -> PeriodNumbers:
    """The funders' numbers: every open day of the period, and the unique people, women
    and workers of the whole period."""
    days, total = counted(db, start, end, "day")
    out = PeriodNumbers(start, end, unique_people=total.people, unique_women=total.women)
    if not days:
        return out
    params = {"start": start, "end": end}
    stmts = _statements("day")
    for date, capacity in db.execute(stmts.places, params):
        days[date].capacity = capacity
    for date, numbers in sorted(days.items()):
        numbers.date = date
        out.days.append(numbers)
    out.unique_workers = db.scalar(stmts.workers, params) or 0
    return out
