"""Hook implementations of the nyttig_contract plugin."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import hookimpl
from core.contrib import NavItem, Panel, PayableWork, PermissionDef, SettingDef
from core.i18n import lazy_gettext as _
from plugins.nyttig_contract import labels
from plugins.nyttig_contract.api import API_HANDLERS
from plugins.nyttig_contract.assignments import refuse_unanswered_acceptance
from plugins.nyttig_contract.demo import load
from plugins.nyttig_contract.eligibility import BUILTIN_CHECKS
from plugins.nyttig_contract.incidents import open_follow_ups
from plugins.nyttig_contract.labels import SETTINGS, setting
from plugins.nyttig_contract.models import TABLES, ContactLog, PhaseChange, Timesheet
from plugins.nyttig_contract.phases import path_of, timeline
from plugins.nyttig_contract.report import report_sections, week_panel  # noqa: F401 - report sections and the leader's week
from plugins.nyttig_contract.signing import PaperSigning
from plugins.nyttig_contract.waiting_list import waiting_list
from plugins.nyttig_contract.web import HANDLERS
from plugins.nyttig_contract.weekly import reviews_due

HERE = Path(__file__).resolve().parent

VIEWERS = ("admin", "leader", "work_leader", "social_worker")
EDITORS = ("leader", "work_leader", "social_worker")


@hookimpl
def lavterskel_plugin_info() -> dict[str, object]:
    return {
        "label": _("Nyttig Arbeid: contracts and departments"),
        "description": _("Recruitment, waiting list, job talk and start, contact persons, departments and timesheets."),
    }


@hookimpl
def lavterskel_settings() -> list[SettingDef]:
    return list(SETTINGS)


@hookimpl
def lavterskel_migration_location() -> tuple[str, str]:
    return ("nyttig_contract", str(HERE / "migrations"))


@hookimpl
def lavterskel_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def lavterskel_route_handlers() -> list[Any]:
    return [*HANDLERS, *API_HANDLERS]


@hookimpl
def lavterskel_work_order_changed(db: Session, order: Any, old_status: str) -> None:
    refuse_unanswered_acceptance(db, order, old_status)


@hookimpl
def lavterskel_permissions() -> list[PermissionDef]:
    return [
        PermissionDef("nyttig.view", _("See Nyttig Arbeid's path, waiting list and departments"), VIEWERS),
        PermissionDef("nyttig.edit", _("Record contacts, screenings, interviews, starts and incidents"), EDITORS),
        PermissionDef("nyttig.departments", _("Open, close and describe departments"), ("admin", "leader")),
        PermissionDef("nyttig.timesheets", _("Record and approve timesheets"), ("leader", "work_leader")),
        PermissionDef("nyttig.assignments", _("Accept or decline assignments from districts"), ("leader", "work_leader")),
        PermissionDef("nyttig.follow_up", _("Follow up injury reports"), ("leader",)),
    ]


@hookimpl
def lavterskel_navigation(permissions: frozenset[str]) -> list[NavItem]:
    return [
        NavItem(_("Path"), "/nyttig", order=12, permission="nyttig.view"),
        NavItem(_("Waiting list"), "/nyttig/waiting-list", order=13, permission="nyttig.view"),
        NavItem(_("Timesheets"), "/nyttig/timesheets", order=14, permission="nyttig.timesheets"),
        NavItem(_("Incidents"), "/nyttig/incidents", order=15, permission="nyttig.view"),
        NavItem(_("Departments"), "/nyttig/departments", order=16, permission="nyttig.view"),
        NavItem(_("Assignments"), "/nyttig/assignments", order=35, permission="nyttig.assignments"),
    ]


@hookimpl(trylast=True)
def lavterskel_eligibility_checks() -> list[Any]:
    return list(BUILTIN_CHECKS)


@hookimpl(trylast=True)
def lavterskel_signing_providers() -> list[Any]:
    return [PaperSigning()]


@hookimpl
def lavterskel_participant_panels(db: Session, participant: Any, permissions: frozenset[str]) -> list[Panel]:
    if "nyttig.view" not in permissions:
        return []
    path = path_of(db, participant.id)
    if path is None:
        return []
    return [Panel(_("Nyttig Arbeid: the path"), "nyttig_contract/panel_timeline.html",
                  {"path": path, "timeline": timeline(db, participant.id), "L": labels, "label": labels.label, "staff": {}}, order=20)]


@hookimpl
def lavterskel_dashboard_panels(db: Session, organization: Any, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    if "nyttig.view" not in permissions:
        return []
    panels = []
    # All due reviews; the panel's template keeps those where the signed-in user is a
    # contact person (the hook has no user argument, the template has ``user``).
    reviews = reviews_due(db, today, None, int(setting(db, "nyttig.review_from_days")), int(setting(db, "nyttig.review_by_days")))
    panels.append(Panel(_("Reviews due after the start"), "nyttig_contract/panel_reviews.html", {"reviews": reviews}, order=20))
    waiting = waiting_list(db, today)
    panels.append(Panel(_("Waiting list: keep in touch"), "nyttig_contract/panel_waiting.html", {
        "remind": [e for e in waiting if e.needs_contact], "meetings": [e for e in waiting if e.status_meeting_suggested],
        "total": len(waiting)}, order=21))
    follow = open_follow_ups(db)
    if follow:
        panels.append(Panel(_("Injury reports to follow up"), "nyttig_contract/panel_follow_ups.html", {"follow_ups": follow, "today": today}, order=22))
    return panels


@hookimpl
def lavterskel_payable_work(db: Session, start: dt.date, end: dt.date) -> list[PayableWork]:
    rows = db.execute(select(Timesheet.id, Timesheet.participant_id, Timesheet.date, Timesheet.hours)
                      .where(Timesheet.date >= start, Timesheet.date <= end, Timesheet.approved_at.is_not(None))
                      .order_by(Timesheet.date, Timesheet.id))
    return [PayableWork(participant_id=participant_id, date=day, kind="hours", source=f"nyttig_timesheet:{sheet_id}", hours=hours)
            for sheet_id, participant_id, day, hours in rows]


@hookimpl
def lavterskel_demo_data(db: Session, organization: Any, context: Any) -> None:
    load(db, organization, context)


@hookimpl
def lavterskel_is_contact_person(db: Session, staff_user_id: int, participant_id: int) -> bool | None:
    path = path_of(db, participant_id)
    if path is None:
        return None
    return staff_user_id in (path.contact_person_1_id, path.contact_person_2_id)


@hookimpl
def lavterskel_participant_last_activity(db: Session, participant: Any) -> Any:
    dates = [db.scalar(select(func.max(m.date if m is Timesheet else m.on)).where(m.participant_id == participant.id))
             for m in (Timesheet, ContactLog, PhaseChange)]
    dates = [d for d in dates if d is not None]
    return max(dates) if dates else None
