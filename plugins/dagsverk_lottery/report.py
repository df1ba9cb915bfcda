"""Dagsverket's sections of the yearly report and the leader's week on the dashboard.

The report has the period's totals and the same numbers by month (with a line chart):
registered, entered in the draw, drawn by right, drawn by lottery, turned away (attended
but got no work), unique people and women's share. All counts of people are marked as
``people_columns`` so a report for sharing hides small groups. The counting itself, the
same for the report, the dashboard and the funders' page, is in
:mod:`plugins.dagsverk_lottery.numbers`.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.contrib import ColumnsAddUp, Derived, Panel, ReportSection, RowsAddUp, Share
from core.i18n import babel_locale
from core.i18n import lazy_gettext as _
from core.models import ProgramDay, Shift, Team
from core.plugins import hookimpl
from core.services.reports import month_start
from plugins.dagsverk_lottery import numbers
from plugins.dagsverk_lottery.numbers import COUNTS


def _month_label(day: dt.date) -> str:
    return format_date(day, "MMM y", locale=babel_locale())


@hookimpl(specname="lavterskel_report_sections")
def report_sections(db: Session, start: dt.date, end: dt.date) -> list[ReportSection]:
    months, n = numbers.by_month(db, start, end)
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
                      people_columns=(1,), derived=(Derived((-1, 1), ((-2, 1),)),),
                      # Whoever registered got work by right, in the lottery or from the reserve list, or was
                      # turned away; and whoever got work worked (but for the rare no-show or extra shift).
                      sums=(RowsAddUp(columns=(1,), total=1, parts=(3, 4, 5, 6)), RowsAddUp(columns=(1,), total=7, parts=(3, 4, 5))),
                      description=_("Open days in the period. A check-in counts once per person and day; turned away means "
                                    "the person came but got no work that day, not by right, lottery or the reserve list.")),
        ReportSection("dagsverk_by_month", _("Dagsverket: the draw by month"), columns, monthly, order=22, chart="line",
                      chart_columns=(1, 3, 4, 5), people_columns=(1, 2, 3, 4, 5, 6), total_row=True,
                      # The counts add up over the months; unique people are counted once in the total, so they do not.
                      # And in each month, registered = by right + by lottery + turned away (+ the reserve list's
                      # call-ins, shown for the period): declared too, so a month's small count is not a subtraction away.
                      sums=(RowsAddUp(columns=(1, 2, 3, 4, 5)), ColumnsAddUp(total=1, parts=(3, 4, 5))),
                      description=_("Check-ins, draw entries and results per month; unique people are counted once per "
                                    "month, and once in the total.")),
    ]


def _last_two_weeks(db: Session, today: dt.date) -> tuple[list[numbers.Counts], list[numbers.Counts]]:
    """This week's open days up to today and last week's, each with its ``date``.

    Counted once per database session (one request): the leader's week panel and the work
    leader's today panel both show these days.
    """
    key = ("dagsverk_lottery.last_two_weeks", today)
    if key not in db.info:
        monday = today - dt.timedelta(days=today.weekday())
        days = [n for _date, n in sorted(numbers.by_day(db, monday - dt.timedelta(days=7), today).items())]
        db.info[key] = ([d for d in days if d.date >= monday], [d for d in days if d.date < monday])
    return db.info[key]


@hookimpl(specname="lavterskel_dashboard_panels")
def week_panel(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    """The leader's week: who came, got work and was turned away, day by day."""
    if "reports.view" not in permissions:
        return []
    this, last = _last_two_weeks(db, today)
    # Today, before its draw, nobody has got work or been turned away yet.
    settled = [d for d in this if d.days_with_draw or d.date < today]
    return [Panel(_("Dagsverket this week"), "dagsverk_lottery/panel_week.html",
                  {"days": [(d, d in settled) for d in this], "turned_away": sum(d.turned_away for d in settled),
                   "registered": sum(d.registered for d in this), "last_turned_away": sum(d.turned_away for d in last)}, order=901)]


@hookimpl(specname="lavterskel_dashboard_panels")
def teams_today_panel(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    """The work leader's today: who got work in the draw, and the day's teams."""
    if "days.view" not in permissions:
        return []
    this_week, _last_week = _last_two_weeks(db, today)
    days = select(ProgramDay.id).where(ProgramDay.date == today).scalar_subquery()
    # The day's shifts counted by team in one statement, found by day (shifts have no
    # index by team: a join on the team read all of the organization's shifts); the
    # count without a team is the people not on a team yet.
    sizes = dict(db.execute(
        select(Shift.team_id, func.count()).where(Shift.day_id.in_(days), Shift.outcome != "no_show").group_by(Shift.team_id)
    ).all())
    teams = db.execute(select(Team.id, Team.name, Team.locked).where(Team.day_id.in_(days)).order_by(Team.name)).all()
    day = next((d for d in this_week if d.date == today), None)
    return [Panel(_("Work today"), "dagsverk_lottery/panel_today.html",
                  {"day": day, "teams": [(t, sizes.get(t.id, 0)) for t in teams],
                   "unassigned": sizes.get(None, 0)}, order=11)]
