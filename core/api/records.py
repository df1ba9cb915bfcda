"""Participants, customers and work orders as JSON."""
from __future__ import annotations

from typing import Any

from litestar import Request, Router
from sqlalchemy.orm import Session

from core.api.input import strict
from core.forms import Field
from core.models import ORDER_STATUSES, WorkOrder
from core.services.resources import Resource, clean_filters, create_row, list_rows, update_row
from core.services.work_orders import change_order_status
from core.web.context import current_user
from core.web.handlers import api_get, api_patch, api_post, get_or_404

MAX_PER_PAGE = 200
STATUS_FIELDS = [Field("status", kind="choice", choices=ORDER_STATUSES, required=True), Field("status_reason", max_length=500)]


def _int(raw: Any, default: int, lo: int, hi: int) -> int:
    try:
        return max(lo, min(int(raw), hi))
    except (TypeError, ValueError):
        return default


def records_api_router(res: Resource) -> Router:
    tag = [res.name]

    @api_get("/", opt={"permission": res.view_permission}, name=f"api.{res.name}.list", tags=tag)
    def list_items(request: Request[Any, Any, Any], db: Session) -> dict[str, Any]:
        params = dict(request.query_params)
        per_page = _int(params.get("per_page"), 50, 1, MAX_PER_PAGE)
        page = list_rows(
            db, res, q=str(params.get("q", ""))[:200], filters=clean_filters(res, params),
            page=_int(params.get("page"), 1, 1, 100_000), per_page=per_page,
        )
        return {"items": [res.to_json(r) for r in page.rows], "total": page.total, "page": page.page, "per_page": per_page}

    @api_post("/", opt={"permission": res.edit_permission}, name=f"api.{res.name}.create", tags=tag, status_code=201)
    def create_item(request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> dict[str, Any]:
        obj = create_row(db, res, current_user(request).organization.id, data)
        return res.to_json(obj)

    @api_get("/{obj_id:int}", opt={"permission": res.view_permission}, name=f"api.{res.name}.detail", tags=tag)
    def get_item(db: Session, obj_id: int) -> dict[str, Any]:
        return res.to_json(get_or_404(db, res.model, obj_id))

    @api_patch("/{obj_id:int}", opt={"permission": res.edit_permission}, name=f"api.{res.name}.update", tags=tag)
    def update_item(db: Session, obj_id: int, data: dict[str, Any]) -> dict[str, Any]:
        obj = get_or_404(db, res.model, obj_id)
        return res.to_json(update_row(db, res, obj, data, partial=True))

    handlers: list[Any] = [list_items, create_item, get_item, update_item]
    if res.model is WorkOrder:

        @api_post("/{obj_id:int}/status", opt={"permission": res.edit_permission}, name="api.work-orders.status", tags=tag, status_code=200)
        def set_status(db: Session, obj_id: int, data: dict[str, Any]) -> dict[str, Any]:
            """Move the order on (accepted, declined, scheduled...); accepting, declining and
            cancelling need ``status_reason``."""
            order = get_or_404(db, WorkOrder, obj_id)
            clean = strict(STATUS_FIELDS, data)
            change_order_status(db, order, clean["status"], clean["status_reason"])
            return res.to_json(order)

        handlers.append(set_status)
    return Router(path=f"/{res.name}", route_handlers=handlers)
