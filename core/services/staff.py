"""Staff ids taken from a form or a request: one check, for the core and every plugin.

A staff id names a colleague in a meeting, an incident, a team, a department or a
need-to-know relation. Only staff with a role in the requester's organization may be
named: an id of another organization's staff, an unknown one or a malformed one is the
same translated form error (a 4xx), never stored, and never answered with a name.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.models import StaffUser
from core.services.organizations import staff_member


def member_or_error(db: Session, staff_id: Any, field: str = "staff_id") -> StaffUser:
    """The staff member ``staff_id`` of the session's organization, or a FormError on ``field``."""
    user = staff_member(db, staff_id) if isinstance(staff_id, int) and not isinstance(staff_id, bool) else None
    if user is None:
        raise FormError({field: _("No such staff member in this organization.")})
    return user


def optional_member(db: Session, staff_id: Any, field: str) -> int | None:
    """``None`` stays ``None`` (nobody chosen); anything else must be a member."""
    return None if staff_id is None else member_or_error(db, staff_id, field).id


def members_or_error(db: Session, staff_ids: Iterable[Any], field: str) -> list[int]:
    """Every id a member, in the order given, without repeats."""
    return list(dict.fromkeys(member_or_error(db, i, field).id for i in staff_ids))
