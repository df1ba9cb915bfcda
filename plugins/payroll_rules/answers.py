"""What the pay API answers, as typed shapes with every field described (the OpenAPI schema
is written from them): runs and their lines, payslips, benefit status, markers, statements.

Money is whole øre in integers named ``<what>_ore``; quantities are decimal strings; dates
are ``YYYY-MM-DD`` and moments RFC 3339 in UTC (docs/api.md).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from msgspec import Meta, Struct

from core.contrib import PayMarker
from core.db import as_utc
from plugins.payroll_rules import outputs
from plugins.payroll_rules.models import (
    BenefitStatus,
    BenefitStatusCode,
    DistrictApproval,
    EffectCode,
    PayLine,
    PayRun,
    RunStatusCode,
)

_CENT = Decimal("0.01")

RunId = Annotated[int, Meta(description="The pay run's id.", examples=[1])]
ParticipantRef = Annotated[int, Meta(description="The participant's id.", examples=[12])]
StaffRef = Annotated[int | None, Meta(description="The staff member's id; null when not recorded or the account is gone.", examples=[3])]
Moment = Annotated[dt.datetime | None, Meta(description="A moment, RFC 3339 in UTC; null when it has not happened.",
                                            examples=["2026-10-02T12:30:00Z"])]
Status = Annotated[BenefitStatusCode, Meta(description="The benefit status: none, disability, aap, social_assistance or other.",
                                           examples=["aap"])]



class Line(Struct, kw_only=True):
    id: Annotated[int, Meta(description="The line's id.")]
    participant_id: ParticipantRef
    date: Annotated[dt.date, Meta(description="The day the work was done, YYYY-MM-DD.", examples=["2026-09-07"])]
    source: Annotated[str, Meta(description="The work paid, as its program names it: `shift:12` (a Dagsverket shift), "
                                            "`nyttig_timesheet:5` (an approved timesheet line).", examples=["shift:12"])]
    work_kind: Annotated[str, Meta(description="What kind of work: `day` (a day's work) or `hours`.", examples=["hours"])]
    line_kind: Annotated[Literal["pay", "adjustment"], Meta(
        description="`pay`: this work paid for the first time; `adjustment`: a correction of what earlier runs paid for it.")]
    rule: Annotated[str, Meta(description="The pay rule that priced the work (`day_wage`, `hourly_wage`...).", examples=["hourly_wage"])]
    unit: Annotated[str, Meta(description="What the quantity counts: `day` or `hour`.", examples=["hour"])]
    quantity: Annotated[Decimal, Meta(description="Days or hours paid, a decimal string with two decimals.", examples=["7.50"])]
    rate_ore: Annotated[int, Meta(description="The rate per unit, in whole øre.", examples=[5000])]
    gross_ore: Annotated[int, Meta(description="What the rule priced the work at before benefit status, in whole øre.", examples=[37500])]
    amount_ore: Annotated[int, Meta(description="What this line pays, in whole øre; negative for a correction downwards.", examples=[37500])]
    effect: Annotated[EffectCode, Meta(description="What the benefit status did to the pay: paid, unpaid, capped or held.")]
    benefit_status: Status
    reason: Annotated[str, Meta(description="Why the line pays what it does, as a code (`within_cap`, `unpaid_status`...); "
                                            "empty when paid in full.", examples=["within_cap"])]
    explanation: Annotated[str, Meta(description="The reason in plain words, in the language of the token's owner.")]
    is_tax_free: Annotated[bool, Meta(description="Whether the pay is tax-free (the day wage).")]
    counts_against_benefits: Annotated[bool, Meta(description="Whether the pay is counted against benefits and the monthly cap.")]


class RunSummary(Struct, kw_only=True):
    id: RunId
    date_from: Annotated[dt.date, Meta(description="The first day the run pays for.", examples=["2026-09-01"])]
    date_to: Annotated[dt.date, Meta(description="The last day the run pays for (inclusive).", examples=["2026-09-30"])]
    status: Annotated[RunStatusCode, Meta(description="`draft` (can be recomputed, approved or deleted) or `approved` (frozen).")]
    total_ore: Annotated[int, Meta(description="What the run pays in all, in whole øre.", examples=[550000])]
    line_count: Annotated[int, Meta(description="How many lines the run has.", examples=[9])]
    fingerprint: Annotated[str, Meta(description="SHA-256 of the lines: send it when approving, so what is approved is what was read.")]
    computed_at: Moment
    approved_at: Moment
    approved_by_id: StaffRef
    exported_at: Moment


class Run(RunSummary, kw_only=True):
    lines: Annotated[list[Line], Meta(description="Every line of the run, person by person, each person's work by date.")]


class RunPage(Struct, kw_only=True):
    items: Annotated[list[RunSummary], Meta(description="The runs on this page, the latest period first.")]
    total: Annotated[int, Meta(description="How many runs there are in all.")]
    page: Annotated[int, Meta(description="This page's number, from 1.")]
    per_page: Annotated[int, Meta(description="Runs per page.")]


class Payslip(Struct, kw_only=True):
    run: Annotated[RunSummary, Meta(description="The run the payslip is part of.")]
    participant_id: ParticipantRef
    name: Annotated[str, Meta(description="The person's name as shown on the payslip.")]
    total_ore: Annotated[int, Meta(description="What the run pays the person, in whole øre.", examples=[250000])]
    tax_free_ore: Annotated[int, Meta(description="The tax-free part of total_ore, in whole øre.", examples=[0])]
    lines: Annotated[list[Line], Meta(description="The person's lines in the run, by date.")]


class StatusEntry(Struct, kw_only=True):
    participant_id: ParticipantRef
    status: Status
    valid_from: Annotated[dt.date, Meta(description="The first day the status applies; it holds until the next entry's date.")]
    note: Annotated[str, Meta(description="Staff's note.")]


class Approval(Struct, kw_only=True):
    id: Annotated[int, Meta(description="The approval's id.")]
    participant_id: ParticipantRef
    district: Annotated[str, Meta(description="The district (bydel) that decided.")]
    decided_on: Annotated[dt.date, Meta(description="The date of the decision.")]
    valid_from: Annotated[dt.date, Meta(description="The first day the approval covers.")]
    valid_to: Annotated[dt.date | None, Meta(description="The last day covered (inclusive); null: until further notice.")]
    cap_ore: Annotated[int | None, Meta(description="The monthly cap in whole øre; null: the program's cap setting applies.")]
    note: Annotated[str, Meta(description="Staff's note.")]


class Benefits(Struct, kw_only=True):
    participant_id: ParticipantRef
    date: Annotated[dt.date, Meta(description="The day status_today and approval_today are for (today, Europe/Oslo).")]
    status_today: Status
    history: Annotated[list[StatusEntry], Meta(description="Every recorded status, the latest first.")]
    approvals: Annotated[list[Approval], Meta(description="Every district approval, the latest-starting first.")]


class BenefitRow(Struct, kw_only=True):
    participant_id: ParticipantRef
    status: Status
    approval_id: Annotated[int | None, Meta(description="The district approval covering the day, if any.")]
    cap_ore: Annotated[int | None, Meta(description="That approval's monthly cap in whole øre; null: none, or the program's cap.")]


class BenefitList(Struct, kw_only=True):
    date: Annotated[dt.date, Meta(description="The day the statuses are for.")]
    items: Annotated[list[BenefitRow], Meta(description="Every active participant's status on the day, by name.")]


class Marker(Struct, kw_only=True):
    participant_id: ParticipantRef
    code: Annotated[Literal["unpaid", "held", "capped"], Meta(
        description="`unpaid`: works unpaid; `held`: pay held (also when on social assistance with no approval); "
                    "`capped`: pay capped per month.")]
    label: Annotated[str, Meta(description="The marker in words, in the language of the token's owner.")]


class Markers(Struct, kw_only=True):
    date: Annotated[dt.date, Meta(description="The day the markers are for.")]
    items: Annotated[list[Marker], Meta(description="The active participants who would not be paid in full for work that day.")]


class StatementMonth(Struct, kw_only=True):
    month: Annotated[int, Meta(description="The month, 1 to 12.")]
    paid_ore: Annotated[int, Meta(description="Approved pay for work in the month, in whole øre.")]
    tax_free_ore: Annotated[int, Meta(description="The tax-free part, in whole øre.")]
    counted_against_benefits_ore: Annotated[int, Meta(description="The part counted against benefits, in whole øre.")]


class Statement(Struct, kw_only=True):
    participant_id: ParticipantRef
    year: Annotated[int, Meta(description="The year the statement covers.")]
    paid_ore: Annotated[int, Meta(description="Approved pay for work done in the year, in whole øre.")]
    tax_free_ore: Annotated[int, Meta(description="The tax-free part of paid_ore, in whole øre.")]
    counted_against_benefits_ore: Annotated[int, Meta(description="The part of paid_ore counted against benefits, in whole øre.")]
    unpaid_hours: Annotated[Decimal, Meta(description="Hours worked unpaid (or the unpaid share), a decimal string.", examples=["30.00"])]
    unpaid_days: Annotated[Decimal, Meta(description="Days worked unpaid (or the unpaid share), a decimal string.", examples=["0.00"])]
    months: Annotated[list[StatementMonth], Meta(description="The months with approved pay, in order.")]


# --- from the stored rows ----------------------------------------------------------------

def line_of(ln: PayLine) -> Line:
    return Line(
        id=ln.id, participant_id=ln.participant_id, date=ln.work_date, source=ln.source, work_kind=ln.work_kind,
        line_kind=ln.line_kind, rule=ln.rule, unit=ln.unit,  # type: ignore[arg-type]
        quantity=Decimal(ln.quantity).quantize(_CENT), rate_ore=ln.rate_ore, gross_ore=ln.gross_ore, amount_ore=ln.amount_ore,
        effect=ln.effect, benefit_status=ln.benefit_status, reason=ln.reason, explanation=outputs.explain(ln),  # type: ignore[arg-type]
        is_tax_free=ln.tax_free, counts_against_benefits=ln.counts_toward_cap,
    )


def _summary_fields(run: PayRun) -> dict[str, object]:
    return {
        "id": run.id, "date_from": run.period_start, "date_to": run.period_end, "status": run.status, "total_ore": run.total_ore,
        "line_count": run.line_count, "fingerprint": run.fingerprint, "computed_at": as_utc(run.computed_at),
        "approved_at": as_utc(run.approved_at), "approved_by_id": run.approved_by_id, "exported_at": as_utc(run.exported_at),
    }


def run_summary_of(run: PayRun) -> RunSummary:
    return RunSummary(**_summary_fields(run))  # type: ignore[arg-type]


def run_of(run: PayRun) -> Run:
    return Run(**_summary_fields(run), lines=[line_of(ln) for ln in run.lines])  # type: ignore[arg-type]


def payslip_of(run: PayRun, person: outputs.PersonTotals) -> Payslip:
    return Payslip(run=run_summary_of(run), participant_id=person.participant.id, name=person.participant.display_name,
                   total_ore=person.total_ore, tax_free_ore=person.tax_free_ore, lines=[line_of(ln) for ln in person.lines])


def status_of(row: BenefitStatus) -> StatusEntry:
    return StatusEntry(participant_id=row.participant_id, status=row.status, valid_from=row.valid_from, note=row.note)  # type: ignore[arg-type]


def approval_of(a: DistrictApproval) -> Approval:
    return Approval(id=a.id, participant_id=a.participant_id, district=a.district, decided_on=a.decision_date,
                    valid_from=a.valid_from, valid_to=a.valid_to, cap_ore=a.cap_ore, note=a.note)


def markers_of(day: dt.date, markers: list[PayMarker]) -> Markers:
    return Markers(date=day, items=[Marker(participant_id=m.participant_id, code=m.code, label=str(m.label)) for m in markers])  # type: ignore[arg-type]


def statement_of(st: outputs.Statement) -> Statement:
    return Statement(
        participant_id=st.participant.id, year=st.year, paid_ore=st.paid_ore, tax_free_ore=st.tax_free_ore,
        counted_against_benefits_ore=st.counted_ore, unpaid_hours=st.unpaid_hours, unpaid_days=st.unpaid_days,
        months=[StatementMonth(month=m["month"], paid_ore=m["paid"], tax_free_ore=m["tax_free"], counted_against_benefits_ore=m["counted"])
                for m in st.months],
    )


class Refusal(Struct, kw_only=True):
    """A 409: the run's state does not allow the change now."""

    status_code: Annotated[int, Meta(description="409.", examples=[409])]
    detail: Annotated[str, Meta(description="Why, in the language of the token's owner.")]
    errors: Annotated[dict[str, str], Meta(description="The reason under `__all__`.")]
    run: Annotated[Run | None, Meta(description="After a refused approval: the draft as recomputed now, to check and approve again.")] = None
