"""A leader's answers to what an administrator asked for, and the record of who was given
access to what (roles, need-to-know relations). See :mod:`core.services.access_requests`."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from sqlalchemy.orm import Session

from core.actions import Action, action_opt
from core.forms import FormError
from core.i18n import lazy_gettext as L
from core.labels import choice_label
from core.services import access_requests
from core.web.context import app_context
from core.web.handlers import caller_of, page_get, page_post, redirect
from core.web.templating import render

CONFIRM = {"permission": access_requests.CONFIRM_PERMISSION}
ACTIONS = {"grant": L("Given"), "withdraw": L("Taken away"), "request": L("Asked for"), "approve": L("Confirmed"),
           "reject": L("Refused")}
WHAT = {"contact_person": L("Contact person"), access_requests.STAFF_ROLES: L("Staff account and roles")}


def what_label(request: Request[Any, Any, Any], what: str) -> str:
    """A relation's or request's name; a setting by its own label."""
    if what in WHAT:
        return str(WHAT[what])
    defn = app_context(request).setting_defs.get(what)
    return str(defn.label) if defn is not None else what


class AccessRequestsController(Controller):
    path = "/access-requests"

    def _page(self, request: Request[Any, Any, Any], db: Session, errors: dict[str, str] | None = None, status: int = 200) -> Any:
        return render(
            request, "access_requests.html", status_code=status, pending=access_requests.pending(db),
            changes=access_requests.recent_changes(db), action_labels=ACTIONS, what_label=lambda w: what_label(request, w),
            choice_label=choice_label, errors=errors or {},
        )

    @page_get("/", opt=CONFIRM, name="access_requests")
    def index(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._page(request, db)

    def _decide(self, request: Request[Any, Any, Any], db: Session, act: Action[Any, Any], pending_change_id: int) -> Any:
        try:
            act.run(caller_of(request, db), pending_change_id)
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/access-requests")

    @page_post("/{pending_change_id:int}/approve", opt=action_opt(access_requests.approve))
    def approve(self, request: Request[Any, Any, Any], db: Session, pending_change_id: int) -> Any:
        return self._decide(request, db, access_requests.approve, pending_change_id)

    @page_post("/{pending_change_id:int}/reject", opt=action_opt(access_requests.reject))
    def reject(self, request: Request[Any, Any, Any], db: Session, pending_change_id: int) -> Any:
        return self._decide(request, db, access_requests.reject, pending_change_id)
