"""Hook implementations of the payroll_rules plugin."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import hookimpl
from core.contrib import DemoContext, NavItem, Panel, PayMarker, PayRule, PermissionDef, SettingDef
from core.i18n import lazy_gettext as _
from core.models import Participant
from plugins.payroll_rules import models  # noqa: F401 - registers the tables
from plugins.payroll_rules.benefits import Timelines
from plugins.payroll_rules.models import PayLine, PayRun
from plugins.payroll_rules.rules import BUILTIN_RULES, SETTINGS
from plugins.payroll_rules.report import report_sections  # noqa: E402,F401 - pay in the yearly report

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
    from plugins.payroll_rules.api import PayrollApi
    from plugins.payroll_rules.web import PayrollController

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


def markers_for(db: Session, participant_ids: list[int], day: dt.date, setting: Any, timelines: Timelines | None = None) -> list[PayMarker]:
    """Who would not be paid in full for work on ``day``: by the effect of their status."""
    from plugins.payroll_rules.rules import EFFECT_SETTINGS

    timelines = timelines or Timelines(db, participant_ids)
    out = []
    for pid in participant_ids:
        status = timelines.status_on(pid, day)
        effect = setting(EFFECT_SETTINGS.get(status, "payroll.effect_other"), day)
        if effect == "unpaid":
            label = _("Unpaid (AAP)") if status == "aap" else _("Unpaid")
            out.append(PayMarker(pid, "unpaid", label))
        elif effect == "held":
            out.append(PayMarker(pid, "held", _("Pay held")))
        elif effect == "capped":
            if timelines.approval_on(pid, day) is None:
                out.append(PayMarker(pid, "held", _("Pay held: no district approval")))
            else:
                out.append(PayMarker(pid, "capped", _("Pay capped per month")))
    return out


def _setting_reader(db: Session) -> Any:
    from plugins.payroll_rules.rules import SETTINGS as DEFS
    from plugins.payroll_rules.runs import SettingReader

    return SettingReader(db, {d.key: d for d in DEFS})


@hookimpl
def lavterskel_pay_markers(db: Session, participant_ids: list[int], day: dt.date) -> list[PayMarker]:
    return markers_for(db, list(participant_ids), day, _setting_reader(db))


@hookimpl
def lavterskel_participant_panels(db: Session, participant: Participant, permissions: frozenset[str]) -> list[Panel]:
    if "payroll.benefits.view" not in permissions:
        return []
    from core.i18n import today
    day = today()
    reader = _setting_reader(db)
    timelines = Timelines(db, [participant.id])
    markers = markers_for(db, [participant.id], day, reader, timelines)
    month_start = day.replace(day=1)
    counted = db.scalar(
        select(func.coalesce(func.sum(PayLine.amount_ore), 0)).join(PayRun, PayLine.run_id == PayRun.id)
        .where(PayRun.status == "approved", PayLine.participant_id == participant.id, PayLine.counts_toward_cap,
               PayLine.work_date >= month_start, PayLine.work_date <= day)
    )
    from plugins.payroll_rules.labels import BENEFIT_LABELS, label

    status = timelines.status_on(participant.id, day)
    return [Panel(_("Pay and benefit status"), "payroll_rules/panel.html", {
        "participant": participant, "markers": markers, "counted_ore": int(counted or 0),
        "label_status": label(BENEFIT_LABELS, status),
    }, order=40)]


@hookimpl
def lavterskel_dashboard_panels(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    if "payroll.view" not in permissions:
        return []
    drafts = list(db.scalars(select(PayRun).where(PayRun.status == "draft").order_by(PayRun.period_start.desc()).limit(5)))
    return [Panel(_("Pay runs waiting"), "payroll_rules/dashboard_panel.html", {"drafts": drafts}, order=60)]


@hookimpl(trylast=True)  # after the program plugins' demo data, so their work exists
def lavterskel_demo_data(db: Session, organization: Any, context: DemoContext) -> None:
    from plugins.payroll_rules.demo import load_demo

    load_demo(db, organization, context)
