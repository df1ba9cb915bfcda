"""Closing the day: how it went for each person on a team, and for each order.

Outcomes go on the core's :class:`core.models.Shift`, so the day wage flows through the
core's ``lavterskel_payable_work`` to whichever pay plugin is enabled. An order is marked
done, or what remains is written on it and carries over to the next day's list.
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.forms import FormError
from core.i18n import format_date, today
from core.i18n import gettext as _
from core.models import ProgramDay, Shift, Team, WorkOrder
from plugins.dagsverk_lottery.models import OrderDayNote

END_OUTCOMES = ("worked", "left_early", "sent_home", "no_show")


def day_orders(db: Session, day: ProgramDay) -> list[WorkOrder]:
    teams = db.scalars(select(Team).where(Team.day_id == day.id))
    seen: dict[int, WorkOrder] = {}
    for t in teams:
        for o in t.work_orders:
            seen[o.id] = o
    return sorted(seen.values(), key=lambda o: o.title)


def close_day(db: Session, day: ProgramDay, outcomes: Mapping[int, str], orders: Mapping[int, tuple[bool, str]]) -> ProgramDay:
    """Record every outcome and every order's state in one transaction.

    :param outcomes: participant id -> outcome, for the day's shifts.
    :param orders: work order id -> (done, what remains).
    """
    if day.date > today():
        # Outcomes of a day that has not come are guesses, and the day wage is paid from them.
        raise FormError({"__all__": _("%(date)s has not come yet: a day is closed on the day or after.",
                                      date=format_date(day.date, "full"))})
    shifts = {s.participant_id: s for s in db.scalars(select(Shift).where(Shift.day_id == day.id))}
    errors: dict[str, str] = {}
    for pid, outcome in outcomes.items():
        if pid not in shifts:
            errors[f"outcome_{pid}"] = _("This person has no place today.")
        elif outcome not in END_OUTCOMES:
            errors[f"outcome_{pid}"] = _("Not one of the allowed choices.")
    valid_orders = {o.id: o for o in day_orders(db, day)}
    for oid, (_done, remaining) in orders.items():
        if oid not in valid_orders:
            errors[f"order_{oid}"] = _("No such record.")
        elif len(remaining) > 5000:
            errors[f"remaining_{oid}"] = _("At most %(n)s characters.", n=5000)
    if errors:
        raise FormError(errors)
    for pid, outcome in outcomes.items():
        shifts[pid].outcome = outcome
    for oid, (done, remaining) in orders.items():
        order = valid_orders[oid]
        note = db.scalars(select(OrderDayNote).where(OrderDayNote.day_id == day.id, OrderDayNote.work_order_id == oid)).first()
        if note is None:
            note = OrderDayNote(organization_id=day.organization_id, day_id=day.id, work_order_id=oid)
            db.add(note)
        note.done = done
        note.remaining = "" if done else remaining.strip()
        if done:
            if order.kind != "recurring" and order.status in ("scheduled", "in_progress"):
                order.status = "done"
            order.remaining = ""
        else:
            if order.status in ("accepted", "scheduled"):
                order.status = "in_progress"
            order.remaining = remaining.strip()
    day.closed_at = utcnow()
    db.commit()
    return day
