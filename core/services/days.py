"""Program days, attendance, teams and shifts: the shared frame of a working day.

The plain functions (``program_day``, ``register_attendance``...) work on rows and are what
the program plugins build on; the actions below them (``create_day``, ``plan_day``...) are
what staff do through the pages and the API, each with its typed input, its permission and
every rule it enforces.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from msgspec import Meta
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.actions import Caller, Input, action
from core.api_types import Date, DayId, ParticipantId, SiteId, TeamId
from core.db import as_utc, get_scoped
from core.forms import INT_MAX, Field, FormError, validate
from core.i18n import gettext as _
from core.models import SHIFT_OUTCOMES, Attendance, Membership, Participant, ProgramDay, Shift, Site, StaffUser, Team, WorkOrder
from core.services.staff import optional_member

TEAM_LEADER_ROLES = ("work_leader", "leader")
"""Who may lead a team: the one rule, for the core's teams and every plugin's team builder."""


def work_leader_choices(db: Session) -> list[StaffUser]:
    """Active staff who may lead a team, in the session's organization (memberships are scoped)."""
    ids = select(Membership.user_id).where(Membership.role.in_(TEAM_LEADER_ROLES))
    return list(db.scalars(select(StaffUser).where(StaffUser.id.in_(ids), StaffUser.is_active).order_by(StaffUser.full_name)))


def may_lead_teams(db: Session, staff_ids: list[int], field: str) -> list[int]:
    """``staff_ids`` (members of the organization, see ``core.services.staff``) if every one
    may lead a team, else a :class:`FormError` on ``field``."""
    allowed = {s.id for s in work_leader_choices(db)}
    if any(i not in allowed for i in staff_ids):
        raise FormError({field: _("Choose a work leader or leader.")})
    return staff_ids


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


def remove_attendance(db: Session, day: ProgramDay, participant_id: int) -> bool:
    """Take back a registration made by mistake: the person's attendance that day goes,
    and their first day becomes what it was before (their earliest other day present, or
    none). Someone with a shift that day is refused (409): they worked, or are on a team.
    Flushes only, so the caller's other changes go in the same transaction; returns
    whether there was an attendance to remove."""
    if db.scalars(select(Shift.id).where(Shift.day_id == day.id, Shift.participant_id == participant_id)).first() is not None:
        raise ClientException(status_code=409, extra={"__all__": _("This person has a shift this day: take them off the team first.")})
    row = db.scalars(select(Attendance).where(Attendance.day_id == day.id, Attendance.participant_id == participant_id)).first()
    if row is None:
        return False
    db.delete(row)
    db.flush()
    person = db.get(Participant, participant_id)
    if person is not None and person.first_seen_on == day.date:
        person.first_seen_on = db.scalar(
            select(func.min(ProgramDay.date)).select_from(Attendance).join(ProgramDay, Attendance.day_id == ProgramDay.id)
            .where(Attendance.participant_id == participant_id)
        )
        db.flush()
    return True


def create_team(db: Session, day: ProgramDay, name: str, work_leader_id: int | None, order_ids: list[int]) -> Team:
    name = " ".join((name or "").split())
    if not name:
        raise FormError({"name": _("This field is required.")})
    if len(name) > 120:
        raise FormError({"name": _("At most %(n)s characters.", n=120)})
    work_leader_id = optional_member(db, work_leader_id, "work_leader_id")
    if work_leader_id is not None:
        may_lead_teams(db, [work_leader_id], "work_leader_id")
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


# --- The actions staff take on a day (page and API) --------------------------------------

ShiftOutcome = Annotated[str, Meta(description="How the shift went: " + ", ".join(SHIFT_OUTCOMES) + ".", examples=["worked"])]
assert SHIFT_OUTCOMES == ("planned", "worked", "left_early", "sent_home", "no_show"), "keep ShiftOutcomeIn's choices in step"


class DayOut(msgspec.Struct):
    id: DayId
    site_id: SiteId
    date: Annotated[dt.date, Meta(description="The day's date (Europe/Oslo).", examples=["2026-12-03"])]
    is_open: Annotated[bool, Meta(description="Whether the program is open this day.")]
    capacity: Annotated[int | None, Meta(description="Places set for this day; null: the organization's setting for the date.")]
    note: Annotated[str, Meta(description="Why the day is closed or otherwise special.")]


class DayList(msgspec.Struct):
    items: Annotated[list[DayOut], Meta(description="The days, by date (at most 1000).")]


class AttendanceOut(msgspec.Struct):
    participant_id: ParticipantId
    day_id: DayId
    arrived_at: Annotated[dt.datetime, Meta(description="When the person was registered, RFC 3339.")]


class TeamOut(msgspec.Struct):
    id: TeamId
    name: Annotated[str, Meta(description="The team's name.")]
    work_leader_id: Annotated[int | None, Meta(description="The staff member leading the team, if any.")]
    locked: Annotated[bool, Meta(description="Whether a new suggestion leaves the team as it is.")]
    work_order_ids: Annotated[list[int], Meta(description="The work orders the team works on.")]


class ShiftOut(msgspec.Struct):
    id: Annotated[int, Meta(description="The shift's id.")]
    participant_id: ParticipantId
    team_id: Annotated[int | None, Meta(description="The person's team; null: present but on no team.")]
    outcome: ShiftOutcome
    hours: Annotated[Annotated[str, Meta(max_length=20)] | None, Meta(description="Hours worked, a decimal string; null when not recorded.")]


class DayDetail(msgspec.Struct):
    id: DayId
    site_id: SiteId
    date: Annotated[dt.date, Meta(description="The day's date (Europe/Oslo).")]
    is_open: Annotated[bool, Meta(description="Whether the program is open this day.")]
    capacity: Annotated[int | None, Meta(description="Places set for this day; null: the organization's setting for the date.")]
    note: Annotated[str, Meta(description="Why the day is closed or otherwise special.")]
    attendance: Annotated[list[AttendanceOut], Meta(description="Who came, in the order they were registered.")]
    teams: Annotated[list[TeamOut], Meta(description="The day's teams, by name.")]
    shifts: Annotated[list[ShiftOut], Meta(description="Who is on which team and how it went.")]


def day_out(day: ProgramDay) -> DayOut:
    return DayOut(id=day.id, site_id=day.site_id, date=day.date, is_open=day.is_open, capacity=day.capacity, note=day.note)


def attendance_out(row: Attendance) -> AttendanceOut:
    return AttendanceOut(participant_id=row.participant_id, day_id=row.day_id, arrived_at=as_utc(row.arrived_at))


def team_out(team: Team) -> TeamOut:
    return TeamOut(id=team.id, name=team.name, work_leader_id=team.work_leader_id, locked=team.locked,
                   work_order_ids=[o.id for o in team.work_orders])


def shift_out(shift: Shift) -> ShiftOut:
    return ShiftOut(id=shift.id, participant_id=shift.participant_id, team_id=shift.team_id, outcome=shift.outcome, hours=shift.hours)


def list_days(db: Session, site_id: int | None, date_from: dt.date | None, date_to: dt.date | None) -> DayList:
    """The stored days, by date: how an integrator gets from a site and a date to a day's id."""
    stmt = select(ProgramDay)
    if site_id is not None:
        stmt = stmt.where(ProgramDay.site_id == site_id)
    if date_from is not None:
        stmt = stmt.where(ProgramDay.date >= date_from)
    if date_to is not None:
        stmt = stmt.where(ProgramDay.date <= date_to)
    return DayList(items=[day_out(d) for d in db.scalars(stmt.order_by(ProgramDay.date, ProgramDay.site_id).limit(1000))])


def day_detail(db: Session, day: ProgramDay) -> DayDetail:
    o = day_overview(db, day)
    return DayDetail(
        **msgspec.structs.asdict(day_out(day)),
        attendance=[attendance_out(a) for a in o["attendance"]],  # type: ignore[attr-defined]
        teams=[team_out(t) for t in o["teams"]],  # type: ignore[attr-defined]
        shifts=[shift_out(s) for s in o["shifts"]],  # type: ignore[attr-defined]
    )


def stored_day(caller: Caller, day_id: int) -> ProgramDay:
    """The organization's day by id, or 404."""
    day = get_scoped(caller.db, ProgramDay, day_id)
    if day is None:
        raise NotFoundException()
    return day


class DayPlan(Input):
    """What planning a day may change; a field not sent is left as it is."""

    is_open: Annotated[bool | msgspec.UnsetType, Meta(description="Open (true) or closed (false).")] = msgspec.UNSET
    capacity: Annotated[Annotated[int, Meta(ge=0, le=1000)] | None | msgspec.UnsetType, Meta(description="Places in the day's work (Dagsverket: in its draw), 0 to 1000; null uses the organization's setting for the date.", examples=[23])] = msgspec.UNSET
    note: Annotated[Annotated[str, Meta(max_length=300)] | msgspec.UnsetType, Meta(description="Why the day is closed or otherwise special, shown in the calendar.", examples=["Stengt: planleggingsdag"])] = msgspec.UNSET


class NewDay(DayPlan, kw_only=True):
    """A day at a site; with ``is_open``, ``capacity`` or ``note`` it is planned too."""

    site_id: SiteId
    date: Date


def _changes(day: ProgramDay, plan: DayPlan) -> dict[str, object]:
    wanted: dict[str, object] = {}
    if plan.is_open is not msgspec.UNSET:
        wanted["is_open"] = plan.is_open
    if plan.capacity is not msgspec.UNSET:
        wanted["capacity"] = plan.capacity
    if plan.note is not msgspec.UNSET:
        wanted["note"] = " ".join(str(plan.note).split())[:300]
    return {k: v for k, v in wanted.items() if getattr(day, k) != v}


def _may_plan(caller: Caller, day: ProgramDay) -> None:
    """The permission to plan, and every enabled plugin's word on a day it has acted on."""
    if not caller.user.can(PLAN_PERMISSION):
        raise PermissionDeniedException()
    if day.id is None:
        return  # a day not stored yet: no plugin has acted on it
    for _plugin, reason, error in caller.plugins.call_each(
        "lavterskel_day_plan_refused", caller.user.organization.enabled_plugins,
        db=caller.db, organization=caller.user.organization, day=day,
    ):
        if error is not None:  # a plugin that cannot say must not let the change through
            raise ClientException(status_code=409, extra={"__all__": _("The day could not be checked. Try again.")})
        if reason:
            raise ClientException(status_code=409, extra={"__all__": str(reason)})


PLAN_PERMISSION = "days.plan"


@action("days.plan", permission=PLAN_PERMISSION, summary="Open or close a day, set its places",
        description="Changes the fields sent: `is_open`, `capacity` (places; null uses the organization's dated "
                    "setting), `note`. The one way to plan a day, for the core's pages, the API and Dagsverket's "
                    "calendar. A program that has acted on the day may refuse: Dagsverket refuses a day whose draw "
                    "is sealed or drawn (409) until that draw is voided. Sending the values the day already has "
                    "changes nothing and is never refused.")
def plan_day(caller: Caller, day_id: int, data: DayPlan) -> DayOut:
    return day_out(plan_stored_day(caller, stored_day(caller, day_id), data))


def plan_stored_day(caller: Caller, day: ProgramDay, data: DayPlan) -> ProgramDay:
    """:func:`plan_day` on a day already found (a page that found it by its date)."""
    changes = _changes(day, data)
    if not changes:
        return day
    _may_plan(caller, day)
    for key, value in changes.items():
        setattr(day, key, value)
    caller.db.commit()
    return day


@action("days.create", permission="days.edit", summary="Create a day at a site (or find it)",
        description="Answers the site's day on `date`, creating it open if it is not stored. With `is_open`, "
                    "`capacity` or `note` the day is planned as by `PATCH /api/v1/days/{day_id}` (permission "
                    "`days.plan`; refused before anything is created). An unknown `site_id` is 422.")
def create_day(caller: Caller, data: NewDay) -> DayOut:
    db = caller.db
    site = get_scoped(db, Site, data.site_id)
    if site is None:
        raise FormError({"site_id": _("No such record.")})
    day = db.scalars(select(ProgramDay).where(ProgramDay.site_id == site.id, ProgramDay.date == data.date)).first()
    new = day is None
    if day is None:
        day = ProgramDay(organization_id=caller.organization_id, site_id=site.id, date=data.date, is_open=True, capacity=None, note="")
    if _changes(day, data):
        _may_plan(caller, day)  # before the day is stored: a refused plan creates nothing
    if new:
        stored = program_day(db, caller.organization_id, site, data.date)
        assert stored is not None
        day = stored
    return day_out(plan_stored_day(caller, day, data))


class NewAttendance(Input):
    participant_id: ParticipantId


@action("days.register_attendance", permission="days.edit", summary="Register a person as present",
        description="Registers the participant as present on the day. Registering twice answers the first "
                    "registration. A closed day refuses (422); an unknown participant is 404.")
def record_attendance(caller: Caller, day_id: int, data: NewAttendance) -> AttendanceOut:
    day = stored_day(caller, day_id)
    person = get_scoped(caller.db, Participant, data.participant_id)
    if person is None:
        raise NotFoundException()
    return attendance_out(register_attendance(caller.db, day, person, caller.user.id))


class NewTeam(Input):
    name: Annotated[str, Meta(min_length=1, max_length=120, pattern=r"\S", description="The team's name.", examples=["Vedbua"])]
    work_leader_id: Annotated[Annotated[int, Meta(ge=1, le=INT_MAX)] | None, Meta(description="Who leads the team: a work leader or a leader of the organization; null for nobody yet.")] = None
    work_order_ids: Annotated[list[Annotated[int, Meta(ge=1, le=INT_MAX)]], Meta(max_length=200, description="The work orders the team works on; the same id twice counts once.")] = []


@action("days.create_team", permission="days.edit", summary="Create a team for the day",
        description="Creates a team with a name, an optional leader (a work leader or a leader: the same rule as "
                    "Dagsverket's team builder) and work orders. A leader who may not lead, or an unknown work "
                    "order, is 422.")
def add_team(caller: Caller, day_id: int, data: NewTeam) -> TeamOut:
    day = stored_day(caller, day_id)
    return team_out(create_team(caller.db, day, data.name, data.work_leader_id, list(data.work_order_ids)))


class TeamChoice(Input):
    participant_id: ParticipantId
    team_id: Annotated[Annotated[int, Meta(ge=1, le=INT_MAX)] | None, Meta(description="The team, one of the day's; null takes the person off every team.")] = None


@action("days.assign", permission="days.edit", summary="Put a person on a team (or off)",
        description="One shift per person per day: assigning again moves the person. A team of another day is "
                    "422; an unknown participant or team is 404.")
def assign(caller: Caller, day_id: int, data: TeamChoice) -> ShiftOut:
    day = stored_day(caller, day_id)
    person = get_scoped(caller.db, Participant, data.participant_id)
    team = get_scoped(caller.db, Team, data.team_id) if data.team_id is not None else None
    if person is None or (data.team_id is not None and team is None):
        raise NotFoundException()
    return shift_out(assign_to_team(caller.db, day, person, team))


class ShiftOutcomeIn(Input):
    outcome: Annotated[Literal["planned", "worked", "left_early", "sent_home", "no_show"], Meta(description="How the shift went.")]
    hours: Annotated[Annotated[str, Meta(max_length=20)] | None, Meta(
        description="Hours worked, a decimal string from \"0\" to \"24\"; a no-show has none.", examples=["5.5"])] = None


@action("days.record_outcome", permission="days.edit", summary="Record how a shift went",
        description="Sets the shift's outcome and hours (what pay is computed from). A no-show with hours is "
                    "422. A shift of another day is 404.")
def shift_outcome(caller: Caller, day_id: int, shift_id: int, data: ShiftOutcomeIn) -> ShiftOut:
    day = stored_day(caller, day_id)
    shift = get_scoped(caller.db, Shift, shift_id)
    if shift is None or shift.day_id != day.id:
        raise NotFoundException()
    # A string on the wire (a JSON number would be rounded on the way), read as the forms
    # read decimals: a comma is a decimal point, and the message says what is wrong.
    hours = validate([Field("hours", kind="decimal", min_value=Decimal(0), max_value=Decimal(24))], {"hours": data.hours})["hours"]
    return shift_out(record_outcome(caller.db, shift, data.outcome, hours))
