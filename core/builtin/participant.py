"""The core's participant panel: the person's recent days and shifts."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contrib import Panel
from core.i18n import lazy_gettext as _
from core.models import Attendance, Participant, ProgramDay, Shift
from core.plugins import hookimpl


@hookimpl(trylast=True)
def lavterskel_participant_panels(db: Session, participant: Participant, permissions: frozenset[str]) -> list[Panel]:
    if "days.view" not in permissions:
        return []
    attendance = list(
        db.scalars(
            select(Attendance).join(ProgramDay, Attendance.day_id == ProgramDay.id)
            .where(Attendance.participant_id == participant.id).order_by(ProgramDay.date.desc()).limit(10)
        )
    )
    shifts = {s.day_id: s for s in db.scalars(select(Shift).where(Shift.participant_id == participant.id, Shift.day_id.in_([a.day_id for a in attendance])))}
    return [Panel(_("Recent days"), "panels/recent_days.html", {"attendance": attendance, "shifts": shifts}, order=1000)]
