"""A leader's answers to an administrator's requests, as JSON (the same service as
``/access-requests``): list what waits, approve or refuse one."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from sqlalchemy.orm import Session

from core.api.admin import request_json
from core.models import PendingChange
from core.services import access_requests
from core.web.context import app_context, current_user
from core.web.handlers import api_get, api_post, get_or_404

CONFIRM = {"permission": access_requests.CONFIRM_PERMISSION}


class AccessRequestsApi(Controller):
    path = "/access-requests"
    tags = ["access"]

    @api_get("/", opt=CONFIRM, name="api.access_requests")
    def list_pending(self, db: Session) -> dict[str, Any]:
        """Requests waiting for a leader's confirmation, oldest first."""
        return {"items": [request_json(r) for r in access_requests.pending(db)]}

    def _decide(self, request: Request[Any, Any, Any], db: Session, pending_change_id: int, approve: bool) -> dict[str, Any]:
        change = get_or_404(db, PendingChange, pending_change_id)
        user = current_user(request)
        defs = app_context(request).settings_for(user.organization.enabled_plugins)
        return request_json(access_requests.decide(db, user, change, approve, defs))

    @api_post("/{pending_change_id:int}/approve", opt=CONFIRM, name="api.access_requests.approve", status_code=200)
    def approve(self, request: Request[Any, Any, Any], db: Session, pending_change_id: int) -> dict[str, Any]:
        """Confirm a request (not one's own): the account is created or the setting changed now."""
        return self._decide(request, db, pending_change_id, True)

    @api_post("/{pending_change_id:int}/reject", opt=CONFIRM, name="api.access_requests.reject", status_code=200)
    def reject(self, request: Request[Any, Any, Any], db: Session, pending_change_id: int) -> dict[str, Any]:
        """Refuse a request: nothing changes."""
        return self._decide(request, db, pending_change_id, False)
