"""Administration as JSON: plugins on and off, settings (dated too), sites and staff.

The same actions as the HTML page ``/admin`` (core.services.administration); only an
organization's administrators reach these routes.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.db import as_utc
from core.i18n import today
from core.models import DatedSetting, Organization, PendingChange, Site, StaffUser
from core.services import administration as admin
from core.services import organizations as org_service
from core.services import settings as settings_service
from core.services.administration import AddSite, AddStaff, SetPlugin, SetSetting, SetStaffActive
from core.web.context import app_context
from core.web.handlers import api_get, api_patch, api_post, api_put, caller_of

ADMIN = {"permission": admin.ADMIN}

SettingValue = Annotated[str | int | bool | None, Meta(description=(
    "The value: text, a whole number, true/false, or a decimal as a string; null when none is set."))]


def _plain(value: Any) -> Any:
    return value if isinstance(value, (bool, int, str)) or value is None else str(value)


# --- answers ---------------------------------------------------------------------------

class PluginOut(msgspec.Struct, kw_only=True):
    name: Annotated[str, Meta(description="The plugin's name, as in the path of PUT /api/v1/admin/plugins/{plugin}.", examples=["dagsverk_lottery"])]
    label: Annotated[str, Meta(description="Its name for people, in the reader's language.")]
    description: Annotated[str, Meta(description="What it does, in the reader's language.")]
    is_enabled: Annotated[bool, Meta(description="Whether this organization runs it.")]


class PluginList(msgspec.Struct, kw_only=True):
    items: Annotated[list[PluginOut], Meta(description="Every program plugin installed on the server.")]


class PluginState(msgspec.Struct, kw_only=True):
    name: Annotated[str, Meta(description="The plugin's name.")]
    is_enabled: Annotated[bool, Meta(description="Whether this organization now runs it.")]


class SettingHistoryOut(msgspec.Struct, kw_only=True):
    valid_from: Annotated[dt.date, Meta(description="The first day this value holds.")]
    value: SettingValue
    note: Annotated[str, Meta(description="Why it changed.")]


class SettingOut(msgspec.Struct, kw_only=True):
    key: Annotated[str, Meta(description="The setting's key.", examples=["payroll.day_wage"])]
    label: Annotated[str, Meta(description="Its name for people, in the reader's language.")]
    kind: Annotated[str, Meta(description="What its value is: str, text, int, decimal, date, bool or choice.")]
    is_dated: Annotated[bool, Meta(description="Whether its values hold from a date (and keep a history).")]
    value: SettingValue
    history: Annotated[list[SettingHistoryOut], Meta(description="A dated setting's values, oldest first; empty otherwise.")]


class SettingList(msgspec.Struct, kw_only=True):
    items: Annotated[list[SettingOut], Meta(description="Every setting this organization has, with today's value.")]


class SettingRecorded(msgspec.Struct, kw_only=True):
    key: Annotated[str, Meta(description="The setting's key.")]
    valid_from: Annotated[dt.date | None, Meta(description="The first day the value holds; null for a setting that is not dated.")]
    value: SettingValue
    note: Annotated[str, Meta(description="Why it changed.")]


class PendingPayload(msgspec.Struct, kw_only=True):
    """What was asked for: an account (username, full_name, roles) or a setting (key, value, note)."""

    username: Annotated[str | None, Meta(description="The new account's username (an account request).")] = None
    full_name: Annotated[str | None, Meta(description="The new colleague's name (an account request).")] = None
    roles: Annotated[list[str] | None, Meta(description="The roles asked for (an account request).")] = None
    key: Annotated[str | None, Meta(description="The setting's key (a setting request).")] = None
    value: Annotated[str | int | bool | None, Meta(description="The value asked for (a setting request).")] = None
    note: Annotated[str | None, Meta(description="Why (a setting request).")] = None


class PendingChangeOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The request's id (to approve or reject it).", examples=[1])]
    kind: Annotated[Literal["add_staff", "setting"], Meta(description="An account with roles, or a setting.")]
    status: Annotated[Literal["pending", "approved", "rejected"], Meta(description="Whether a leader has answered, and how.")]
    payload: Annotated[PendingPayload, Meta(description="What was asked for (never a password or its hash).")]
    requested_by: Annotated[str, Meta(description="The name of who asked.")]
    requested_at: Annotated[dt.datetime, Meta(description="When they asked.")]
    decided_by: Annotated[str | None, Meta(description="The name of the leader who answered; null while pending.")]
    decided_at: Annotated[dt.datetime | None, Meta(description="When they answered; null while pending.")]


class PendingChangeList(msgspec.Struct, kw_only=True):
    items: Annotated[list[PendingChangeOut], Meta(description="Requests waiting for a leader's answer, oldest first.")]


class Accepted(msgspec.Struct, kw_only=True):
    """202: accepted, waiting for a leader's confirmation; nothing has changed yet."""

    pending_change: Annotated[PendingChangeOut, Meta(description="The request a leader confirms or refuses (/api/v1/access-requests).")]


class SiteOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The site's id (site_id when creating a day).", examples=[1])]
    name: Annotated[str, Meta(description="Its name.", examples=["Vedbua"])]
    address: Annotated[str, Meta(description="Its address.", examples=["Stavnebrua 2"])]


class SiteList(msgspec.Struct, kw_only=True):
    items: Annotated[list[SiteOut], Meta(description="The organization's sites, by name.")]


class StaffOut(msgspec.Struct, kw_only=True):
    id: Annotated[int, Meta(description="The staff member's id.", examples=[1])]
    username: Annotated[str, Meta(description="Their username.")]
    full_name: Annotated[str, Meta(description="Their name.")]
    is_active: Annotated[bool, Meta(description="false: the account is disabled and cannot sign in.")]
    roles: Annotated[list[str], Meta(description="Their roles in this organization.")]


class StaffList(msgspec.Struct, kw_only=True):
    items: Annotated[list[StaffOut], Meta(description="Staff with a role in this organization, by name.")]


def site_out(site: Site) -> SiteOut:
    return SiteOut(id=site.id, name=site.name, address=site.address or "")


def staff_out(user: StaffUser, organization_id: int) -> StaffOut:
    return StaffOut(id=user.id, username=user.username, full_name=user.full_name, is_active=user.is_active,
                    roles=sorted(user.roles_in(organization_id)))


def pending_change_out(row: PendingChange) -> PendingChangeOut:
    payload = {k: v for k, v in row.payload.items() if k in PendingPayload.__struct_fields__}
    return PendingChangeOut(
        id=row.id, kind=row.kind, status=row.status, payload=PendingPayload(**payload),  # type: ignore[arg-type]
        requested_by=row.requested_by_name, requested_at=as_utc(row.requested_at), decided_by=row.decided_by_name or None,
        decided_at=as_utc(row.decided_at),
    )


def _accepted(row: PendingChange) -> Response[Accepted]:
    return Response(Accepted(pending_change=pending_change_out(row)), status_code=202)


ACCEPTED = {202: ResponseSpec(data_container=Accepted, description="Asked for: a leader confirms it before anything changes.")}
PluginParam = Annotated[str, Parameter(description="The plugin's name, as GET /api/v1/admin/plugins lists it.")]
UserIdParam = Annotated[int, Parameter(description="The staff member's id, as GET /api/v1/admin/staff lists it.")]


def list_sites_of(db: Session) -> SiteList:
    return SiteList(items=[site_out(s) for s in db.scalars(select(Site).order_by(Site.name))])


class AdminApi(Controller):
    path = "/admin"
    tags = ["admin"]

    @api_get("/plugins", opt=ADMIN, name="api.admin.plugins", summary="List plugins",
             description="The program plugins installed on the server, and whether this organization runs each.")
    def list_plugins(self, request: Request[Any, Any, Any], db: Session) -> PluginList:
        ctx = app_context(request)
        org = db.get(Organization, caller_of(request, db).organization_id)
        info = {name: dict(i or {}) for name, i in ctx.plugins.per_plugin("lavterskel_plugin_info")}
        return PluginList(items=[
            PluginOut(name=name, is_enabled=name in org.enabled_plugins,  # type: ignore[union-attr]
                      label=str(info.get(name, {}).get("label", name)), description=str(info.get(name, {}).get("description", "")))
            for name in ctx.plugins.program_plugins
        ])

    @api_put("/plugins/{plugin:str}", **api_doc(admin.set_plugin), name="api.admin.plugin")
    def set_plugin(self, request: Request[Any, Any, Any], db: Session, plugin: PluginParam, data: SetPlugin) -> PluginState:
        caller = caller_of(request, db)
        if plugin not in caller.plugins.program_plugins:
            raise NotFoundException()  # the path names no plugin (the service refuses it too)
        return PluginState(name=plugin, is_enabled=admin.set_plugin.run(caller, plugin, data))

    @api_get("/settings", opt=ADMIN, name="api.admin.settings", summary="List settings",
             description="Every setting this organization has (the core's and its plugins'), with today's value; "
                         "dated ones (capacity, rates) with their history.")
    def list_settings(self, request: Request[Any, Any, Any], db: Session) -> SettingList:
        rows = settings_service.settings_overview(db, dict(caller_of(request, db).setting_defs), today())
        return SettingList(items=[
            SettingOut(key=r["def"].key, label=str(r["def"].label), kind=r["def"].kind, is_dated=r["def"].dated,
                       value=_plain(r["value"]), history=[_history_out(h) for h in r["history"]])
            for r in rows
        ])

    @api_post("/settings", **api_doc(admin.set_setting), name="api.admin.settings.set", status_code=201, responses=ACCEPTED)
    def set_setting(self, request: Request[Any, Any, Any], db: Session, data: SetSetting) -> Response[SettingRecorded]:
        row = admin.set_setting.run(caller_of(request, db), data)
        if isinstance(row, PendingChange):
            return _accepted(row)  # type: ignore[return-value]
        return Response(SettingRecorded(key=row.key, valid_from=row.valid_from, value=_plain(row.value), note=row.note), status_code=201)

    @api_get("/sites", opt=ADMIN, name="api.admin.sites", summary="List sites (administration)",
             description="The organization's sites, as on the administration page; GET /api/v1/sites gives the same "
                         "to everyone who plans days.")
    def list_sites(self, db: Session) -> SiteList:
        return list_sites_of(db)

    @api_post("/sites", **api_doc(admin.add_site), name="api.admin.sites.add", status_code=201)
    def add_site(self, request: Request[Any, Any, Any], db: Session, data: AddSite) -> SiteOut:
        return site_out(admin.add_site.run(caller_of(request, db), data))

    @api_get("/staff", opt=ADMIN, name="api.admin.staff", summary="List staff",
             description="Staff with a role in this organization, with their roles and whether the account is active.")
    def list_staff(self, request: Request[Any, Any, Any], db: Session) -> StaffList:
        org_id = caller_of(request, db).organization_id
        return StaffList(items=[staff_out(u, org_id) for u in org_service.staff_of_organization(db)])

    @api_post("/staff", **api_doc(admin.add_staff), name="api.admin.staff.add", status_code=201, responses=ACCEPTED)
    def add_staff(self, request: Request[Any, Any, Any], db: Session, data: AddStaff) -> Response[StaffOut]:
        caller = caller_of(request, db)
        user = admin.add_staff.run(caller, data)
        if isinstance(user, PendingChange):
            return _accepted(user)  # type: ignore[return-value]
        return Response(staff_out(user, caller.organization_id), status_code=201)

    @api_patch("/staff/{user_id:int}", **api_doc(admin.set_staff_active), name="api.admin.staff.update")
    def update_staff(self, request: Request[Any, Any, Any], db: Session, user_id: UserIdParam, data: SetStaffActive) -> StaffOut:
        caller = caller_of(request, db)
        return staff_out(admin.set_staff_active.run(caller, user_id, data), caller.organization_id)


def _history_out(row: DatedSetting) -> SettingHistoryOut:
    return SettingHistoryOut(valid_from=row.valid_from, value=_plain(row.value), note=row.note)
