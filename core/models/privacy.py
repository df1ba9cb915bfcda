"""Special-category data kept apart, who looked at it, consents, and the second factor.

Health, substance use, debt, housing, child welfare and the justice system are what
people tell staff in confidence (GDPR art. 9). They never sit on ``participant``: they
live here, are read only through :mod:`core.services.privacy`, and every read, change or
export writes an :class:`AccessLogEntry`.

The access log is append-only. Besides the application offering no route to change it,
the migration installs a database trigger (SQLite and PostgreSQL) that refuses UPDATE and
DELETE. Two controlled paths remain: clearing ``subject_id`` (and nothing else) when a
person is erased, and deleting rows while a purge permit row exists in the same
transaction (``access_log_purge_permit``, written only by
:func:`core.services.privacy.purge_permit`).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.classification import Category, not_personal, personal
from core.db import Base, OrgScoped, utcnow
from core.i18n import lazy_gettext as L

INTAKE_CATEGORIES = ("health", "substance_use", "debt", "housing", "child_welfare", "justice", "other")
"""Free-text fields of the intake conversation, one per category."""
FOLLOW_UP_CATEGORIES = ("general", *INTAKE_CATEGORIES)
ACCESS_ACTIONS = ("view", "change", "export", "erase", "print")


class IntakeRecord(OrgScoped, Base):
    """The intake conversation's sensitive part: one free-text field per category."""

    __tablename__ = "intake_record"
    __label__ = L("Intake conversation")

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    health: Mapped[str] = mapped_column(Text, default="", info=personal(Category.HEALTH))
    substance_use: Mapped[str] = mapped_column(Text, default="", info=personal(Category.SUBSTANCE_USE))
    debt: Mapped[str] = mapped_column(Text, default="", info=personal(Category.SOCIAL))
    housing: Mapped[str] = mapped_column(Text, default="", info=personal(Category.SOCIAL))
    child_welfare: Mapped[str] = mapped_column(Text, default="", info=personal(Category.SOCIAL))
    justice: Mapped[str] = mapped_column(Text, default="", info=personal(Category.CONDUCT))
    """Police, courts, prison: criminal-offence data (GDPR art. 10)."""
    other: Mapped[str] = mapped_column(Text, default="", info=personal(Category.SOCIAL))
    """Whatever else was told in confidence at intake: special, like the rest of the form."""
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class FollowUpNote(OrgScoped, Base):
    """A note from a follow-up meeting or conversation."""

    __tablename__ = "follow_up_note"
    __label__ = L("Follow-up notes")

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    written_on: Mapped[dt.date] = mapped_column(Date)
    # The note's topic, one of FOLLOW_UP_CATEGORIES: a label chosen from a list, not what was said.
    category: Mapped[str] = mapped_column(String(30), default="general", info=not_personal())
    body: Mapped[str] = mapped_column(Text, info=personal(Category.SOCIAL))
    """What was said in confidence. One column holds notes of every topic, so it carries the
    broad special category; the note's ``category`` names the topic within it."""
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    written_by = relationship("StaffUser", lazy="joined")


class AccessLogEntry(OrgScoped, Base):
    """One look at, change to or export of someone's sensitive data. Never any value.

    ``staff_name`` is a copy taken when the entry was written, so the log still reads
    right if the account is renamed. ``subject_id`` is cleared (the only update the
    trigger allows) when the person is erased.
    """

    __tablename__ = "access_log_entry"
    # The person looked at. Erasure keeps the entries (who looked at what stays accountable,
    # GDPR art. 5(2)) and clears the reference to the person and the page that names them.
    __subject__ = "subject_id"
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    staff_name: Mapped[str] = mapped_column(
        String(200), default="", info=personal(Category.IDENTITY, keep="accountability (GDPR art. 5(2)): who looked at sensitive data stays on record")
    )
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(String(60), info=not_personal())
    action: Mapped[str] = mapped_column(String(20), default="view", info=not_personal())
    page: Mapped[str] = mapped_column(String(300), default="", info=personal(Category.IDENTITY))
    """The path the request came from (ids only, never a value). The person's id in it points
    at them as surely as ``subject_id`` does, so erasure empties it too."""
    source: Mapped[str] = mapped_column(String(80), default="core", info=not_personal())
    """Who wrote the entry: ``core`` or a plugin's name."""


class AccessLogPurgePermit(Base):
    """A row here lets the access log trigger accept DELETE, within one transaction."""

    __tablename__ = "access_log_purge_permit"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), info=not_personal())


class Consent(OrgScoped, Base):
    """Whom staff may contact about the participant, and about what (samtykkeerklæring)."""

    __tablename__ = "consent"
    __label__ = L("Consents")

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(200), info=personal(Category.SOCIAL))
    """The service or person that may be contacted (NAV, the GP, the housing office...)."""
    scope: Mapped[str] = mapped_column(String(500), default="", info=personal(Category.SOCIAL))
    """What may be talked about."""
    given_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    def is_valid_on(self, day: dt.date) -> bool:
        return (
            self.given_on <= day
            and (self.expires_on is None or day <= self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


class OutsideContact(OrgScoped, Base):
    """A contact with an outside service about the participant, with the consent check's result."""

    __tablename__ = "outside_contact"
    __label__ = L("Contacts with outside services")

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    party: Mapped[str] = mapped_column(String(200), info=personal(Category.SOCIAL))
    contacted_on: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(500), default="", info=personal(Category.SOCIAL))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id", ondelete="SET NULL"))
    without_consent_reason: Mapped[str] = mapped_column(String(40), default="", info=not_personal())
    """Empty when a valid consent covered it; else ``none``, ``expired``, ``withdrawn`` or ``not_yet``."""
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ParticipantErasure(OrgScoped, Base):
    """That a person was anonymized, when, by whom (or the retention policy), and why."""

    __tablename__ = "participant_erasure"
    # The record that erasure happened is how the app knows not to show or erase the person
    # again: it stays (and holds nothing about them but that fact).
    __erase__ = "anonymize"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), unique=True)
    erased_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(40), default="request", info=not_personal())
    """``request`` (the person asked) or ``retention`` (the policy)."""


class StaffTotp(Base):
    """A staff member's TOTP secret. Confirmed once a code from the app has been typed."""

    __tablename__ = "staff_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(255), info=not_personal())
    """Encrypted with the key outside the database (``core.crypto``); read it through
    ``core.services.auth.totp_secret``."""
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    """The last time step accepted: a code is never accepted twice."""


class SessionSecondFactor(Base):
    """Marks a login session whose second factor has been checked."""

    __tablename__ = "session_second_factor"

    session_id: Mapped[int] = mapped_column(ForeignKey("login_session.id", ondelete="CASCADE"), primary_key=True)
    verified_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
