"""Departments: the core's Department (opened and closed on dates) plus Nyttig Arbeid's
profile of it — opening days, places and its work leaders."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import gettext as _
from core.models import Department
from core.services.staff import members_or_error
from plugins.nyttig_contract.models import DepartmentProfile, DepartmentWorkLeader


def save_department(db: Session, organization_id: int, department: Department | None, *, name: str, opened_on: dt.date | None,
                    closed_on: dt.date | None, opening_days: Sequence[int], places: int, description: str,
                    work_leader_ids: Sequence[int]) -> Department:
    """Create or change a department and its profile in one transaction."""
    if not name:
        raise FormError({"name": _("This field is required.")})
    if opened_on and closed_on and closed_on <= opened_on:
        raise FormError({"closed_on": _("A department closes after it opens.")})
    if any(not 0 <= d <= 6 for d in opening_days):
        raise FormError({"opening_days": _("Not one of the allowed choices.")})
    work_leader_ids = members_or_error(db, work_leader_ids, "work_leader_ids")
    if department is None:
        department = Department(organization_id=organization_id, name=name)
        db.add(department)
        db.flush()
    department.name, department.opened_on, department.closed_on = name, opened_on, closed_on
    profile = db.scalars(select(DepartmentProfile).where(DepartmentProfile.department_id == department.id)).first()
    if profile is None:
        profile = DepartmentProfile(organization_id=organization_id, department_id=department.id)
        db.add(profile)
    profile.opening_days = ",".join(str(d) for d in sorted(set(opening_days)))
    profile.places, profile.description = places, description
    db.execute(delete(DepartmentWorkLeader).where(DepartmentWorkLeader.department_id == department.id))
    for uid in sorted(set(work_leader_ids)):
        db.add(DepartmentWorkLeader(organization_id=organization_id, department_id=department.id, user_id=uid))
    db.commit()
    return department
