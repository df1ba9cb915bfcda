"""Pay runs, benefit status, markers and statements as JSON under ``/api/v1/payroll``.

Each write is an action of :mod:`plugins.payroll_rules.actions`, the same the pages call;
the handlers here only take its input and answer with its typed result
(:mod:`plugins.payroll_rules.answers`). Money is whole øre in ``*_ore`` integers.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.i18n import today
from core.models import Participant
from core.web.handlers import api_delete, api_get, api_post, caller_of
from plugins.payroll_rules import actions, answers, benefits, outputs
from plugins.payroll_rules.actions import participant_or_404, run_or_404
from plugins.payroll_rules.markers import markers_for
from plugins.payroll_rules.models import BenefitStatusCode
from plugins.payroll_rules.runs import RunConflict, runs_page

RunIdPath = Annotated[int, Parameter(description="The pay run's id.")]
ParticipantIdPath = Annotated[int, Parameter(description="The participant's id.")]
TAGS = ["payroll"]
REFUSED = {409: ResponseSpec(data_container=answers.Refusal, generate_examples=False,
                             description="The run's state does not allow it now: it is approved, or it changed since it was read.")}


def conflict(exc: RunConflict, run: answers.Run | None = None) -> Response[Any]:
    """A 409 in the API's error shape, with the reason; after a refused approval, the
    fresh draft too, so the client can check it and approve again without another read."""
    body = answers.Refusal(status_code=409, detail=exc.errors.get("__all__", ""), errors=exc.errors, run=run)
    return Response(body, status_code=409, media_type=MediaType.JSON)


class PayrollApi(Controller):
    path = "/api/v1/payroll"
    tags = TAGS

    # -- runs ------------------------------------------------------------------------------

    @api_get("/runs", opt={"permission": "payroll.view"}, name="api.payroll.runs", summary="List pay runs",
             description="The organization's pay runs, drafts and approved, the latest period first, without their lines "
                         "(read one run for those).")
    def list_runs(
        self, db: Session,
        page: Annotated[int, Parameter(ge=1, le=100_000, description="The page, from 1.")] = 1,
        per_page: Annotated[int, Parameter(ge=1, le=200, description="Runs per page, at most 200.")] = 50,
    ) -> answers.RunPage:
        rows, total = runs_page(db, page, per_page)
        return answers.RunPage(items=[answers.run_summary_of(r) for r in rows], total=total, page=page, per_page=per_page)

    @api_post("/runs", **api_doc(actions.create_run), name="api.payroll.create", status_code=201)
    def create_run(self, request: Request[Any, Any, Any], db: Session, data: actions.RunPeriod) -> answers.Run:
        return answers.run_of(actions.create_run.run(caller_of(request, db), data))

    @api_get("/runs/{run_id:int}", opt={"permission": "payroll.view"}, name="api.payroll.run", summary="Read a pay run",
             description="One pay run with every line, and the fingerprint to send when approving it.")
    def get_run(self, db: Session, run_id: RunIdPath) -> answers.Run:
        return answers.run_of(run_or_404(db, run_id))

    @api_post("/runs/{run_id:int}/recompute", **api_doc(actions.recompute_run), name="api.payroll.recompute", responses=REFUSED, status_code=200)
    def recompute(self, request: Request[Any, Any, Any], db: Session, run_id: RunIdPath) -> answers.Run:
        try:
            return answers.run_of(actions.recompute_run.run(caller_of(request, db), run_id))
        except RunConflict as exc:
            return conflict(exc)  # type: ignore[return-value]

    @api_post("/runs/{run_id:int}/approve", **api_doc(actions.approve_run), name="api.payroll.approve", responses=REFUSED, status_code=200)
    def approve(self, request: Request[Any, Any, Any], db: Session, run_id: RunIdPath, data: actions.RunApproval) -> answers.Run:
        try:
            return answers.run_of(actions.approve_run.run(caller_of(request, db), run_id, data))
        except RunConflict as exc:
            db.expire_all()
            return conflict(exc, answers.run_of(run_or_404(db, run_id)))  # type: ignore[return-value]

    @api_delete("/runs/{run_id:int}", **api_doc(actions.delete_run), name="api.payroll.delete", responses=REFUSED, status_code=204)
    def delete(self, request: Request[Any, Any, Any], db: Session, run_id: RunIdPath) -> None:
        try:
            actions.delete_run.run(caller_of(request, db), run_id)
        except RunConflict as exc:
            return conflict(exc)  # type: ignore[return-value]

    @api_get("/runs/{run_id:int}/csv", opt={"permission": "payroll.view"}, name="api.payroll.csv", media_type="text/csv", responses=REFUSED,
             summary="Export an approved pay run as CSV",
             description="The approved run's lines with an amount, for the municipality's payroll: UTF-8 with a byte-order "
                         "mark, semicolon-separated, one row a line, the columns documented in docs/payroll.md. The first "
                         "export is recorded on the run (exported_at). A draft is not exported (409).",
             response_description="The CSV file (text/csv; charset=utf-8).")
    def export_csv(self, db: Session, run_id: RunIdPath) -> Response[bytes]:
        try:
            name, content = outputs.export_csv(db, run_or_404(db, run_id))
        except RunConflict as exc:
            return conflict(exc)
        return Response(content, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @api_get("/runs/{run_id:int}/payslips/{participant_id:int}", opt={"permission": "payroll.view"}, name="api.payroll.payslip",
             summary="Read a person's payslip in a run",
             description="What the run pays one person, with their lines and the reason for each. 404 when the person has no "
                         "line in the run.")
    def payslip(self, db: Session, run_id: RunIdPath, participant_id: ParticipantIdPath) -> answers.Payslip:
        run = run_or_404(db, run_id)
        person = outputs.person_in_run(db, run, participant_id)
        if person is None:
            raise NotFoundException()
        return answers.payslip_of(run, person)

    @api_post("/cash-sheets", **api_doc(actions.cash_sheet), name="api.payroll.cash_sheet", status_code=200)
    def cash_sheet(self, request: Request[Any, Any, Any], db: Session, data: actions.CashSheetDay) -> answers.Run:
        return answers.run_of(actions.cash_sheet.run(caller_of(request, db), data))

    # -- benefit status --------------------------------------------------------------------

    @api_get("/benefits", opt={"permission": "payroll.benefits.view"}, name="api.payroll.benefit_list",
             summary="Everyone's benefit status on a day",
             description="Every active participant's benefit status on the day, and the district approval covering it, by name.")
    def benefit_list(
        self, db: Session,
        date: Annotated[dt.date | None, Parameter(description="The day, YYYY-MM-DD; today (Europe/Oslo) when not given.")] = None,
        status: Annotated[BenefitStatusCode | None, Parameter(description="Only the people with this status.")] = None,
    ) -> answers.BenefitList:
        day = date or today()
        rows = benefits.statuses_on(db, day, status)
        return answers.BenefitList(date=day, items=[
            answers.BenefitRow(participant_id=p.id, status=st, approval_id=a.id if a else None, cap_ore=a.cap_ore if a else None)  # type: ignore[arg-type]
            for p, st, a in rows
        ])

    @api_get("/benefits/{participant_id:int}", opt={"permission": "payroll.benefits.view"}, name="api.payroll.benefits",
             summary="Read a person's benefit status and approvals",
             description="The person's benefit status today, every status recorded (a dated history) and every district approval.")
    def benefits(self, db: Session, participant_id: ParticipantIdPath) -> answers.Benefits:
        person = participant_or_404(db, participant_id)
        day = today()
        return answers.Benefits(
            participant_id=person.id, date=day, status_today=benefits.Timelines(db, [person.id]).status_on(person.id, day),  # type: ignore[arg-type]
            history=[answers.status_of(s) for s in benefits.history(db, person.id)],
            approvals=[answers.approval_of(a) for a in benefits.approvals(db, person.id)],
        )

    @api_post("/benefits/{participant_id:int}/statuses", **api_doc(actions.record_status), name="api.payroll.status", status_code=201)
    def record_status(self, request: Request[Any, Any, Any], db: Session, participant_id: ParticipantIdPath,
                      data: actions.StatusChange) -> answers.StatusEntry:
        return answers.status_of(actions.record_status.run(caller_of(request, db), participant_id, data))

    @api_post("/benefits/{participant_id:int}/approvals", **api_doc(actions.record_approval), name="api.payroll.approval", status_code=201)
    def record_approval(self, request: Request[Any, Any, Any], db: Session, participant_id: ParticipantIdPath,
                        data: actions.DistrictDecision) -> answers.Approval:
        return answers.approval_of(actions.record_approval.run(caller_of(request, db), participant_id, data))

    @api_get("/markers", opt={"permission": "payroll.markers"}, name="api.payroll.markers",
             summary="Who would not be paid in full on a day",
             description="The active participants whose work on the day would be unpaid, held or capped, by the effect of their "
                         "benefit status: what the attendance list marks. The benefit itself is not named.")
    def markers(
        self, db: Session,
        date: Annotated[dt.date | None, Parameter(description="The day, YYYY-MM-DD; today (Europe/Oslo) when not given.")] = None,
    ) -> answers.Markers:
        day = date or today()
        ids = list(db.scalars(select(Participant.id).where(Participant.active)))
        return answers.markers_of(day, markers_for(db, ids, day))

    @api_get("/statements/{participant_id:int}", opt={"permission": "payroll.view"}, name="api.payroll.statement",
             summary="Read a person's yearly pay statement",
             description="Approved pay for work the person did in the year: in all, tax-free, counted against benefits, the "
                         "hours and days worked unpaid, and month by month.")
    def statement(
        self, db: Session, participant_id: ParticipantIdPath,
        year: Annotated[int | None, Parameter(ge=2000, le=2100, description="The year, 2000 to 2100; this year when not given.")] = None,
    ) -> answers.Statement:
        person = participant_or_404(db, participant_id)
        return answers.statement_of(outputs.yearly_statement(db, person, year or today().year))
