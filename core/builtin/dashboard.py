"""The core's dashboard panel: today at a glance."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.contrib import Panel
from core.i18n import lazy_gettext as _
from core.models import Attendance, Participant, ProgramDay, WorkOrder
from core.plugins import hookimpl


@hookimpl(trylast=True)
def lavterskel_dashboard_panels(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    counts: dict[str, Any] = {}
    if "days.view" in permissions:
        counts["present_today"] = db.scalar(
            select(func.count()).select_from(Attendance).join(ProgramDay, Attendance.day_id == ProgramDay.id).where(ProgramDay.date == today)
        )
    if "participants.view" in permissions:
        counts["active_participants"] = db.scalar(select(func.count()).select_from(Participant).where(Participant.active))
    if "orders.view" in permissions:
        counts["open_orders"] = db.scalar(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.status.in_(("requested", "accepted", "scheduled", "in_progress")))
        )
    return [Panel(_("Today"), "panels/today.html", {"counts": counts, "today": today}, order=1000)]


@hookimpl(trylast=True, specname="lavterskel_dashboard_panels")
def week_panel(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    """The leader's week: who came each open day this week, against last week."""
    if "reports.view" not in permissions:
        return []
    monday = today - dt.timedelta(days=today.weekday())
    last_monday = monday - dt.timedelta(days=7)
    rows = db.execute(
        select(ProgramDay.date, func.count(Attendance.id))
        .outerjoin(Attendance, Attendance.day_id == ProgramDay.id)
        .where(ProgramDay.date >= last_monday, ProgramDay.date < monday + dt.timedelta(days=7), ProgramDay.is_open)
        .group_by(ProgramDay.date)
        .order_by(ProgramDay.date)
    ).all()
    this_week = [(d, n) for d, n in rows if d >= monday]
    last_week_total = sum(n for d, n in rows if d < monday)
    return [
        Panel(_("This week"), "panels/week.html",
              {"days": this_week, "total": sum(n for _d, n in this_week), "last_week_total": last_week_total}, order=900)
    ]
