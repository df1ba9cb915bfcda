"""Organizations: which plugins they run, their sites, and their staff."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.models import Organization, OrganizationPlugin, Site, StaffUser
from core.services.auth import end_all_sessions


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


def add_site(db: Session, organization_id: int, name: str, address: str = "") -> Site:
    name = " ".join(name.split())
    if not name:
        raise FormError({"name": _("This field is required.")})
    if len(name) > 200 or len(address) > 300:
        raise FormError({"name": _("At most %(n)s characters.", n=200)})
    site = Site(organization_id=organization_id, name=name, address=" ".join(address.split()))
    db.add(site)
    db.commit()
    return site


def set_user_active(db: Session, user: StaffUser, active: bool) -> None:
    """Disabling a user also ends every session they have, at once."""
    user.is_active = active
    db.commit()
    if not active:
        end_all_sessions(db, user.id)
