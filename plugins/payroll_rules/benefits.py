"""Benefit status as a dated history, and the districts' approvals for social assistance."""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Participant
from plugins.payroll_rules.models import BenefitStatus, DistrictApproval


def record_status(db: Session, organization_id: int, participant_id: int, status: str, valid_from: dt.date, note: str,
                  staff_id: int | None) -> BenefitStatus:
    """Add a status from a date; a second entry on the same date replaces the first."""
    row = db.scalars(
        select(BenefitStatus).where(BenefitStatus.participant_id == participant_id, BenefitStatus.valid_from == valid_from)
    ).first()
    if row is None:
        row = BenefitStatus(organization_id=organization_id, participant_id=participant_id, valid_from=valid_from)
        db.add(row)
    row.status = status
    row.note = note
    row.recorded_by_id = staff_id
    db.commit()
    return row


def history(db: Session, participant_id: int) -> list[BenefitStatus]:
    return list(db.scalars(select(BenefitStatus).where(BenefitStatus.participant_id == participant_id).order_by(BenefitStatus.valid_from.desc())))


def approvals(db: Session, participant_id: int) -> list[DistrictApproval]:
    return list(
        db.scalars(select(DistrictApproval).where(DistrictApproval.participant_id == participant_id).order_by(DistrictApproval.valid_from.desc()))
    )


def statuses_on(db: Session, day: dt.date, only: str | None = None) -> list[tuple[Participant, str, DistrictApproval | None]]:
    """Every active participant's status on ``day`` and the approval covering it, by name;
    only those with status ``only`` when given."""
    people = db.scalars(select(Participant).where(Participant.active).order_by(Participant.last_name, Participant.first_name, Participant.id))
    timelines = Timelines(db, None)
    rows = []
    for p in people:
        status = timelines.status_on(p.id, day)
        if only is None or status == only:
            rows.append((p, status, timelines.approval_on(p.id, day)))
    return rows


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
