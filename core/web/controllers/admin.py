"""Administration: plugins, settings (with dated history), sites and staff."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input
from core.forms import FormError
from core.i18n import today
from core.labels import choice_label
from core.models import ROLES, Organization, Site
from core.services import administration as admin
from core.services import access_requests
from core.services import organizations as org_service
from core.services import settings as settings_service
from core.web.context import app_context, current_user
from core.services.administration import AddSite, AddStaff, SetPlugin, SetSetting, SetStaffActive
from core.web.handlers import caller_of, form_data, form_list, page_get, page_post, redirect
from core.web.templating import render

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
ADMIN = {"permission": "org.admin"}


class AdminController(Controller):
    path = "/admin"

    def _page(self, request: Request[Any, Any, Any], db: Session, errors: dict[str, str] | None = None, status: int = 200,
              kept: dict[str, dict[str, Any]] | None = None) -> Any:
        """The admin page; ``kept`` is what a refused form sent, by form ("site", "staff"), shown in it again."""
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
            sensitive_roles=access_requests.sensitive_roles(ctx.permission_defs, ROLES), kept=kept or {},
        )

    @page_get("/", opt=ADMIN, name="admin")
    def index(self, request: Request[Any, Any, Any], db: Session) -> Any:
        return self._page(request, db)

    def _do(self, request: Request[Any, Any, Any], db: Session, act: Callable[[], Any],
            kept: dict[str, dict[str, Any]] | None = None) -> Any:
        """Run one action; its refusal re-renders the page with the messages and what was typed."""
        try:
            act()
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400, kept)
        return redirect("/admin")

    @page_post("/plugins", opt=action_opt(admin.set_plugin))
    def plugins(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        return self._do(request, db, lambda: admin.set_plugin.run(
            caller_of(request, db), str(values.pop("plugin", "")), form_input(SetPlugin, values)))

    @page_post("/settings", opt=action_opt(admin.set_setting))
    def settings(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        # The value as typed: the setting's kind decides what it means (a "1" is a number
        # for one setting, yes for another), so the service reads it, not the form.
        typed = values.get("value")
        return self._do(request, db, lambda: admin.set_setting.run(
            caller_of(request, db), form_input(SetSetting, values, value=typed if isinstance(typed, str) else "")))

    @page_post("/sites", opt=action_opt(admin.add_site))
    def sites(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        return self._do(request, db, lambda: admin.add_site.run(caller_of(request, db), form_input(AddSite, values)), {"site": values})

    @page_post("/staff", opt=action_opt(admin.add_staff))
    def add_staff(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values, roles = form_data(data), form_list(data, "roles")
        # The password is never sent back into the page: it is typed again.
        kept = {"staff": {"username": values.get("username", ""), "full_name": values.get("full_name", ""), "roles": roles}}
        return self._do(request, db, lambda: admin.add_staff.run(caller_of(request, db), form_input(AddStaff, values, roles=roles)), kept)

    @page_post("/staff/{user_id:int}/active", opt=action_opt(admin.set_staff_active))
    def staff_active(self, request: Request[Any, Any, Any], db: Session, user_id: int, data: Form) -> Any:
        return self._do(request, db, lambda: admin.set_staff_active.run(
            caller_of(request, db), user_id, form_input(SetStaffActive, form_data(data))))
