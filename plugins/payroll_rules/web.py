"""Pay pages: runs, approval, cash sheet, payslips, CSV, benefit status, yearly statements."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, parse_date, validate
from core.services.resources import page_of
from core.i18n import gettext as _
from core.i18n import babel_locale, today
from core.models import Participant
from core.web.context import app_context, current_user
from core.web.handlers import form_data, get_or_404, page_get, page_post, redirect
from core.web.templating import render
from plugins.payroll_rules import benefits as benefit_service
from plugins.payroll_rules import outputs
from plugins.payroll_rules import runs as run_service
from plugins.payroll_rules.labels import BENEFIT_LABELS, EFFECT_LABELS, LINE_KIND_LABELS, RULE_LABELS, RUN_STATUS_LABELS, label
from plugins.payroll_rules.models import BENEFIT_STATUSES, PayRun

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def env_for(request: Request[Any, Any, Any]) -> run_service.PayEnv:
    return run_service.pay_env(app_context(request), current_user(request).organization)


def period_setting(request: Request[Any, Any, Any], db: Session) -> str:
    env = env_for(request)
    return str(run_service.SettingReader(db, env.defs)("payroll.period", today()))


def labels() -> dict[str, Any]:
    return {"label": label, "BENEFIT": BENEFIT_LABELS, "EFFECT": EFFECT_LABELS, "RULE": RULE_LABELS, "RUN": RUN_STATUS_LABELS,
            "KIND": LINE_KIND_LABELS, "explain": outputs.explain, "money": outputs.money, "unit_label": outputs.unit_label,
            "month_name": lambda m: babel_locale().months["format"]["wide"][m]}


def parse_period(values: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """A period from a month (``YYYY-MM``), a day, or a start and end date."""
    if values.get("month"):
        try:
            first = parse_date(f"{str(values['month']).strip()}-01")
        except ValueError:
            raise FormError({"month": _("Must be a month (YYYY-MM).")}) from None
        return first, run_service.last_of_month(first)
    if values.get("date"):
        clean = validate([Field("date", kind="date", required=True)], values)
        return clean["date"], clean["date"]
    clean = validate([Field("period_start", kind="date", required=True), Field("period_end", kind="date", required=True)], values)
    run_service.check_period(clean["period_start"], clean["period_end"])
    return clean["period_start"], clean["period_end"]


def participant_or_404(db: Session, participant_id: int) -> Participant:
    return get_or_404(db, Participant, participant_id)


PEOPLE_PER_PAGE = 50


class PayrollController(Controller):
    path = "/payroll"

    # -- runs ------------------------------------------------------------------------

    def _index(self, request: Request[Any, Any, Any], db: Session, errors: dict[str, str], status: int = 200) -> Any:
        runs = list(db.scalars(select(PayRun).order_by(PayRun.period_start.desc(), PayRun.id.desc()).limit(100)))
        period = period_setting(request, db)
        return render(request, "payroll_rules/index.html", status_code=status, runs=runs, errors=errors, period=period,
                      this_month=today().strftime("%Y-%m"), today_=today(), **labels())

    @page_get("/", opt={"permission": "payroll.view"}, name="payroll.index")
    def index(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._index(request, db, {})

    @page_post("/runs", opt={"permission": "payroll.prepare"})
    def create_run(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        try:
            start, end = parse_period(form_data(data))
            run = run_service.create_run(db, env_for(request), start, end, current_user(request).id)
        except FormError as exc:
            db.rollback()
            return self._index(request, db, exc.errors, status=400)
        return redirect(f"/payroll/runs/{run.id}")

    def _run(self, request: Request[Any, Any, Any], db: Session, run: PayRun, errors: dict[str, str], status: int = 200) -> Any:
        # A month for 500 people is over 5,000 lines: shown a page of people at a time, and
        # only that page's lines are read, so the page costs the same whatever the run's
        # size. The run's total and line count are stored on the run itself.
        people = outputs.people_in_run(db, run)
        shown = page_of(people, request.query_params.get("page"), PEOPLE_PER_PAGE)
        shown.rows = outputs.with_lines(db, run, shown.rows)
        return render(request, "payroll_rules/run.html", status_code=status, run=run, people=people, page=shown, errors=errors, **labels())

    @page_get("/runs/{run_id:int}", opt={"permission": "payroll.view"}, name="payroll.run")
    def run_detail(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        return self._run(request, db, get_or_404(db, PayRun, run_id), {})

    @page_post("/runs/{run_id:int}/recompute", opt={"permission": "payroll.prepare"})
    def recompute(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        try:
            run_service.recompute(db, env_for(request), run)
        except FormError as exc:
            return self._run(request, db, get_or_404(db, PayRun, run_id), exc.errors, status=409)
        return redirect(f"/payroll/runs/{run.id}")

    @page_post("/runs/{run_id:int}/approve", opt={"permission": "payroll.approve"})
    def approve(self, request: Request[Any, Any, Any], db: Session, run_id: int, data: Form) -> Any:
        run = get_or_404(db, PayRun, run_id)
        seen = str(form_data(data).get("fingerprint", ""))[:64] or None
        try:
            run_service.approve(db, env_for(request), run, current_user(request).id, seen)
        except FormError as exc:
            db.expire_all()
            return self._run(request, db, get_or_404(db, PayRun, run_id), exc.errors, status=409)
        return redirect(f"/payroll/runs/{run.id}")

    @page_post("/runs/{run_id:int}/delete", opt={"permission": "payroll.prepare"})
    def delete(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        try:
            run_service.delete_draft(db, run)
        except FormError as exc:
            return self._run(request, db, get_or_404(db, PayRun, run_id), exc.errors, status=409)
        return redirect("/payroll")

    @page_get("/runs/{run_id:int}/export.csv", opt={"permission": "payroll.view"}, name="payroll.csv")
    def export_csv(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        if not run.is_approved:
            return self._run(request, db, run, {"__all__": _("Only an approved pay run can be exported.")}, status=409)
        if run.exported_at is None:
            from core.db import utcnow

            run.exported_at = utcnow()
            db.commit()
        name = f"pay-run-{run.id}-{run.period_start.isoformat()}-{run.period_end.isoformat()}.csv"
        return Response(content=outputs.run_csv(run).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @page_get("/runs/{run_id:int}/cash-sheet", opt={"permission": "payroll.cash_sheet"}, name="payroll.cash_sheet_run")
    def cash_sheet_run(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        org = current_user(request).organization
        return render(request, "payroll_rules/cash_sheet.html", run=run, people=outputs.by_person(run), org=org, **labels())

    def _person(self, db: Session, run: PayRun, participant_id: int) -> outputs.PersonTotals:
        person = outputs.person_in_run(db, run, participant_id)
        if person is None:
            raise NotFoundException()
        return person

    @page_get("/runs/{run_id:int}/payslips/{participant_id:int}", opt={"permission": "payroll.view"}, name="payroll.payslip")
    def payslip(self, request: Request[Any, Any, Any], db: Session, run_id: int, participant_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        person = self._person(db, run, participant_id)
        return render(request, "payroll_rules/payslip.html", run=run, person=person, org=current_user(request).organization, **labels())

    @page_get("/runs/{run_id:int}/payslips/{participant_id:int}/pdf", opt={"permission": "payroll.view"}, name="payroll.payslip_pdf")
    def payslip_pdf(self, request: Request[Any, Any, Any], db: Session, run_id: int, participant_id: int) -> Any:
        run = get_or_404(db, PayRun, run_id)
        person = self._person(db, run, participant_id)
        pdf = outputs.payslip_pdf(current_user(request).organization.name, run, person)
        return Response(content=pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="payslip-{run.id}-{participant_id}.pdf"'})

    # -- the day's cash sheet --------------------------------------------------------

    @page_get("/cash-sheet", opt={"permission": "payroll.cash_sheet"}, name="payroll.cash_sheet")
    def cash_sheet_form(self, request: Request[Any, Any, Any], db: Session) -> Any:
        recent = list(db.scalars(select(PayRun).where(PayRun.period_start == PayRun.period_end).order_by(PayRun.period_start.desc()).limit(14)))
        return render(request, "payroll_rules/cash_sheet_form.html", recent=recent, today_=today(), errors={}, **labels())

    @page_post("/cash-sheet", opt={"permission": "payroll.cash_sheet"})
    def cash_sheet_make(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        try:
            clean = validate([Field("date", kind="date", required=True)], form_data(data))
            day = clean["date"]
            approved = db.scalars(select(PayRun).where(PayRun.period_start == day, PayRun.period_end == day, PayRun.status == "approved")).first()
            run = approved or run_service.create_run(db, env_for(request), day, day, current_user(request).id)
        except FormError as exc:
            db.rollback()
            recent = list(db.scalars(select(PayRun).where(PayRun.period_start == PayRun.period_end).order_by(PayRun.period_start.desc()).limit(14)))
            return render(request, "payroll_rules/cash_sheet_form.html", status_code=400, recent=recent, today_=today(), errors=exc.errors, **labels())
        return redirect(f"/payroll/runs/{run.id}/cash-sheet")

    # -- benefit status --------------------------------------------------------------

    @page_get("/benefits", opt={"permission": "payroll.benefits.view"}, name="payroll.benefits")
    def benefits(self, request: Request[Any, Any, Any], db: Session, status: str | None = None) -> Any:
        day = today()
        people = list(db.scalars(select(Participant).where(Participant.active).order_by(Participant.last_name, Participant.first_name)))
        timelines = benefit_service.Timelines(db, None)
        rows = []
        for p in people:
            st = timelines.status_on(p.id, day)
            if status in BENEFIT_STATUSES and st != status:
                continue
            rows.append({"participant": p, "status": st, "approval": timelines.approval_on(p.id, day)})
        return render(request, "payroll_rules/benefits.html", rows=rows, statuses=BENEFIT_STATUSES, selected=status or "", **labels())

    def _benefit(self, request: Request[Any, Any, Any], db: Session, person: Participant, errors: dict[str, str], values: dict[str, Any], status: int = 200) -> Any:
        from plugins.payroll_rules.hooks import _setting_reader, markers_for

        day = today()
        return render(
            request, "payroll_rules/benefit.html", status_code=status, person=person, errors=errors, values=values,
            history=benefit_service.history(db, person.id), approvals=benefit_service.approvals(db, person.id),
            markers=markers_for(db, [person.id], day, _setting_reader(db)), statuses=BENEFIT_STATUSES, today_=day,
            year=day.year, **labels(),
        )

    @page_get("/benefits/{participant_id:int}", opt={"permission": "payroll.benefits.view"}, name="payroll.benefit")
    def benefit(self, request: Request[Any, Any, Any], db: Session, participant_id: int) -> Any:
        return self._benefit(request, db, participant_or_404(db, participant_id), {}, {})

    @page_post("/benefits/{participant_id:int}/status", opt={"permission": "payroll.benefits.edit"})
    def set_status(self, request: Request[Any, Any, Any], db: Session, participant_id: int, data: Form) -> Any:
        person = participant_or_404(db, participant_id)
        values = form_data(data)
        try:
            benefit_service.record_status(db, person.organization_id, person.id, values, current_user(request).id)
        except FormError as exc:
            db.rollback()
            return self._benefit(request, db, person, exc.errors, values, status=400)
        return redirect(f"/payroll/benefits/{person.id}")

    @page_post("/benefits/{participant_id:int}/approvals", opt={"permission": "payroll.benefits.edit"})
    def add_approval(self, request: Request[Any, Any, Any], db: Session, participant_id: int, data: Form) -> Any:
        person = participant_or_404(db, participant_id)
        values = form_data(data)
        try:
            benefit_service.record_approval(db, person.organization_id, person.id, values, current_user(request).id)
        except FormError as exc:
            db.rollback()
            return self._benefit(request, db, person, exc.errors, values, status=400)
        return redirect(f"/payroll/benefits/{person.id}")

    # -- yearly statement ------------------------------------------------------------

    @staticmethod
    def _year(year: int | None) -> int:
        y = year or today().year
        if not 2000 <= y <= 2100:
            raise FormError({"year": _("Not a valid value.")})
        return y

    @page_get("/statements/{participant_id:int}", opt={"permission": "payroll.view"}, name="payroll.statement")
    def statement(self, request: Request[Any, Any, Any], db: Session, participant_id: int, year: int | None = None) -> Any:
        person = participant_or_404(db, participant_id)
        st = outputs.yearly_statement(db, person, self._year(year))
        return render(request, "payroll_rules/statement.html", st=st, org=current_user(request).organization, **labels())

    @page_get("/statements/{participant_id:int}/pdf", opt={"permission": "payroll.view"}, name="payroll.statement_pdf")
    def statement_pdf(self, request: Request[Any, Any, Any], db: Session, participant_id: int, year: int | None = None) -> Any:
        person = participant_or_404(db, participant_id)
        st = outputs.yearly_statement(db, person, self._year(year))
        return Response(content=outputs.statement_pdf(current_user(request).organization.name, st), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="statement-{st.year}-{participant_id}.pdf"'})
