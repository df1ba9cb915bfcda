"""Administration as JSON: plugins on and off, settings (dated too), sites and staff.

The same services as the HTML page ``/admin``; only an organization's administrators
reach these routes.
"""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api.input import refuse_unknown, strict
from core.forms import Field, FormError
from core.i18n import gettext as _
from core.i18n import today
from core.models import DatedSetting, Organization, PendingChange, Site, StaffUser
from core.services import access_requests
from core.services import organizations as org_service
from core.services import settings as settings_service
from core.web.context import app_context, current_user
from core.web.handlers import api_get, api_patch, api_post, api_put

ADMIN = {"permission": "org.admin"}


def _plain(value: Any) -> Any:
    return value if isinstance(value, (bool, int, str)) or value is None else str(value)


def site_json(site: Site) -> dict[str, Any]:
    return {"id": site.id, "name": site.name, "address": site.address}


def staff_json(user: StaffUser, organization_id: int) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "full_name": user.full_name, "active": user.is_active,
            "roles": sorted(user.roles_in(organization_id))}


def request_json(row: PendingChange) -> dict[str, Any]:
    """A request waiting for (or answered by) a leader; never the password's hash."""
    payload = {k: v for k, v in row.payload.items() if k != "password_hash"}
    return {"id": row.id, "kind": row.kind, "status": row.status, "payload": payload,
            "requested_by": row.requested_by_name, "requested_at": row.requested_at.isoformat(),
            "decided_by": row.decided_by_name or None, "decided_at": row.decided_at.isoformat() if row.decided_at else None}


def _pending(row: PendingChange) -> Response[dict[str, Any]]:
    """202: accepted, waiting for a leader's confirmation; nothing has changed yet."""
    return Response({"pending_change": request_json(row)}, status_code=202)


def _history_json(row: DatedSetting) -> dict[str, Any]:
    return {"valid_from": row.valid_from.isoformat(), "value": _plain(row.value), "note": row.note}


class AdminApi(Controller):
    path = "/admin"
    tags = ["admin"]

    @api_get("/plugins", opt=ADMIN, name="api.admin.plugins")
    def list_plugins(self, request: Request[Any, Any, Any], db: Session) -> dict[str, Any]:
        """The program plugins installed, and whether this organization runs each."""
        ctx = app_context(request)
        org = db.get(Organization, current_user(request).organization.id)
        info = {name: dict(i or {}) for name, i in ctx.plugins.per_plugin("lavterskel_plugin_info")}
        return {"items": [
            {"name": name, "enabled": name in org.enabled_plugins,  # type: ignore[union-attr]
             "label": str(info.get(name, {}).get("label", name)), "description": str(info.get(name, {}).get("description", ""))}
            for name in ctx.plugins.program_plugins
        ]}

    @api_put("/plugins/{plugin:str}", opt=ADMIN, name="api.admin.plugin")
    def set_plugin(self, request: Request[Any, Any, Any], db: Session, plugin: str, data: dict[str, Any]) -> dict[str, Any]:
        """Switch a plugin on (``{"enabled": true}``) or off; switching off keeps its data."""
        ctx = app_context(request)
        clean = strict([Field("enabled", kind="bool", required=True)], data)
        if plugin not in ctx.plugins.program_plugins:
            raise NotFoundException()
        org = db.get(Organization, current_user(request).organization.id)
        org_service.set_plugin_enabled(db, org, plugin, clean["enabled"], ctx.plugins.program_plugins)  # type: ignore[arg-type]
        return {"name": plugin, "enabled": clean["enabled"]}

    @api_get("/settings", opt=ADMIN, name="api.admin.settings")
    def list_settings(self, request: Request[Any, Any, Any], db: Session) -> dict[str, Any]:
        """Every setting with today's value; dated ones (capacity, rates) with their history."""
        rows = settings_service.settings_overview(db, app_context(request).settings_for(current_user(request).organization.enabled_plugins), today())
        return {"items": [
            {"key": r["def"].key, "label": str(r["def"].label), "kind": r["def"].kind, "dated": r["def"].dated,
             "value": _plain(r["value"]), "history": [_history_json(h) for h in r["history"]]}
            for r in rows
        ]}

    @api_post("/settings", opt=ADMIN, name="api.admin.settings.set", status_code=201)
    def set_setting(self, request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> Any:
        """Record a value: ``{"key", "value", "valid_from" (dated settings), "note"}``.
        A dated setting gains a row from ``valid_from``; history is never overwritten.
        Switching two-factor off is only asked for: 202 with the request a leader confirms."""
        body = refuse_unknown(data, ("key", "value", "valid_from", "note"))
        user = current_user(request)
        defs = app_context(request).settings_for(user.organization.enabled_plugins)
        row = access_requests.save_setting_or_request(db, user.organization.id, user, defs, dict(body))
        if isinstance(row, PendingChange):
            return _pending(row)
        return {"key": row.key, **_history_json(row)}

    @api_get("/sites", opt=ADMIN, name="api.admin.sites")
    def list_sites(self, db: Session) -> dict[str, Any]:
        return {"items": [site_json(s) for s in db.scalars(select(Site).order_by(Site.name))]}

    @api_post("/sites", opt=ADMIN, name="api.admin.sites.add", status_code=201)
    def add_site(self, request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> dict[str, Any]:
        body = refuse_unknown(data, ("name", "address"))
        return site_json(org_service.add_site(db, current_user(request).organization.id, body.get("name"), body.get("address")))

    @api_get("/staff", opt=ADMIN, name="api.admin.staff")
    def list_staff(self, request: Request[Any, Any, Any], db: Session) -> dict[str, Any]:
        org_id = current_user(request).organization.id
        return {"items": [staff_json(u, org_id) for u in org_service.staff_of_organization(db)]}

    @api_post("/staff", opt=ADMIN, name="api.admin.staff.add", status_code=201)
    def add_staff(self, request: Request[Any, Any, Any], db: Session, data: dict[str, Any]) -> Any:
        """Add a colleague: ``{"username", "full_name", "password" (12+), "roles": [...]}``.
        A role that reaches sensitive data is only asked for: 202 with the request a leader confirms."""
        body = refuse_unknown(data, ("username", "full_name", "password", "roles"))
        roles = body.get("roles")
        if not isinstance(roles, list):
            raise FormError({"roles": _("Choose at least one role.")})
        org = db.get(Organization, current_user(request).organization.id)
        user = access_requests.add_staff_or_request(db, org, current_user(request), app_context(request).permission_defs, body, roles)  # type: ignore[arg-type]
        if isinstance(user, PendingChange):
            return _pending(user)
        return staff_json(user, org.id)  # type: ignore[union-attr]

    @api_patch("/staff/{user_id:int}", opt=ADMIN, name="api.admin.staff.update")
    def update_staff(self, request: Request[Any, Any, Any], db: Session, user_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """Disable (``{"active": false}``) or enable a colleague; disabling ends their sessions."""
        staff = org_service.staff_member(db, user_id)
        if staff is None:
            raise NotFoundException()
        clean = strict([Field("active", kind="bool", required=True)], data)
        me = current_user(request)
        org_service.set_staff_active(db, me.id, staff, clean["active"])
        return staff_json(staff, me.organization.id)
