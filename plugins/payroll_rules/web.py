"""Pay pages: runs, approval, cash sheet, payslips, CSV, benefit status, yearly statements.

Each form is an action of :mod:`plugins.payroll_rules.actions`, the same the API calls:
the handlers turn the form into the action's input and render what came of it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input
from core.forms import Field, FormError, parse_date, validate
from core.i18n import babel_locale, today
from core.i18n import gettext as _
from core.models import Participant
from core.services.resources import page_of
from core.web.context import current_user
from core.web.handlers import caller_of, form_data, page_get, page_post, redirect
from core.web.templating import render
from plugins.payroll_rules import actions, benefits, outputs
from plugins.payroll_rules.actions import participant_or_404, run_or_404
from plugins.payroll_rules.labels import BENEFIT_LABELS, EFFECT_LABELS, LINE_KIND_LABELS, RULE_LABELS, RUN_STATUS_LABELS, label
from plugins.payroll_rules.markers import markers_for
from plugins.payroll_rules.models import BENEFIT_STATUSES, PayRun
from plugins.payroll_rules.rules import kroner_to_ore
from plugins.payroll_rules.runs import RunConflict, SettingReader, last_of_month

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def labels() -> dict[str, Any]:
    return {"label": label, "BENEFIT": BENEFIT_LABELS, "EFFECT": EFFECT_LABELS, "RULE": RULE_LABELS, "RUN": RUN_STATUS_LABELS,
            "KIND": LINE_KIND_LABELS, "explain": outputs.explain, "money": outputs.money, "unit_label": outputs.unit_label,
            "month_name": lambda m: babel_locale().months["format"]["wide"][m]}


def period_input(form: Mapping[str, Any]) -> actions.RunPeriod:
    """The run's period from the page's forms: a month (``YYYY-MM``), a day, or a start and
    end date. Errors are put on the field the person filled in."""
    if form.get("month"):
        try:
            first = parse_date(f"{str(form['month']).strip()}-01")
        except ValueError:
            raise FormError({"month": _("Must be a month (YYYY-MM).")}) from None
        return _on_field(form, "month", date_from=first, date_to=last_of_month(first))
    if form.get("date"):
        return _on_field(form, "date", date_from=form["date"], date_to=form["date"])
    return form_input(actions.RunPeriod, form)


def _on_field(form: Mapping[str, Any], field: str, **fixed: Any) -> actions.RunPeriod:
    try:
        return form_input(actions.RunPeriod, form, **fixed)
    except FormError as exc:
        raise FormError({field if k in fixed else k: v for k, v in exc.errors.items()}) from None


def approval_input(form: Mapping[str, Any]) -> actions.DistrictDecision:
    """The district's decision from the page, where the cap is typed in kroner (``2000,50``)."""
    errors: dict[str, str] = {}
    cap_ore = None
    try:
        cap = validate([Field("cap", kind="decimal", min_value=0, max_value=actions.MAX_CAP_ORE // 100)], form)["cap"]
        cap_ore = None if cap is None else kroner_to_ore(cap)
    except FormError as exc:
        errors.update(exc.errors)
    try:
        data = form_input(actions.DistrictDecision, form, cap_ore=cap_ore)
    except FormError as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise FormError({"cap" if k == "cap_ore" else k: v for k, v in errors.items()})
    return data


PEOPLE_PER_PAGE = 50


def recent_day_runs(db: Session) -> list[PayRun]:
    return list(db.scalars(select(PayRun).where(PayRun.period_start == PayRun.period_end).order_by(PayRun.period_start.desc()).limit(14)))


class PayrollController(Controller):
    path = "/payroll"

    # -- runs ------------------------------------------------------------------------

    def _index(self, request: Request[Any, Any, Any], db: Session, errors: dict[str, str], status: int = 200,
               values: dict[str, Any] | None = None) -> Any:
        """The runs and the new-run forms; after a refusal ``values`` is what was sent, kept in the form."""
        runs = list(db.scalars(select(PayRun).order_by(PayRun.period_start.desc(), PayRun.id.desc()).limit(100)))
        period = str(SettingReader(db, actions.pay_env_of(caller_of(request, db)).defs)("payroll.period", today()))
        return render(request, "payroll_rules/index.html", status_code=status, runs=runs, errors=errors, period=period,
                      this_month=today().strftime("%Y-%m"), today_=today(), values=values or {}, **labels())

    @page_get("/", opt={"permission": "payroll.view"}, name="payroll.index")
    def index(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._index(request, db, {})

    @page_post("/runs", opt=action_opt(actions.create_run))
    def create_run(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        try:
            run = actions.create_run.run(caller_of(request, db), period_input(values))
        except FormError as exc:
            db.rollback()
            return self._index(request, db, exc.errors, status=400, values=values)
        return redirect(f"/payroll/runs/{run.id}")

    def _run(self, request: Request[Any, Any, Any], db: Session, run: PayRun, errors: dict[str, str], status: int = 200) -> Any:
        # A month for 500 people is over 5,000 lines: shown a page of people at a time, and
        # only that page's lines are read, so the page costs the same whatever the run's
        # size. The run's total and line count are stored on the run itself.
        people = outputs.people_in_run(db, run)
        shown = page_of(people, request.query_params.get("page"), PEOPLE_PER_PAGE)
        shown.rows = outputs.with_lines(db, run, shown.rows)
        return render(request, "payroll_rules/run.html", status_code=status, run=run, people=people, page=shown, errors=errors, **labels())

    def _refused(self, request: Request[Any, Any, Any], db: Session, run_id: int, exc: RunConflict) -> Any:
        """The run as it is now, with why the change was refused (409)."""
        db.expire_all()
        return self._run(request, db, run_or_404(db, run_id), exc.errors, status=409)

    @page_get("/runs/{run_id:int}", opt={"permission": "payroll.view"}, name="payroll.run")
    def run_detail(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        return self._run(request, db, run_or_404(db, run_id), {})

    @page_post("/runs/{run_id:int}/recompute", opt=action_opt(actions.recompute_run))
    def recompute(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        try:
            actions.recompute_run.run(caller_of(request, db), run_id)
        except RunConflict as exc:
            return self._refused(request, db, run_id, exc)
        return redirect(f"/payroll/runs/{run_id}")

    @page_post("/runs/{run_id:int}/approve", opt=action_opt(actions.approve_run))
    def approve(self, request: Request[Any, Any, Any], db: Session, run_id: int, data: Form) -> Any:
        try:
            actions.approve_run.run(caller_of(request, db), run_id, form_input(actions.RunApproval, form_data(data)))
        except RunConflict as exc:
            return self._refused(request, db, run_id, exc)
        except FormError as exc:
            return self._run(request, db, run_or_404(db, run_id), exc.errors, status=400)
        return redirect(f"/payroll/runs/{run_id}")

    @page_post("/runs/{run_id:int}/delete", opt=action_opt(actions.delete_run))
    def delete(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        try:
            actions.delete_run.run(caller_of(request, db), run_id)
        except RunConflict as exc:
            return self._refused(request, db, run_id, exc)
        return redirect("/payroll")

    @page_get("/runs/{run_id:int}/export.csv", opt={"permission": "payroll.view"}, name="payroll.csv")
    def export_csv(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        run = run_or_404(db, run_id)
        try:
            name, content = outputs.export_csv(db, run)
        except RunConflict as exc:
            return self._run(request, db, run, exc.errors, status=409)
        return Response(content=content, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @page_get("/runs/{run_id:int}/cash-sheet", opt={"permission": "payroll.cash_sheet"}, name="payroll.cash_sheet_run")
    def cash_sheet_run(self, request: Request[Any, Any, Any], db: Session, run_id: int) -> Any:
        run = run_or_404(db, run_id)
        org = current_user(request).organization
        return render(request, "payroll_rules/cash_sheet.html", run=run, sheet=outputs.cash_sheet(run), org=org, **labels())

    def _person(self, db: Session, run: PayRun, participant_id: int) -> outputs.PersonTotals:
        person = outputs.person_in_run(db, run, participant_id)
        if person is None:
            raise NotFoundException()
        return person

    @page_get("/runs/{run_id:int}/payslips/{participant_id:int}", opt={"permission": "payroll.view"}, name="payroll.payslip")
    def payslip(self, request: Request[Any, Any, Any], db: Session, run_id: int, participant_id: int) -> Any:
        run = run_or_404(db, run_id)
        person = self._person(db, run, participant_id)
        return render(request, "payroll_rules/payslip.html", run=run, person=person, org=current_user(request).organization, **labels())

    @page_get("/runs/{run_id:int}/payslips/{participant_id:int}/pdf", opt={"permission": "payroll.view"}, name="payroll.payslip_pdf")
    def payslip_pdf(self, request: Request[Any, Any, Any], db: Session, run_id: int, participant_id: int) -> Any:
        run = run_or_404(db, run_id)
        person = self._person(db, run, participant_id)
        pdf = outputs.payslip_pdf(current_user(request).organization.name, run, person)
        return Response(content=pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="payslip-{run.id}-{participant_id}.pdf"'})

    # -- the day's cash sheet --------------------------------------------------------

    @page_get("/cash-sheet", opt={"permission": "payroll.cash_sheet"}, name="payroll.cash_sheet")
    def cash_sheet_form(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return render(request, "payroll_rules/cash_sheet_form.html", recent=recent_day_runs(db), today_=today(), errors={}, **labels())

    @page_post("/cash-sheet", opt=action_opt(actions.cash_sheet))
    def cash_sheet_make(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        try:
            run = actions.cash_sheet.run(caller_of(request, db), form_input(actions.CashSheetDay, form_data(data)))
        except FormError as exc:
            db.rollback()
            return render(request, "payroll_rules/cash_sheet_form.html", status_code=400, recent=recent_day_runs(db), today_=today(),
                          errors=exc.errors, **labels())
        return redirect(f"/payroll/runs/{run.id}/cash-sheet")

    # -- benefit status --------------------------------------------------------------

    @page_get("/benefits", opt={"permission": "payroll.benefits.view"}, name="payroll.benefits")
    def benefit_list(self, request: Request[Any, Any, Any], db: Session, status: str | None = None) -> Any:
        only = status if status in BENEFIT_STATUSES else None
        rows = [{"participant": p, "status": st, "approval": a} for p, st, a in benefits.statuses_on(db, today(), only)]
        return render(request, "payroll_rules/benefits.html", rows=rows, statuses=BENEFIT_STATUSES, selected=status or "", **labels())

    def _benefit(self, request: Request[Any, Any, Any], db: Session, person: Participant, errors: dict[str, str], values: dict[str, Any], status: int = 200) -> Any:
        day = today()
        return render(
            request, "payroll_rules/benefit.html", status_code=status, person=person, errors=errors, values=values,
            history=benefits.history(db, person.id), approvals=benefits.approvals(db, person.id),
            markers=markers_for(db, [person.id], day), statuses=BENEFIT_STATUSES, today_=day,
            year=day.year, **labels(),
        )

    @page_get("/benefits/{participant_id:int}", opt={"permission": "payroll.benefits.view"}, name="payroll.benefit")
    def benefit(self, request: Request[Any, Any, Any], db: Session, participant_id: int) -> Any:
        return self._benefit(request, db, participant_or_404(db, participant_id), {}, {})

    @page_post("/benefits/{participant_id:int}/status", opt=action_opt(actions.record_status))
    def record_status(self, request: Request[Any, Any, Any], db: Session, participant_id: int, data: Form) -> Any:
        person = participant_or_404(db, participant_id)
        values = form_data(data)
        try:
            actions.record_status.run(caller_of(request, db), person.id, form_input(actions.StatusChange, values))
        except FormError as exc:
            db.rollback()
            return self._benefit(request, db, person, exc.errors, values, status=400)
        return redirect(f"/payroll/benefits/{person.id}")

    @page_post("/benefits/{participant_id:int}/approvals", opt=action_opt(actions.record_approval))
    def record_approval(self, request: Request[Any, Any, Any], db: Session, participant_id: int, data: Form) -> Any:
        person = participant_or_404(db, participant_id)
        values = form_data(data)
        try:
            actions.record_approval.run(caller_of(request, db), person.id, approval_input(values))
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
