"""The core's sections of the yearly report: people, work by month, and work orders."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, select, union
from sqlalchemy.orm import Session

from core.builtin import work as core_work
from core.contrib import ColumnsAddUp, Derived, PayableWork, ReportSection, RowsAddUp, Share
from core.i18n import gettext as _
from core.labels import choice_label
from core.models import CUSTOMER_KINDS, Attendance, Customer, Participant, ProgramDay, Shift, WorkOrder
from core.plugins import hookimpl
from core.services.reports import PeriodWork, month_of, month_start

WORKED = ("worked", "left_early")
AGE_GROUPS = ((0, 29), (30, 39), (40, 49), (50, 59), (60, 200))


def _people_seen(db: Session, start: dt.date, end: dt.date, work: Sequence[PayableWork]) -> list[Any]:
    """Everyone who came (registered on a day), worked a shift, or did other work that a
    plugin reports (Nyttig Arbeid's timesheets) in the period: their gender, birth date and
    first day, each person once."""
    came = select(Attendance.participant_id).join(ProgramDay, Attendance.day_id == ProgramDay.id).where(ProgramDay.date.between(start, end))
    worked = select(Shift.participant_id).join(ProgramDay, Shift.day_id == ProgramDay.id).where(ProgramDay.date.between(start, end))
    # Every shift is in ``worked`` already, so the core's own payable work (worked shifts) is left out unasked.
    others = work.without(core_work.__name__) if isinstance(work, PeriodWork) else work
    ids = set(db.scalars(union(came, worked))) | {w.participant_id for w in others}
    if not ids:
        return []
    columns = select(Participant.id, Participant.gender, Participant.birth_date, Participant.first_seen_on)
    return list(db.execute(columns.where(Participant.id.in_(ids))))


def _age_on(born: dt.date | None, day: dt.date) -> int | None:
    return None if born is None else day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _month_label(first: dt.date) -> str:
    from babel.dates import format_date

    from core.i18n import babel_locale

    return format_date(first, "MMM y", locale=babel_locale())


@hookimpl(trylast=True)
def lavterskel_report_sections(db: Session, start: dt.date, end: dt.date, work: Sequence[PayableWork]) -> list[ReportSection]:
    people = _people_seen(db, start, end, work)
    new = [p for p in people if p.first_seen_on is not None and start <= p.first_seen_on <= end]
    by_gender = defaultdict(int)
    for p in people:
        by_gender[p.gender] += 1
    women = by_gender["woman"]
    people_rows: list[list[object]] = [
        [_("Unique people"), len(people)],
        [_("New people"), len(new)],
        [_("Women"), women],
        [_("Men"), by_gender["man"]],
        [_("Other or not stated"), by_gender["other"] + by_gender["unknown"]],
        [_("Women's share"), Share(women, len(people))],
    ]
    ages: list[list[object]] = []
    for lo, hi in AGE_GROUPS:
        label = _("Under %(n)s", n=30) if lo == 0 else (_("%(n)s and over", n=lo) if hi >= 200 else f"{lo}–{hi}")
        ages.append([label, sum(1 for p in people if (a := _age_on(p.birth_date, end)) is not None and lo <= a <= hi)])
    ages.append([_("Age not recorded"), sum(1 for p in people if p.birth_date is None)])
    # The total is the people section's unique people: shown here too, so the sum is declared where it holds.
    ages.append([_("Total"), len(people)])

    # Worked shifts by month, counted in the database: days, hours and people once per month, and once in the total.
    worked_in_period = (select().select_from(Shift).join(ProgramDay, Shift.day_id == ProgramDay.id)
                        .where(ProgramDay.date.between(start, end), Shift.outcome.in_(WORKED)))
    month = month_of(ProgramDay.date)
    measures = (func.count(), func.sum(Shift.hours), func.count(distinct(Shift.participant_id)))
    by_month = db.execute(worked_in_period.add_columns(month, *measures).group_by(month).order_by(month)).all()
    work_rows: list[list[object]] = [
        [_month_label(month_start(m)), days, Decimal(0) if hours is None else hours, who] for m, days, hours, who in by_month
    ]
    if work_rows:
        total_people = db.execute(worked_in_period.add_columns(measures[2])).scalar_one()
        work_rows.append([_("Total"), sum(r[1] for r in work_rows), sum((r[2] for r in work_rows), Decimal(0)), total_people])  # type: ignore[misc]

    orders = db.execute(
        select(WorkOrder.status, WorkOrder.start_date, Customer.kind).outerjoin(Customer, WorkOrder.customer_id == Customer.id)
        .where((WorkOrder.start_date.is_(None)) | (WorkOrder.start_date <= end))
    ).all()
    per_kind: dict[str, list[int]] = {k: [0, 0, 0] for k in CUSTOMER_KINDS}
    for o in orders:
        if o.status in ("declined", "cancelled", "requested"):
            continue
        counts = per_kind[o.kind or "other"]
        counts[0] += 1
        if o.status == "done":
            counts[1] += 1
        else:
            counts[2] += 1
    order_rows: list[list[object]] = [[choice_label("customer_kind", k), *v] for k, v in per_kind.items() if v[0]]

    return [
        # Unique people = women + men + other; the women's share is women of unique people.
        ReportSection("people", _("People"), [_("Measure"), _("Number")], people_rows, order=10, people_columns=(1,),
                      sums=(RowsAddUp(columns=(1,), total=0, parts=(2, 3, 4)),), derived=(Derived((5, 1), ((2, 1), (0, 1))),),
                      description=_("Everyone who came to the program or worked in the period, counted once.")),
        ReportSection("age_groups", _("Age groups"), [_("Age"), _("People")], ages, order=11, chart="bar", people_columns=(1,),
                      total_row=True, sums=(RowsAddUp(columns=(1,)),),
                      description=_("Age at the end of the period.")),
        # Days and hours add up over the months; people are counted once in the total, so they do not.
        ReportSection("work_by_month", _("Work by month"), [_("Month"), _("Days worked"), _("Hours worked"), _("People who worked")],
                      work_rows, order=20, chart="line", chart_columns=(1, 3), people_columns=(3,), group_column=3,
                      measure_columns=(1, 2), total_row=True, sums=(RowsAddUp(columns=(1, 2)),),
                      description=_("A day worked is one person's shift that was worked in full or in part.")),
        ReportSection("orders_by_customer", _("Work orders by customer type"), [_("Customer type"), _("Orders"), _("Done"), _("Carried over")],
                      order_rows, order=30, chart="bar", sums=(ColumnsAddUp(total=1, parts=(2, 3)),),
                      description=_("Accepted orders that started in the period or before it; carried over means not yet done at the end.")),
    ]
