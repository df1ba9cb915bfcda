"""Dagsverket's sections of the yearly report and the leader's week on the dashboard.

The report has the period's totals and the same numbers by month (with a line chart):
registered, entered in the draw, drawn by right, drawn by lottery, turned away (attended
but got no work), unique people and women's share. All counts of people are marked as
``people_columns`` so a report for sharing hides small groups.
"""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from core.contrib import Panel, ReportSection, Share
from core.i18n import lazy_gettext as _
from core.plugins import hookimpl


def _month_label(day: dt.date) -> str:
    from babel.dates import format_date

    from core.i18n import babel_locale

    return format_date(day, "MMM y", locale=babel_locale())


COUNTS = ("registered", "entered", "by_right", "by_lottery", "turned_away")
GOT_WORK = ("right", "lottery")
PRESENT_AT_WORK = ("worked", "left_early", "sent_home")
"""Shift outcomes that count as a day worked (the same as :mod:`plugins.dagsverk_lottery.numbers`)."""


class _Month:
    def __init__(self) -> None:
        self.registered = self.entered = self.by_right = self.by_lottery = self.called_in = self.turned_away = 0
        self.worked = self.days_with_draw = self.people = self.women = 0
        self.date: dt.date | None = None


def _by_month(db: Session, start: dt.date, end: dt.date) -> tuple[dict[str, _Month], _Month]:
    """The period's numbers by calendar month (``YYYY-MM``) and in total; see :func:`_counted`."""
    return _counted(db, start, end, "month")


def _by_day(db: Session, start: dt.date, end: dt.date) -> dict[dt.date, _Month]:
    """The period's numbers per open day (the dashboard's week and today); see :func:`_counted`."""
    return _counted(db, start, end, "day", total_people=False)[0]


class _Counts(NamedTuple):
    groups: Any
    present: Any
    entrants: Any
    worked: Any
    people: Any


@functools.cache
def _count_statements(by: str) -> _Counts:
    """The statements of :func:`_counted`, built once per grouping (``month`` or ``day``).

    Building a statement this size costs more than running it for a week's days; the
    period comes in as the parameters ``start`` and ``end``, and the organization's scope
    is added when each runs.
    """
    from sqlalchemy import Date, and_, bindparam, case, distinct, exists, func, or_, select

    from core.models import Attendance, Participant, ProgramDay, Shift
    from core.services.reports import month_of
    from plugins.dagsverk_lottery.models import Draw, DrawEntrant

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
    return _Counts(
        # select_from names the entity, so the organization's scope applies however the month is computed.
        groups=select(group).select_from(ProgramDay).where(open_days).group_by(group),
        present=present.add_columns(group, func.count(), how_many(~got_work_in_draw & ~got_shift),
                                    func.count(distinct(Attendance.participant_id)), func.count(distinct(woman))).group_by(group),
        entrants=select(group, func.count(), how_many(DrawEntrant.result == "right"), how_many(DrawEntrant.result == "lottery"),
                        how_many(DrawEntrant.called_in.is_(True)), func.count(distinct(ProgramDay.id)))
        .select_from(DrawEntrant).join(Draw, DrawEntrant.draw_id == Draw.id).join(ProgramDay, Draw.day_id == ProgramDay.id)
        .where(open_days, Draw.status == "drawn").group_by(group),
        worked=select(group, func.count()).select_from(Shift).join(ProgramDay, Shift.day_id == ProgramDay.id)
        .where(open_days, Shift.outcome.in_(PRESENT_AT_WORK)).group_by(group),
        people=present.add_columns(func.count(distinct(Attendance.participant_id)), func.count(distinct(woman))),
    )


def _counted(db: Session, start: dt.date, end: dt.date, by: str, *, total_people: bool = True) -> tuple[dict[Any, _Month], _Month]:
    """The period's numbers by month or day (``by``) and in total, counted in the database.

    The same numbers as :func:`plugins.dagsverk_lottery.numbers.period` adds up day by day:
    open days only; a check-in counts once per person and day; the draw is the day's drawn
    draw (at most one, by the unique index on live draws); turned away means checked in but
    neither drawn by right or lottery, called in from the reserve list, nor on a shift that
    was not a no-show. Unique people are counted once per month, and once in the period.
    """
    stmts = _count_statements(by)
    period = {"start": start, "end": end}
    months = {m: _Month() for m in db.scalars(stmts.groups, period)}
    for key, registered, away, people, women in db.execute(stmts.present, period):
        m = months[key]
        m.registered, m.turned_away, m.people, m.women = registered, away, people, women
    for key, entered, right, lottery, called_in, days in db.execute(stmts.entrants, period):
        m = months[key]
        m.entered, m.by_right, m.by_lottery, m.called_in, m.days_with_draw = entered, right, lottery, called_in, days
    for key, n in db.execute(stmts.worked, period):
        months[key].worked = n
    total = _Month()
    for m in months.values():
        for name in (*COUNTS, "called_in", "worked", "days_with_draw"):
            setattr(total, name, getattr(total, name) + getattr(m, name))
    if months and total_people:
        total.people, total.women = db.execute(stmts.people, period).one()
    return months, total


@hookimpl(specname="lavterskel_report_sections")
def report_sections(db: Session, start: dt.date, end: dt.date) -> list[ReportSection]:
    from core.services.reports import month_start

    months, n = _by_month(db, start, end)
    summary: list[list[Any]] = [
        [_("Open days with a draw"), n.days_with_draw],
        [_("Registered (check-ins)"), n.registered],
        [_("Entered in the draw"), n.entered],
        [_("Got work by right"), n.by_right],
        [_("Got work in the lottery"), n.by_lottery],
        [_("Called in from the reserve list"), n.called_in],
        [_("Turned away (attended, got no work)"), n.turned_away],
        [_("Days worked"), n.worked],
        [_("Unique people"), n.people],
        [_("Women's share of unique people"), Share(n.women, n.people)],
    ]
    monthly: list[list[Any]] = [
        [_month_label(month_start(key)), *(getattr(m, c) for c in COUNTS), m.people, Share(m.women, m.people)]
        for key, m in sorted(months.items())
    ]
    if monthly:
        monthly.append([_("Total"), *(getattr(n, c) for c in COUNTS), n.people, Share(n.women, n.people)])
    columns = [_("Month"), _("Registered"), _("Entered in the draw"), _("Drawn by right"), _("Drawn by lottery"),
               _("Turned away"), _("Unique people"), _("Women's share")]
    return [
        ReportSection("dagsverk_lottery", _("Dagsverket: attendance and the draw"), [_("Measure"), _("Number")], summary, order=21,
                      people_columns=(1,),
                      description=_("Open days in the period. A check-in counts once per person and day; turned away means "
                                    "the person came but got no work that day, not by right, lottery or the reserve list.")),
        ReportSection("dagsverk_by_month", _("Dagsverket: the draw by month"), columns, monthly, order=22, chart="line",
                      chart_columns=(1, 3, 4, 5), people_columns=(1, 2, 3, 4, 5, 6), total_row=True,
                      description=_("Check-ins, draw entries and results per month; unique people are counted once per "
                                    "month, and once in the total.")),
    ]


def _last_two_weeks(db: Session, today: dt.date) -> tuple[list[_Month], list[_Month]]:
    """This week's open days up to today and last week's, each with its ``date``.

    Counted once per database session (one request): the leader's week panel and the work
    leader's today panel both show these days.
    """
    key = ("dagsverk_lottery.last_two_weeks", today)
    if key not in db.info:
        monday = today - dt.timedelta(days=today.weekday())
        days = []
        for date, numbers in sorted(_by_day(db, monday - dt.timedelta(days=7), today).items()):
            numbers.date = date
            days.append(numbers)
        db.info[key] = ([d for d in days if d.date >= monday], [d for d in days if d.date < monday])
    return db.info[key]


@hookimpl(specname="lavterskel_dashboard_panels")
def week_panel(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    """The leader's week: who came, got work and was turned away, day by day."""
    if "reports.view" not in permissions:
        return []
    this, last = _last_two_weeks(db, today)
    return [Panel(_("Dagsverket this week"), "dagsverk_lottery/panel_week.html",
                  {"days": this, "turned_away": sum(d.turned_away for d in this), "registered": sum(d.registered for d in this),
                   "last_turned_away": sum(d.turned_away for d in last)}, order=901)]


@hookimpl(specname="lavterskel_dashboard_panels")
def teams_today_panel(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    """The work leader's today: who got work in the draw, and the day's teams."""
    if "days.view" not in permissions:
        return []
    from sqlalchemy import and_, func, select

    from core.models import ProgramDay, Shift, Team

    this_week, _last_week = _last_two_weeks(db, today)
    days = select(ProgramDay.id).where(ProgramDay.date == today).scalar_subquery()
    # Counted in the database: loading the teams would load every shift and its person.
    teams = db.execute(
        select(Team.name, Team.locked, func.count(Shift.id).label("size"))
        .outerjoin(Shift, and_(Shift.team_id == Team.id, Shift.outcome != "no_show"))
        .where(Team.day_id.in_(days)).group_by(Team.id, Team.name, Team.locked).order_by(Team.name)
    ).all()
    unassigned = db.scalar(select(func.count(Shift.id)).where(Shift.day_id.in_(days), Shift.team_id.is_(None), Shift.outcome != "no_show"))
    day = next((d for d in this_week if d.date == today), None)
    return [Panel(_("Work today"), "dagsverk_lottery/panel_today.html",
                  {"day": day, "teams": [(t, t.size) for t in teams],
                   "unassigned": unassigned}, order=11)]
