"""The core's privacy defaults: settings, navigation, the participant panel and the
retention command, written as a built-in plugin like the rest of the core's defaults."""
from __future__ import annotations

import datetime as dt
from typing import Any

import click
from sqlalchemy.orm import Session

from core.contrib import NavItem, Panel, SettingDef
from core.i18n import lazy_gettext as _
from core.models import Participant
from core.plugins import hookimpl
from core.services.privacy import RETENTION_YEARS_DEFAULT

REQUIRE_TOTP = "privacy.require_totp"
RETENTION_YEARS = "privacy.retention_years"
SETTINGS = [
    SettingDef(REQUIRE_TOTP, _("Require two-factor sign-in (TOTP) for roles that see sensitive data"), False, kind="bool"),
    SettingDef(RETENTION_YEARS, _("Anonymize people after this many years without activity"), RETENTION_YEARS_DEFAULT, kind="int"),
]


@hookimpl(trylast=True)
def lavterskel_settings() -> list[SettingDef]:
    return SETTINGS


@hookimpl(trylast=True)
def lavterskel_navigation() -> list[NavItem]:
    return [
        NavItem(_("Access log"), "/access-log", order=850, permission="access_log.view"),
        NavItem(_("Access requests"), "/access-requests", order=860, permission="access.confirm"),
    ]


@hookimpl(trylast=True)
def lavterskel_participant_panels(db: Session, participant: Participant, permissions: frozenset[str]) -> list[Panel]:
    from core.services.privacy import is_erased

    links = {
        "sensitive": "sensitive.contact" in permissions,
        "consents": "consents.view" in permissions,
        "export": "privacy.export" in permissions,
        "erase": "privacy.erase" in permissions,
        "access_log": "access_log.view" in permissions,
    }
    if not any(links.values()):
        return []
    return [
        Panel(
            _("Privacy and sensitive data"),
            "panels/privacy.html",
            {"participant": participant, "links": links, "erased": is_erased(db, participant.id)},
            order=50,
        )
    ]


@hookimpl(trylast=True)
def lavterskel_cli_commands(cli: click.Group) -> None:
    cli.add_command(privacy)


@click.group()
def privacy() -> None:
    """Privacy: the retention policy."""


@privacy.command("retention")
@click.option("--organization", "slug", default=None, help="Only this organization (its slug); default all.")
@click.option("--apply", "do_apply", is_flag=True, help="Anonymize them. Without it, a dry run that only lists who would be affected.")
@click.option("--today", "today_s", default=None, help="Pretend today is this date (YYYY-MM-DD); for checking the policy.")
def retention(slug: str | None, do_apply: bool, today_s: str | None) -> None:
    """List (or, with --apply, anonymize) people inactive longer than the retention period."""
    from sqlalchemy import select

    from core.config import load_settings
    from core.db import make_engine, make_session_factory, scoped_session
    from core.i18n import today as oslo_today
    from core.models import Organization
    from core.plugins import build_plugin_manager
    from core.services import privacy as svc
    from core.services.settings import setting_on

    settings = load_settings()
    plugins = build_plugin_manager(settings.plugins.allowed)
    defs = {d.key: d for r in plugins.hook.lavterskel_settings() for d in (r or [])}
    factory = make_session_factory(make_engine(settings.database.url))
    today = dt.date.fromisoformat(today_s) if today_s else oslo_today()
    with scoped_session(factory, None) as db:
        stmt = select(Organization).order_by(Organization.slug)
        if slug:
            stmt = stmt.where(Organization.slug == slug)
        orgs = list(db.scalars(stmt))
    if slug and not orgs:
        raise click.ClickException(f"no organization with slug {slug!r}")
    total = 0
    for org in orgs:
        with scoped_session(factory, org.id) as db:
            years = int(setting_on(db, defs, RETENTION_YEARS))
            fn: Any = svc.apply_retention if do_apply else svc.retention_candidates
            found = fn(db, plugins, org, years, today)
        verb = "anonymized" if do_apply else "would be anonymized"
        click.echo(f"{org.slug}: {len(found)} {verb} (no activity in {years} years)")
        for c in found:
            last = c.last_activity.isoformat() if c.last_activity else "never"
            click.echo(f"  #{c.participant_id:<6} last activity {last:<10}  {c.name}")
        total += len(found)
    if not do_apply:
        click.echo(f"dry run: nothing was changed ({total} in all). Run again with --apply to anonymize.")
