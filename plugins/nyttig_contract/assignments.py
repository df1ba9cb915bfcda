"""Paid assignments from the districts: accepted only after the two questions.

"Would someone else do it if not us?" and "would someone pay for it?" must both be
answered before a work order is accepted; a declined order keeps its reason. The core's
work-order flow is not edited: accepting goes through :func:`decide`, and the core's
``lavterskel_work_order_changed`` hook (called only in organizations that run this plugin)
refuses any other way of accepting an order (see :func:`refuse_unanswered_acceptance`).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.models import WorkOrder
from core.services.work_orders import change_order_status
from plugins.nyttig_contract.models import AssignmentCheck

def check_of(db: Session, order_id: int) -> AssignmentCheck | None:
    return db.scalars(select(AssignmentCheck).where(AssignmentCheck.work_order_id == order_id)).first()


def decide(db: Session, order: WorkOrder, *, someone_else: bool | None, someone_pays: bool | None, decision: str, reason: str,
           by_id: int | None, plugins: Any = None) -> AssignmentCheck:
    errors = {}
    if someone_else is None:
        errors["someone_else_would_do_it"] = _("Answer the question before deciding.")
    if someone_pays is None:
        errors["someone_would_pay"] = _("Answer the question before deciding.")
    if decision not in ("accepted", "declined"):
        errors["decision"] = _("Not one of the allowed choices.")
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = _("Say why: the reason is kept with the order.")
    elif len(reason) > 500:
        errors["reason"] = _("At most %(n)s characters.", n=500)
    if errors:
        raise FormError(errors)
    row = check_of(db, order.id)
    if row is None:
        row = AssignmentCheck(organization_id=order.organization_id, work_order_id=order.id, someone_else_would_do_it=bool(someone_else),
                              someone_would_pay=bool(someone_pays), decision=decision, reason=reason, answered_by_id=by_id)
        db.add(row)
    else:
        row.someone_else_would_do_it, row.someone_would_pay = bool(someone_else), bool(someone_pays)
        row.decision, row.reason, row.answered_by_id = decision, reason, by_id
    db.flush()
    change_order_status(db, order, decision, reason, plugins=plugins)  # commits both in one transaction
    return row


def refuse_unanswered_acceptance(db: Session, order: WorkOrder, old_status: str) -> None:
    """Refuse to accept a work order whose two questions are not answered."""
    if order.status != "accepted" or old_status == "accepted":
        return
    if check_of(db, order.id) is None:
        raise FormError({"status": _("Answer the two questions first: would someone else do it if not us, and would someone pay for it?")})
