"""Program days: open or closed, who came, teams and how each shift went."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input
from core.forms import FormError
from core.i18n import gettext as _
from core.i18n import today
from core.labels import choice_label
from core.models import SHIFT_OUTCOMES, Attendance, Participant, ProgramDay, Shift, Site, StaffUser, Team, WorkOrder
from core.services import days as day_service
from core.services.days import DayPlan, NewAttendance, NewDay, NewTeam, ShiftOutcomeIn, TeamChoice
from core.services.recurrence import occurs_on
from core.web.context import current_user
from core.web.handlers import caller_of, form_data, get_or_404, page_get, page_post, redirect
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

def _staff_choices(db: Session, organization_id: int) -> list[StaffUser]:
    return day_service.work_leader_choices(db)


class DaysController(Controller):
    path = "/days"

    def _list(self, request: Request[Any, Any, Any], db: Session, errors: dict[str, str], values: dict[str, Any], status: int = 200) -> Any:
        sites = list(db.scalars(select(Site).order_by(Site.name)))
        start = today() - dt.timedelta(days=14)
        days = list(db.scalars(select(ProgramDay).where(ProgramDay.date >= start).order_by(ProgramDay.date.desc()).limit(60)))
        counts = dict(
            db.execute(
                select(Attendance.day_id, func.count()).where(Attendance.day_id.in_([d.id for d in days])).group_by(Attendance.day_id)
            ).all()
        )
        return render(request, "days/list.html", status_code=status, sites=sites, days=days, counts=counts, errors=errors, values=values)

    @page_get("/", opt={"permission": "days.view"}, name="days.list")
    def list_days(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._list(request, db, {}, {"date": today().isoformat(), "is_open": True})

    @page_post("/", opt=action_opt(day_service.create_day))
    def create_day(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        try:
            day = day_service.create_day.run(caller_of(request, db), form_input(NewDay, values, **_whole_day(values)))
        except FormError as exc:
            db.rollback()
            return self._list(request, db, exc.errors, values, status=400)
        return redirect(f"/days/{day.id}")

    def _detail(self, request: Request[Any, Any, Any], db: Session, day: ProgramDay, errors: dict[str, str], status: int = 200) -> Any:
        overview = day_service.day_overview(db, day)
        user = current_user(request)
        present_ids = {a.participant_id for a in overview["attendance"]}  # type: ignore[attr-defined]
        participants = list(db.scalars(select(Participant).where(Participant.active).order_by(Participant.first_name).limit(500)))
        # The day's orders: a recurring one only on its days.
        orders = [o for o in db.scalars(select(WorkOrder).where(WorkOrder.status.in_(("accepted", "scheduled", "in_progress"))).order_by(WorkOrder.title))
                  if occurs_on(o, day.date)]
        return render(
            request, "days/detail.html", status_code=status, day=day, errors=errors,
            staff=_staff_choices(db, user.organization.id), orders=orders,
            absent=[p for p in participants if p.id not in present_ids], outcomes=SHIFT_OUTCOMES,
            choice_label=choice_label, **overview,
        )

    @page_get("/{day_id:int}", opt={"permission": "days.view"}, name="days.detail")
    def day_detail(self, request: Request[Any, Any, Any], db: Session, day_id: int) -> Any:
        return self._detail(request, db, get_or_404(db, ProgramDay, day_id), {})

    def _act(self, request: Request[Any, Any, Any], db: Session, day_id: int, act: Any, input_type: Any, data: Form,
             *ids: int, **fixed: Any) -> Any:
        """Do one of the day's actions with the submitted form; the day again, with errors if any."""
        day = get_or_404(db, ProgramDay, day_id)
        try:
            act.run(caller_of(request, db), day.id, *ids, form_input(input_type, form_data(data), **fixed))
        except FormError as exc:
            db.rollback()
            return self._detail(request, db, day, exc.errors, status=400)
        return redirect(f"/days/{day.id}")

    @page_post("/{day_id:int}/settings", opt=action_opt(day_service.plan_day))
    def day_settings(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        return self._act(request, db, day_id, day_service.plan_day, DayPlan, data, **_whole_day(form_data(data)))

    @page_post("/{day_id:int}/attendance", opt=action_opt(day_service.record_attendance))
    def register(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        return self._act(request, db, day_id, day_service.record_attendance, NewAttendance, data)

    @page_post("/{day_id:int}/teams", opt=action_opt(day_service.add_team))
    def create_team(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        return self._act(request, db, day_id, day_service.add_team, NewTeam, data)

    @page_post("/{day_id:int}/assign", opt=action_opt(day_service.assign))
    def assign(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        return self._act(request, db, day_id, day_service.assign, TeamChoice, data)

    @page_post("/{day_id:int}/shifts/{shift_id:int}", opt=action_opt(day_service.shift_outcome))
    def outcome(self, request: Request[Any, Any, Any], db: Session, day_id: int, shift_id: int, data: Form) -> Any:
        day = get_or_404(db, ProgramDay, day_id)
        shift = get_or_404(db, Shift, shift_id)
        if shift.day_id != day.id:
            return self._detail(request, db, day, {"__all__": _("No such record.")}, status=404)
        return self._act(request, db, day_id, day_service.shift_outcome, ShiftOutcomeIn, data, shift_id)


def _whole_day(values: dict[str, Any]) -> dict[str, Any]:
    """The day's form shows every field of the day: an empty capacity is the setting's
    (null) and an empty note is no note, not "leave as it is" as in the API's PATCH."""
    fixed: dict[str, Any] = {}
    if not str(values.get("capacity") or "").strip():
        fixed["capacity"] = None
    if not str(values.get("note") or "").strip():
        fixed["note"] = ""
    return fixed

