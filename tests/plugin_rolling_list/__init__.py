"""A small program plugin that lives in tests/, to prove a new program needs no core edit.

It models the COVID-time "rolling list": instead of a lottery, people take turns from a
list, and whoever is at the top gets the next place. It adds a table with its own
migration, a page, a navigation entry, permissions, a dashboard panel, a participant
panel, a dated setting, a report section, demo data and a CLI command: one of each kind
of contribution, so the tests and docs/plugins.md can show every hook on a real plugin.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import click
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from sqlalchemy import Date, ForeignKey, Integer, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core import hookimpl
from core.classification import Category, personal
from core.contrib import DemoContext, NavItem, Panel, PermissionDef, ReportSection, SettingDef
from core.db import Base, OrgScoped
from core.forms import Field, FormError, validate
from core.i18n import lazy_gettext as _
from core.i18n import today
from core.models import Participant
from core.services.settings import setting_on
from core.web.context import app_context
from core.web.handlers import form_data, get_or_404, page_get, page_post, redirect
from core.web.templating import render

HERE = Path(__file__).resolve().parent
TABLES = ("rolling_list_entry",)


class RollingListEntry(OrgScoped, Base):
    __tablename__ = "rolling_list_entry"
    __label__ = _("Place on the rolling list")

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    # A person's place in the queue for work, like the lottery's results: work data,
    # deleted with the person (the list only matters while they wait).
    position: Mapped[int] = mapped_column(Integer, info=personal(Category.WORK))
    added_on: Mapped[dt.date] = mapped_column(Date, info=personal(Category.WORK))


Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


@page_get("/rolling-list", opt={"permission": "rolling_list.view"}, name="rolling_list.index")
def rolling_list_page(request: Request[Any, Any, Any], db: Session) -> Any:
    entries = list(db.scalars(select(RollingListEntry).order_by(RollingListEntry.position)))
    people = {p.id: p for p in db.scalars(select(Participant))}
    places = setting_on(db, app_context(request).setting_defs, "rolling_list.places", today())
    return render(request, "rolling_list/index.html", entries=entries, people=people, places=places, errors={})


@page_post("/rolling-list", opt={"permission": "rolling_list.edit"})
def add_to_rolling_list(request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
    try:
        clean = validate([Field("participant_id", kind="ref", required=True)], form_data(data))
    except FormError:
        return redirect("/rolling-list")
    person = get_or_404(db, Participant, clean["participant_id"])
    last = db.scalar(select(func.max(RollingListEntry.position))) or 0
    db.add(RollingListEntry(organization_id=person.organization_id, participant_id=person.id, position=last + 1, added_on=dt.date.today()))
    db.commit()
    return redirect("/rolling-list")


@hookimpl
def lavterskel_plugin_info() -> dict[str, Any]:
    return {"label": _("Rolling list"), "description": _("Take turns from a list instead of a lottery.")}


@hookimpl
def lavterskel_route_handlers() -> list[Any]:
    return [rolling_list_page, add_to_rolling_list]


@hookimpl
def lavterskel_template_dirs() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def lavterskel_locale_dirs() -> list[str]:
    return [str(HERE / "locales")]


@hookimpl
def lavterskel_migration_location() -> tuple[str, str]:
    return ("rolling_list", str(HERE / "migrations"))


@hookimpl
def lavterskel_permissions() -> list[PermissionDef]:
    return [
        PermissionDef("rolling_list.view", _("See the rolling list"), ("admin", "leader", "work_leader")),
        PermissionDef("rolling_list.edit", _("Change the rolling list"), ("admin", "leader", "work_leader")),
    ]


@hookimpl
def lavterskel_navigation(permissions: frozenset[str]) -> list[NavItem]:
    return [NavItem(_("Rolling list"), "/rolling-list", order=50, permission="rolling_list.view")]


@hookimpl
def lavterskel_dashboard_panels(db: Session, permissions: frozenset[str]) -> list[Panel]:
    if "rolling_list.view" not in permissions:
        return []
    count = db.scalar(select(func.count()).select_from(RollingListEntry)) or 0
    return [Panel(_("Rolling list"), "rolling_list/panel.html", {"count": count}, order=50)]


@hookimpl
def lavterskel_participant_panels(db: Session, participant: Participant, permissions: frozenset[str]) -> list[Panel]:
    if "rolling_list.view" not in permissions:
        return []
    entry = db.scalars(select(RollingListEntry).where(RollingListEntry.participant_id == participant.id)).first()
    if entry is None:
        return []
    return [Panel(_("Rolling list"), "rolling_list/participant_panel.html", {"entry": entry}, order=50)]


@hookimpl
def lavterskel_settings() -> list[SettingDef]:
    # Under COVID Dagsverket took 15 a day; dated, like every capacity.
    return [SettingDef("rolling_list.places", _("Places taken from the rolling list each day"), 15, kind="int", dated=True)]


@hookimpl
def lavterskel_report_sections(db: Session, start: dt.date, end: dt.date) -> list[ReportSection]:
    added = db.scalar(
        select(func.count()).select_from(RollingListEntry).where(RollingListEntry.added_on >= start, RollingListEntry.added_on <= end)
    ) or 0
    return [ReportSection("rolling_list.added", _("Rolling list"), [_("People added to the list")], [[added]], order=50)]


@hookimpl
def lavterskel_demo_data(db: Session, organization: Any, context: DemoContext) -> None:
    people = list(db.scalars(select(Participant).where(Participant.active).order_by(Participant.id).limit(10)))
    for position, person in enumerate(people, start=1):
        db.add(RollingListEntry(organization_id=organization.id, participant_id=person.id, position=position, added_on=context.today))


@hookimpl
def lavterskel_cli_commands(cli: click.Group) -> None:
    cli.add_command(rolling_list_command)


@click.command("rolling-list")
@click.argument("organization")
def rolling_list_command(organization: str) -> None:
    """Print ORGANIZATION's rolling list (its slug), top first."""
    from core.config import load_settings
    from core.db import make_engine, make_session_factory, scoped_session
    from core.models import Organization

    settings = load_settings()
    engine = make_engine(settings.database.url)
    try:
        with scoped_session(make_session_factory(engine), None) as db:
            org = db.scalars(select(Organization).where(Organization.slug == organization)).first()
            if org is None:
                raise click.ClickException(f"no organization with slug {organization!r}")
            db.info["organization_id"] = org.id
            rows = db.execute(
                select(RollingListEntry.position, Participant.first_name)
                .join(Participant, Participant.id == RollingListEntry.participant_id)
                .order_by(RollingListEntry.position)
            ).all()
            for position, name in rows:
                click.echo(f"{position}. {name}")
            click.echo(f"{len(rows)} on the list")
    finally:
        engine.dispose()
