"""A work order's life: requested, accepted or declined with a reason, scheduled, done."""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.labels import choice_label
from core.models import ORDER_STATUSES, ORDER_TRANSITIONS, WorkOrder

NEEDS_REASON = {"accepted", "declined", "cancelled"}


def change_order_status(db: Session, order: WorkOrder, status: str, reason: str = "") -> WorkOrder:
    """Move an order to ``status``; accepting, declining and cancelling say why."""
    reason = " ".join((reason or "").split())
    if status not in ORDER_STATUSES:
        raise FormError({"status": _("Not one of the allowed choices.")})
    if status not in ORDER_TRANSITIONS[order.status]:
        raise FormError({"status": _("An order that is %(old)s cannot become %(new)s.", old=choice_label("order_status", order.status), new=choice_label("order_status", status))})
    if status in NEEDS_REASON and not reason:
        raise FormError({"status_reason": _("Say why: the reason is kept with the order.")})
    if len(reason) > 500:
        raise FormError({"status_reason": _("At most %(n)s characters.", n=500)})
    order.status = status
    if reason:
        order.status_reason = reason
    db.commit()
    return order
