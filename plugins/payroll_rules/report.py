"""Pay in the yearly report: what approved pay runs paid for work done in the period.

Amounts are exact: whole øre summed as integers and shown as Decimal kroner, in the
table and the CSV alike; only the chart turns them into floats, because it is a picture.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contrib import ReportSection, Share
from core.i18n import lazy_gettext as _
from core.plugins import hookimpl
from plugins.payroll_rules.models import PayLine, PayRun

CENT = Decimal("0.01")


def kroner(ore: int) -> Decimal:
    return (Decimal(ore) / 100).quantize(CENT)


def _month_label(day: dt.date) -> str:
    from babel.dates import format_date

    from core.i18n import babel_locale

    return format_date(day, "MMM y", locale=babel_locale())


class _Month:
    def __init__(self) -> None:
        self.paid = 0
        self.tax_free = 0
        self.unpaid_hours = Decimal(0)
        self.unpaid_days = Decimal(0)
        self.held = 0
        self.people: set[int] = set()

    def add(self, ln: Any) -> None:
        self.paid += ln.amount_ore
        if ln.tax_free:
            self.tax_free += ln.amount_ore
        if ln.effect == "unpaid" and ln.reason == "unpaid_status":
            if ln.unit == "hour":
                self.unpaid_hours += ln.quantity
            else:
                self.unpaid_days += ln.quantity
        if ln.effect == "held":
            self.held += ln.gross_ore - ln.amount_ore
        if ln.amount_ore > 0:
            self.people.add(ln.participant_id)

    def row(self, label: Any) -> list[Any]:
        return [label, kroner(self.paid), Share(self.tax_free, self.paid) if self.paid > 0 else Share(0, 0),
                self.unpaid_hours.quantize(CENT), self.unpaid_days.quantize(CENT), kroner(self.held), len(self.people)]


@hookimpl(specname="lavterskel_report_sections")
def report_sections(db: Session, start: dt.date, end: dt.date) -> list[ReportSection]:
    lines = db.execute(
        select(PayLine.work_date, PayLine.participant_id, PayLine.amount_ore, PayLine.gross_ore, PayLine.tax_free, PayLine.effect,
               PayLine.reason, PayLine.unit, PayLine.quantity)
        .join(PayRun, PayLine.run_id == PayRun.id)
        .where(PayRun.status == "approved", PayLine.work_date.between(start, end))
    ).all()
    months: dict[tuple[int, int], _Month] = {}
    total = _Month()
    for ln in lines:
        months.setdefault((ln.work_date.year, ln.work_date.month), _Month()).add(ln)
        total.add(ln)
    rows = [m.row(_month_label(dt.date(y, mo, 1))) for (y, mo), m in sorted(months.items())]
    if rows:
        rows.append(total.row(_("Total")))
    columns = [_("Month"), _("Paid (NOK)"), _("Tax-free share"), _("Unpaid hours (benefit status)"),
               _("Unpaid days (benefit status)"), _("Held (NOK)"), _("People paid")]
    return [ReportSection(
        "payroll_pay", _("Pay by month"), columns, rows, order=50, chart="bar", chart_columns=(1, 5), people_columns=(6,), group_column=6,
        total_row=True,
        description=_("Approved pay runs, by the month the work was done; corrections count in the month of the work. "
                      "Unpaid hours and days are work not paid because of the person's benefit status (such as AAP); "
                      "held is what the rules priced but the run held back."))]
