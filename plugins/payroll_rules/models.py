"""The pay plugin's tables: benefit status history, district approvals, pay runs and lines.

Money is integer øre everywhere. A pay line never changes once its run is approved: a
mistake found later becomes an adjustment line in a later run.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow
from core.i18n import lazy_gettext as L

# The codes as types, so the API's schema lists them as enums from the same place.
BenefitStatusCode = Literal["none", "disability", "aap", "social_assistance", "other"]
EffectCode = Literal["paid", "unpaid", "capped", "held"]
RunStatusCode = Literal["draft", "approved"]
BENEFIT_STATUSES: tuple[str, ...] = get_args(BenefitStatusCode)
EFFECTS: tuple[str, ...] = get_args(EffectCode)
RUN_STATUSES: tuple[str, ...] = get_args(RunStatusCode)

PAY_HISTORY = "pay for a past day is decided by the status or approval in force on it; adjustment runs recompute it"
"""Why erasure keeps a benefit status's and an approval's facts: a later adjustment run must
not find the person's past pay wrong (bookkeeping act, bokføringsloven § 13)."""
BOOKKEEPING = "bookkeeping act (bokføringsloven § 13): pay records for five years after the financial year"


class BenefitStatus(OrgScoped, Base):
    """A person's benefit status from ``valid_from`` until the next row's date.

    A history, not a field: pay for an old day is decided by the status on that day.
    """

    __tablename__ = "payroll_rules_benefit_status"
    __label__ = L("Benefit status")
    __table_args__ = (UniqueConstraint("participant_id", "valid_from"),)
    # Kept on erasure (see PAY_HISTORY); the note, which pay never reads, goes.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30), info=personal(Category.FINANCIAL, keep=PAY_HISTORY))
    valid_from: Mapped[dt.date] = mapped_column(Date, info=personal(Category.FINANCIAL, keep=PAY_HISTORY))
    note: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.FINANCIAL))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DistrictApproval(OrgScoped, Base):
    """The district's decision that a person on social assistance may earn up to a cap."""

    __tablename__ = "payroll_rules_district_approval"
    # Kept on erasure (see PAY_HISTORY): the period and cap decide pay. Which district
    # decided (where the person lives) and the note go.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    district: Mapped[str] = mapped_column(String(200), info=personal(Category.FINANCIAL))
    decision_date: Mapped[dt.date] = mapped_column(Date, info=personal(Category.FINANCIAL, keep=PAY_HISTORY))
    valid_from: Mapped[dt.date] = mapped_column(Date, info=personal(Category.FINANCIAL, keep=PAY_HISTORY))
    valid_to: Mapped[dt.date | None] = mapped_column(Date, info=personal(Category.FINANCIAL, keep=PAY_HISTORY))
    """Last day covered (inclusive); None: until further notice."""
    cap_ore: Mapped[int | None] = mapped_column(Integer, info=personal(Category.FINANCIAL, keep=PAY_HISTORY))
    """The monthly cap in the decision; None: the program's cap setting in force."""
    note: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.FINANCIAL))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class PayRun(OrgScoped, Base):
    """Pay for a period: a draft that can be recomputed, then approved and never changed."""

    __tablename__ = "payroll_rules_pay_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[dt.date] = mapped_column(Date, index=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True, info=not_personal())
    total_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    """Øre; a year for a large program passes the 21 million kroner a 32-bit integer holds."""
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str] = mapped_column(String(64), default="", info=not_personal())
    """SHA-256 of the lines; stored at approval so anyone can check nothing changed."""
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    exported_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    lines: Mapped[list[PayLine]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True, order_by="PayLine.position", lazy="select"
    )
    approved_by = relationship("StaffUser", foreign_keys=[approved_by_id], lazy="joined")

    @property
    def is_approved(self) -> bool:
        return self.status == "approved"


class PayLine(OrgScoped, Base):
    """One piece of work's pay (or a correction of it), traceable to its source."""

    __tablename__ = "payroll_rules_pay_line"
    # Kept whole on erasure: the bookkeeping act requires the pay records, and an approved
    # run's fingerprint covers every field of its lines. They then belong to an anonymized person.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payroll_rules_pay_run.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="RESTRICT"), index=True)
    work_date: Mapped[dt.date] = mapped_column(Date, index=True, info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    # Codes and references: which work, which rule, which unit.
    source: Mapped[str] = mapped_column(String(120), index=True, info=not_personal())
    """``PayableWork.source``: ``shift:12``, ``nyttig_timesheet:5``."""
    work_kind: Mapped[str] = mapped_column(String(20), info=not_personal())
    line_kind: Mapped[str] = mapped_column(String(20), default="pay", info=not_personal())
    """``pay`` (first time this work is paid) or ``adjustment`` (a correction of earlier runs)."""
    rule: Mapped[str] = mapped_column(String(60), default="", info=not_personal())
    unit: Mapped[str] = mapped_column(String(10), default="day", info=not_personal())
    quantity: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0), info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    rate_ore: Mapped[int] = mapped_column(Integer, default=0, info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    gross_ore: Mapped[int] = mapped_column(Integer, default=0, info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    """What the rule priced the work at, before benefit status."""
    amount_ore: Mapped[int] = mapped_column(Integer, default=0, info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    """What this line pays (negative for a correction downwards)."""
    effect: Mapped[str] = mapped_column(String(20), default="paid", info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    benefit_status: Mapped[str] = mapped_column(String(30), default="none", info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    reason: Mapped[str] = mapped_column(String(40), default="", info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    reason_params: Mapped[dict] = mapped_column(JSON, default=dict, info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    tax_free: Mapped[bool] = mapped_column(Boolean, default=False)
    counts_toward_cap: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.FINANCIAL, keep=BOOKKEEPING))
    """The rule's own remark on the price, written by the pay run (covered by the fingerprint)."""

    run: Mapped[PayRun] = relationship(back_populates="lines")
    participant = relationship("Participant", lazy="joined")
