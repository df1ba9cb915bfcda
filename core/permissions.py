"""Permissions: what each role may do. Routes declare one permission each.

A route's ``opt`` carries ``permission`` (a name below or one a plugin declared through
``lavterskel_permissions``) or ``public=True``. The app refuses to start if a route
declares neither, so a new route cannot be reachable by accident.
"""
from __future__ import annotations

from collections.abc import Iterable

from core.contrib import PermissionDef
from core.i18n import lazy_gettext as _

ALL_STAFF = ("admin", "leader", "work_leader", "social_worker", "payroll")

CORE_PERMISSIONS = [
    PermissionDef("dashboard.view", _("See the dashboard"), ALL_STAFF),
    PermissionDef("account.use", _("Use one's own account"), ALL_STAFF),
    PermissionDef("participants.view", _("See participants"), ("admin", "leader", "work_leader", "social_worker")),
    PermissionDef("participants.edit", _("Add and edit participants"), ("admin", "leader", "work_leader", "social_worker")),
    PermissionDef("customers.view", _("See customers"), ("admin", "leader", "work_leader")),
    PermissionDef("customers.edit", _("Add and edit customers"), ("admin", "leader", "work_leader")),
    PermissionDef("orders.view", _("See work orders"), ("admin", "leader", "work_leader")),
    PermissionDef("orders.edit", _("Add and edit work orders"), ("admin", "leader", "work_leader")),
    PermissionDef("days.view", _("See days, teams and shifts"), ("admin", "leader", "work_leader")),
    PermissionDef("days.edit", _("Plan days, teams and shifts"), ("admin", "leader", "work_leader")),
    PermissionDef("reports.view", _("See reports for funders"), ("admin", "leader")),
    PermissionDef("org.admin", _("Change settings, staff and plugins"), ("admin",)),
]


def permissions_for_roles(defs: Iterable[PermissionDef], roles: Iterable[str]) -> frozenset[str]:
    roles = set(roles)
    return frozenset(d.name for d in defs if roles.intersection(d.roles))
