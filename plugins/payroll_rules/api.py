"""Pay runs, benefit status, markers and statements as JSON under ``/api/v1/payroll``.

Money is integer øre (``*_ore``) plus the display string in the request's language.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.i18n import today
from core.models import Participant
from core.web.context import current_user
from core.web.handlers import api_get, api_post, get_or_404
from plugins.payroll_rules import benefits as benefit_service
from plugins.payroll_rules import outputs
from plugins.payroll_rules import runs as run_service
from plugins.payroll_rules.models import DistrictApproval, PayLine, PayRun
from plugins.payroll_rules.web import env_for


def line_json(ln: PayLine) -> dict[str, Any]:
    return {
        "id": ln.id, "participant_id": ln.participant_id, "work_date": ln.work_date.isoformat(), "source": ln.source,
        "work_kind": ln.work_kind, "line_kind": ln.line_kind, "rule": ln.rule, "unit": ln.unit,
        "quantity": str(Decimal(ln.quantity).quantize(Decimal("0.01"))), "rate_ore": ln.rate_ore, "gross_ore": ln.gross_ore,
        "amount_ore": ln.amount_ore, "amount": outputs.money(ln.amount_ore), "effect": ln.effect,
        "benefit_status": ln.benefit_status, "reason": ln.reason, "explanation": outputs.explain(ln),
        "tax_free": ln.tax_free, "counts_against_benefits": ln.counts_toward_cap,
    }


def run_json(run: PayRun, lines: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": run.id, "period_start": run.period_start.isoformat(), "period_end": run.period_end.isoformat(),
        "status": run.status, "total_ore": run.total_ore, "total": outputs.money(run.total_ore), "fingerprint": run.fingerprint,
        "approved_at": run.approved_at.isoformat() if run.approved_at else None, "approved_by_id": run.approved_by_id,
        "exported_at": run.exported_at.isoformat() if run.exported_at else None,
    }
    if lines:
        out["lines"] = [line_json(ln) for ln in run.lines]
    return out


def approval_json(a: DistrictApproval) -> dict[str, Any]:
    return {"id": a.id, "district": a.district, "decision_date": a.decision_date.isoformat(), "valid_from": a.valid_from.isoformat(),
            "valid_to": a.valid_to.isoformat() if a.valid_to else None, "cap_ore": a.cap_ore, "note": a.note}


class PayrollApi(Controller):
    path = "/api/v1/payroll"
    tags = ["payroll"]

    @api_get("/runs", opt={"permission": "payroll.view"}, name="api.payroll.runs")
    def list_runs(self, db: Session) -> dict[str, Any]:
        runs = db.scalars(select(PayRun).order_by(PayRun.period_start.desc(), PayRun.id.desc()).limit(500))
        return {"items": [run_json(r) for r in runs]}

    @api_post("/runs", opt={"permission": "payroll.prepare"}, name="api.payroll.create", status_code=201)
    def create_run(self, request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> dict[str, Any]:
        clean = validate([Field("period_start", kind="date", required=True), Field("period_end", kind="date", required=True)], data)
        run = run_service.create_run(db, env_for(request), clean["period_start"], clean["period_end"], current_user(request).id)
        return run_json(run, lines=True)

    @api_get("/runs/{run_id:int}", opt={"permission": "payroll.view"}, name="api.payroll.run")
    def get_run(self, db: Session, run_id: int) -> dict[str, Any]:
        return run_json(get_or_404(db, PayRun, run_id), lines=True)

    @api_post("/runs/{run_id:int}/recompute", opt={"permission": "payroll.prepare"}, name="api.payroll.recompute", status_code=200)
    def recompute(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        try:
            return run_json(run_service.recompute(db, env_for(request), run), lines=True)
        except FormError as exc:
            return Response({"status_code": 409, "detail": exc.errors.get("__all__", ""), "errors": exc.errors}, status_code=409)

    @api_post("/runs/{run_id:int}/approve", opt={"permission": "payroll.approve"}, name="api.payroll.approve", status_code=200)
    def approve(self, request: Request[Any, Any, Any], db: Session, run_id: int, data: dict[str, Any] | None = None) -> Any:
        run = get_or_404(db, PayRun, run_id)
        seen = (data or {}).get("fingerprint") if isinstance(data, dict) else None
        try:
            run_service.approve(db, env_for(request), run, current_user(request).id, seen if isinstance(seen, str) else None)
        except FormError as exc:
            db.expire_all()
            body = {"status_code": 409, "detail": exc.errors.get("__all__", ""), "errors": exc.errors,
                    "run": run_json(get_or_404(db, PayRun, run_id), lines=True)}
            return Response(body, status_code=409)
        return run_json(run, lines=True)

    @api_get("/runs/{run_id:int}/csv", opt={"permission": "payroll.view"}, name="api.payroll.csv")
    def export_csv(self, db: Session, run_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        if not run.is_approved:
            return Response({"status_code": 409, "detail": _("Only an approved pay run can be exported.")}, status_code=409)
        if run.exported_at is None:
            from core.db import utcnow

            run.exported_at = utcnow()
            db.commit()
        return Response(outputs.run_csv(run).encode("utf-8"), media_type="text/csv; charset=utf-8")

    @api_get("/runs/{run_id:int}/payslips/{participant_id:int}", opt={"permission": "payroll.view"}, name="api.payroll.payslip")
    def payslip(self, db: Session, run_id: int, participant_id: int) -> dict[str, Any]:
        run = get_or_404(db, PayRun, run_id)
        person = outputs.person_in_run(db, run, participant_id)
        if person is None:
            raise NotFoundException()
        return {"run": run_json(run), "participant_id": participant_id, "name": person.participant.display_name,
                "total_ore": person.total_ore, "total": outputs.money(person.total_ore), "tax_free_ore": person.tax_free_ore,
                "lines": [line_json(ln) for ln in person.lines]}

    @api_get("/benefits/{participant_id:int}", opt={"permission": "payroll.benefits.view"}, name="api.payroll.benefits")
    def benefits(self, db: Session, participant_id: int) -> dict[str, Any]:
        person = get_or_404(db, Participant, participant_id)
        timelines = benefit_service.Timelines(db, [person.id])
        day = today()
        return {
            "participant_id": person.id, "status_today": timelines.status_on(person.id, day),
            "history": [{"status": s.status, "valid_from": s.valid_from.isoformat(), "note": s.note} for s in benefit_service.history(db, person.id)],
            "approvals": [approval_json(a) for a in benefit_service.approvals(db, person.id)],
        }

    @api_post("/benefits/{participant_id:int}/status", opt={"permission": "payroll.benefits.edit"}, name="api.payroll.status", status_code=201)
    def set_status(self, request: Request[Any, Any, Any], db: Session, participant_id: int, data: dict[str, Any]) -> dict[str, Any]:
        person = get_or_404(db, Participant, participant_id)
        row = benefit_service.record_status(db, person.organization_id, person.id, data, current_user(request).id)
        return {"participant_id": person.id, "status": row.status, "valid_from": row.valid_from.isoformat(), "note": row.note}

    @api_post("/benefits/{participant_id:int}/approvals", opt={"permission": "payroll.benefits.edit"}, name="api.payroll.approval", status_code=201)
    def add_approval(self, request: Request[Any, Any, Any], db: Session, participant_id: int, data: dict[str, Any]) -> dict[str, Any]:
        person = get_or_404(db, Participant, participant_id)
        return approval_json(benefit_service.record_approval(db, person.organization_id, person.id, data, current_user(request).id))

    @api_get("/markers", opt={"permission": "payroll.markers"}, name="api.payroll.markers")
    def markers(self, db: Session, date: dt.date | None = None) -> dict[str, Any]:
        from plugins.payroll_rules.hooks import _setting_reader, markers_for

        day = date or today()
        ids = list(db.scalars(select(Participant.id).where(Participant.active)))
        return {"date": day.isoformat(), "items": [{"participant_id": m.participant_id, "code": m.code, "label": str(m.label)}
                                                  for m in markers_for(db, ids, day, _setting_reader(db))]}

    @api_get("/statements/{participant_id:int}", opt={"permission": "payroll.view"}, name="api.payroll.statement")
    def statement(self, db: Session, participant_id: int, year: int | None = None) -> dict[str, Any]:
        person = get_or_404(db, Participant, participant_id)
        y = year or today().year
        if not 2000 <= y <= 2100:
            raise FormError({"year": _("Not a valid value.")})
        st = outputs.yearly_statement(db, person, y)
        return {"participant_id": person.id, "year": y, "paid_ore": st.paid_ore, "paid": outputs.money(st.paid_ore),
                "tax_free_ore": st.tax_free_ore, "counted_against_benefits_ore": st.counted_ore,
                "unpaid_hours": str(st.unpaid_hours), "unpaid_days": str(st.unpaid_days), "months": st.months}
