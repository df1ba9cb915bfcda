"""Nyttig Arbeid's sections of the yearly report, and the leader's week on the dashboard.

Phases at a date are rebuilt from the dated :class:`PhaseChange` history (not from the
path's current phase), so a report for last year says what was true last year.
Hours come from approved timesheets only; the core's "work by month" counts core
shifts, which Nyttig Arbeid does not use, so the two never overlap.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from statistics import median
from typing import Any

from babel.dates import format_date
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from core.contrib import Panel, ReportSection, RowsAddUp
from core.i18n import babel_locale
from core.i18n import lazy_gettext as _
from core.models import Department
from core.plugins import hookimpl
from core.services.reports import month_of, month_start
from plugins.nyttig_contract.labels import CHANGE_KINDS, ONWARD, PHASES, label
from plugins.nyttig_contract.models import PathRecord, PhaseChange, Timesheet
from plugins.nyttig_contract.phases import LEFT, ORDER
from plugins.nyttig_contract.waiting_list import WAITING_PHASES

WORKING = ("started", "stable")


def _month_label(day: dt.date) -> str:
    return format_date(day, "MMM y", locale=babel_locale())


def _month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    out = []
    first = dt.date(start.year, start.month, 1)
    while first <= end:
        nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        out.append(min(end, nxt - dt.timedelta(days=1)))
        first = nxt
    return out


class Sweep:
    """Phase and waiting-since of everyone, replayed from the change history up to a date."""

    def __init__(self, db: Session, end: dt.date) -> None:
        self.changes = list(db.execute(
            select(PhaseChange.participant_id, PhaseChange.from_phase, PhaseChange.to_phase, PhaseChange.kind, PhaseChange.on)
            .where(PhaseChange.on <= end).order_by(PhaseChange.on, PhaseChange.id)))
        self.phase: dict[int, str] = {}
        self.waiting_since: dict[int, dt.date] = {}
        self._i = 0

    def until(self, day: dt.date) -> list[Any]:
        """Apply the changes up to and including ``day``; returns those applied."""
        applied = []
        while self._i < len(self.changes) and self.changes[self._i].on <= day:
            c = self.changes[self._i]
            before = self.phase.get(c.participant_id, "")
            self.phase[c.participant_id] = c.to_phase
            if c.to_phase in WAITING_PHASES and before not in WAITING_PHASES:
                self.waiting_since[c.participant_id] = c.on
            elif c.to_phase not in WAITING_PHASES:
                self.waiting_since.pop(c.participant_id, None)
            applied.append(c)
            self._i += 1
        return applied


def _median(values: list[int]) -> Decimal | None:
    """The median as an exact Decimal (a half day when the count is even and the middle two differ)."""
    return None if not values else Decimal(str(median(values)))


def _no_double_count() -> Any:
    return _("Nyttig Arbeid's hours come from timesheets, not shifts: they are not in the core's work by month, so add the two, never count either twice.")


@hookimpl(specname="lavterskel_report_sections")
def report_sections(db: Session, start: dt.date, end: dt.date) -> list[ReportSection]:
    sweep = Sweep(db, end)
    sweep.until(start - dt.timedelta(days=1))
    waiting_rows: list[list[Any]] = []
    in_period: list[Any] = []
    for month_end in _month_ends(start, end):
        applied = sweep.until(month_end)
        in_period.extend(applied)
        joined = sum(1 for c in applied if c.to_phase in WAITING_PHASES and c.from_phase not in WAITING_PHASES)
        waits = [(month_end - since).days for since in sweep.waiting_since.values()]
        waiting_rows.append([_month_label(month_end), len(waits), joined, _median(waits),
                             max(waits) if waits else None])
    # The pipeline at the end of the period, in the path's order.
    at_end = Counter(sweep.phase.values())
    pipeline = [[label(PHASES, p), at_end[p]] for p in ORDER]

    # Moves between phases in the period, by kind: how many changes, and how many people.
    kinds: dict[str, list[Any]] = {k: [0, set()] for k in CHANGE_KINDS}
    for c in in_period:
        k = kinds.setdefault(c.kind, [0, set()])
        k[0] += 1
        k[1].add(c.participant_id)
    moves = [[label(CHANGE_KINDS, k), n, len(people)] for k, (n, people) in kinds.items() if k in CHANGE_KINDS]
    left_to = Counter(c.to_phase for c in in_period if c.kind == "leave")
    # Every leave goes to one of these phases: the leave row's moves are the sum of these rows.
    left_rows = tuple(range(len(moves), len(moves) + len(LEFT)))
    moves += [[_("Left: %(phase)s", phase=label(PHASES, p)), left_to[p], None] for p in LEFT]
    leave_row = list(CHANGE_KINDS).index("leave")

    # Who moved on in the period, and where to (the path keeps where, until the person comes back).
    onward_ids = {c.participant_id for c in in_period if c.kind == "leave" and c.to_phase == "onward"}
    outcome = dict(db.execute(select(PathRecord.participant_id, PathRecord.outcome).where(PathRecord.participant_id.in_(sorted(onward_ids)))).all()) if onward_ids else {}
    where = Counter(outcome.get(pid, "") if outcome.get(pid, "") in ONWARD else "" for pid in onward_ids)
    onward_rows: list[list[Any]] = [[label(ONWARD, k), where[k]] for k in ("work", "training", "education")]
    if where[""]:
        onward_rows.append([_("Not recorded (came back later)"), where[""]])
    onward_rows.append([_("Total"), len(onward_ids)])

    # Medarbeidere (started or stable at the end of the period) per department, and the department's approved hours.
    working = [pid for pid, ph in sweep.phase.items() if ph in WORKING]
    dept_of = dict(db.execute(select(PathRecord.participant_id, PathRecord.department_id).where(PathRecord.participant_id.in_(working))).all()) if working else {}
    per_dept = Counter(dept_of.get(pid) for pid in working)
    # Approved timesheet hours, summed in the database: by department, and by month with people once per month and once in total.
    sheets = select().select_from(Timesheet).where(Timesheet.date.between(start, end), Timesheet.approved_at.is_not(None))
    dept_hours: dict[int | None, Decimal] = dict(db.execute(  # type: ignore[arg-type]
        sheets.add_columns(Timesheet.department_id, func.sum(Timesheet.hours)).group_by(Timesheet.department_id)).all())
    names = dict(db.execute(select(Department.id, Department.name)).all())
    dept_ids = sorted({*per_dept, *dept_hours}, key=lambda i: (i is None, str(names.get(i, ""))))
    dept_rows = [[names.get(i) or _("No department"), per_dept.get(i, 0), dept_hours.get(i, Decimal(0))] for i in dept_ids]
    if dept_rows:
        dept_rows.append([_("Total"), len(working), sum((r[2] for r in dept_rows), Decimal(0))])

    # Hours from approved timesheets by month.
    month = month_of(Timesheet.date)
    measures = (func.count(), func.sum(Timesheet.hours), func.count(distinct(Timesheet.participant_id)))
    by_month = db.execute(sheets.add_columns(month, *measures).group_by(month).order_by(month)).all()
    hour_rows = [[_month_label(month_start(m)), n, hours, people] for m, n, hours, people in by_month]
    if hour_rows:
        hour_rows.append([_("Total"), *db.execute(sheets.add_columns(*measures)).one()])

    return [
        ReportSection("nyttig_pipeline", _("Nyttig Arbeid: the path at the end of the period"), [_("Phase"), _("People")], pipeline,
                      order=40, chart="funnel", people_columns=(1,),
                      description=_("How many people were in each phase of the path on the last day of the period, "
                                    "from the dated phase history.")),
        ReportSection("nyttig_moves", _("Nyttig Arbeid: moves between phases"), [_("Move"), _("Moves"), _("People")], moves,
                      order=41, chart="bar", chart_columns=(1,), people_columns=(1, 2),
                      # The moves of a kind are about the people who made them (three people's relapses).
                      group_column=2, measure_columns=(1,), sums=(RowsAddUp(columns=(1,), total=leave_row, parts=left_rows),),
                      description=_("Every change of phase in the period: next steps, steps back, relapses (back one phase, "
                                    "never out), returns after leaving, and who left.")),
        ReportSection("nyttig_waiting", _("Nyttig Arbeid: the waiting list"),
                      [_("Month"), _("On the waiting list"), _("Joined"), _("Median wait (days)"), _("Longest wait (days)")],
                      waiting_rows, order=42, chart="line", chart_columns=(1, 2), people_columns=(1, 2),
                      # The waits are about the people on the list: the longest wait of two people is one person's.
                      group_column=1, measure_columns=(3, 4),
                      description=_("At the end of each month: people on the waiting list or waiting for a status meeting, "
                                    "and how long they had waited since they joined it.")),
        ReportSection("nyttig_departments", _("Nyttig Arbeid: medarbeidere per department"),
                      [_("Department"), _("Medarbeidere"), _("Approved hours")], dept_rows, order=43, chart="bar",
                      chart_columns=(1,), people_columns=(1,), total_row=True,
                      group_column=1, measure_columns=(2,), sums=(RowsAddUp(columns=(1, 2)),),
                      description=_("Medarbeidere are people who had started or were in stable employment at the end of the "
                                    "period, in their current department; hours are approved timesheet hours in the period.")),
        ReportSection("nyttig_onward", _("Nyttig Arbeid: moved on to work, training or school"), [_("Moved on to"), _("People")],
                      onward_rows, order=44, chart="bar", people_columns=(1,), total_row=True, sums=(RowsAddUp(columns=(1,)),),
                      description=_("People who left the path for ordinary work, work training or education in the period.")),
        ReportSection("nyttig_hours", _("Nyttig Arbeid: hours by month"),
                      [_("Month"), _("Timesheet days"), _("Hours worked"), _("People who worked")], hour_rows, order=45,
                      chart="line", chart_columns=(2, 3), people_columns=(3,), total_row=True,
                      group_column=3, measure_columns=(1, 2), sums=(RowsAddUp(columns=(1, 2)),),
                      description=_no_double_count()),
    ]


@hookimpl(specname="lavterskel_dashboard_panels")
def week_panel(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    """The leader's week: how the waiting list changed since Monday."""
    if "reports.view" not in permissions or "nyttig.view" not in permissions:
        return []
    monday = today - dt.timedelta(days=today.weekday())
    sweep = Sweep(db, today)
    sweep.until(monday - dt.timedelta(days=1))
    length_before = len(sweep.waiting_since)
    applied = sweep.until(today)
    joined = sum(1 for c in applied if c.to_phase in WAITING_PHASES and c.from_phase not in WAITING_PHASES)
    job_talk = sum(1 for c in applied if c.from_phase in WAITING_PHASES and c.to_phase == "job_talk")
    left = sum(1 for c in applied if c.from_phase in WAITING_PHASES and c.to_phase in LEFT)
    hours = db.scalar(select(func.coalesce(func.sum(Timesheet.hours), 0)).where(
        Timesheet.date.between(monday, today), Timesheet.approved_at.is_not(None)))
    unapproved = db.scalar(select(func.count()).select_from(Timesheet).where(Timesheet.approved_at.is_(None), Timesheet.date <= today))
    return [Panel(_("Waiting list this week"), "nyttig_contract/panel_waiting_week.html",
                  {"joined": joined, "job_talk": job_talk, "left": left, "before": length_before, "now": len(sweep.waiting_since),
                   "hours": Decimal(hours or 0), "unapproved": unapproved}, order=902)]
