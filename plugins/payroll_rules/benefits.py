"""Benefit status as a dated history, and the districts' approvals for social assistance."""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from plugins.payroll_rules.models import BENEFIT_STATUSES, BenefitStatus, DistrictApproval
from plugins.payroll_rules.rules import kroner_to_ore

STATUS_FIELDS = [
    Field("status", kind="choice", choices=BENEFIT_STATUSES, required=True),
    Field("valid_from", kind="date", required=True),
    Field("note", max_length=300),
]

APPROVAL_FIELDS = [
    Field("district", required=True, max_length=200),
    Field("decision_date", kind="date", required=True),
    Field("valid_from", kind="date", required=True),
    Field("valid_to", kind="date"),
    Field("cap", kind="decimal", min_value=Decimal(0), max_value=Decimal(1_000_000)),
    Field("note", max_length=300),
]


def record_status(db: Session, organization_id: int, participant_id: int, data: dict[str, Any], staff_id: int | None) -> BenefitStatus:
    """Add a status from a date; a second entry on the same date replaces the first."""
    clean = validate(STATUS_FIELDS, data)
    row = db.scalars(
        select(BenefitStatus).where(BenefitStatus.participant_id == participant_id, BenefitStatus.valid_from == clean["valid_from"])
    ).first()
    if row is None:
        row = BenefitStatus(organization_id=organization_id, participant_id=participant_id, valid_from=clean["valid_from"])
        db.add(row)
    row.status = clean["status"]
    row.note = clean["note"]
    row.recorded_by_id = staff_id
    db.commit()
    return row


def record_approval(db: Session, organization_id: int, participant_id: int, data: dict[str, Any], staff_id: int | None) -> DistrictApproval:
    clean = validate(APPROVAL_FIELDS, data)
    if clean["valid_to"] is not None and clean["valid_to"] < clean["valid_from"]:
        raise FormError({"valid_to": _("Must be on or after the start date.")})
    row = DistrictApproval(
        organization_id=organization_id, participant_id=participant_id, district=clean["district"],
        decision_date=clean["decision_date"], valid_from=clean["valid_from"], valid_to=clean["valid_to"],
        cap_ore=None if clean["cap"] is None else kroner_to_ore(clean["cap"]), note=clean["note"], recorded_by_id=staff_id,
    )
    db.add(row)
    db.commit()
    return row


def history(db: Session, participant_id: int) -> list[BenefitStatus]:
    return list(db.scalars(select(BenefitStatus).where(BenefitStatus.participant_id == participant_id).order_by(BenefitStatus.valid_from.desc())))


def approvals(db: Session, participant_id: int) -> list[DistrictApproval]:
    return list(
        db.scalars(select(DistrictApproval).where(DistrictApproval.participant_id == participant_id).order_by(DistrictApproval.valid_from.desc()))
    )


class Timelines:
    """Everyone's status and approvals loaded once, answered in memory (a month's run for
    500 people asks thousands of times)."""

    def __init__(self, db: Session, participant_ids: Iterable[int] | None = None) -> None:
        ids = None if participant_ids is None else list(set(participant_ids))
        stmt = select(BenefitStatus.participant_id, BenefitStatus.valid_from, BenefitStatus.status)
        astmt = select(DistrictApproval)
        if ids is not None and len(ids) <= 900:
            stmt = stmt.where(BenefitStatus.participant_id.in_(ids))
            astmt = astmt.where(DistrictApproval.participant_id.in_(ids))
        self._dates: dict[int, list[dt.date]] = defaultdict(list)
        self._statuses: dict[int, list[str]] = defaultdict(list)
        for pid, valid_from, status in db.execute(stmt.order_by(BenefitStatus.participant_id, BenefitStatus.valid_from)):
            self._dates[pid].append(valid_from)
            self._statuses[pid].append(status)
        self._approvals: dict[int, list[DistrictApproval]] = defaultdict(list)
        for a in db.scalars(astmt.order_by(DistrictApproval.valid_from, DistrictApproval.id)):
            self._approvals[a.participant_id].append(a)

    def status_on(self, participant_id: int, day: dt.date) -> str:
        dates = self._dates.get(participant_id)
        if not dates:
            return "none"
        i = bisect.bisect_right(dates, day)
        return self._statuses[participant_id][i - 1] if i else "none"

    def approval_on(self, participant_id: int, day: dt.date) -> DistrictApproval | None:
        """The latest-starting approval covering ``day`` (a renewal wins over the old one)."""
        found = None
        for a in self._approvals.get(participant_id, ()):
            if a.covers(day):
                found = a
        return found
