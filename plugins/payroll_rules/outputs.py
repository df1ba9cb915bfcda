"""What a run gives out: the cash sheet, payslips (HTML and PDF), the payroll CSV and the
yearly statement. Explanations are made at display time, in the reader's language."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.i18n import babel_locale, format_date, format_money, format_number, ngettext
from core.i18n import gettext as _
from core.models import Participant
from plugins.payroll_rules.labels import BENEFIT_LABELS, RULE_LABELS
from plugins.payroll_rules.models import PayLine, PayRun
from plugins.payroll_rules.runs import RunConflict

CSV_COLUMNS = (
    "run_id", "period_start", "period_end", "approved_at", "participant_id", "last_name", "first_name", "birth_date",
    "pay_type", "line_kind", "work_date", "source", "quantity", "unit", "rate", "amount", "amount_ore", "tax_free",
    "counts_against_benefits", "benefit_status", "effect", "reason",
)


def money(ore: int) -> str:
    return format_money(ore, ore=True)


def explain(line: PayLine | Any) -> str:
    """One line's pay in plain words, in the current language."""
    p = line.reason_params or {}
    parts: list[str] = []
    status_label = benefit_label(line.benefit_status)
    r = line.reason
    if r == "recomputed":
        parts.append(_("Correction of earlier runs: %(was)s was paid, the work is now worth %(now)s.", was=money(p.get("was_ore", 0)), now=money(p.get("now_ore", 0))))
        r = p.get("why", "")
    if r == "work_removed":
        parts.append(_("Correction: the work was removed or changed after it was paid; %(was)s is taken back.", was=money(p.get("was_ore", 0))))
    elif r == "not_paid_by_rule":
        if p.get("outcome") in ("left_early", "sent_home"):
            parts.append(_("Not paid: this program does not pay the day wage for this outcome."))
        else:
            parts.append(_("Not paid: the pay rule gives nothing for this work."))
    elif r == "unpaid_status":
        if line.benefit_status == "aap":
            parts.append(_("Unpaid: on work-assessment allowance (AAP), the work is done unpaid."))
        else:
            parts.append(_("Unpaid because of the benefit status (%(status)s).", status=status_label))
    elif r == "held_status":
        parts.append(_("Held: the program holds pay for this benefit status (%(status)s) until staff clear it.", status=status_label))
    elif r == "no_approval":
        parts.append(_("Held: on social assistance, and no approval from the district covers this day. Paid once an approval is recorded."))
    elif r == "within_cap":
        parts.append(_("Within the monthly cap on social assistance (%(cap)s, approved by %(district)s).", cap=money(p.get("cap_ore", 0)), district=p.get("district", "")))
    elif r == "cap_partly":
        parts.append(_("Cut to %(amount)s: the monthly cap on social assistance (%(cap)s) is reached.", amount=money(line.amount_ore if line.line_kind == "pay" else p.get("now_ore", 0)), cap=money(p.get("cap_ore", 0))))
    elif r == "cap_reached":
        parts.append(_("Not paid: the monthly cap on social assistance (%(cap)s) is already reached.", cap=money(p.get("cap_ore", 0))))
    elif r == "not_counted":
        parts.append(_("Tax-free day wage: not counted against social assistance or the monthly cap."))
    if line.tax_free and r not in ("not_counted",) and line.amount_ore:
        parts.append(_("Tax-free, and not counted against benefits or social assistance."))
    if p.get("late"):
        parts.append(_("Work from before this period that no approved run had paid."))
    if p.get("hours_worked"):
        parts.append(_("%(worked)s hours worked, rounded to %(paid)s.", worked=format_number(Decimal(p["hours_worked"])), paid=format_number(Decimal(line.quantity))))
    if p.get("bad_setting"):
        parts.append(_("The program's setting for this benefit status is not valid, so pay is held."))
    if line.note:
        parts.append(line.note)
    return " ".join(parts)


def benefit_label(status: str) -> str:
    label = BENEFIT_LABELS.get(status)
    return str(label) if label is not None else status


@dataclass
class PersonTotals:
    participant: Participant
    lines: list[PayLine] = field(default_factory=list)

    @property
    def total_ore(self) -> int:
        return sum(ln.amount_ore for ln in self.lines)

    @property
    def tax_free_ore(self) -> int:
        return sum(ln.amount_ore for ln in self.lines if ln.tax_free)

    @property
    def withheld(self) -> bool:
        return any(ln.effect in ("unpaid", "held", "capped") for ln in self.lines)


def _name_order(last_name: str, first_name: str, participant_id: int) -> tuple[str, str, int]:
    return (last_name.lower(), first_name.lower(), participant_id)


def by_person(run: PayRun) -> list[PersonTotals]:
    """Every person in the run with all their lines, in name order (cash sheet, CSV, API)."""
    people: dict[int, PersonTotals] = {}
    for ln in run.lines:
        people.setdefault(ln.participant_id, PersonTotals(ln.participant)).lines.append(ln)
    return sorted(people.values(), key=lambda pt: _name_order(pt.participant.last_name, pt.participant.first_name, pt.participant.id))


@dataclass
class EarlierDay:
    """One person's pay for one earlier day on a cash sheet: a row of its own, with its date."""

    participant: Participant
    work_date: dt.date
    lines: list[PayLine] = field(default_factory=list)

    @property
    def total_ore(self) -> int:
        return sum(ln.amount_ore for ln in self.lines)


@dataclass
class CashSheet:
    """A cash sheet in two parts: the run's own period, and earlier days still owed.

    A run also pays work from before its period that no approved run paid (a day whose
    sheet was never made, a timesheet approved late), and corrections of earlier days. Mixed
    into one sum per person, the work leader paying Thursday's wage would count out Monday's
    too without being able to say what for, and the person signs for an amount they cannot
    check. So they stay on the sheet (the money is owed, and this is where it is paid), but
    under their own heading, one row per person and date, each signed for."""

    period: list[PersonTotals]
    earlier: list[EarlierDay]

    @property
    def period_total_ore(self) -> int:
        return sum(p.total_ore for p in self.period)

    @property
    def earlier_total_ore(self) -> int:
        return sum(e.total_ore for e in self.earlier)


def cash_sheet(run: PayRun) -> CashSheet:
    """The run's lines as a cash sheet: its period's per person, earlier days per person and date."""
    period: dict[int, PersonTotals] = {}
    earlier: dict[tuple[int, dt.date], EarlierDay] = {}
    for ln in run.lines:
        if ln.work_date < run.period_start:
            earlier.setdefault((ln.participant_id, ln.work_date), EarlierDay(ln.participant, ln.work_date)).lines.append(ln)
        else:
            period.setdefault(ln.participant_id, PersonTotals(ln.participant)).lines.append(ln)

    def by_name(p: Participant) -> tuple[str, str, int]:
        return _name_order(p.last_name, p.first_name, p.id)
    return CashSheet(
        period=sorted(period.values(), key=lambda pt: by_name(pt.participant)),
        earlier=sorted(earlier.values(), key=lambda e: (e.work_date, *by_name(e.participant))),
    )


def people_in_run(db: Session, run: PayRun) -> list[int]:
    """The ids of everyone with a line in the run, in the same name order as :func:`by_person`,
    read as three columns: a page of the run needs the order, not everyone's lines. Sorted
    here rather than in SQL, whose ``lower()`` leaves Æ, Ø and Å alone on SQLite."""
    in_run = select(PayLine.participant_id).where(PayLine.run_id == run.id).distinct()
    rows = db.execute(select(Participant.last_name, Participant.first_name, Participant.id).where(Participant.id.in_(in_run))).all()
    return [pid for *_names, pid in sorted(rows, key=lambda r: _name_order(*r))]


def with_lines(db: Session, run: PayRun, participant_ids: list[int]) -> list[PersonTotals]:
    """These people's totals in this run, with their lines only, in the order given."""
    people = {pid: PersonTotals(participant) for pid, participant in
              ((p.id, p) for p in db.scalars(select(Participant).where(Participant.id.in_(participant_ids))))}
    lines = db.scalars(select(PayLine).where(PayLine.run_id == run.id, PayLine.participant_id.in_(participant_ids)).order_by(PayLine.position))
    for ln in lines:
        people[ln.participant_id].lines.append(ln)
    return [people[pid] for pid in participant_ids if people.get(pid) is not None and people[pid].lines]


def person_in_run(db: Session, run: PayRun, participant_id: int) -> PersonTotals | None:
    """One person's part of the run (a payslip), or None when they have no line in it."""
    found = with_lines(db, run, [participant_id])
    return found[0] if found else None


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralize names only.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def run_csv(run: PayRun) -> str:
    """Lines with an amount, for the municipality's payroll (columns in docs/payroll.md)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for ln in run.lines:
        if ln.amount_ore == 0:
            continue
        p = ln.participant
        w.writerow([
            run.id, run.period_start.isoformat(), run.period_end.isoformat(),
            run.approved_at.isoformat(timespec="seconds") if run.approved_at else "",
            p.id, _cell(p.last_name), _cell(p.first_name), p.birth_date.isoformat() if p.birth_date else "",
            ln.rule, ln.line_kind, ln.work_date.isoformat(), ln.source, f"{Decimal(ln.quantity):.2f}", ln.unit,
            f"{Decimal(ln.rate_ore) / 100:.2f}", f"{Decimal(ln.amount_ore) / 100:.2f}", ln.amount_ore,
            int(ln.tax_free), int(ln.counts_toward_cap), ln.benefit_status, ln.effect, ln.reason,
        ])
    return "\ufeff" + buf.getvalue()  # BOM: spreadsheets then read æ, ø, å right


def export_csv(db: Session, run: PayRun) -> tuple[str, bytes]:
    """The approved run's CSV for payroll and its file name; the first export is recorded on
    the run. A draft is not exported (:class:`RunConflict`)."""
    if not run.is_approved:
        raise RunConflict({"__all__": _("Only an approved pay run can be exported.")})
    if run.exported_at is None:
        run.exported_at = utcnow()
        db.commit()
    name = f"pay-run-{run.id}-{run.period_start.isoformat()}-{run.period_end.isoformat()}.csv"
    return name, run_csv(run).encode("utf-8")


def counted_this_month(db: Session, participant_id: int, day: dt.date) -> int:
    """What approved runs paid the person for work from the first of ``day``'s month to
    ``day``, counted against benefits: how much of the month's cap is used."""
    counted = db.scalar(
        select(func.coalesce(func.sum(PayLine.amount_ore), 0)).join(PayRun, PayLine.run_id == PayRun.id)
        .where(PayRun.status == "approved", PayLine.participant_id == participant_id, PayLine.counts_toward_cap,
               PayLine.work_date >= day.replace(day=1), PayLine.work_date <= day)
    )
    return int(counted or 0)


@dataclass
class Statement:
    participant: Participant
    year: int
    paid_ore: int
    tax_free_ore: int
    counted_ore: int
    unpaid_hours: Decimal
    unpaid_days: Decimal
    months: list[dict[str, Any]]


def yearly_statement(db: Session, participant: Participant, year: int) -> Statement:
    """Approved pay for work done in ``year``: totals, the tax-free part, unpaid work."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    lines = list(
        db.scalars(
            select(PayLine).join(PayRun, PayLine.run_id == PayRun.id)
            .where(PayRun.status == "approved", PayLine.participant_id == participant.id, PayLine.work_date >= start, PayLine.work_date <= end)
            .order_by(PayLine.work_date, PayLine.id)
        )
    )
    months: dict[int, dict[str, int]] = defaultdict(lambda: {"paid": 0, "tax_free": 0, "counted": 0})
    per_source: dict[str, dict[str, Any]] = {}
    for ln in lines:
        m = months[ln.work_date.month]
        m["paid"] += ln.amount_ore
        if ln.tax_free:
            m["tax_free"] += ln.amount_ore
        if ln.counts_toward_cap:
            m["counted"] += ln.amount_ore
        src = per_source.setdefault(ln.source, {"paid": 0})
        src["paid"] += ln.amount_ore
        if ln.reason != "work_removed":
            src.update(unit=ln.unit, quantity=Decimal(ln.quantity), gross=ln.gross_ore)
        else:
            src.update(unit=ln.unit, quantity=Decimal(0), gross=0)
    unpaid = {"hour": Decimal(0), "day": Decimal(0)}
    for src in per_source.values():
        gross, qty = src.get("gross", 0), src.get("quantity", Decimal(0))
        if gross > 0 and src["paid"] < gross and src.get("unit") in unpaid:
            share = Decimal(gross - max(src["paid"], 0)) / Decimal(gross)
            unpaid[src["unit"]] += (qty * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Statement(
        participant=participant, year=year,
        paid_ore=sum(m["paid"] for m in months.values()), tax_free_ore=sum(m["tax_free"] for m in months.values()),
        counted_ore=sum(m["counted"] for m in months.values()), unpaid_hours=unpaid["hour"], unpaid_days=unpaid["day"],
        months=[{"month": k, **v} for k, v in sorted(months.items())],
    )


# ---------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _pdf() -> Any:
    from fpdf import FPDF  # only when a PDF is asked for: it is slow to load

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_creator("Lavterskel")
    if (DEJAVU / "DejaVuSans.ttf").exists():
        # Debian's fonts-dejavu-core: every script a name may be written in.
        pdf.add_font("body", "", str(DEJAVU / "DejaVuSans.ttf"))
        pdf.add_font("body", "B", str(DEJAVU / "DejaVuSans-Bold.ttf"))
        pdf.font_name = "body"
    else:  # pragma: no cover - without the font, Latin-1 text still prints
        pdf.font_name = "helvetica"
    pdf.add_page()
    return pdf


def _text(pdf: Any, text: str) -> str:
    if pdf.font_name == "body":
        return text
    return text.encode("latin-1", "replace").decode("latin-1")  # pragma: no cover


def _table(pdf: Any, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
    pdf.set_font(pdf.font_name, "B", 9)
    for h, w in zip(header, widths):
        pdf.cell(w, 7, _text(pdf, h), border=1)
    pdf.ln()
    pdf.set_font(pdf.font_name, "", 9)
    for row in rows:
        for value, w in zip(row, widths):
            pdf.cell(w, 6, _text(pdf, value)[:60], border=1)
        pdf.ln()


def payslip_pdf(organization_name: str, run: PayRun, person: PersonTotals) -> bytes:
    pdf = _pdf()
    pdf.set_title(_("Payslip"))
    pdf.set_font(pdf.font_name, "B", 16)
    pdf.cell(0, 10, _text(pdf, _("Payslip")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.font_name, "", 11)
    for text in (
        organization_name,
        person.participant.display_name,
        _("Period: %(start)s – %(end)s", start=format_date(run.period_start), end=format_date(run.period_end)),
        _("Approved") if run.is_approved else _("Draft – not approved"),
    ):
        pdf.cell(0, 7, _text(pdf, text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    rows = [[format_date(ln.work_date, "short"), rule_label(ln.rule), f"{format_number(Decimal(ln.quantity))} {unit_label(ln.unit, ln.quantity)}",
             money(ln.rate_ore), money(ln.amount_ore)] for ln in person.lines]
    _table(pdf, [_("Date"), _("Pay"), _("Quantity"), _("Rate"), _("Amount")], rows, [28, 50, 32, 38, 38])
    pdf.ln(3)
    pdf.set_font(pdf.font_name, "B", 11)
    pdf.cell(0, 7, _text(pdf, _("Total: %(amount)s", amount=money(person.total_ore))), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.font_name, "", 10)
    pdf.cell(0, 6, _text(pdf, _("Of which tax-free: %(amount)s", amount=money(person.tax_free_ore))), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for ln in person.lines:
        text = explain(ln)
        if text:
            pdf.multi_cell(0, 5, _text(pdf, f"{format_date(ln.work_date, 'short')}: {text}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def statement_pdf(organization_name: str, st: Statement) -> bytes:
    pdf = _pdf()
    pdf.set_title(_("Yearly statement"))
    pdf.set_font(pdf.font_name, "B", 16)
    pdf.cell(0, 10, _text(pdf, _("Yearly statement %(year)s", year=st.year)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.font_name, "", 11)
    for text in (
        organization_name, st.participant.display_name,
        _("Paid in total: %(amount)s", amount=money(st.paid_ore)),
        _("Of which tax-free: %(amount)s", amount=money(st.tax_free_ore)),
        _("Counted against benefits: %(amount)s", amount=money(st.counted_ore)),
        _("Unpaid hours: %(hours)s", hours=format_number(st.unpaid_hours)),
        _("Unpaid days: %(days)s", days=format_number(st.unpaid_days)),
    ):
        pdf.cell(0, 7, _text(pdf, text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    names = babel_locale().months["format"]["wide"]
    rows = [[names[m["month"]], money(m["paid"]), money(m["tax_free"]), money(m["counted"])] for m in st.months]
    _table(pdf, [_("Month"), _("Paid"), _("Tax-free"), _("Counted against benefits")], rows, [40, 40, 40, 60])
    return bytes(pdf.output())


def rule_label(key: str) -> str:
    label = RULE_LABELS.get(key)
    return str(label) if label is not None else key


def unit_label(unit: str, quantity: Any) -> str:
    n = 1 if Decimal(quantity) == 1 else 2
    if unit == "hour":
        return ngettext("hour", "hours", n)
    return ngettext("day", "days", n)
