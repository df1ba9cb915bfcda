"""Program days, attendance, teams and shifts as JSON."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from litestar import Controller, Request
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api.input import id_list, strict
from core.forms import Field, FormError
from core.i18n import gettext as _
from core.models import SHIFT_OUTCOMES, Attendance, Participant, ProgramDay, Shift, Site, Team
from core.services import days as day_service
from core.web.context import current_user
from core.web.handlers import api_get, api_patch, api_post, get_or_404


def day_json(day: ProgramDay) -> dict[str, Any]:
    return {
        "id": day.id, "site_id": day.site_id, "date": day.date.isoformat(), "is_open": day.is_open,
        "capacity": day.capacity, "note": day.note,
    }


def shift_json(s: Shift) -> dict[str, Any]:
    return {"id": s.id, "participant_id": s.participant_id, "team_id": s.team_id, "outcome": s.outcome,
            "hours": None if s.hours is None else str(s.hours)}


def team_json(t: Team) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "work_leader_id": t.work_leader_id, "locked": t.locked,
            "work_order_ids": [o.id for o in t.work_orders]}


class DaysApi(Controller):
    path = "/days"
    tags = ["days"]

    @api_get("/", opt={"permission": "days.view"}, name="api.days.list")
    def list_days(self, db: Session, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict[str, Any]:
        stmt = select(ProgramDay)
        if date_from:
            stmt = stmt.where(ProgramDay.date >= date_from)
        if date_to:
            stmt = stmt.where(ProgramDay.date <= date_to)
        return {"items": [day_json(d) for d in db.scalars(stmt.order_by(ProgramDay.date).limit(1000))]}

    @api_post("/", opt={"permission": "days.edit"}, name="api.days.create", status_code=201)
    def create_day(self, request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> dict[str, Any]:
        clean = strict(
            [Field("site_id", kind="ref", required=True), Field("date", kind="date", required=True),
             Field("is_open", kind="bool", default=True), Field("capacity", kind="int", min_value=0, max_value=1000),
             Field("note", max_length=300)],
            data,
        )
        site = db.scalars(select(Site).where(Site.id == clean["site_id"])).first()
        if site is None:
            raise FormError({"site_id": _("No such record.")})
        day = day_service.program_day(db, current_user(request).organization.id, site, clean["date"])
        assert day is not None
        is_open = clean["is_open"] if "is_open" in data else True
        day_service.set_day_open(db, day, is_open, clean["note"], clean["capacity"])
        return day_json(day)

    @api_get("/{day_id:int}", opt={"permission": "days.view"}, name="api.days.detail")
    def get_day(self, db: Session, day_id: int) -> dict[str, Any]:
        day = get_or_404(db, ProgramDay, day_id)
        o = day_service.day_overview(db, day)
        return {
            **day_json(day),
            "attendance": [{"participant_id": a.participant_id, "arrived_at": a.arrived_at.isoformat()} for a in o["attendance"]],  # type: ignore[attr-defined]
            "teams": [team_json(t) for t in o["teams"]],  # type: ignore[attr-defined]
            "shifts": [shift_json(s) for s in o["shifts"]],  # type: ignore[attr-defined]
        }

    @api_patch("/{day_id:int}", opt={"permission": "days.edit"}, name="api.days.update")
    def update_day(self, db: Session, day_id: int, data: dict[str, Any]) -> dict[str, Any]:
        day = get_or_404(db, ProgramDay, day_id)
        clean = strict(
            [Field("is_open", kind="bool"), Field("capacity", kind="int", min_value=0, max_value=1000), Field("note", max_length=300)],
            data, partial=True,
        )
        day_service.set_day_open(
            db, day, clean.get("is_open", day.is_open), clean.get("note", day.note), clean.get("capacity", day.capacity)
        )
        return day_json(day)

    @api_post("/{day_id:int}/attendance", opt={"permission": "days.edit"}, name="api.days.attendance", status_code=201)
    def register(self, request: Request[Any, Any, Any], db: Session, day_id: int, data: dict[str, Any]) -> dict[str, Any]:
        day = get_or_404(db, ProgramDay, day_id)
        clean = strict([Field("participant_id", kind="ref", required=True)], data)
        participant = get_or_404(db, Participant, clean["participant_id"])
        row: Attendance = day_service.register_attendance(db, day, participant, current_user(request).id)
        return {"participant_id": row.participant_id, "day_id": row.day_id, "arrived_at": row.arrived_at.isoformat()}

    @api_post("/{day_id:int}/teams", opt={"permission": "days.edit"}, name="api.days.teams", status_code=201)
    def create_team(self, db: Session, day_id: int, data: dict[str, Any]) -> dict[str, Any]:
        day = get_or_404(db, ProgramDay, day_id)
        clean = strict([Field("name", required=True, max_length=120), Field("work_leader_id", kind="ref")], data, extra=["work_order_ids"])
        ids = id_list(data, "work_order_ids")
        return team_json(day_service.create_team(db, day, clean["name"], clean["work_leader_id"], ids))

    @api_post("/{day_id:int}/assign", opt={"permission": "days.edit"}, name="api.days.assign", status_code=200)
    def assign(self, db: Session, day_id: int, data: dict[str, Any]) -> dict[str, Any]:
        day = get_or_404(db, ProgramDay, day_id)
        clean = strict([Field("participant_id", kind="ref", required=True), Field("team_id", kind="ref")], data)
        participant = get_or_404(db, Participant, clean["participant_id"])
        team = get_or_404(db, Team, clean["team_id"]) if clean["team_id"] else None
        return shift_json(day_service.assign_to_team(db, day, participant, team))

    @api_patch("/{day_id:int}/shifts/{shift_id:int}", opt={"permission": "days.edit"}, name="api.days.shift")
    def outcome(self, db: Session, day_id: int, shift_id: int, data: dict[str, Any]) -> dict[str, Any]:
        day = get_or_404(db, ProgramDay, day_id)
        shift = get_or_404(db, Shift, shift_id)
        if shift.day_id != day.id:  # as in the HTML page: a shift of another day is not here
            raise NotFoundException()
        clean = strict(
            [Field("outcome", kind="choice", choices=SHIFT_OUTCOMES, required=True),
             Field("hours", kind="decimal", min_value=Decimal(0), max_value=Decimal(24))],
            data,
        )
        return shift_json(day_service.record_outcome(db, shift, clean["outcome"], clean["hours"]))
