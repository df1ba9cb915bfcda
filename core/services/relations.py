"""Need-to-know relations (a person's contact persons, and any a plugin keeps) are
granted, not taken.

A relation opens a person's notes to a colleague (see ``lavterskel_is_contact_person``),
so whoever could write their own id into it could read anyone's health history. Plugins
keep the relation in their own tables but change it only through :func:`change_relation`,
which is where the rule and the record live for all of them:

- giving or taking a relation needs :data:`APPOINT_PERMISSION` (leaders by default); in
  particular nobody appoints themselves without it;
- everyone named must be staff of the requester's organization;
- every grant and withdrawal is recorded (who appointed whom, for whose data, when) as an
  :class:`~core.models.AccessChange`, in the same transaction as the change itself.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from litestar.exceptions import PermissionDeniedException
from sqlalchemy.orm import Session

from core.db import utcnow
from core.i18n import gettext as _
from core.models import AccessChange, StaffUser
from core.services.staff import optional_member

APPOINT_PERMISSION = "relations.appoint"


class Appointer(Protocol):
    """The requester: a request's user (what the guards resolved)."""

    id: int
    full_name: str

    def can(self, permission: str) -> bool: ...


def change_relation(
    db: Session,
    user: Appointer,
    participant_id: int,
    relation: str,
    before: Mapping[str, int | None],
    after: Mapping[str, Any],
    *,
    source: str = "core",
) -> dict[str, int | None]:
    """Check and record a change to who holds ``relation`` to a person; return the new holders.

    ``before`` and ``after`` map the plugin's field names (``contact_person_1_id``...) to
    staff ids or None. Unchanged holders need nothing; any one added or removed needs
    :data:`APPOINT_PERMISSION`. The caller stores the returned ids and commits: this only
    adds the records and flushes, so the change and its record stand or fall together.

    :raises FormError: an id that is not a staff member of this organization (per field).
    :raises PermissionDeniedException: a change by someone without the permission.
    """
    clean = {field: optional_member(db, after.get(field), field) for field in after}
    old, new = {i for i in before.values() if i}, {i for i in clean.values() if i}
    granted, withdrawn = new - old, old - new
    if not granted and not withdrawn:
        return clean
    if not user.can(APPOINT_PERMISSION):
        raise PermissionDeniedException(_("Only a leader may appoint or remove contact persons."))
    org_id = db.info.get("organization_id")
    now = utcnow()
    for action, ids in (("grant", sorted(granted)), ("withdraw", sorted(withdrawn))):
        for staff_id in ids:
            staff = db.get(StaffUser, staff_id)
            db.add(AccessChange(
                organization_id=org_id, at=now, actor_id=user.id, actor_name=user.full_name[:200], action=action,
                what=relation[:120], subject_id=participant_id, staff_id=staff_id,
                staff_name=(staff.full_name if staff else "")[:200], source=source[:80],
            ))
    db.flush()
    return clean
