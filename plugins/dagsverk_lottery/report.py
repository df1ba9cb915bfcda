"""Dagsverket's sections of the yearly report and the leader's week on the dashboard.

The report has the period's totals and the same numbers by month (with a line chart):
registered, entered in the draw, drawn by right, drawn by lottery, turned away (attended
but got no work), unique people and women's share. All counts of people are marked as
``people_columns`` so a report for sharing hides small groups.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core.contrib import Panel, ReportSection, Share
from core.i18n import lazy_gettext as _
from core.plugins import hookimpl


def _month_label(day: dt.date) -> str:
    from babel.dates import format_date

    from core.i18n import babel_locale

    return format_date(day, "MMM y", locale=babel_locale())


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The period cut into calendar months (the first and last may be partial)."""
    out = []
    first = start
    while first <= end:
        nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        out.append((first, min(end, nxt - dt.timedelta(days=1))))
        first = nxt
    return out


COUNTS = ("registered", "entered", "by_right", "by_lottery", "turned_away")


@hookimpl(specname="lavterskel_report_sections")
def report_sections(db: Session, start: dt.date, end: dt.date) -> list[ReportSection]:
    from plugins.dagsverk_lottery import numbers

    n = numbers.period(db, start, end)
    summary: list[list[Any]] = [
        [_("Open days with a draw"), sum(1 for d in n.days if d.entered)],
        [_("Registered (check-ins)"), n.total("registered")],
        [_("Entered in the draw"), n.total("entered")],
        [_("Got work by right"), n.total("by_right")],
        [_("Got work in the lottery"), n.total("by_lottery")],
        [_("Called in from the reserve list"), n.total("called_in")],
        [_("Turned away (attended, got no work)"), n.total("turned_away")],
        [_("Days worked"), n.total("worked")],
        [_("Unique people"), n.unique_people],
        [_("Women's share of unique people"), Share(n.unique_women, n.unique_people)],
    ]
    # By month from the same day numbers; unique people per month from one query, not a period per month.
    from sqlalchemy import select

    from core.models import Attendance, Participant, ProgramDay

    present = db.execute(
        select(ProgramDay.date, Attendance.participant_id, Participant.gender)
        .join(ProgramDay, Attendance.day_id == ProgramDay.id).join(Participant, Attendance.participant_id == Participant.id)
        .where(ProgramDay.date.between(start, end), ProgramDay.is_open)
    ).all()
    people: dict[tuple[int, int], set[int]] = {}
    women: dict[tuple[int, int], set[int]] = {}
    for day, pid, gender in present:
        people.setdefault((day.year, day.month), set()).add(pid)
        if gender == "woman":
            women.setdefault((day.year, day.month), set()).add(pid)
    monthly: list[list[Any]] = []
    for first, _last in _months(start, end):
        key = (first.year, first.month)
        days = [d for d in n.days if (d.date.year, d.date.month) == key]
        if not days:
            continue
        who, w = len(people.get(key, ())), len(women.get(key, ()))
        monthly.append([_month_label(first), *(sum(getattr(d, c) for d in days) for c in COUNTS), who, Share(w, who)])
    if monthly:
        monthly.append([_("Total"), *(n.total(c) for c in COUNTS), n.unique_people, Share(n.unique_women, n.unique_people)])
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


@hookimpl(specname="lavterskel_dashboard_panels")
def week_panel(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    """The leader's week: who came, got work and was turned away, day by day."""
    if "reports.view" not in permissions:
        return []
    from plugins.dagsverk_lottery import numbers

    this, last = numbers.last_two_weeks(db, today)
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
    from plugins.dagsverk_lottery import numbers

    this_week, _last_week = numbers.last_two_weeks(db, today)
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
