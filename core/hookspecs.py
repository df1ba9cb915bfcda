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
    from collections.abc import Sequence

    import click
    from sqlalchemy.orm import Session

    from core.contrib import DemoContext, NavItem, Panel, PayableWork, PermissionDef, ReportSection, SettingDef
    from core.models import Organization, Participant, ProgramDay, WorkOrder

hookspec = pluggy.HookspecMarker("lavterskel")


# ---------------------------------------------------------------------------------------
# Start-up (global)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_plugin_info() -> dict[str, Any]:
    """Describe the plugin for the administration page, where an organization switches plugins on.

    Global; called when the administration page is shown, once per loaded plugin.

    :returns: a dict with ``label`` and ``description`` (lazy translatable strings,
        ``core.i18n.lazy_gettext``). A plugin without this hook is listed by its name.

    All results are collected, one per plugin.
    """


@hookspec
def lavterskel_migration_location() -> tuple[str, str]:
    """Name the plugin's Alembic version directory.

    Global; called whenever migrations run (``lavterskel db upgrade``, ``lavterskel demo``,
    ``lavterskel db revision``). The plugin's first revision must carry
    ``branch_labels = ("<plugin>",)`` and ``depends_on`` the core revision it builds on
    (``core_0001``). Its tables are named ``<plugin>_...`` and listed in the package's
    ``TABLES``; the core refuses to start otherwise.

    :returns: ``(branch_label, absolute path of the versions directory)``.

    All results are collected; each directory is added to Alembic's ``version_locations``.
    """


@hookspec
def lavterskel_route_handlers() -> list[Any]:
    """Contribute Litestar controllers, routers or route handlers (HTML and API).

    Global; called once when the app is built (``core.web.app.create_app``). Each handler
    must declare the permission it needs in ``opt={"permission": "..."}`` (or
    ``"public": True``); the app refuses to start otherwise. The core mounts each plugin's
    handlers behind a guard so that they answer 404 for organizations that have not
    enabled the plugin. Use ``core.web.handlers.page_get``/``page_post``/``api_get``... so
    that synchronous handlers run in the thread pool.

    :returns: a list of handlers.

    All results are collected, per plugin (the core needs to know whose routes they are).
    """


@hookspec
def lavterskel_template_dirs() -> list[str]:
    """Add directories to the Jinja template search path.

    Global; called once when the app is built. Put templates under a folder named after the
    plugin (``templates/<plugin>/page.html``) so names never collide; the core's own
    templates come first, so a plugin cannot replace them by accident.

    :returns: a list of absolute paths.

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_locale_dirs() -> list[str]:
    """Add Babel catalogue directories (``<dir>/<locale>/LC_MESSAGES/messages.po``).

    Global; called once when the app is built. The built-in plugins keep their strings in
    the root ``locales/``; a third-party plugin ships its own, merged over the core's.

    :returns: a list of absolute paths.

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_permissions() -> list[PermissionDef]:
    """Declare the permissions the plugin's routes and panels use, and which roles hold them.

    Global; called once when the app is built. A route that needs a permission nobody
    declared stops the app from starting.

    :returns: a list of :class:`core.contrib.PermissionDef`.

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_settings() -> list[SettingDef]:
    """Declare the plugin's settings with their defaults.

    Global; called once when the app is built. A :class:`core.contrib.SettingDef` checks its
    ``kind`` when it is created, so a malformed declaration fails at load. Values are stored
    per organization and, when ``dated``, with a valid-from date; read them with
    :func:`core.services.settings.setting_on`, which falls back to the default.

    :returns: a list of :class:`core.contrib.SettingDef`; keys are prefixed with the plugin's
        short name (``dagsverk.capacity``).

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_cli_commands(cli: click.Group) -> None:
    """Add commands to the ``lavterskel`` command line.

    Global; called once when the CLI starts (``core.cli.main``), before the arguments are
    parsed.

    :param cli: the root click group; call ``cli.add_command``.
    :returns: nothing.

    Every implementation is called; return values are ignored.
    """


# ---------------------------------------------------------------------------------------
# Serving a request (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_navigation(organization: Organization, permissions: frozenset[str]) -> list[NavItem]:
    """Entries for the main navigation.

    Per organization; called for every HTML page a signed-in user sees, and only the
    implementations of plugins the user's organization has enabled are called. Each
    implementation is called on its own: one that raises is logged and left out.

    :param organization: the organization being served (``core.web.context.OrgInfo``:
        ``id``, ``slug``, ``name``, ``program_name``, ``enabled_plugins``).
    :param permissions: what the current user may do; entries whose ``permission`` the user
        lacks are dropped by the core as well.
    :returns: a list of :class:`core.contrib.NavItem`; the core sorts them by ``order``.

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_dashboard_panels(
    db: Session, organization: Organization, permissions: frozenset[str], today: Any
) -> list[Panel]:
    """Panels on the dashboard.

    Per organization; called when the dashboard (``/``) is shown, only for plugins the
    organization has enabled. Each implementation is called on its own: one that raises,
    or whose panel template raises, is replaced by a visible error box and logged; the rest
    of the dashboard still renders.

    :param db: the request's database session, scoped to the organization.
    :param organization: the organization being served (``core.web.context.OrgInfo``).
    :param permissions: what the current user may do; return only panels they may see.
    :param today: the date in Europe/Oslo.
    :returns: a list of :class:`core.contrib.Panel`; the core sorts them by ``order``.

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_participant_panels(
    db: Session, organization: Organization, participant: Participant, permissions: frozenset[str]
) -> list[Panel]:
    """Sections on a participant's page (rights, phase, pay, ...).

    Per organization; called when a participant's page is shown, only for plugins the
    organization has enabled. A raising implementation or template is shown as an error
    box and logged; the rest of the page still renders.

    :param db: the request's database session, scoped to the organization.
    :param organization: the organization being served (``core.web.context.OrgInfo``).
    :param participant: the :class:`core.models.Participant` being shown.
    :param permissions: what the current user may do; health and substance data only for
        those who need it.
    :returns: a list of :class:`core.contrib.Panel`; the core sorts them by ``order``.

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_report_sections(
    db: Session, organization: Organization, start: Any, end: Any, work: Sequence[PayableWork]
) -> list[ReportSection]:
    """Sections of the yearly report for the period ``[start, end]``.

    Per organization; called when a report is built, only for plugins the organization has
    enabled.

    :param db: a database session scoped to the organization.
    :param organization: the organization the report is for.
    :param start: the first day of the period (``datetime.date``).
    :param end: the last day of the period (``datetime.date``, inclusive).
    :param work: all work done in the period, from every enabled plugin's
        ``lavterskel_payable_work`` (worked shifts, approved timesheet lines), so a section
        can count the people who worked whatever the program's model. A read-only sequence
        (:class:`core.services.reports.PeriodWork`) that asks the plugins the first time a
        section uses it, once per report, so a report whose sections do not look at it
        does not pay for it. Five years can hold a hundred thousand items: a section that
        only counts should count in the database.
    :returns: a list of :class:`core.contrib.ReportSection`; the core sorts them by ``order``.
        Each declares which columns count people, which figures of a row are about its
        group, and every total its table shows (``sums``): a report made for sharing hides
        small groups from these declarations, with complementary suppression
        (:mod:`core.services.suppression`), the same for every plugin.

    All results are collected and concatenated.
    """


# ---------------------------------------------------------------------------------------
# Work and pay (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_payable_work(db: Session, organization: Organization, start: Any, end: Any) -> list[PayableWork]:
    """Work done in ``[start, end]`` (dates, inclusive) that a pay rule may turn into pay.

    Per organization; called by pay rules when pay for a period is worked out, only for
    plugins the organization has enabled. The core contributes worked shifts
    (``kind="day"``); a program plugin contributes its own sources, such as approved
    timesheet lines (``kind="hours"``). Each item names its source so every pay line can be
    traced back.

    :param db: a database session scoped to the organization.
    :param organization: the organization whose pay is worked out.
    :param start: the first day of the period (``datetime.date``).
    :param end: the last day of the period (``datetime.date``, inclusive).
    :returns: a list of :class:`core.contrib.PayableWork`.

    All results are collected and concatenated.
    """


@hookspec
def lavterskel_day_plan_refused(db: Session, organization: Any, day: ProgramDay) -> str | None:
    """Refuse opening or closing a program day, or changing its places, once the plugin
    has acted on the day as it stood.

    Per organization; called by ``core.services.days`` (the action ``days.plan``, reached
    from the core's pages, ``PATCH /api/v1/days/{day_id}`` and any program's calendar)
    before a stored day's ``is_open``, ``capacity`` or ``note`` is changed, only for plugins
    the organization has enabled, and only when the change would alter the day. Dagsverket
    refuses a day whose draw is sealed or drawn: its places and its entrants are fixed.

    :param db: the request's database session, scoped to the organization.
    :param organization: the organization being served (``id``, ``enabled_plugins``).
    :param day: the stored :class:`core.models.ProgramDay`, as it is before the change.
    :returns: a translated sentence saying why the day cannot be changed now (answered
        409 with it), or ``None`` to let the change through.

    All results are collected; any sentence refuses, and a plugin that raises refuses too.
    """


# ---------------------------------------------------------------------------------------
# Data (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_demo_data(db: Session, organization: Organization, context: DemoContext) -> None:
    """Add the plugin's demo data to an organization that enables it.

    Per organization; called by ``lavterskel demo`` for each demo organization, only for
    plugins it enables, after the core's demo rows (sites, staff, participants, customers,
    work orders) exist, inside the same transaction.

    :param db: a database session scoped to the organization; do not commit.
    :param organization: the :class:`core.models.Organization` being filled.
    :param context: a :class:`core.contrib.DemoContext`: the seeded random generator, staff
        by role, the site, and the chosen "today".
    :returns: nothing.

    Every implementation is called; return values are ignored.
    """


@hookspec
def lavterskel_work_order_changed(db: Session, organization: Organization, order: WorkOrder, old_status: str) -> None:
    """React to a work order moving from one status to another, or refuse the move.

    Per organization; called by the core's ``change_order_status`` (the only way a work
    order's status changes, from the page, the API or a plugin), only for plugins the
    order's organization enables, after the new status is set on ``order`` and before it is
    committed. An implementation that refuses the change raises
    :class:`core.forms.FormError` (keyed by ``status``); the core rolls the change back and
    the page or API shows the message. Nyttig Arbeid uses it so that no order is accepted
    before its two questions are answered.

    :param db: a database session scoped to the organization; do not commit.
    :param organization: the :class:`core.models.Organization` the order belongs to.
    :param order: the :class:`core.models.WorkOrder`, already carrying its new ``status``
        (and ``status_reason``, when one was given).
    :param old_status: the status it had before.
    :returns: nothing.

    Every implementation is called; return values are ignored. The first one that raises
    stops the change.
    """


# ---------------------------------------------------------------------------------------
# Pay rules (per organization)
# ---------------------------------------------------------------------------------------

if TYPE_CHECKING:  # pragma: no cover - for annotations only
    import datetime as dt

    from core.contrib import PayMarker, PayRule


@hookspec
def lavterskel_pay_rules(organization: Organization) -> list[PayRule]:
    """Offer pay rules: ways of turning :class:`core.contrib.PayableWork` into pay.

    Per organization: only enabled plugins are asked. The pay plugin implements the
    built-in flat day wage (``day_wage``) and hourly motivation wage (``hourly_wage``)
    itself; a program with another way of paying adds its own rule in its own plugin
    (and declares any rates it needs through ``lavterskel_settings``, dated). Which rules
    an organization uses is its ``payroll.rules`` setting; benefit status, caps and pay
    runs are applied after the rule, the same for every rule.

    Called when a pay run is computed or recomputed.

    :param organization: the organization whose pay is computed.
    :returns: a list of :class:`core.contrib.PayRule`. Results of all implementations are
        collected; when two offer the same ``key``, the first in call order wins.
    """


@hookspec
def lavterskel_pay_markers(db: Session, organization: Organization, participant_ids: list[int], day: dt.date) -> list[PayMarker]:
    """Say whose work will not be paid in full on ``day``, before anyone plans it.

    Per organization; called by pages that plan work or pay (a day's teams, a draw, a
    department plan), only for enabled plugins, to show "Unpaid (AAP)" or "Pay held" next
    to a name; the label names the effect, never the person's health or benefit details
    beyond it.

    :param db: the request's session, scoped to the organization.
    :param organization: the organization being served.
    :param participant_ids: the people on the page.
    :param day: the day being planned.
    :returns: a list of :class:`core.contrib.PayMarker`; all results are collected.
    """


# ---------------------------------------------------------------------------------------
# Privacy: sensitive data, GDPR rights (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_is_contact_person(db: Session, organization: Organization, staff_user_id: int, participant_id: int) -> bool | None:
    """Say whether a staff member is one of a participant's contact persons.

    Per organization; called before special-category data is shown or written to someone
    whose role holds the relation permission ``sensitive.contact`` but not the permission
    that opens it for everyone (``data.health``, ``data.conduct``...): every classified
    special-category column of the core (its intake and follow-up notes too) and of the
    plugins, decided through ``core.services.disclosure``. Contact
    persons may read the special-category data of their own people.
    The core has no contact persons of its own; a program plugin that has them (Nyttig
    Arbeid) answers here. All results are collected; any ``True`` grants access.

    :param db: the request's database session, scoped to the organization.
    :param organization: the organization being served.
    :param staff_user_id: the staff member asking.
    :param participant_id: the person whose data is asked for.
    :returns: ``True``, ``False`` or ``None`` ("not as far as this plugin knows").
    """


@hookspec
def lavterskel_participant_last_activity(db: Session, organization: Organization, participant: Participant) -> Any:
    """The last date the plugin saw the person active (a timesheet, a waiting-list contact).

    Per organization; called by the retention policy, which anonymizes people whose
    latest activity over the core and every plugin is older than the organization's
    retention period. All results are collected and the latest date is used.

    :param db: the database session, scoped to the organization.
    :param organization: the organization the person belongs to.
    :param participant: the person.
    :returns: a ``datetime.date`` or ``None``.
    """


# ---------------------------------------------------------------------------------------
# Recruitment: eligibility checks and document signing (per organization)
# ---------------------------------------------------------------------------------------


@hookspec
def lavterskel_eligibility_checks(organization: Any) -> list[Any]:
    """Eligibility checks for a program's candidates.

    Per organization; called when a candidate is screened before a first meeting, and
    again on the start date. All results are collected. A check is any object with
    ``key`` (str), ``label`` (lazy string), ``stages`` (a tuple of ``"screening"`` and/or
    ``"start"``) and ``evaluate(facts) -> (passed, explanation)``, where ``passed`` is
    True, False or None (not known) and ``facts`` carries ``participant``, ``answers``,
    ``stage``, ``check_date``, ``new_start`` and ``max_start_age``. When two checks share
    a key the one collected first is kept; the built-in checks are registered
    ``trylast``, so a plugin replaces one by returning a check with its key.

    :param organization: the organization screening the candidate.
    :returns: a list of checks.
    """


@hookspec
def lavterskel_eligibility_checks_off(organization: Any) -> list[str]:
    """Keys of eligibility checks an organization does not use.

    Per organization; called with :func:`lavterskel_eligibility_checks`. All results are
    collected and every key named is switched off.

    :param organization: the organization screening the candidate.
    :returns: a list of check keys.
    """


@hookspec
def lavterskel_signing_providers(organization: Any) -> list[Any]:
    """Ways to sign a participant's documents (employment contract, confidentiality).

    Per organization; called when the start checklist is shown and when a document is
    signed. All results are collected; the first provider of a key is kept. A provider
    has ``key``, ``label`` and ``sign(db, document, data, by_id)`` that marks the
    document signed (``status``, ``signed_on``, ``seen_by_id``, ``reference``) or raises
    :class:`core.forms.FormError`. The built-in provider records a signature on paper and
    the staff member who saw it; a BankID provider is one more plugin.

    :param organization: the organization the participant belongs to.
    :returns: a list of providers.
    """
