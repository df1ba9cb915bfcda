"""Administration: plugins, settings (with dated history), sites and staff."""
from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import today
from core.labels import choice_label
from core.models import ROLES, Organization, Site
from core.services import access_requests
from core.services import organizations as org_service
from core.services import settings as settings_service
from core.web.context import app_context, current_user
from core.web.handlers import form_data, form_list, page_get, page_post, redirect
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
ADMIN = {"permission": "org.admin"}


class AdminController(Controller):
    path = "/admin"

    def _page(self, request: Request[Any, Any, Any], db: Session, errors: dict[str, str] | None = None, status: int = 200) -> Any:
        ctx = app_context(request)
        user = current_user(request)
        org = db.get(Organization, user.organization.id)
        plugin_info = {name: dict(info or {}) for name, info in ctx.plugins.per_plugin("lavterskel_plugin_info")}
        settings = settings_service.settings_overview(db, ctx.settings_for(current_user(request).organization.enabled_plugins), today())
        staff = org_service.staff_of_organization(db)
        return render(
            request, "admin.html", status_code=status, org=org, program_plugins=ctx.plugins.program_plugins,
            plugin_info=plugin_info, settings=settings, sites=list(db.scalars(select(Site).order_by(Site.name))),
            staff=staff, roles=ROLES, choice_label=choice_label, errors=errors or {}, pending=access_requests.pending(db),
            sensitive_roles=access_requests.sensitive_roles(ctx.permission_defs, ROLES),
        )

    @page_get("/", opt=ADMIN, name="admin")
    def index(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._page(request, db)

    @page_post("/plugins", opt=ADMIN)
    def plugins(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        ctx = app_context(request)
        org = db.get(Organization, current_user(request).organization.id)
        values = form_data(data)
        try:
            org_service.set_plugin_enabled(
                db, org, str(values.get("plugin", "")), values.get("enabled") == "1", ctx.plugins.program_plugins  # type: ignore[arg-type]
            )
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")

    @page_post("/settings", opt=ADMIN)
    def settings(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        try:
            user = current_user(request)
            defs = app_context(request).settings_for(user.organization.enabled_plugins)
            access_requests.save_setting_or_request(db, user.organization.id, user, defs, form_data(data))
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")

    @page_post("/sites", opt=ADMIN)
    def sites(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        try:
            org_service.add_site(db, current_user(request).organization.id, values.get("name"), values.get("address"))
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")

    @page_post("/staff", opt=ADMIN)
    def add_staff(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        try:
            org = db.get(Organization, current_user(request).organization.id)
            access_requests.add_staff_or_request(
                db, org, current_user(request), app_context(request).permission_defs, form_data(data), form_list(data, "roles")  # type: ignore[arg-type]
            )
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")

    @page_post("/staff/{user_id:int}/active", opt=ADMIN)
    def staff_active(self, request: Request[Any, Any, Any], db: Session, user_id: int, data: Form) -> Any:
        # Only staff of this organization: a membership here is what makes them reachable.
        staff = org_service.staff_member(db, user_id)
        if staff is None:
            raise NotFoundException()
        try:
            org_service.set_staff_active(db, current_user(request).id, staff, form_data(data).get("active") == "1")
        except FormError as exc:
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")
