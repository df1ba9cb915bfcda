"""Permissions: what each role may do. Routes declare one permission each.

A route's ``opt`` carries ``permission`` (a name below or one a plugin declared through
``lavterskel_permissions``) or ``public=True``. The app refuses to start if a route
declares neither, so a new route cannot be reachable by accident.
"""
from __future__ import annotations

from collections.abc import Iterable

from core.classification import SPECIAL, Category
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
    PermissionDef("days.plan", _("Open and close days and set their places"), ("admin", "leader")),
    PermissionDef("reports.view", _("See reports for funders"), ("admin", "leader")),
    PermissionDef("org.admin", _("Change settings, staff and plugins"), ("admin",)),
    # Special-category data (GDPR art. 9). Marked sensitive: an organization can require a
    # second factor (TOTP) before any of these is used in a session.
    PermissionDef(
        "sensitive.contact",
        _("Read and write the special-category data of one's own people as their contact person"),
        ("leader", "work_leader", "social_worker"),
        sensitive=True,
    ),
    PermissionDef("consents.view", _("See consents and contacts with outside services"), ("leader", "social_worker"), sensitive=True),
    PermissionDef("consents.edit", _("Record consents and contacts with outside services"), ("leader", "social_worker"), sensitive=True),
    PermissionDef("privacy.export", _("Export everything about a person (GDPR)"), ("leader", "social_worker"), sensitive=True),
    PermissionDef("privacy.erase", _("Erase or anonymize a person (GDPR)"), ("leader",), sensitive=True),
    PermissionDef("access_log.view", _("Read the access log of sensitive data"), ("leader",), sensitive=True),
    # Granting access is a leader's decision (docs/security.md, "Who may grant what"): a
    # need-to-know relation opens a person's notes, a role opens everyone's.
    PermissionDef(
        "relations.appoint", _("Appoint and remove contact persons (need-to-know relations)"), ("leader",), sensitive=True
    ),
    PermissionDef(
        "access.confirm", _("Confirm roles and security settings an administrator asked for"), ("leader",), sensitive=True
    ),
    # One per special category of the classification (core/classification.py): whoever holds
    # it reads that category of everyone's data, wherever a column of that category is
    # shown (the core's and every plugin's, through core.services.disclosure). Without it,
    # only the need-to-know relations open a value: ``sensitive.contact`` for one's own
    # people as their contact person, or as the author of the record.
    *(
        PermissionDef(f"data.{c.value}", label, ("leader", "social_worker"), sensitive=True)
        for c, label in (
            (Category.HEALTH, _("Read everyone's health data (illness, absence reasons, adaptations)")),
            (Category.SUBSTANCE_USE, _("Read everyone's substance-use data (use, relapses)")),
            (Category.CONDUCT, _("Read everyone's incidents and conduct (sent home, breaches)")),
            (Category.SOCIAL, _("Read everyone's confidential circumstances (consents, meeting summaries)")),
            (Category.ASSESSMENT, _("Read everyone's assessment forms")),
        )
    ),
]

RELATION_PERMISSION = "sensitive.contact"
"""Opens a special-category value of one person through a need-to-know relation the core
evaluates (contact person, author of the record), never of everyone."""


def category_permission(category: Category | str) -> str:
    """The permission that reads ``category`` of everyone (``data.health``...)."""
    return f"data.{Category(category).value}"


def sensitive_permissions(defs: Iterable[PermissionDef]) -> frozenset[str]:
    """Permissions that reach special-category data (the core's and plugins' alike)."""
    return frozenset(d.name for d in defs if d.sensitive)


def permissions_for_roles(defs: Iterable[PermissionDef], roles: Iterable[str]) -> frozenset[str]:
    roles = set(roles)
    return frozenset(d.name for d in defs if roles.intersection(d.roles))


def role_matrix_markdown(defs: Iterable[PermissionDef], roles: Iterable[str] = ALL_STAFF) -> str:
    """The role matrix as a Markdown table (for docs/security.md; a test keeps them in step)."""
    roles = list(roles)
    lines = ["| permission | what it allows | " + " | ".join(roles) + " |", "|---|---|" + "---|" * len(roles)]
    for d in defs:
        marks = " | ".join("✔" if r in d.roles else "—" for r in roles)
        sensitive = " (sensitive)" if d.sensitive else ""
        lines.append(f"| `{d.name}`{sensitive} | {d.label} | {marks} |")
    return "\n".join(lines)


def category_matrix_markdown(defs: Iterable[PermissionDef], roles: Iterable[str] = ALL_STAFF) -> str:
    """Who reads which special category, as a Markdown table (for docs/security.md).

    ``everyone`` through the category's permission; ``own people`` only through the
    relation permission (their contact person, or the record's author); ``—`` never.
    """
    roles = list(roles)
    defs = list(defs)
    lines = ["| category | permission | " + " | ".join(roles) + " |", "|---|---|" + "---|" * len(roles)]
    relation = next((d for d in defs if d.name == RELATION_PERMISSION), None)
    for category in sorted(SPECIAL, key=lambda c: list(Category).index(c)):
        name = category_permission(category)
        d = next((x for x in defs if x.name == name), None)
        cells = []
        for r in roles:
            if d is not None and r in d.roles:
                cells.append("everyone")
            elif relation is not None and r in relation.roles:
                cells.append("own people")
            else:
                cells.append("—")
        lines.append(f"| {category.value} | `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
