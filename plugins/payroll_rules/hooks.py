"""Hook implementations of the payroll_rules plugin."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core import hookimpl
from core.contrib import DemoContext, NavItem, Panel, PayMarker, PayRule, PermissionDef, SettingDef
from core.i18n import lazy_gettext as _
from core.i18n import today as oslo_today  # the dashboard hook's argument is named today
from core.models import Participant
from plugins.payroll_rules import models  # noqa: F401 - registers the tables
from plugins.payroll_rules.api import PayrollApi
from plugins.payroll_rules.benefits import Timelines
from plugins.payroll_rules.demo import load_demo
from plugins.payroll_rules.labels import BENEFIT_LABELS, label
from plugins.payroll_rules.markers import markers_for
from plugins.payroll_rules.outputs import counted_this_month
from plugins.payroll_rules.report import report_sections  # noqa: F401 - pay in the yearly report
from plugins.payroll_rules.rules import BUILTIN_RULES, SETTINGS
from plugins.payroll_rules.runs import waiting_drafts
from plugins.payroll_rules.web import PayrollController

HERE = Path(__file__).resolve().parent
TABLES: tuple[str, ...] = (
    "payroll_rules_benefit_status",
    "payroll_rules_district_approval",
    "payroll_rules_pay_run",
    "payroll_rules_pay_line",
)
VIEWERS = ("admin", "leader", "payroll")


@hookimpl
def lavterskel_plugin_info() -> dict[str, object]:
    return {
        "label": _("Pay rules"),
        "description": _("Day wage, hourly motivation wage, unpaid work on AAP and the monthly cap on social assistance."),
    }


@hookimpl
def lavterskel_settings() -> list[SettingDef]:
    return list(SETTINGS)


@hookimpl
def lavterskel_permissions() -> list[PermissionDef]:
    return [
        PermissionDef("payroll.view", _("See pay runs, payslips and statements"), VIEWERS),
        PermissionDef("payroll.prepare", _("Make and recompute draft pay runs"), ("leader", "payroll")),
        PermissionDef("payroll.approve", _("Approve pay runs"), ("leader",)),
        PermissionDef("payroll.cash_sheet", _("Print the day's cash sheet"), ("admin", "leader", "work_leader", "payroll")),
        PermissionDef("payroll.benefits.view", _("See benefit status and district approvals"), ("admin", "leader", "social_worker", "payroll")),
        PermissionDef("payroll.benefits.edit", _("Record benefit status and district approvals"), ("leader", "social_worker")),
        PermissionDef("payroll.markers", _("See who works unpaid or has pay held"), ("admin", "leader", "work_leader", "social_worker", "payroll")),
    ]


@hookimpl
def lavterskel_route_handlers() -> list[Any]:
    return [PayrollController, PayrollApi]


@hookimpl
def lavterskel_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def lavterskel_migration_location() -> tuple[str, str]:
    return ("payroll_rules", str(HERE / "migrations"))


@hookimpl
def lavterskel_navigation(permissions: frozenset[str]) -> list[NavItem]:
    if "payroll.view" in permissions:
        return [NavItem(_("Pay"), "/payroll", order=60, permission="payroll.view")]
    items = []
    if "payroll.cash_sheet" in permissions:
        items.append(NavItem(_("Day wage"), "/payroll/cash-sheet", order=60, permission="payroll.cash_sheet"))
    if "payroll.benefits.view" in permissions:
        items.append(NavItem(_("Benefit status"), "/payroll/benefits", order=61, permission="payroll.benefits.view"))
    return items


@hookimpl
def lavterskel_pay_rules() -> list[PayRule]:
    return list(BUILTIN_RULES)


@hookimpl
def lavterskel_pay_markers(db: Session, participant_ids: list[int], day: dt.date) -> list[PayMarker]:
    return markers_for(db, list(participant_ids), day)


@hookimpl
def lavterskel_participant_panels(db: Session, participant: Participant, permissions: frozenset[str]) -> list[Panel]:
    if "payroll.benefits.view" not in permissions:
        return []
    day = oslo_today()
    timelines = Timelines(db, [participant.id])
    return [Panel(_("Pay and benefit status"), "payroll_rules/panel.html", {
        "participant": participant, "markers": markers_for(db, [participant.id], day, timelines=timelines),
        "counted_ore": counted_this_month(db, participant.id, day),
        "label_status": label(BENEFIT_LABELS, timelines.status_on(participant.id, day)),
    }, order=40)]


@hookimpl
def lavterskel_dashboard_panels(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    if "payroll.view" not in permissions:
        return []
    return [Panel(_("Pay runs waiting"), "payroll_rules/dashboard_panel.html", {"drafts": waiting_drafts(db, 5)}, order=60)]


@hookimpl(trylast=True)  # after the program plugins' demo data, so their work exists
def lavterskel_demo_data(db: Session, organization: Any, context: DemoContext) -> None:
    load_demo(db, organization, context)
