"""Pay in the yearly report: what approved pay runs paid for work done in the period.

Amounts are exact: whole øre summed as integers and shown as Decimal kroner, in the
table and the CSV alike; only the chart turns them into floats, because it is a picture.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from core.contrib import ReportSection, RowsAddUp, Share
from core.i18n import babel_locale
from core.i18n import lazy_gettext as _
from core.plugins import hookimpl
from core.services.reports import month_of, month_start
from plugins.payroll_rules.models import PayLine, PayRun

CENT = Decimal("0.01")


def kroner(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(CENT)


def _month_label(day: dt.date) -> str:
    return format_date(day, "MMM y", locale=babel_locale())


def _row(label: Any, paid: int, tax_free: int, unpaid_hours: Decimal | None, unpaid_days: Decimal | None, held: int,
         people: int) -> list[Any]:
    return [label, kroner(paid), Share(tax_free, paid) if paid > 0 else Share(0, 0), (unpaid_hours or Decimal(0)).quantize(CENT),
            (unpaid_days or Decimal(0)).quantize(CENT), kroner(held), people]


@hookimpl(specname="lavterskel_report_sections")
def report_sections(db: Session, start: dt.date, end: dt.date) -> list[ReportSection]:
    # Summed in the database by the month of the work: øre as integer sums (exact), quantities as
    # NUMERIC sums at the column's two decimals, people paid counted once per month and once in the total.
    unpaid = (PayLine.effect == "unpaid") & (PayLine.reason == "unpaid_status")
    measures = (
        func.coalesce(func.sum(PayLine.amount_ore), 0),
        func.coalesce(func.sum(case((PayLine.tax_free.is_(True), PayLine.amount_ore), else_=0)), 0),
        func.sum(case((unpaid & (PayLine.unit == "hour"), PayLine.quantity))),
        func.sum(case((unpaid & (PayLine.unit != "hour"), PayLine.quantity))),
        func.coalesce(func.sum(case((PayLine.effect == "held", PayLine.gross_ore - PayLine.amount_ore), else_=0)), 0),
        func.count(distinct(case((PayLine.amount_ore > 0, PayLine.participant_id)))),
    )
    lines = (select().select_from(PayLine).join(PayRun, PayLine.run_id == PayRun.id)
             .where(PayRun.status == "approved", PayLine.work_date.between(start, end)))
    month = month_of(PayLine.work_date)
    by_month = db.execute(lines.add_columns(month, *measures).group_by(month).order_by(month)).all()
    rows = [_row(_month_label(month_start(m)), *figures) for m, *figures in by_month]
    if rows:
        rows.append(_row(_("Total"), *db.execute(lines.add_columns(*measures)).one()))
    columns = [_("Month"), _("Paid (NOK)"), _("Tax-free share"), _("Unpaid hours (benefit status)"),
               _("Unpaid days (benefit status)"), _("Held (NOK)"), _("People paid")]
    return [ReportSection(
        "payroll_pay", _("Pay by month"), columns, rows, order=50, chart="bar", chart_columns=(1, 5), people_columns=(6,), group_column=6,
        # Every figure of a month is about the people paid that month; amounts add up, people paid do not.
        measure_columns=(1, 2, 3, 4, 5), total_row=True, sums=(RowsAddUp(columns=(1, 3, 4, 5)),),
        description=_("Approved pay runs, by the month the work was done; corrections count in the month of the work. "
                      "Unpaid hours and days are work not paid because of the person's benefit status (such as AAP); "
                      "held is what the rules priced but the run held back."))]
