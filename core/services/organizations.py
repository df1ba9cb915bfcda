"""Organizations: which plugins they run, their sites, and their staff."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import MAX_ID
from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.models import ROLES, Membership, Organization, OrganizationPlugin, Site, StaffUser
from core.services.auth import sign_out_everywhere

MIN_PASSWORD = 12
STAFF_FIELDS = [
    Field("username", required=True, max_length=80),
    Field("full_name", required=True),
    Field("password", required=True, max_length=200),
]


def set_plugin_enabled(db: Session, organization: Organization, plugin: str, enabled: bool, known: tuple[str, ...]) -> None:
    """Switch a plugin on or off for one organization. Switching off keeps its data."""
    if plugin not in known:
        raise FormError({"plugin": _("No such plugin.")})
    row = db.scalars(
        select(OrganizationPlugin).where(OrganizationPlugin.organization_id == organization.id, OrganizationPlugin.plugin == plugin)
    ).first()
    if row is None:
        db.add(OrganizationPlugin(organization_id=organization.id, plugin=plugin, enabled=enabled))
    else:
        row.enabled = enabled
    db.commit()


def add_site(db: Session, organization_id: int, name: Any, address: Any = "") -> Site:
    clean = validate([Field("name", required=True, max_length=200), Field("address", max_length=300)], {"name": name, "address": address})
    site = Site(organization_id=organization_id, name=clean["name"], address=clean["address"])
    db.add(site)
    db.commit()
    return site


def set_user_active(db: Session, user: StaffUser, active: bool) -> None:
    """Disabling a user also ends every session and revokes every API token they have, at
    once; enabling them again brings none back."""
    user.is_active = active
    db.commit()
    if not active:
        sign_out_everywhere(db, user.id)


def staff_of_organization(db: Session) -> list[StaffUser]:
    """Staff with a role in the session's organization (memberships are organization-scoped)."""
    return list(db.scalars(select(StaffUser).where(StaffUser.id.in_(select(Membership.user_id))).order_by(StaffUser.full_name)))


def staff_member(db: Session, user_id: int) -> StaffUser | None:
    """A staff user, if they hold a role in the session's organization; else None."""
    if not 1 <= user_id <= MAX_ID:
        return None
    if db.scalars(select(Membership.id).where(Membership.user_id == user_id)).first() is None:
        return None
    return db.get(StaffUser, user_id)


def validate_new_staff(db: Session, data: Mapping[str, Any], roles: Sequence[Any]) -> dict[str, Any]:
    """A new account's username, name, password and roles, checked; a FormError lists every problem.

    Accounts are made by :func:`core.services.access_requests.add_staff_or_request`, which
    sends a role that reaches sensitive data to a leader for confirmation first."""
    errors: dict[str, str] = {}
    try:
        clean = validate(STAFF_FIELDS, data)
    except FormError as exc:
        errors.update(exc.errors)
        clean = {}
    if not roles or any(not isinstance(r, str) or r not in ROLES for r in roles):
        errors["roles"] = _("Choose at least one role.") if not roles else _("Not one of the allowed choices.")
    if clean and len(clean["password"]) < MIN_PASSWORD:
        errors["password"] = _("At least %(n)s characters.", n=MIN_PASSWORD)
    if clean and db.scalars(select(StaffUser.id).where(StaffUser.username == clean["username"].lower())).first() is not None:
        errors["username"] = _("This username is taken.")
    if errors:
        raise FormError(errors)
    return {**clean, "username": clean["username"].strip().lower(), "roles": list(dict.fromkeys(roles))}


def set_staff_active(db: Session, actor_id: int, user: StaffUser, active: bool) -> StaffUser:
    """Enable or disable a colleague's account; nobody disables their own."""
    if user.id == actor_id:
        raise FormError({"__all__": _("You cannot disable your own account.")})
    set_user_active(db, user, active)
    return user
