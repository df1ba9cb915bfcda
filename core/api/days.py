"""Program days, attendance, teams and shifts as JSON: the actions of ``core.services.days``."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import Parameter
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.services import days as day_service
from core.services.days import (
    AttendanceOut,
    DayDetail,
    DayList,
    DayOut,
    DayPlan,
    NewAttendance,
    NewDay,
    NewTeam,
    ShiftOut,
    ShiftOutcomeIn,
    TeamChoice,
    TeamOut,
)
from core.web.handlers import api_get, api_patch, api_post, caller_of

DayIdParam = Annotated[int, Parameter(description="The program day's id (find it with `GET /api/v1/days?site_id=&date_from=&date_to=`).")]


class DaysApi(Controller):
    path = "/days"
    tags = ["days"]

    @api_get("/", opt={"permission": "days.view"}, name="api.days.list", summary="List program days",
             description="The stored days, by date, at most 1000: filter by site and period to find a day's id. "
                         "A date with no stored day is not listed; `POST /api/v1/days` creates it.")
    def list_days(
        self, db: Session,
        site_id: Annotated[int | None, Parameter(description="Only the days of this site.", ge=1, query="site_id")] = None,
        date_from: Annotated[dt.date | None, Parameter(description="The first date, inclusive (YYYY-MM-DD).", query="date_from")] = None,
        date_to: Annotated[dt.date | None, Parameter(description="The last date, inclusive (YYYY-MM-DD).", query="date_to")] = None,
    ) -> DayList:
        return day_service.list_days(db, site_id, date_from, date_to)

    @api_post("/", **api_doc(day_service.create_day), name="api.days.create", status_code=201)
    def create_day(self, request: Request[Any, Any, Any], db: Session, data: NewDay) -> DayOut:
        return day_service.create_day.run(caller_of(request, db), data)

    @api_get("/{day_id:int}", opt={"permission": "days.view"}, name="api.days.detail", summary="A program day",
             description="The day with who came, its teams and its shifts.")
    def get_day(self, request: Request[Any, Any, Any], db: Session, day_id: DayIdParam) -> DayDetail:
        return day_service.day_detail(db, day_service.stored_day(caller_of(request, db), day_id))

    @api_patch("/{day_id:int}", **api_doc(day_service.plan_day), name="api.days.update")
    def update_day(self, request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: DayPlan) -> DayOut:
        return day_service.plan_day.run(caller_of(request, db), day_id, data)

    @api_post("/{day_id:int}/attendance", **api_doc(day_service.record_attendance), name="api.days.attendance", status_code=201)
    def register(self, request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: NewAttendance) -> AttendanceOut:
        return day_service.record_attendance.run(caller_of(request, db), day_id, data)

    @api_post("/{day_id:int}/teams", **api_doc(day_service.add_team), name="api.days.teams", status_code=201)
    def create_team(self, request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: NewTeam) -> TeamOut:
        return day_service.add_team.run(caller_of(request, db), day_id, data)

    @api_post("/{day_id:int}/assign", **api_doc(day_service.assign), name="api.days.assign", status_code=200)
    def assign(self, request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: TeamChoice) -> ShiftOut:
        return day_service.assign.run(caller_of(request, db), day_id, data)

    @api_patch("/{day_id:int}/shifts/{shift_id:int}", **api_doc(day_service.shift_outcome), name="api.days.shift")
    def outcome(self, request: Request[Any, Any, Any], db: Session, day_id: DayIdParam,
                shift_id: Annotated[int, Parameter(description="The shift's id (see the day's `shifts`).")], data: ShiftOutcomeIn) -> ShiftOut:
        return day_service.shift_outcome.run(caller_of(request, db), day_id, shift_id, data)
