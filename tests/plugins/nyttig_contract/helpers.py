"""Shared set-up for the Nyttig Arbeid tests: a person on the path, staff, departments."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core.models import Department, Participant
from plugins.nyttig_contract.eligibility import BUILTIN_CHECKS, run_screening
from plugins.nyttig_contract.phases import move, register_contact

ALL_YES = {"substance_main_problem": True, "nav_program": False, "physically_able": True, "wants_change": True,
           "housing_in_place": True, "economy_stable": True}
D0 = dt.date(2026, 1, 5)  # a Monday


def person(db: Session, org_id: int, *, birth: dt.date = dt.date(1980, 5, 1), first: str = "Kari") -> Participant:
    p = Participant(organization_id=org_id, first_name=first, last_name="Nordmann", birth_date=birth)
    db.add(p)
    db.flush()
    return p


def department(db: Session, org_id: int, name: str = "Kampen gjenbruksstasjon") -> Department:
    d = Department(organization_id=org_id, name=name, opened_on=dt.date(2015, 1, 1))
    db.add(d)
    db.commit()
    return d


def on_path(db: Session, org_id: int, by_id: int, **kw: Any) -> tuple[Participant, Any]:
    p = person(db, org_id, **kw)
    path = register_contact(db, org_id, p, D0, by_id, came_via="helper", helper_name="Ruskonsulent Hansen, Bydel Sagene")
    return p, path


def screened(db: Session, path: Any, p: Participant, by_id: int, answers: dict[str, Any] | None = None, **kw: Any) -> Any:
    return run_screening(db, BUILTIN_CHECKS, path, p, stage="screening", answers=answers or ALL_YES, on=D0, by_id=by_id, **kw)


class Appointer:
    """A leader as the relations service sees a requester (service-level tests have no request)."""

    def __init__(self, user: Any, permissions: frozenset[str] = frozenset({"relations.appoint"})) -> None:
        self.id, self.full_name, self.permissions = user.id, user.full_name, permissions

    def can(self, permission: str) -> bool:
        return permission in self.permissions
