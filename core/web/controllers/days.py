"""Program days: open or closed, who came, teams and how each shift went."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.i18n import today
from core.labels import choice_label
from core.models import SHIFT_OUTCOMES, Attendance, Participant, ProgramDay, Shift, Site, StaffUser, Team, WorkOrder
from core.services import days as day_service
from core.web.context import current_user
from core.web.handlers import form_data, form_list, get_or_404, page_get, page_post, redirect
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

DAY_FIELDS = [
    Field("site_id", kind="ref", required=True),
    Field("date", kind="date", required=True),
    Field("is_open", kind="bool"),
    Field("capacity", kind="int", min_value=0, max_value=1000),
    Field("note", max_length=300),
]


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

    @page_post("/", opt={"permission": "days.edit"})
    def create_day(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        try:
            clean = validate(DAY_FIELDS, values)
            site = db.scalars(select(Site).where(Site.id == clean["site_id"])).first()
            if site is None:
                raise FormError({"site_id": _("No such record.")})
            day = day_service.program_day(db, current_user(request).organization.id, site, clean["date"])
            assert day is not None
            day_service.set_day_open(db, day, clean["is_open"], clean["note"], clean["capacity"])
        except FormError as exc:
            db.rollback()
            return self._list(request, db, exc.errors, values, status=400)
        return redirect(f"/days/{day.id}")

    def _detail(self, request: Request[Any, Any, Any], db: Session, day: ProgramDay, errors: dict[str, str], status: int = 200) -> Any:
        overview = day_service.day_overview(db, day)
        user = current_user(request)
        present_ids = {a.participant_id for a in overview["attendance"]}  # type: ignore[attr-defined]
        participants = list(db.scalars(select(Participant).where(Participant.active).order_by(Participant.first_name).limit(500)))
        orders = list(db.scalars(select(WorkOrder).where(WorkOrder.status.in_(("accepted", "scheduled", "in_progress"))).order_by(WorkOrder.title)))
        return render(
            request, "days/detail.html", status_code=status, day=day, errors=errors,
            staff=_staff_choices(db, user.organization.id), orders=orders,
            absent=[p for p in participants if p.id not in present_ids], outcomes=SHIFT_OUTCOMES,
            choice_label=choice_label, **overview,
        )

    @page_get("/{day_id:int}", opt={"permission": "days.view"}, name="days.detail")
    def day_detail(self, request: Request[Any, Any, Any], db: Session, day_id: int) -> Any:
        return self._detail(request, db, get_or_404(db, ProgramDay, day_id), {})

    @page_post("/{day_id:int}/settings", opt={"permission": "days.edit"})
    def day_settings(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        day = get_or_404(db, ProgramDay, day_id)
        values = form_data(data)
        values.setdefault("is_open", "0")
        try:
            clean = validate([f for f in DAY_FIELDS if f.name in {"is_open", "capacity", "note"}], values)
            day_service.set_day_open(db, day, clean["is_open"], clean["note"], clean["capacity"])
        except FormError as exc:
            db.rollback()
            return self._detail(request, db, day, exc.errors, status=400)
        return redirect(f"/days/{day.id}")

    @page_post("/{day_id:int}/attendance", opt={"permission": "days.edit"})
    def register(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        day = get_or_404(db, ProgramDay, day_id)
        try:
            clean = validate([Field("participant_id", kind="ref", required=True)], form_data(data))
            participant = get_or_404(db, Participant, clean["participant_id"])
            day_service.register_attendance(db, day, participant, current_user(request).id)
        except FormError as exc:
            db.rollback()
            return self._detail(request, db, day, exc.errors, status=400)
        return redirect(f"/days/{day.id}")

    @page_post("/{day_id:int}/teams", opt={"permission": "days.edit"})
    def create_team(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        day = get_or_404(db, ProgramDay, day_id)
        values = form_data(data)
        try:
            clean = validate([Field("name", required=True, max_length=120), Field("work_leader_id", kind="ref")], values)
            leader = clean["work_leader_id"]
            order_ids = []
            for raw in form_list(data, "work_order_ids"):
                try:
                    order_ids.append(int(raw))
                except ValueError:
                    raise FormError({"work_order_ids": _("No such record.")}) from None
            day_service.create_team(db, day, clean["name"], leader, order_ids)
        except FormError as exc:
            db.rollback()
            return self._detail(request, db, day, exc.errors, status=400)
        return redirect(f"/days/{day.id}")

    @page_post("/{day_id:int}/assign", opt={"permission": "days.edit"})
    def assign(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: Form) -> Any:
        day = get_or_404(db, ProgramDay, day_id)
        try:
            clean = validate([Field("participant_id", kind="ref", required=True), Field("team_id", kind="ref")], form_data(data))
            participant = get_or_404(db, Participant, clean["participant_id"])
            team = get_or_404(db, Team, clean["team_id"]) if clean["team_id"] else None
            day_service.assign_to_team(db, day, participant, team)
        except FormError as exc:
            db.rollback()
            return self._detail(request, db, day, exc.errors, status=400)
        return redirect(f"/days/{day.id}")

    @page_post("/{day_id:int}/shifts/{shift_id:int}", opt={"permission": "days.edit"})
    def outcome(self, request: Request[Any, Any, Any], db: Session, day_id: int, shift_id: int, data: Form) -> Any:
        day = get_or_404(db, ProgramDay, day_id)
        shift = get_or_404(db, Shift, shift_id)
        if shift.day_id != day.id:
            return self._detail(request, db, day, {"__all__": _("No such record.")}, status=404)
        values = form_data(data)
        try:
            clean = validate([Field("outcome", kind="choice", choices=SHIFT_OUTCOMES, required=True), Field("hours", kind="decimal", min_value=Decimal(0), max_value=Decimal(24))], values)
            day_service.record_outcome(db, shift, clean["outcome"], clean["hours"])
        except (FormError, InvalidOperation) as exc:
            db.rollback()
            return self._detail(request, db, day, getattr(exc, "errors", {"hours": _("Must be a number.")}), status=400)
        return redirect(f"/days/{day.id}")
