"""Administration: plugins, settings (with dated history), sites and staff."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.labels import choice_label
from core.models import ROLES, Membership, Organization, Site, StaffUser
from core.services import organizations as org_service
from core.services import settings as settings_service
from core.services.auth import create_user
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
        settings = []
        for key, defn in sorted(ctx.setting_defs.items()):
            settings.append(
                {
                    "def": defn,
                    "value": settings_service.setting_on(db, ctx.setting_defs, key, dt.date.today() if defn.dated else None),
                    "history": settings_service.history(db, key) if defn.dated else [],
                }
            )
        member_ids = select(Membership.user_id)
        staff = list(db.scalars(select(StaffUser).where(StaffUser.id.in_(member_ids)).order_by(StaffUser.full_name)))
        return render(
            request, "admin.html", status_code=status, org=org, program_plugins=ctx.plugins.program_plugins,
            plugin_info=plugin_info, settings=settings, sites=list(db.scalars(select(Site).order_by(Site.name))),
            staff=staff, roles=ROLES, choice_label=choice_label, errors=errors or {},
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
        ctx = app_context(request)
        values = form_data(data)
        key = str(values.get("key", ""))
        defn = ctx.setting_defs.get(key)
        try:
            if defn is None:
                raise FormError({"key": _("No such setting.")})
            clean = validate([Field("valid_from", kind="date", required=defn.dated), Field("note", max_length=300)], values)
            settings_service.set_setting(db, current_user(request).organization.id, defn, values.get("value", ""), clean["valid_from"], clean["note"])
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")

    @page_post("/sites", opt=ADMIN)
    def sites(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        try:
            org_service.add_site(db, current_user(request).organization.id, str(values.get("name", "")), str(values.get("address", "")))
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")

    @page_post("/staff", opt=ADMIN)
    def add_staff(self, request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
        values = form_data(data)
        try:
            clean = validate(
                [Field("username", required=True, max_length=80), Field("full_name", required=True), Field("password", required=True, max_length=200)],
                values,
            )
            roles = [r for r in form_list(data, "roles") if r in ROLES]
            if not roles:
                raise FormError({"roles": _("Choose at least one role.")})
            if len(clean["password"]) < 12:
                raise FormError({"password": _("At least %(n)s characters.", n=12)})
            org = db.get(Organization, current_user(request).organization.id)
            create_user(db, org, clean["username"], clean["full_name"], clean["password"], roles)  # type: ignore[arg-type]
            db.commit()
        except IntegrityError:
            db.rollback()
            return self._page(request, db, {"username": _("This username is taken.")}, 400)
        except FormError as exc:
            db.rollback()
            return self._page(request, db, exc.errors, 400)
        return redirect("/admin")

    @page_post("/staff/{user_id:int}/active", opt=ADMIN)
    def staff_active(self, request: Request[Any, Any, Any], db: Session, user_id: int, data: Form) -> Any:
        # Only staff of this organization: a membership here is what makes them reachable.
        member = db.scalars(select(Membership).where(Membership.user_id == user_id)).first()
        if member is None:
            return self._page(request, db, {"__all__": _("No such record.")}, 404)
        staff = db.get(StaffUser, user_id)
        if staff is None or staff.id == current_user(request).id:
            return self._page(request, db, {"__all__": _("You cannot disable your own account.")}, 400)
        org_service.set_user_active(db, staff, form_data(data).get("active") == "1")
        return redirect("/admin")
