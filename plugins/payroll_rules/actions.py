"""What staff do with pay, each defined once: its typed input, its permission, and the
service that does it and enforces every rule. The pages and the API both call these.

Making, recomputing, approving and deleting a pay run; the day's cash sheet; recording a
benefit status and a district's approval. A run whose state refuses the change raises
:class:`~plugins.payroll_rules.runs.RunConflict` (a 409 on both surfaces); values a rule
refuses raise a ``FormError`` (400 on the page, 422 in the API).
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar.exceptions import NotFoundException
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import Caller, Input, action
from core.db import get_scoped
from core.forms import FormError
from core.i18n import format_date, today
from core.i18n import gettext as _
from core.models import Participant
from plugins.payroll_rules import benefits, runs
from plugins.payroll_rules.models import BenefitStatus, BenefitStatusCode, DistrictApproval, PayRun

MAX_CAP_ORE = 100_000_000
"""A million kroner a month: far above any district's cap, below what the column holds."""


def pay_env_of(caller: Caller) -> runs.PayEnv:
    """What computing pay needs, for the caller's organization: its enabled plugins' rules
    and payable work, and every setting declared (a rule reads its program's settings)."""
    defs = {d.key: d for _owner, declared in caller.plugins.per_plugin("lavterskel_settings") for d in (declared or ())}
    return runs.pay_env_from(caller.plugins, defs, caller.user.organization)


def run_or_404(db: Session, run_id: int) -> PayRun:
    run = get_scoped(db, PayRun, run_id)
    if run is None:
        raise NotFoundException()
    return run


def participant_or_404(db: Session, participant_id: int) -> Participant:
    person = get_scoped(db, Participant, participant_id)
    if person is None:
        raise NotFoundException()
    return person


# --- pay runs ------------------------------------------------------------------------------

class RunPeriod(Input):
    date_from: Annotated[dt.date, Meta(description="The first day the run pays for, YYYY-MM-DD.", examples=["2026-09-01"])]
    date_to: Annotated[dt.date, Meta(
        description="The last day the run pays for (inclusive), YYYY-MM-DD; on or after date_from, and less than a year after it.",
        examples=["2026-09-30"])]


@action("payroll.create_run", permission="payroll.prepare", summary="Compute a draft pay run for a period",
        description="Computes a draft pay run for the period from the organization's payable work (approved timesheets, "
                    "worked shifts) and everyone's benefit status, and answers with it, lines included. An open draft for "
                    "exactly the same period is recomputed and answered instead of a second one. Work from earlier months that "
                    "no approved run paid is paid here (marked late), and what approved runs paid wrongly is corrected by "
                    "adjustment lines. A period ending before it starts, or a year or longer, is refused (422).")
def create_run(caller: Caller, data: RunPeriod) -> PayRun:
    return runs.create_run(caller.db, pay_env_of(caller), data.date_from, data.date_to, caller.user.id)


@action("payroll.recompute_run", permission="payroll.prepare", summary="Recompute a draft pay run",
        description="Computes the draft's lines again from the work, the rates and the benefit statuses as they are now, "
                    "and answers with the run. An approved run never changes (409): corrections go into a later run.")
def recompute_run(caller: Caller, run_id: int) -> PayRun:
    return runs.recompute(caller.db, pay_env_of(caller), run_or_404(caller.db, run_id))


class RunApproval(Input):
    fingerprint: Annotated[Annotated[str, Meta(pattern="^[0-9a-f]{64}$")] | None, Meta(
        description="The run's fingerprint as the approver saw it (from reading the run). When given and the run has changed "
                    "since, approval is refused. Null: approve the lines as they are when recomputed now, if unchanged.",
        examples=["5f0c3d1e9a7b2c4d6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d"])] = None


@action("payroll.approve_run", permission="payroll.approve", summary="Approve a draft pay run",
        description="Approves the draft in one transaction, after recomputing it under a lock. If the recomputed lines differ "
                    "from the stored draft, or the draft's fingerprint differs from the one sent, the fresh draft is saved and "
                    "approval refused (409; the body's `run` is the fresh draft to check and approve again). An approved run "
                    "is frozen: approving it again is a 409.")
def approve_run(caller: Caller, run_id: int, data: RunApproval) -> PayRun:
    run = run_or_404(caller.db, run_id)
    return runs.approve(caller.db, pay_env_of(caller), run, caller.user.id, data.fingerprint)


@action("payroll.delete_run", permission="payroll.prepare", summary="Delete a draft pay run",
        description="Deletes a draft and its lines. An approved run is never deleted (409).")
def delete_run(caller: Caller, run_id: int) -> None:
    runs.delete_draft(caller.db, run_or_404(caller.db, run_id))


class CashSheetDay(Input):
    date: Annotated[dt.date, Meta(description="The day the cash sheet pays, YYYY-MM-DD.", examples=["2026-06-02"])]


@action("payroll.cash_sheet", permission="payroll.cash_sheet", summary="The day's pay for the cash sheet",
        description="The pay run for one day, as the day-wage cash sheet lists it: the approved run of that day when there "
                    "is one, else a draft computed now (an open draft of the day is recomputed). Work from earlier "
                    "days that no approved run paid is in it too, each line with its own date. A day after today "
                    "(Europe/Oslo) is 422: a day is paid on the day or after.")
def cash_sheet(caller: Caller, data: CashSheetDay) -> PayRun:
    day = data.date
    if day > today():
        raise FormError({"date": _("%(date)s has not come yet: a day is paid on the day or after.", date=format_date(day, "full"))})
    approved = caller.db.scalars(
        select(PayRun).where(PayRun.period_start == day, PayRun.period_end == day, PayRun.status == "approved")
    ).first()
    return approved or runs.create_run(caller.db, pay_env_of(caller), day, day, caller.user.id)


# --- benefit status and district approvals --------------------------------------------------

Note = Annotated[str, Meta(max_length=300, description="Staff's note; at most 300 characters.", examples=[""])]


class StatusChange(Input):
    status: Annotated[BenefitStatusCode, Meta(
        description="The benefit: none, disability (uføretrygd), aap (work-assessment allowance), social_assistance "
                    "(økonomisk sosialhjelp) or other. What each means for pay is the program's setting.",
        examples=["aap"])]
    valid_from: Annotated[dt.date, Meta(
        description="The first day the status applies, YYYY-MM-DD; it holds until the next status's date.", examples=["2026-10-01"])]
    note: Note = ""


@action("payroll.record_status", permission="payroll.benefits.edit", summary="Record a person's benefit status from a date",
        description="Adds the status to the person's dated history: it applies from valid_from until the next recorded "
                    "status. A second status on the same date replaces the first. Draft pay runs pick it up when recomputed; "
                    "approved runs are corrected by adjustment lines in a later run.")
def record_status(caller: Caller, participant_id: int, data: StatusChange) -> BenefitStatus:
    person = participant_or_404(caller.db, participant_id)
    return benefits.record_status(caller.db, person.organization_id, person.id, data.status, data.valid_from, data.note, caller.user.id)


class DistrictDecision(Input):
    district: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S", description="The district (bydel) that decided.",
                                  examples=["Bydel Sagene"])]
    decided_on: Annotated[dt.date, Meta(description="The date of the decision, YYYY-MM-DD.", examples=["2026-10-01"])]
    valid_from: Annotated[dt.date, Meta(description="The first day the approval covers, YYYY-MM-DD.", examples=["2026-10-01"])]
    valid_to: Annotated[dt.date | None, Meta(
        description="The last day the approval covers (inclusive), on or after valid_from; null: until further notice.",
        examples=["2026-12-31"])] = None
    cap_ore: Annotated[Annotated[int, Meta(ge=0, le=MAX_CAP_ORE)] | None, Meta(
        description="The monthly cap in the decision, in whole øre; null: the program's cap setting in force.",
        examples=[200050])] = None
    note: Note = ""


@action("payroll.record_approval", permission="payroll.benefits.edit", summary="Record a district's approval to earn up to a cap",
        description="Records that the district approved the person, on social assistance, to earn up to a monthly cap in the "
                    "period. Without an approval covering a day, pay for work on it is held. An end before the start is "
                    "refused (422).")
def record_approval(caller: Caller, participant_id: int, data: DistrictDecision) -> DistrictApproval:
    person = participant_or_404(caller.db, participant_id)
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise FormError({"valid_to": _("Must be on or after the start date.")})
    row = DistrictApproval(
        organization_id=person.organization_id, participant_id=person.id, district=data.district, decision_date=data.decided_on,
        valid_from=data.valid_from, valid_to=data.valid_to, cap_ore=data.cap_ore, note=data.note, recorded_by_id=caller.user.id,
    )
    caller.db.add(row)
    caller.db.commit()
    return row
