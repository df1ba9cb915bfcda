"""The core's payable work: shifts on program days that were worked (fully or in part)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.contrib import PayableWork
from core.models import ProgramDay, Shift
from core.plugins import hookimpl

PAYABLE_OUTCOMES = ("worked", "left_early", "sent_home")


@hookimpl(trylast=True)
def lavterskel_payable_work(db: Session, start: dt.date, end: dt.date) -> list[PayableWork]:
    rows = db.execute(
        select(Shift.id, Shift.participant_id, ProgramDay.date, Shift.hours, Shift.outcome)
        .join(ProgramDay, Shift.day_id == ProgramDay.id)
        .where(ProgramDay.date >= start, ProgramDay.date <= end, Shift.outcome.in_(PAYABLE_OUTCOMES))
        .order_by(ProgramDay.date, Shift.id)
    ).all()
    return [PayableWork(participant_id, date, "day", f"shift:{shift_id}", hours, outcome) for shift_id, participant_id, date, hours, outcome in rows]
