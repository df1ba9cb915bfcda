"""Work orders, program days, teams, shifts and attendance."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow

ORDER_KINDS = ("one_off", "multi_day", "recurring")
ORDER_STATUSES = ("requested", "accepted", "declined", "scheduled", "in_progress", "done", "cancelled")
# Which status may follow which. Declining and accepting need a reason (see services).
ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "requested": ("accepted", "declined", "cancelled"),
    "accepted": ("scheduled", "in_progress", "cancelled"),
    "declined": ("requested",),
    "scheduled": ("in_progress", "done", "cancelled", "accepted"),
    "in_progress": ("done", "scheduled", "cancelled"),
    "done": ("in_progress",),
    "cancelled": ("requested",),
}
SHIFT_OUTCOMES = ("planned", "worked", "left_early", "sent_home", "no_show")


class WorkOrder(OrgScoped, Base):
    __tablename__ = "work_order"
    # The only personal data is where a (possibly private) customer wants the work done:
    # the customer's, not a participant's.
    __subject__ = None

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), info=not_personal())
    description: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    """The work to be done, which is about the job, never about the people doing it."""
    location: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.CONTACT))
    """A private customer's home address, often."""
    kind: Mapped[str] = mapped_column(String(20), default="one_off", info=not_personal())
    status: Mapped[str] = mapped_column(String(20), default="requested", index=True, info=not_personal())
    status_reason: Mapped[str] = mapped_column(String(500), default="", info=not_personal())
    people_needed: Mapped[int] = mapped_column(Integer, default=4)
    indoor: Mapped[bool] = mapped_column(Boolean, default=False)
    heavy: Mapped[bool] = mapped_column(Boolean, default=False)
    steep: Mapped[bool] = mapped_column(Boolean, default=False)
    """Work on steep ground (mowing a slope): people who must not work there are kept off."""
    ladders: Mapped[bool] = mapped_column(Boolean, default=False)
    """Work from ladders (tree felling, gutters)."""
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    repeat_weekdays: Mapped[list[int]] = mapped_column(JSON, default=list, info=not_personal())
    """A recurring order's days: ISO weekday numbers, 1 Monday to 7 Sunday, ascending. Empty:
    the order is not bound to weekdays (every day between its dates). See
    :func:`core.services.recurrence.occurs_on`."""
    repeat_every_weeks: Mapped[int] = mapped_column(Integer, default=1)
    """1 every week, 2 every other week...; weeks are counted from the start date's week."""
    repeat_until: Mapped[dt.date | None] = mapped_column(Date)
    """The last day the order may recur on (inclusive), if it ends."""
    recurrence: Mapped[str] = mapped_column(String(100), default="", info=not_personal())
    """A note on the repetition the rule does not hold ("not in July"). Before the rule it
    held the repetition as free text; what could be read was moved into the rule by the
    migration ``orders_0001`` and the rest kept here."""
    remaining: Mapped[str] = mapped_column(Text, default="", info=not_personal())
    """What is left, noted at the end of a day; carried over to the next day's list."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    customer = relationship("Customer", lazy="joined")


class ProgramDay(OrgScoped, Base):
    """One day of a program at one site: open or closed, and its capacity override."""

    __tablename__ = "program_day"
    __table_args__ = (
        UniqueConstraint("site_id", "date"),
        # An organization's days in a period (reports, pages of days): without it a period's
        # days are found among every organization's days of those dates.
        Index("ix_program_day_organization_id_date", "organization_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    capacity: Mapped[int | None] = mapped_column(Integer)
    """None: use the dated setting in force on the day."""
    note: Mapped[str] = mapped_column(String(300), default="", info=not_personal())
    """About the day (why it is closed, the weather), not about anyone on it."""
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    """When staff closed the day at its end (all outcomes recorded)."""

    site = relationship("Site", lazy="joined")


team_work_order = Table(
    "team_work_order",
    Base.metadata,
    Column("team_id", ForeignKey("team.id", ondelete="CASCADE"), primary_key=True),
    Column("work_order_id", ForeignKey("work_order.id", ondelete="CASCADE"), primary_key=True),
)


class Team(OrgScoped, Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), info=not_personal())
    work_leader_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    work_orders = relationship("WorkOrder", secondary=team_work_order, lazy="selectin")
    work_leader = relationship("StaffUser", lazy="joined")
    shifts: Mapped[list[Shift]] = relationship(back_populates="team", lazy="selectin")


class Shift(OrgScoped, Base):
    """A participant's work on a day, in a team, and how it went."""

    __tablename__ = "shift"
    __table_args__ = (UniqueConstraint("day_id", "participant_id"),)
    # Kept on erasure: pay lines rest on shifts and the reports count days worked; the row
    # then belongs to an anonymized person.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    hours: Mapped[Decimal | None] = mapped_column(
        Numeric(5, 2), info=personal(Category.WORK, keep="bookkeeping act (bokføringsloven § 13): the pay lines priced from these hours")
    )
    outcome: Mapped[str] = mapped_column(String(20), default="planned", info=personal(Category.WORK, keep="reports count days worked and their outcomes"))
    """How the day went, as one of SHIFT_OUTCOMES. Even ``sent_home`` is the work leader's
    record of the day, not its reason: why someone was sent home is an incident (conduct)."""

    team: Mapped[Team | None] = relationship(back_populates="shifts")
    participant = relationship("Participant", lazy="joined")
    day = relationship("ProgramDay", lazy="joined")


class Attendance(OrgScoped, Base):
    """A person registered as present on a day, whatever happened next."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("day_id", "participant_id"),)
    # Kept on erasure: the reports count days present and the lottery's draws rest on who
    # was there; the row then belongs to an anonymized person.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_day.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    arrived_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, info=personal(Category.WORK, keep="reports count days present"))
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))

    participant = relationship("Participant", lazy="joined")
    day = relationship("ProgramDay", lazy="joined")
