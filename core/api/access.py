"""A leader's answers to an administrator's requests, as JSON (the same actions as the
page ``/access-requests``): list what waits, confirm or refuse one."""
from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request
from litestar.params import Parameter
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.api.admin import PendingChangeList, PendingChangeOut, pending_change_out
from core.services import access_requests
from core.web.handlers import api_get, api_post, caller_of

PendingChangeIdParam = Annotated[int, Parameter(description="The request's id, as GET /api/v1/access-requests lists it.")]


class AccessRequestsApi(Controller):
    path = "/access-requests"
    tags = ["access"]

    @api_get("/", opt={"permission": access_requests.CONFIRM_PERMISSION}, name="api.access_requests",
             summary="List requests waiting for a leader",
             description="What administrators asked for that only a leader may confirm (an account with a role "
                         "reaching sensitive data, two-factor sign-in switched off), oldest first.")
    def list_pending(self, db: Session) -> PendingChangeList:
        return PendingChangeList(items=[pending_change_out(r) for r in access_requests.pending(db)])

    @api_post("/{pending_change_id:int}/approve", **api_doc(access_requests.approve), name="api.access_requests.approve", status_code=200)
    def approve(self, request: Request[Any, Any, Any], db: Session, pending_change_id: PendingChangeIdParam) -> PendingChangeOut:
        return pending_change_out(access_requests.approve.run(caller_of(request, db), pending_change_id))

    @api_post("/{pending_change_id:int}/reject", **api_doc(access_requests.reject), name="api.access_requests.reject", status_code=200)
    def reject(self, request: Request[Any, Any, Any], db: Session, pending_change_id: PendingChangeIdParam) -> PendingChangeOut:
        return pending_change_out(access_requests.reject.run(caller_of(request, db), pending_change_id))
