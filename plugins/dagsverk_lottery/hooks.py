"""Hook implementations of the dagsverk_lottery plugin."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from litestar.static_files import create_static_files_router
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import hookimpl
from core.contrib import NavItem, Panel, PermissionDef, SettingDef
from core.i18n import lazy_gettext as _
from core.i18n import today as today_in_oslo
from core.models import ProgramDay
from core.permissions import ALL_STAFF
from plugins.dagsverk_lottery import calendar as cal
from plugins.dagsverk_lottery import models as _models  # noqa: F401 - registers the tables
from plugins.dagsverk_lottery import person
from plugins.dagsverk_lottery.calendar import setting_defs
from plugins.dagsverk_lottery.cli import dagsverk
from plugins.dagsverk_lottery.demo import load
from plugins.dagsverk_lottery.draws import active_draw, entrant_count, entrant_total
from plugins.dagsverk_lottery.models import TABLE_NAMES

HERE = Path(__file__).resolve().parent
TABLES: tuple[str, ...] = TABLE_NAMES


@hookimpl
def lavterskel_plugin_info() -> dict[str, object]:
    return {
        "label": _("Dagsverket: drop-in and daily lottery"),
        "description": _("Morning check-in, a fair and checkable draw with first-day and third-day rights, teams and the day wage."),
    }


@hookimpl
def lavterskel_settings() -> list[SettingDef]:
    return setting_defs()


@hookimpl
def lavterskel_migration_location() -> tuple[str, str]:
    return ("dagsverk_lottery", str(HERE / "migrations"))


@hookimpl
def lavterskel_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def lavterskel_route_handlers() -> list[Any]:
    # Imported when the app asks for routes, not when the plugin is loaded: the pages and
    # the API import core.web, which is not ready while plugins are being registered.
    from plugins.dagsverk_lottery import api, public, web

    static = create_static_files_router(path="/dagsverk-static", directories=[HERE / "static"], opt={"public": True}, name="dagsverk_static")
    return [*web.route_handlers(), *public.route_handlers(), *api.route_handlers(), static]


@hookimpl
def lavterskel_permissions() -> list[PermissionDef]:
    staff = ("admin", "leader", "work_leader")
    return [
        PermissionDef("dagsverk.checkin", _("Register people at the door"), (*staff, "social_worker")),
        PermissionDef("dagsverk.draw", _("Close check-in and run the draw"), staff),
        PermissionDef("dagsverk.void", _("Void a draw (with a reason)"), ("admin", "leader")),
        PermissionDef("dagsverk.screen", _("See the draw, the big screen and the calendar"), ALL_STAFF),
        PermissionDef("dagsverk.teams", _("Make teams and close the day"), staff),
        PermissionDef("dagsverk.calendar", _("Change the opening calendar, capacity and draw mode"), ("admin", "leader")),
        PermissionDef("dagsverk.numbers", _("See the numbers for funders"), ("admin", "leader", "social_worker", "payroll")),
        PermissionDef("dagsverk.profiles", _("Edit work profiles"), (*staff, "social_worker")),
        # Per person: who keeps being turned away. For those who follow people up over time
        # (DOMAIN.md: the leader runs the program, the social worker follows people up); the
        # work leaders run the morning and see the balance through the teams they are given.
        PermissionDef("dagsverk.fairness", _("See the fairness ledger (turned away, kinds of work by gender)"), ("leader", "social_worker")),
    ]


@hookimpl
def lavterskel_navigation(permissions: frozenset[str]) -> list[NavItem]:
    return [
        NavItem(_("Check-in"), "/dagsverk/checkin", order=10, permission="dagsverk.checkin"),
        NavItem(_("The draw"), "/dagsverk/draw", order=11, permission="dagsverk.screen"),
        NavItem(_("Teams"), "/dagsverk/teams", order=12, permission="dagsverk.teams"),
        NavItem(_("End of day"), "/dagsverk/end", order=13, permission="dagsverk.teams"),
        NavItem(_("Calendar"), "/dagsverk/calendar", order=14, permission="dagsverk.screen"),
        NavItem(_("Numbers for funders"), "/dagsverk/numbers", order=15, permission="dagsverk.numbers"),
        NavItem(_("Fairness"), "/dagsverk/fairness", order=16, permission="dagsverk.fairness"),
    ]


@hookimpl
def lavterskel_dashboard_panels(db: Session, permissions: frozenset[str], today: dt.date) -> list[Panel]:
    if "dagsverk.screen" not in permissions:
        return []
    site = cal.default_site(db)
    if site is None:
        return []
    day = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == today)).first()
    draw = active_draw(db, day) if day else None
    entered = (entrant_total(db, draw.id) if draw else entrant_count(db, day)) if day else 0
    ctx = {"day": day, "draw": draw, "entered": entered,
           "capacity": cal.capacity_for(db, day) if day else cal.setting(db, "dagsverk.capacity", today)}
    return [Panel(_("Dagsverket today"), "dagsverk_lottery/panel_dashboard.html", ctx, order=10)]


@hookimpl
def lavterskel_day_plan_refused(db: Session, day: ProgramDay) -> str | None:
    """A day whose draw is sealed or drawn keeps its opening and its places: the draw was
    made for them. Voiding the draw (with a reason) frees the day again."""
    if active_draw(db, day) is None:
        return None
    return str(_("The draw for this day is sealed or made. Void it before you close the day or change its places."))


@hookimpl
def lavterskel_participant_panels(db: Session, participant: Any, permissions: frozenset[str]) -> list[Panel]:
    if "days.view" not in permissions and "dagsverk.checkin" not in permissions:
        return []
    site = cal.default_site(db)
    data = person.summary(db, participant, site.id if site else None, today_in_oslo())
    return [Panel(_("Dagsverket: work and the draw"), "dagsverk_lottery/panel_person.html",
                  {"d": data, "participant": participant, "can_profile": "dagsverk.profiles" in permissions,
                   "can_verify": "dagsverk.screen" in permissions}, order=20)]


from plugins.dagsverk_lottery.report import report_sections, teams_today_panel, week_panel  # noqa: E402,F401  (report and dashboards)


@hookimpl
def lavterskel_cli_commands(cli: Any) -> None:
    cli.add_command(dagsverk)


@hookimpl
def lavterskel_demo_data(db: Session, organization: Any, context: Any) -> None:
    load(db, organization, context)
