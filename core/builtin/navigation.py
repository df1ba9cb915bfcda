"""The core's navigation entries."""
from __future__ import annotations

from core.contrib import NavItem
from core.i18n import lazy_gettext as _
from core.plugins import hookimpl


@hookimpl(trylast=True)
def lavterskel_navigation() -> list[NavItem]:
    return [
        NavItem(_("Dashboard"), "/", order=0, permission="dashboard.view"),
        NavItem(_("Participants"), "/participants", order=10, permission="participants.view"),
        NavItem(_("Days"), "/days", order=20, permission="days.view"),
        NavItem(_("Work orders"), "/work-orders", order=30, permission="orders.view"),
        NavItem(_("Customers"), "/customers", order=40, permission="customers.view"),
        NavItem(_("Reports"), "/reports", order=800, permission="reports.view"),
        NavItem(_("Administration"), "/admin", order=900, permission="org.admin"),
    ]
