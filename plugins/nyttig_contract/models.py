"""Nyttig Arbeid's tables. Every table is named ``nyttig_contract_...``.

People are the core's :class:`core.models.Participant` rows from their first contact
on; this plugin adds where each person is on the path, and everything around it.
Columns that hold something about a person say what with ``info=personal(Category.X)``;
special-category values (the assessment form, absence reasons, incidents, relapse notes,
consents, meeting summaries) are shown only through the core's gate,
:mod:`core.services.disclosure`, which decides, logs and asks for the second factor.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow
from core.i18n import lazy_gettext as L

P = "nyttig_contract_"

REPORTS = "reports count people per phase and the steps they take (counts only, never per person)"
PAY = "bookkeeping act (bokføringsloven § 13): the pay lines priced from these hours"


def _staff_fk() -> Mapped[int | None]:
    return mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))


# --- departments --------------------------------------------------------------------


class DepartmentProfile(OrgScoped, Base):
    """What Nyttig Arbeid knows about a core department: opening days and places."""

    __tablename__ = P + "department_profile"
    __table_args__ = (UniqueConstraint("department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    opening_days: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4", info=not_personal())
    """Weekdays it is open, Monday = 0, comma-separated."""
    places: Mapped[int] = mapped_column(Integer, default=6)
    description: Mapped[str] = mapped_column(String(500), default="", info=not_personal())


class DepartmentWorkLeader(OrgScoped, Base):
    __tablename__ = P + "department_work_leader"
    __table_args__ = (UniqueConstraint("department_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))


# --- the path -----------------------------------------------------------------------


class PathRecord(OrgScoped, Base):
    """Where one person is on the path now, and the facts the waiting list weighs."""

    __tablename__ = P + "path"
    __label__ = L("The path")
    __table_args__ = (UniqueConstraint("participant_id"),)
    # Kept on erasure: the reports count people per phase and department. What tells about
    # the person (treatment, helper, why they left) is emptied.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(30), default="contact", index=True, info=personal(Category.WORK, keep=REPORTS))
    phase_since: Mapped[dt.date] = mapped_column(Date)
    came_via: Mapped[str] = mapped_column(String(20), default="self", info=personal(Category.WORK))
    """``self`` or ``helper``."""
    helper_name: Mapped[str] = mapped_column(String(200), default="", info=personal(Category.CONTACT))
    """The helper who made contact (name and service), if any."""
    paid_worker: Mapped[bool] = mapped_column(Boolean, default=True, info=personal(Category.FINANCIAL, keep="pay: whether the person's work is paid at all"))
    """False for those who must work unpaid (AAP): no contract to sign."""
    # Being in treatment, and when it ends, is health data about substance use.
    treatment_plan_job: Mapped[bool] = mapped_column(Boolean, default=False, info=personal(Category.SUBSTANCE_USE))
    """This job is part of the person's treatment plan (a waiting-list priority)."""
    discharge_expected_on: Mapped[dt.date | None] = mapped_column(Date, info=personal(Category.SUBSTANCE_USE))
    """Expected discharge from treatment: start before it (a waiting-list priority)."""
    ready_to_return: Mapped[bool] = mapped_column(Boolean, default=False)
    """A former medarbeider who has said they are ready to come back."""
    waiting_since: Mapped[dt.date | None] = mapped_column(Date)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    contact_person_1_id: Mapped[int | None] = _staff_fk()
    contact_person_2_id: Mapped[int | None] = _staff_fk()
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ever_started: Mapped[bool] = mapped_column(Boolean, default=False)
    """Has worked here before: a former medarbeider when they come back."""
    outcome: Mapped[str] = mapped_column(String(500), default="", info=personal(Category.CONDUCT))
    """For ``onward``: work, education, training. For ``ended``: the reason in words, which
    is mostly a breach or exclusion (conduct) or a relapse: the special category keeps it
    behind the same door as the incident it usually repeats."""


class PhaseChange(OrgScoped, Base):
    """One dated step on the path, who took it and why. Never edited or deleted."""

    __tablename__ = P + "phase_change"
    # Kept on erasure: the reports count steps and relapses per period. The reason goes.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[str] = mapped_column(String(30), default="", info=personal(Category.WORK, keep=REPORTS))
    to_phase: Mapped[str] = mapped_column(String(30), info=personal(Category.WORK, keep=REPORTS))
    kind: Mapped[str] = mapped_column(String(20), default="forward", info=personal(Category.SUBSTANCE_USE, keep=REPORTS))
    """``first_contact``, ``forward``, ``back``, ``relapse``, ``return``, ``leave``. A
    ``relapse`` says the person used again: substance use, whatever the other kinds say."""
    on: Mapped[dt.date] = mapped_column(Date)
    by_id: Mapped[int | None] = _staff_fk()
    reason: Mapped[str] = mapped_column(String(500), default="", info=personal(Category.SUBSTANCE_USE))
    """Why: a relapse's note, why someone went back or left. Read through the core's gate."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- screening ----------------------------------------------------------------------


class Screening(OrgScoped, Base):
    """The eligibility checks run at one moment (at first contact, or before a start)."""

    __tablename__ = P + "screening"
    __label__ = L("Eligibility checks")

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default="screening", info=not_personal())
    """``screening`` (before a first meeting) or ``start`` (on the start date)."""
    checked_on: Mapped[dt.date] = mapped_column(Date)
    planned_start_on: Mapped[dt.date | None] = mapped_column(Date)
    # Substance problem, age, NAV, physical ability, housing and economy: the screening of
    # a person, special as a whole.
    answers: Mapped[dict] = mapped_column(JSON, default=dict, info=personal(Category.ASSESSMENT))
    results: Mapped[list] = mapped_column(JSON, default=list, info=personal(Category.ASSESSMENT))
    """``[{"key", "passed": true|false|null, "explanation"}]`` as evaluated."""
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    """Every enabled check passed or was overridden."""
    by_id: Mapped[int | None] = _staff_fk()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CheckOverride(OrgScoped, Base):
    """Staff decided a check should not stop this person, and said why. The log of them."""

    __tablename__ = P + "check_override"
    __label__ = L("Checks overridden")

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey(P + "screening.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    check_key: Mapped[str] = mapped_column(String(60), info=not_personal())
    reason: Mapped[str] = mapped_column(String(500), info=personal(Category.ASSESSMENT))
    by_id: Mapped[int | None] = _staff_fk()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- recruitment interview ----------------------------------------------------------


class Interview(OrgScoped, Base):
    """The recruitment interview: when, who, and which rules were explained (not sensitive)."""

    __tablename__ = P + "interview"
    __label__ = L("Recruitment interview")
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    held_by_id: Mapped[int | None] = _staff_fk()
    helper_present: Mapped[str] = mapped_column(String(200), default="", info=personal(Category.CONTACT))
    rules_explained: Mapped[list] = mapped_column(JSON, default=list, info=not_personal())
    """Keys of the house rules that were gone through: the same list for everyone."""
    no_promises_made: Mapped[bool] = mapped_column(Boolean, default=False)


class Assessment(OrgScoped, Base):
    """The assessment form's answers: shown only through the core's gate (core.services.disclosure)."""

    __tablename__ = P + "assessment"
    __label__ = L("Assessment form")
    __table_args__ = (UniqueConstraint("interview_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey(P + "interview.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    life_situation: Mapped[str] = mapped_column(Text, default="", info=personal(Category.ASSESSMENT))
    substance_history: Mapped[str] = mapped_column(Text, default="", info=personal(Category.ASSESSMENT))
    current_use: Mapped[str] = mapped_column(Text, default="", info=personal(Category.ASSESSMENT))
    adaptations: Mapped[str] = mapped_column(Text, default="", info=personal(Category.ASSESSMENT))
    helpers: Mapped[str] = mapped_column(Text, default="", info=personal(Category.ASSESSMENT))


# --- keeping in touch and meetings ----------------------------------------------------


class ContactLog(OrgScoped, Base):
    """A contact with a candidate or medarbeider, or an attempt to reach them."""

    __tablename__ = P + "contact_log"
    __label__ = L("Contacts")
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    on: Mapped[dt.date] = mapped_column(Date)
    initiated_by: Mapped[str] = mapped_column(String(20), info=personal(Category.WORK))
    """``person`` (their own initiative), ``staff`` or ``helper``."""
    channel: Mapped[str] = mapped_column(String(20), info=not_personal())
    reached: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(500), default="", info=personal(Category.SOCIAL))
    """What came of the contact: where they are, how they are. Told in confidence."""
    staff_id: Mapped[int | None] = _staff_fk()


class Meeting(OrgScoped, Base):
    """Status meeting, job talk, review or follow-up; follow-ups and reviews need two staff."""

    __tablename__ = P + "meeting"
    __label__ = L("Meetings")
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), info=not_personal())
    held_on: Mapped[dt.date] = mapped_column(Date)
    staff_1_id: Mapped[int | None] = _staff_fk()
    staff_2_id: Mapped[int | None] = _staff_fk()
    summary: Mapped[str] = mapped_column(Text, default="", info=personal(Category.SOCIAL))
    """What was talked about, like the core's follow-up notes: special, told in confidence."""


# --- job talk and start ---------------------------------------------------------------


class StartChecklist(OrgScoped, Base):
    """What the job talk agrees, and what must be in place before the first day."""

    __tablename__ = P + "start_checklist"
    __label__ = L("Start checklist")
    __erase__ = "anonymize"
    __table_args__ = (UniqueConstraint("participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    weekly_hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), info=personal(Category.WORK))
    schedule: Mapped[list] = mapped_column(JSON, default=list, info=personal(Category.WORK))
    """Agreed days: ``[{"weekday": 0-6, "hours": "4", "department_id": n}]``."""
    shoe_size: Mapped[str] = mapped_column(String(10), default="", info=personal(Category.WORK))
    photo: Mapped[str] = mapped_column(Text, default="", info=personal(Category.IDENTITY))
    """The ID-card photo as a ``data:image/...;base64`` URI (small), or empty."""
    photo_taken: Mapped[bool] = mapped_column(Boolean, default=False)
    job_talk_on: Mapped[dt.date | None] = mapped_column(Date)


class Consent(OrgScoped, Base):
    """Whom staff may contact about the person, about what, and until when. Withdrawable."""

    __tablename__ = P + "consent"
    __label__ = L("Consents to contact others")
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    contacts: Mapped[str] = mapped_column(String(500), info=personal(Category.SOCIAL))
    scope: Mapped[str] = mapped_column(String(500), info=personal(Category.SOCIAL))
    given_on: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = _staff_fk()

    def in_force_on(self, day: dt.date) -> bool:
        return self.given_on <= day and self.withdrawn_on is None and (self.valid_until is None or day <= self.valid_until)


class SignedDocument(OrgScoped, Base):
    """Employment contract or confidentiality declaration and its signing status."""

    __tablename__ = P + "document"
    __label__ = L("Signed documents")
    __erase__ = "anonymize"
    __table_args__ = (UniqueConstraint("participant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30), info=not_personal())
    """``contract`` or ``confidentiality``."""
    provider: Mapped[str] = mapped_column(String(40), default="paper", info=not_personal())
    status: Mapped[str] = mapped_column(String(20), default="pending", info=personal(Category.WORK))
    """``pending``, ``signed`` or ``cancelled``."""
    signed_on: Mapped[dt.date | None] = mapped_column(Date, info=personal(Category.WORK))
    seen_by_id: Mapped[int | None] = _staff_fk()
    # Deleted on erasure with the row: the signed document itself is archived where it was
    # signed (paper, the signing service); this row only tracks its status.
    reference: Mapped[str] = mapped_column(String(200), default="", info=personal(Category.WORK))
    """The signing service's id of the document, or the binder it was filed in."""


class Equipment(OrgScoped, Base):
    """ID card, locker, uniform, keys or access card: handed out and collected."""

    __tablename__ = P + "equipment"
    __label__ = L("Equipment")

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), info=not_personal())
    label: Mapped[str] = mapped_column(String(100), default="", info=personal(Category.WORK))
    """Locker number, key number, uniform size."""
    handed_out_on: Mapped[dt.date] = mapped_column(Date)
    collected_on: Mapped[dt.date | None] = mapped_column(Date)


# --- week by week ---------------------------------------------------------------------


class Timesheet(OrgScoped, Base):
    """Hours worked on one day in one department, recorded and approved by work leaders."""

    __tablename__ = P + "timesheet"
    __label__ = L("Timesheets")
    __table_args__ = (
        UniqueConstraint("participant_id", "date", "department_id"),
        # An organization's timesheets in a period (reports, pay): without it a period's sheets
        # are found among every organization's sheets of those dates.
        Index("ix_" + P + "timesheet_organization_id_date", "organization_id", "date"),
    )
    # Kept on erasure: pay lines rest on approved hours and the reports sum them. The note goes.
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2), info=personal(Category.WORK, keep=PAY))
    note: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.WORK))
    recorded_by_id: Mapped[int | None] = _staff_fk()
    approved_by_id: Mapped[int | None] = _staff_fk()
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Absence(OrgScoped, Base):
    """An agreed day not worked, with a reason. Never a penalty. That someone was away is
    the work's business; why is their health's, shown only through the core's gate."""

    __tablename__ = P + "absence"
    __author__ = "recorded_by_id"
    __table_args__ = (UniqueConstraint("participant_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20), info=personal(Category.HEALTH))
    """``ill``, ``mental_health``, ``unknown``."""
    note: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.HEALTH))
    recorded_by_id: Mapped[int | None] = _staff_fk()


class Incident(OrgScoped, Base):
    """Minor issue, sent home, serious breach, deviation or injury. What happened (its kind,
    description and breach) is about the person's conduct, shown through the core's gate;
    the staff member who recorded it keeps seeing what they wrote (``__author__``)."""

    __tablename__ = P + "incident"
    # Kept on erasure, without the description or the breach: the employer keeps a record of
    # injuries and deviations (working environment act, arbeidsmiljøloven § 5-1).
    __erase__ = "anonymize"
    __author__ = "recorded_by_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(
        String(20), info=personal(Category.CONDUCT, keep="working environment act (arbeidsmiljøloven § 5-1): injuries and deviations stay recorded")
    )
    on: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="", info=personal(Category.CONDUCT))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    staff_1_id: Mapped[int | None] = _staff_fk()
    staff_2_id: Mapped[int | None] = _staff_fk()
    breach: Mapped[str] = mapped_column(String(20), default="", info=personal(Category.CONDUCT))
    """For serious breaches: ``violence``, ``threats``, ``dealing``."""
    confirmed_by_person_on: Mapped[dt.date | None] = mapped_column(Date)
    dismissed_on: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_due: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_done_on: Mapped[dt.date | None] = mapped_column(Date)
    follow_up_by_id: Mapped[int | None] = _staff_fk()
    recorded_by_id: Mapped[int | None] = _staff_fk()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --- assignments from districts -------------------------------------------------------


class AssignmentCheck(OrgScoped, Base):
    """The two questions asked of every paid assignment before it is accepted."""

    __tablename__ = P + "assignment_check"
    __table_args__ = (UniqueConstraint("work_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"))
    someone_else_would_do_it: Mapped[bool] = mapped_column(Boolean)
    """Would someone else do it if not us?"""
    someone_would_pay: Mapped[bool] = mapped_column(Boolean)
    """Would someone pay for it?"""
    decision: Mapped[str] = mapped_column(String(20), info=not_personal())
    """``accepted`` or ``declined``."""
    reason: Mapped[str] = mapped_column(String(500), default="", info=not_personal())
    answered_by_id: Mapped[int | None] = _staff_fk()
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


TABLES: tuple[str, ...] = tuple(
    m.__tablename__
    for m in (
        DepartmentProfile, DepartmentWorkLeader, PathRecord, PhaseChange, Screening, CheckOverride, Interview,
        Assessment, ContactLog, Meeting, StartChecklist, Consent, SignedDocument, Equipment,
        Timesheet, Absence, Incident, AssignmentCheck,
    )
)
