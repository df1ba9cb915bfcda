"""Program days, attendance, teams and shifts: the shared frame of a working day."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import get_scoped
from core.forms import FormError
from core.i18n import gettext as _
from core.models import SHIFT_OUTCOMES, Attendance, Membership, Participant, ProgramDay, Shift, Site, StaffUser, Team, WorkOrder
from core.services.staff import optional_member

WORK_LEADER_ROLES = ("work_leader", "leader")


def work_leader_choices(db: Session) -> list[StaffUser]:
    """Active staff who may lead a team, in the session's organization (memberships are scoped)."""
    ids = select(Membership.user_id).where(Membership.role.in_(WORK_LEADER_ROLES))
    return list(db.scalars(select(StaffUser).where(StaffUser.id.in_(ids), StaffUser.is_active).order_by(StaffUser.full_name)))


def program_day(db: Session, organization_id: int, site: Site, date: dt.date, *, create: bool = True) -> ProgramDay | None:
    """The day at a site, created open on first use."""
    day = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == date)).first()
    if day is None and create:
        day = ProgramDay(organization_id=organization_id, site_id=site.id, date=date, is_open=True)
        db.add(day)
        try:
            db.commit()
        except IntegrityError:  # another request created it first: use theirs
            db.rollback()
            day = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == date)).one()
    return day


def set_day_open(db: Session, day: ProgramDay, is_open: bool, note: str = "", capacity: int | None = None) -> ProgramDay:
    if capacity is not None and not (0 <= capacity <= 1000):
        raise FormError({"capacity": _("Must be at most %(n)s.", n=1000)})
    day.is_open = is_open
    day.note = " ".join(note.split())[:300]
    day.capacity = capacity
    db.commit()
    return day


def register_attendance(db: Session, day: ProgramDay, participant: Participant, staff_id: int | None) -> Attendance:
    """Register a person as present; registering twice returns the first registration."""
    if not day.is_open:
        raise FormError({"__all__": _("The program is closed on this day.")})
    existing = db.scalars(
        select(Attendance).where(Attendance.day_id == day.id, Attendance.participant_id == participant.id)
    ).first()
    if existing is not None:
        return existing
    row = Attendance(organization_id=day.organization_id, day_id=day.id, participant_id=participant.id, registered_by_id=staff_id)
    db.add(row)
    if participant.first_seen_on is None:
        participant.first_seen_on = day.date
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return db.scalars(
            select(Attendance).where(Attendance.day_id == day.id, Attendance.participant_id == participant.id)
        ).one()
    return row


def create_team(db: Session, day: ProgramDay, name: str, work_leader_id: int | None, order_ids: list[int]) -> Team:
    name = " ".join((name or "").split())
    if not name:
        raise FormError({"name": _("This field is required.")})
    if len(name) > 120:
        raise FormError({"name": _("At most %(n)s characters.", n=120)})
    work_leader_id = optional_member(db, work_leader_id, "work_leader_id")
    if work_leader_id is not None and work_leader_id not in {s.id for s in work_leader_choices(db)}:
        raise FormError({"work_leader_id": _("Choose a work leader or leader.")})
    orders = []
    for oid in dict.fromkeys(order_ids):  # the same order twice is once
        order = get_scoped(db, WorkOrder, oid)
        if order is None:
            raise FormError({"work_order_ids": _("No such record.")})
        orders.append(order)
    team = Team(organization_id=day.organization_id, day_id=day.id, name=name, work_leader_id=work_leader_id)
    team.work_orders = orders
    db.add(team)
    db.commit()
    return team


def assign_to_team(db: Session, day: ProgramDay, participant: Participant, team: Team | None) -> Shift:
    """Put a person on a team for the day (or off any team); one shift per person per day."""
    if team is not None and team.day_id != day.id:
        raise FormError({"team_id": _("The team belongs to another day.")})
    shift = db.scalars(select(Shift).where(Shift.day_id == day.id, Shift.participant_id == participant.id)).first()
    if shift is None:
        shift = Shift(organization_id=day.organization_id, day_id=day.id, participant_id=participant.id)
        db.add(shift)
    shift.team_id = team.id if team else None
    db.commit()
    return shift


def record_outcome(db: Session, shift: Shift, outcome: str, hours: Decimal | None) -> Shift:
    if outcome not in SHIFT_OUTCOMES:
        raise FormError({"outcome": _("Not one of the allowed choices.")})
    if hours is not None and not (Decimal(0) <= hours <= Decimal(24)):
        raise FormError({"hours": _("Must be at most %(n)s.", n=24)})
    if outcome == "no_show" and hours:
        # Hours are what pay is computed from: a no-show with hours would be paid.
        raise FormError({"hours": _("Someone who did not come has no hours.")})
    shift.outcome = outcome
    shift.hours = hours
    db.commit()
    return shift


def day_overview(db: Session, day: ProgramDay) -> dict[str, object]:
    attendance = list(db.scalars(select(Attendance).where(Attendance.day_id == day.id).order_by(Attendance.arrived_at)))
    teams = list(db.scalars(select(Team).where(Team.day_id == day.id).order_by(Team.name)))
    shifts = list(db.scalars(select(Shift).where(Shift.day_id == day.id)))
    return {"attendance": attendance, "teams": teams, "shifts": shifts, "unassigned": [s for s in shifts if s.team_id is None]}
