"""Every hook Lavterskel offers, in one place.

A plugin is a module or package registered under the ``lavterskel`` entry-point group
and named in the installation's allow-list (``LAVTERSKEL_PLUGINS``). It implements any of
the hooks below with ``@core.hookimpl``; an implementation may take fewer arguments than
the spec, so hooks can grow new arguments without breaking plugins.

Two kinds of hook:

* **global** hooks are called once at start-up for every loaded plugin (routes, tables,
  templates, CLI). What they contribute exists for every organization, but the core
  guards plugin routes so that an organization that has not enabled the plugin gets 404.
* **per-organization** hooks are called while serving one organization's request, and
  only the implementations of plugins that organization has enabled are called
  (``PluginManager.subset_hook_caller``). The core's own defaults are built-in plugins
  registered with ``trylast=True``, so a program plugin can come before them.

Unless a docstring says "first result wins", results of all implementations are
collected into a list, in pluggy's order (last registered first, ``tryfirst``/``trylast``
respected). The reference in ``docs/plugins.md`` is generated from these docstrings.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover - for annotations only
    import click
    from sqlalchemy.orm import Session

    from core.contrib import DemoContext, NavItem, Panel, PayableWork, PermissionDef, ReportSection, SettingDef
    from core.models import Organization, Participant

hookspec = pluggy.HookspecMarker("lavterskel")


# ---------------------------------------------------------------------------------------
# Start-up (global)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_plugin_info() -> dict[str, Any]:
    """Describe the plugin for the admin page and the plugin list.

    Global; called at start-up.

    :returns: a dict with ``label`` (a lazy translatable string) and ``description``.
    """


@hookspec
def lavterskel_migration_location() -> tuple[str, str]:
    """Name the plugin's Alembic version directory.

    Global; called when migrations run. The plugin's first revision must carry
    ``branch_labels = ("<plugin>",)`` and ``depends_on`` the core revision it builds on.
    Its tables are named ``<plugin>_...``; the core refuses to start otherwise.

    :returns: ``(branch_label, absolute path of the versions directory)``.
    """


@hookspec
def lavterskel_route_handlers() -> list[Any]:
    """Contribute Litestar controllers, routers or route handlers (HTML and API).

    Global; called once when the app is built. Each handler must declare the
    permission it needs in ``opt={"permission": "..."}`` (or ``"public": True``).
    The core wraps them so that they answer 404 for organizations that have not
    enabled the plugin.

    :returns: a list of handlers.
    """


@hookspec
def lavterskel_template_dirs() -> list[str]:
    """Add directories to the template search path.

    Global. Put templates under a folder named after the plugin
    (``templates/<plugin>/page.html``) so names never collide.

    :returns: a list of absolute paths.
    """


@hookspec
def lavterskel_locale_dirs() -> list[str]:
    """Add Babel catalogue directories (``<dir>/<locale>/LC_MESSAGES/messages.po``).

    Global. The built-in plugins keep their strings in the root ``locales/``; a
    third-party plugin ships its own and they are merged over the core's.

    :returns: a list of absolute paths.
    """


@hookspec
def lavterskel_permissions() -> list[PermissionDef]:
    """Declare permissions the plugin's routes use, and which roles hold them by default.

    Global; called at start-up.

    :returns: a list of :class:`core.contrib.PermissionDef`.
    """


@hookspec
def lavterskel_settings() -> list[SettingDef]:
    """Declare the plugin's settings with their defaults, validated at load.

    Global declaration; values are per organization and dated (see
    :func:`core.services.settings.setting_on`).

    :returns: a list of :class:`core.contrib.SettingDef`.
    """


@hookspec
def lavterskel_cli_commands(cli: click.Group) -> None:
    """Add commands to the ``lavterskel`` command line.

    Global; called when the CLI starts.

    :param cli: the root click group; call ``cli.add_command``.
    """


# ---------------------------------------------------------------------------------------
# Serving a request (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_navigation(organization: Organization, permissions: frozenset[str]) -> list[NavItem]:
    """Entries for the main navigation.

    Per organization: only enabled plugins are asked.

    :param organization: the organization being served.
    :param permissions: what the current user may do; return only entries they may use.
    :returns: a list of :class:`core.contrib.NavItem`; the core sorts them by ``order``.
    """


@hookspec
def lavterskel_dashboard_panels(
    db: Session, organization: Organization, permissions: frozenset[str], today: Any
) -> list[Panel]:
    """Panels on the dashboard.

    Per organization. A panel whose implementation raises is replaced by a visible
    error box and logged; the rest of the dashboard still renders.

    :param db: the request's database session, scoped to the organization.
    :param today: the date in Europe/Oslo.
    :returns: a list of :class:`core.contrib.Panel`.
    """


@hookspec
def lavterskel_participant_panels(
    db: Session, organization: Organization, participant: Participant, permissions: frozenset[str]
) -> list[Panel]:
    """Sections on a participant's page (rights, phase, pay, ...).

    Per organization; a raising implementation is shown as an error box.

    :returns: a list of :class:`core.contrib.Panel`.
    """


@hookspec
def lavterskel_report_sections(db: Session, organization: Organization, start: Any, end: Any) -> list[ReportSection]:
    """Sections of the yearly report for the period ``[start, end]``.

    Per organization.

    :returns: a list of :class:`core.contrib.ReportSection`.
    """


# ---------------------------------------------------------------------------------------
# Work and pay (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_payable_work(db: Session, organization: Organization, start: Any, end: Any) -> list[PayableWork]:
    """Work done in ``[start, end]`` (dates, inclusive) that a pay rule may turn into pay.

    Per organization. The core contributes worked shifts (``kind="day"``); a program
    plugin contributes its own sources, such as approved timesheet lines
    (``kind="hours"``). Each item names its source so every pay line can be traced back.

    :returns: a list of :class:`core.contrib.PayableWork`.
    """


# ---------------------------------------------------------------------------------------
# Data (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_demo_data(db: Session, organization: Organization, context: DemoContext) -> None:
    """Add the plugin's demo data to an organization that enables it.

    Per organization; called by ``lavterskel demo`` after the core's demo rows
    (sites, staff, participants, customers, work orders) exist, inside the same
    transaction.

    :param context: the demo's random generator, staff by role, and the chosen "today".
    """
