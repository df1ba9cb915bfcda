"""A work order's life: requested, accepted or declined with a reason, scheduled, done."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.labels import choice_label
from core.models import ORDER_STATUSES, ORDER_TRANSITIONS, Organization, WorkOrder

if TYPE_CHECKING:
    from core.plugins import Plugins

NEEDS_REASON = {"accepted", "declined", "cancelled"}


def change_order_status(db: Session, order: WorkOrder, status: str, reason: str = "", *, plugins: Plugins | None = None) -> WorkOrder:
    """Move an order to ``status``; accepting, declining and cancelling say why.

    The plugins the organization enables hear of the change before it is committed
    (``lavterskel_work_order_changed``) and may refuse it. Every route reaches this through
    the ``work-orders.change_status`` action, which passes the app's ``plugins``; without
    them (a unit test of the transitions) no plugin is told."""
    reason = " ".join((reason or "").split())
    if status not in ORDER_STATUSES:
        raise FormError({"status": _("Not one of the allowed choices.")})
    if status not in ORDER_TRANSITIONS[order.status]:
        raise FormError({"status": _("An order that is %(old)s cannot become %(new)s.", old=choice_label("order_status", order.status), new=choice_label("order_status", status))})
    if status in NEEDS_REASON and not reason:
        raise FormError({"status_reason": _("Say why: the reason is kept with the order.")})
    if len(reason) > 500:
        raise FormError({"status_reason": _("At most %(n)s characters.", n=500)})
    old_status = order.status
    order.status = status
    if reason:
        order.status_reason = reason
    if plugins is not None:
        organization = db.get(Organization, order.organization_id)
        try:
            plugins.for_organization("lavterskel_work_order_changed", organization.enabled_plugins)(
                db=db, organization=organization, order=order, old_status=old_status)
        except FormError:
            db.rollback()
            raise
    db.commit()
    return order
