"""What an organization's administrator does: plugins on and off, settings, sites, staff.

Each is an action (core.actions) that the page ``/admin`` and ``/api/v1/admin`` both call.
A change that weakens a protection (a role reaching sensitive data, two-factor sign-in
switched off) is only asked for here; a leader confirms it (core.services.access_requests).
"""
from __future__ import annotations

from typing import Annotated, Literal

from litestar.exceptions import NotFoundException
from msgspec import Meta

from core.actions import Caller, Input, action
from core.api_types import Date, Line
from core.models import ROLES, DatedSetting, Organization, PendingChange, Site, StaffUser
from core.services import access_requests
from core.services import organizations as org_service

ADMIN = "org.admin"

Role = Literal[ROLES]  # type: ignore[valid-type]


class SetPlugin(Input):
    is_enabled: Annotated[bool, Meta(description="true: the organization runs the plugin; false: it does not (its data is kept).")]


class SetSetting(Input):
    key: Annotated[str, Meta(min_length=1, max_length=100, description="The setting's key, as GET /api/v1/admin/settings lists it.", examples=["payroll.day_wage"])]
    value: Annotated[str | int | bool, Meta(description=(
        "The new value, of the setting's kind: text, a whole number, true/false, or a decimal as a string (\"7.5\")."),
        examples=["18"])]
    valid_from: Annotated[Date | None, Meta(description="The first day the value holds; required for a dated setting (capacity, rates), ignored otherwise.")] = None
    note: Annotated[Line, Meta(description="Why it changed, kept with the history.")] = ""


class AddSite(Input):
    name: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S", description="The site's name.", examples=["Vedbua"])]
    address: Annotated[str, Meta(max_length=300, description="Its address.", examples=["Stavnebrua 2"])] = ""


class AddStaff(Input):
    username: Annotated[str, Meta(min_length=1, max_length=80, pattern=r"\S", description="The username to sign in with; kept in lower case and unique.", examples=["kari.nordmann"])]
    full_name: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S", description="The colleague's name.", examples=["Kari Nordmann"])]
    password: Annotated[str, Meta(min_length=1, max_length=200, description="A first password, at least 12 characters (a shorter one is refused with 422).")]
    roles: Annotated[list[Role], Meta(min_length=1, description="Their roles in this organization.", examples=[["payroll"]])]


class SetStaffActive(Input):
    is_active: Annotated[bool, Meta(description="false disables the account (every session and token ends at once); true enables it again.")]


@action("admin.set_plugin", permission=ADMIN, summary="Switch a plugin on or off",
        description="Switch one of the installed program plugins on or off for this organization. Switching off "
                    "hides its pages and routes at once and keeps its data. A plugin not installed is 404.")
def set_plugin(caller: Caller, plugin: str, data: SetPlugin) -> bool:
    org = caller.db.get(Organization, caller.organization_id)
    org_service.set_plugin_enabled(caller.db, org, plugin, data.is_enabled, caller.plugins.program_plugins)  # type: ignore[arg-type]
    return data.is_enabled


@action("admin.set_setting", permission=ADMIN, summary="Record a setting",
        description="Record a setting's value. A dated setting gains a row from `valid_from` and its history is "
                    "never overwritten. A value the setting cannot take, an unknown key or a missing `valid_from` is "
                    "422. Switching two-factor sign-in off is only asked for: 202 with the request a leader confirms.")
def set_setting(caller: Caller, data: SetSetting) -> DatedSetting | PendingChange:
    return access_requests.save_setting_or_request(
        caller.db, caller.organization_id, caller.user, dict(caller.setting_defs),
        {"key": data.key, "value": data.value, "valid_from": data.valid_from, "note": data.note},
    )


@action("admin.add_site", permission=ADMIN, summary="Add a site",
        description="Add a place where the organization's program days are held.")
def add_site(caller: Caller, data: AddSite) -> Site:
    return org_service.add_site(caller.db, caller.organization_id, data.name, data.address)


@action("admin.add_staff", permission=ADMIN, summary="Add a colleague",
        description="Create a staff account with roles in this organization. A taken username or a short password "
                    "is 422. A role that reaches sensitive data (leader, work leader, social worker) is only asked "
                    "for: 202 with the request a leader confirms; the account exists once they do.")
def add_staff(caller: Caller, data: AddStaff) -> StaffUser | PendingChange:
    org = caller.db.get(Organization, caller.organization_id)
    return access_requests.add_staff_or_request(
        caller.db, org, caller.user, caller.permission_defs,  # type: ignore[arg-type]
        {"username": data.username, "full_name": data.full_name, "password": data.password}, list(data.roles),
    )


@action("admin.set_staff_active", permission=ADMIN, summary="Disable or enable a colleague",
        description="Disable a colleague's account (every session and API token of theirs ends at once) or enable "
                    "it again (none comes back). Nobody disables their own account (422). Staff of another "
                    "organization are not found (404).")
def set_staff_active(caller: Caller, user_id: int, data: SetStaffActive) -> StaffUser:
    # Only staff of this organization: a membership here is what makes them reachable.
    staff = org_service.staff_member(caller.db, user_id)
    if staff is None:
        raise NotFoundException()
    return org_service.set_staff_active(caller.db, caller.user.id, staff, data.is_active)
