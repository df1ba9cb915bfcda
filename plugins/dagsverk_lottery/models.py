"""Dagsverket's own tables: check-in marks, draws and their entrants, work profiles,
order profiles and the call list of the day-before mode.

Attendance itself is the core's :class:`core.models.Attendance`; shifts and teams are the
core's too, so pay flows through the core's ``lavterskel_payable_work``.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow
from core.i18n import lazy_gettext as L

CHECKIN_STATUSES = ("entered", "not_fit", "after_draw")
DRAW_STATUSES = ("sealed", "drawn", "voided")
RESULTS = ("right", "lottery", "reserve")
RIGHTS = ("none", "first_day", "third_day", "carried_over")
CALL_STATUSES = ("", "reached", "declined", "not_reached")
LIMITS = ("no_heavy", "no_steep", "no_ladders", "indoor_only", "outdoor_only")
PREFERENCES = ("indoor", "outdoor", "firewood", "gardening", "moving", "cleaning")
FIXED_TEAMS = ("firewood", "indoor", "food_bank")

VERIFICATION = "the draw must still verify: its fingerprint covers each entrant's id and right, and the result is recomputed from them"


class CheckIn(OrgScoped, Base):
    """How a registered person stands on the day: entered in the draw, judged not fit to
    work today (present, not entered, no mark), or arrived after the draw."""

    __tablename__ = "dagsverk_lottery_checkin"
    __label__ = L("Check-ins")
    __erase__ = "anonymize"
    __table_args__ = (
        UniqueConstraint("day_id", "participant_id"),
        # A receipt code names one person on the day (NULL for rows from before codes).
        Index("uq_dagsverk_lottery_checkin_day_receipt", "day_id", "receipt_code", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="entered", info=personal(Category.WORK))
    receipt_code: Mapped[str | None] = mapped_column(String(8), info=personal(Category.IDENTITY))
    """The person's code for the day (``algorithm.RECEIPT_ALPHABET``), given at check-in:
    what their ticket in a version 2 draw is made from, and what they type on the public
    check page to find their place. Identity: it points at one person on one day. Emptied
    on erasure; the draw keeps its own copy (:attr:`DrawEntrant.receipt_code`)."""
    """One of CHECKIN_STATUSES. ``not_fit`` is the work leader's call about today's work, with
    no reason given; a reason, if written, is an incident (conduct) in a plugin that has them.
    Deleted on erasure: a sealed draw rests on its entrants, not on the check-ins."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Draw(OrgScoped, Base):
    """One draw of one day. ``attempt`` starts at 1; a voided draw lets a new attempt
    follow. A unique index on the day over draws that are not voided is what makes a
    draw happen once even when two requests or two server processes ask at once."""

    __tablename__ = "dagsverk_lottery_draw"
    __table_args__ = (
        UniqueConstraint("day_id", "attempt"),
        # At most one draw per day that is not voided: a second concurrent seal fails here,
        # whatever attempt number it computed.
        Index("uq_dagsverk_lottery_draw_live_day", "day_id", unique=True,
              sqlite_where=text("status != 'voided'"), postgresql_where=text("status != 'voided'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default="sealed", info=not_personal())
    mode: Mapped[str] = mapped_column(String(20), default="morning", info=not_personal())
    algorithm: Mapped[str] = mapped_column(String(40), info=not_personal())
    capacity: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(128), info=not_personal())
    """Hex string from :mod:`secrets`; shown only once the draw is done."""
    seed_sha256: Mapped[str] = mapped_column(String(64), info=not_personal())
    """The fingerprint shown on the big screen as soon as check-in closes."""
    entrants_sha256: Mapped[str] = mapped_column(String(64), info=not_personal())
    beacon_round: Mapped[int | None] = mapped_column(Integer)
    """Version 2: the drand quicknet round named at sealing (one that did not exist yet);
    null when the beacon was off."""
    contribution: Mapped[str] = mapped_column(String(60), default="", info=not_personal())
    """Version 2: the canonical text of the numbers typed in the room at the draw
    (``algorithm.contribution_text``); empty if none were typed."""
    beacon_value: Mapped[str | None] = mapped_column(String(64), info=not_personal())
    """Version 2: the named round's randomness, as fetched at the draw; null if it could not be."""
    beacon_note: Mapped[str] = mapped_column(String(20), default="", info=not_personal())
    """Why no beacon value was mixed in: ``off``, ``not_yet``, ``unreachable`` or ``invalid``."""
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    drawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    voided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    void_reason: Mapped[str] = mapped_column(String(500), default="", info=not_personal())
    """Why the draw as a whole was voided (a wrong capacity, a crash): about the draw."""

    entrants: Mapped[list[DrawEntrant]] = relationship(
        back_populates="draw", lazy="select", order_by="DrawEntrant.participant_id", cascade="all, delete-orphan"
    )
    """Loaded when first used: a draw can have 10,000 entrants, and most code that reads a
    draw (is check-in closed? how many places?) needs none of them. Code that reads many
    draws' entrants asks for ``selectinload``; the API reads them as rows (``draws.entrant_rows``)."""


class DrawEntrant(OrgScoped, Base):
    """One person in a draw, their right at the time, and what the draw gave them."""

    __tablename__ = "dagsverk_lottery_draw_entrant"
    __label__ = L("Draw results")
    __table_args__ = (UniqueConstraint("draw_id", "participant_id"),)
    # Kept on erasure (see VERIFICATION), and the reports count who was drawn; the row then
    # belongs to an anonymized person. The phone-call result goes.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("dagsverk_lottery_draw.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    right: Mapped[str] = mapped_column(String(20), default="none", info=personal(Category.WORK, keep=VERIFICATION))
    receipt_code: Mapped[str | None] = mapped_column(String(8), info=personal(Category.IDENTITY, keep=VERIFICATION))
    """Version 2: the receipt code the ticket was made from (null in version 1 draws). Kept
    on erasure: the transcript lists it and the draw verifies by it; once the person is
    erased it leads to no one."""
    result: Mapped[str | None] = mapped_column(String(20), info=personal(Category.WORK, keep=VERIFICATION))
    position: Mapped[int | None] = mapped_column(Integer)
    """1-based place in the draw's order (drawn first, then the reserve list)."""
    reserve_number: Mapped[int | None] = mapped_column(Integer)
    called_in: Mapped[bool] = mapped_column(Boolean, default=False)
    """A reserve given a place that someone declined or left empty."""
    call_status: Mapped[str] = mapped_column(String(20), default="", info=personal(Category.WORK))
    """Day-before mode: reached, declined or not reached on the phone."""

    draw: Mapped[Draw] = relationship(back_populates="entrants")
    participant = relationship("Participant", lazy="select")


class DrawEvent(OrgScoped, Base):
    """The draw's log: sealed, drawn, voided (with who and why), calls."""

    __tablename__ = "dagsverk_lottery_draw_event"
    # No participant_id: a call event names the person called by id in ``note`` (see
    # draws._log) and nothing else (no name, no phone number), which points at the
    # anonymized row once they are erased. The table is the draw's log, kept with the draw.
    __subject__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("dagsverk_lottery_draw.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), info=not_personal())
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="", info=personal(Category.WORK))
    """A void's reason, or the id of the person a call event is about."""
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WorkProfile(OrgScoped, Base):
    """What the work needs to know about a person, and nothing more: limits, preferences,
    whom they should not work with, whether they need close follow-up, their experience.
    Health and substance-use data never belong here."""

    __tablename__ = "dagsverk_lottery_profile"
    __label__ = L("Work profile")
    __table_args__ = (UniqueConstraint("participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    # What the person cannot do at work (LIMITS), never why: the why would be health.
    limits: Mapped[list[str]] = mapped_column(JSON, default=list, info=personal(Category.WORK))
    preferences: Mapped[list[str]] = mapped_column(JSON, default=list, info=personal(Category.WORK))
    not_with: Mapped[list[int]] = mapped_column(JSON, default=list, info=personal(Category.WORK))
    """Participant ids; the rule is applied both ways. Work, not conduct: it is a constraint
    for making teams, a list of ids that cannot tell what happened; what happened (a threat,
    a fight) is an incident, which is conduct and is written there."""
    close_follow_up: Mapped[bool] = mapped_column(Boolean, default=False, info=personal(Category.WORK))
    experience: Mapped[int] = mapped_column(Integer, default=0, info=personal(Category.WORK))
    """0 new, 1 some, 2 experienced with the tools."""
    intake_due: Mapped[bool] = mapped_column(Boolean, default=False)
    intake_done_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class OrderProfile(OrgScoped, Base):
    """What the team suggestion needs to know about a work order beyond the core's flags
    (``indoor``, ``heavy``, ``steep``, ``ladders``, set on every work order form): whether
    it is one of the fixed teams. ``steep``/``ladders`` here are those of orders made
    before the core had them; the team suggestion reads either."""

    __tablename__ = "dagsverk_lottery_order_profile"
    __table_args__ = (UniqueConstraint("work_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    steep: Mapped[bool] = mapped_column(Boolean, default=False)
    ladders: Mapped[bool] = mapped_column(Boolean, default=False)
    fixed_team: Mapped[str] = mapped_column(String(20), default="", info=not_personal())
    category: Mapped[str] = mapped_column(String(20), default="", info=not_personal())


class TeamNote(OrgScoped, Base):
    """Why the suggestion of a day looks as it does, kept with the day: the reasons about
    the day as a whole. What the suggestion did because of one person is a
    :class:`TeamReason` of that person, which erasure reaches through its participant_id."""

    __tablename__ = "dagsverk_lottery_team_note"
    __table_args__ = (UniqueConstraint("day_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"))
    explanation: Mapped[dict[str, object]] = mapped_column(JSON, default=dict, info=not_personal())
    """Reason codes with counts and the names of orders and fixed teams (work leaders on
    duty, orders not staffed, how many need close follow-up, how many women over how many
    teams) and the solver's status: about the day, never naming or pointing at a person."""
    team_kinds: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, info=not_personal())
    """Team id (as text) -> category (``firewood``, ``indoor``, ``food_bank``, ``order``)."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class TeamReason(OrgScoped, Base):
    """One reason of a day's team suggestion that is about one person: their limits kept
    them off some teams, they are kept apart from someone, variety moved them, or they
    could not be placed. Names are not stored; the page shows them from the participant
    row, so an erased person reads as "#id" where a reason of someone else points at them."""

    __tablename__ = "dagsverk_lottery_team_reason"
    __label__ = L("Reasons for the team suggestion")
    # Deleted on erasure (the default): the reasons repeat the person's limits and history.

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), info=not_personal())
    """A reason code: ``limits``, ``not_with``, ``variety`` or ``unplaced``."""
    params: Mapped[dict[str, object]] = mapped_column(JSON, default=dict, info=personal(Category.WORK))
    """The reason's values: limit codes and the teams they block, the id of the person they
    are kept apart from (which points at an anonymized row once that person is erased), the
    kind of work and how often."""


class OrderDayNote(OrgScoped, Base):
    """End of day, per order: done, or what remains (carried over to the next day)."""

    __tablename__ = "dagsverk_lottery_order_day"
    __table_args__ = (UniqueConstraint("day_id", "work_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"))
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    remaining: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    """The work left on the order, not who did it."""


class TeamJob(OrgScoped, Base):
    """The day's team suggestion as a job: asked for by a request, solved by a worker
    process of its own (:mod:`plugins.dagsverk_lottery.solve_jobs`), its state read by the
    page and the API while it runs. One row per day, reused by the next suggestion; it
    names staff (who asked, the leaders on duty), never a participant."""

    __tablename__ = "dagsverk_lottery_team_job"
    __table_args__ = (UniqueConstraint("day_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="queued", info=not_personal())
    """One of JOB_STATUSES."""
    leader_ids: Mapped[list[int] | None] = mapped_column(JSON, info=not_personal())
    """The staff on duty asked for (null: every work leader), already checked by the request."""
    locale: Mapped[str] = mapped_column(String(10), default="nb", info=not_personal())
    """The asker's language: the fixed teams are named in it, as when solved in the request."""
    error: Mapped[str] = mapped_column(String(40), default="", info=not_personal())
    """Why a job failed, as a code (``no_draw``, ``invalid``, ``crashed``, ``lost``); the page words it."""
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


JOB_STATUSES = ("queued", "running", "done", "failed")


TABLE_NAMES = (
    CheckIn.__tablename__, Draw.__tablename__, DrawEntrant.__tablename__, DrawEvent.__tablename__,
    WorkProfile.__tablename__, OrderProfile.__tablename__, TeamNote.__tablename__, TeamReason.__tablename__,
    OrderDayNote.__tablename__, TeamJob.__tablename__,
)
