"""Special-category data: who may see it, the access log, consents, and GDPR rights.

Every read, change or export of sensitive data goes through this module and writes an
access log entry in the same transaction as the read or change itself, so there is no
look without a log line. A classified special-category value of any table (the core's or a
plugin's) is *shown* through :mod:`core.services.disclosure`, which writes its entry
itself; plugins record their *changes* with :func:`log_sensitive_access`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.classification import Category
from core.db import utcnow
from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.models import (
    AccessLogEntry,
    AccessLogPurgePermit,
    Attendance,
    Consent,
    FollowUpNote,
    IntakeRecord,
    Organization,
    OutsideContact,
    Participant,
    ParticipantErasure,
    ProgramDay,
    Shift,
)
from core.models.privacy import FOLLOW_UP_CATEGORIES, INTAKE_CATEGORIES
from core.services.disclosure import Disclosure, category_of
from core.services.personal_data import erase_tables, export_tables, person_tables
from core.services.storage import forget_erased

RETENTION_YEARS_DEFAULT = 5
"""Years of inactivity after which the retention policy anonymizes a person."""


class Staff(Protocol):
    """What the log needs to know about who is looking (a request's user or a StaffUser)."""

    id: int
    full_name: str


# ---------------------------------------------------------------------------------------
# The access log
# ---------------------------------------------------------------------------------------


def log_sensitive_access(
    db: Session,
    user: Staff | int | None,
    participant_id: int | None,
    category: str,
    *,
    action: str = "view",
    page: str = "",
    source: str = "core",
    organization_id: int | None = None,
) -> AccessLogEntry:
    """Write one access log entry: who, when, whose data, which category, from which page.

    Call it in the same transaction as the read or change it records (it only flushes;
    the caller commits). Never pass a value: ``category`` names the kind of data
    (``health``, ``assessment``...), ``page`` is the route's template
    (:func:`core.web.handlers.route_of`); a path given instead is stored as
    :func:`page_without_ids` makes it, so no entry names a person but by ``subject_id``,
    which erasure clears.

    :param user: the staff member (a request's user, a ``StaffUser``, or a staff user's id),
        or None for the system (the retention policy).
    :param action: ``view``, ``change``, ``export``, ``erase`` or ``print``.
    :param source: ``core`` or the calling plugin's name.
    """
    org_id = organization_id if organization_id is not None else db.info.get("organization_id")
    if org_id is None:
        raise ValueError("log_sensitive_access needs an organization (a scoped session or organization_id)")
    if isinstance(user, int) and not isinstance(user, bool):
        from core.models import StaffUser

        user = db.get(StaffUser, user)
        if user is None:
            raise ValueError("log_sensitive_access: no such staff user")
    entry = AccessLogEntry(
        organization_id=org_id,
        at=utcnow(),
        staff_user_id=user.id if user is not None else None,
        staff_name=(user.full_name if user is not None else "system")[:200],
        subject_id=participant_id,
        category=category[:60],
        action=action[:20],
        page=page_without_ids(page)[:300],
        source=source[:80],
    )
    db.add(entry)
    db.flush()
    return entry


def page_without_ids(page: str) -> str:
    """A page as the access log keeps it: no query string, every path segment that is a
    number replaced by ``{id}`` (``/participants/12/export`` -> ``/participants/{id}/export``).
    Route templates pass unchanged."""
    path = page.split("?", 1)[0].split("#", 1)[0]
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


def access_log(db: Session, *, subject_id: int | None = None, limit: int = 100, offset: int = 0) -> tuple[list[AccessLogEntry], int]:
    stmt = select(AccessLogEntry)
    count = select(func.count()).select_from(AccessLogEntry)
    if subject_id is not None:
        stmt = stmt.where(AccessLogEntry.subject_id == subject_id)
        count = count.where(AccessLogEntry.subject_id == subject_id)
    rows = list(db.scalars(stmt.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc()).limit(limit).offset(offset)))
    return rows, int(db.scalar(count) or 0)


@contextmanager
def purge_permit(db: Session, reason: str) -> Iterator[None]:
    """Let the access log's trigger accept DELETE inside this block (same transaction).

    The one controlled path for removing log rows: the log's own retention, removing a
    whole organization, or wiping a test database. The permit is gone before the block
    ends, so it never outlives the transaction that used it.
    """
    db.add(AccessLogPurgePermit(reason=reason[:200]))
    db.flush()
    try:
        yield
    finally:
        db.execute(delete(AccessLogPurgePermit))
        db.flush()


# ---------------------------------------------------------------------------------------
# Who may see what
# ---------------------------------------------------------------------------------------


def is_contact_person(db: Session, plugins: Any, organization: Any, staff_user_id: int, participant_id: int) -> bool:
    """Whether any enabled plugin says the staff member is the person's contact person."""
    for _plugin, result, _error in plugins.call_each(
        "lavterskel_is_contact_person",
        organization.enabled_plugins,
        db=db,
        organization=organization,
        staff_user_id=staff_user_id,
        participant_id=participant_id,
    ):
        if result is True:
            return True
    return False


NOTE_KINDS = (*INTAKE_CATEGORIES, "follow_up")
"""What the notes page shows: each intake field, and the follow-up notes as one."""


def note_category(kind: str) -> Category:
    """The category an intake field (or ``follow_up``) declares on its column: what decides
    who may read it (:meth:`core.services.disclosure.Disclosure.may_read`)."""
    if kind == "follow_up":
        return category_of(FollowUpNote, "body")
    return category_of(IntakeRecord, kind)


def readable_notes(gate: Disclosure, participant_id: int) -> list[str]:
    """The intake fields (and ``follow_up``) the requester may read of this person, each
    decided by its column's category through the gate: the category's permission
    (``data.health``...) for everyone's, or ``sensitive.contact`` for one's own people."""
    return [k for k in NOTE_KINDS if gate.may_read(note_category(k), participant_id)]


# ---------------------------------------------------------------------------------------
# Intake and follow-up notes
# ---------------------------------------------------------------------------------------


def intake_of(db: Session, participant_id: int) -> IntakeRecord | None:
    return db.scalars(select(IntakeRecord).where(IntakeRecord.participant_id == participant_id)).first()


def follow_up_notes(db: Session, participant_id: int) -> list[FollowUpNote]:
    return list(
        db.scalars(
            select(FollowUpNote)
            .where(FollowUpNote.participant_id == participant_id)
            .order_by(FollowUpNote.written_on.desc(), FollowUpNote.id.desc())
        )
    )


def filled_categories(db: Session, participant_id: int) -> dict[str, bool]:
    """Which categories hold something: shown before "show", so staff know what is there
    without seeing it. Counts, never values."""
    intake = intake_of(db, participant_id)
    out = {c: bool(intake is not None and getattr(intake, c)) for c in INTAKE_CATEGORIES}
    out["follow_up"] = bool(db.scalar(select(func.count()).select_from(FollowUpNote).where(FollowUpNote.participant_id == participant_id)))
    return out


def show_sensitive(db: Session, gate: Disclosure, participant: Participant, categories: list[str], page: str) -> dict[str, Any]:
    """Read the chosen categories the requester may read, and log each look, in one
    transaction. A chosen category the gate withholds is left out (not shown, not logged):
    the page lists it as hidden."""
    readable = readable_notes(gate, participant.id)
    wanted = [c for c in categories if c in readable]
    intake = intake_of(db, participant.id)
    shown: dict[str, Any] = {}
    for c in wanted:
        # One entry per field shown, named by the field (``debt``, not its broad category
        # ``social``): the person's copy of the log tells which note was read.
        log_sensitive_access(db, gate.user, participant.id, c, action="view", page=page)
        if c == "follow_up":
            shown[c] = follow_up_notes(db, participant.id)
        else:
            shown[c] = getattr(intake, c) if intake is not None else ""
    db.commit()
    return shown


INTAKE_FIELDS = [Field("held_on", kind="date"), *(Field(c, kind="text", max_length=5000) for c in INTAKE_CATEGORIES)]
NOTE_FIELDS = [
    Field("written_on", kind="date"),
    Field("category", kind="choice", choices=FOLLOW_UP_CATEGORIES, default="general"),
    Field("body", kind="text", required=True, max_length=5000),
]


def save_intake(db: Session, user: Staff, participant: Participant, data: dict[str, Any], page: str, today: dt.date) -> IntakeRecord:
    """Write the intake conversation's notes; each changed category is logged as a change."""
    clean = validate(INTAKE_FIELDS, {k: v for k, v in data.items() if k != "replace"}, partial=True)
    intake = intake_of(db, participant.id)
    if intake is None:
        intake = IntakeRecord(organization_id=participant.organization_id, participant_id=participant.id, held_on=today)
        for c in INTAKE_CATEGORIES:
            setattr(intake, c, "")
        db.add(intake)
    if clean.get("held_on"):
        intake.held_on = clean["held_on"]
    # An empty field leaves what is written unless the category was shown in the form
    # (listed in ``replace``): then emptying it is what the writer meant.
    raw_replace = data.get("replace") or []
    replace = set(raw_replace if isinstance(raw_replace, list) else [raw_replace])
    for c in INTAKE_CATEGORIES:
        if c in clean and (clean[c] or c in replace) and clean[c] != getattr(intake, c):
            setattr(intake, c, clean[c])
            log_sensitive_access(db, user, participant.id, c, action="change", page=page)
    intake.written_by_id = user.id
    intake.updated_at = utcnow()
    db.commit()
    return intake


def add_follow_up_note(db: Session, user: Staff, participant: Participant, data: dict[str, Any], page: str, today: dt.date) -> FollowUpNote:
    clean = validate(NOTE_FIELDS, data)
    note = FollowUpNote(
        organization_id=participant.organization_id,
        participant_id=participant.id,
        written_on=clean["written_on"] or today,
        category=clean["category"] or "general",
        body=clean["body"],
        written_by_id=user.id,
    )
    db.add(note)
    log_sensitive_access(db, user, participant.id, "follow_up", action="change", page=page)
    db.commit()
    return note


# ---------------------------------------------------------------------------------------
# Consent and contacts with outside services
# ---------------------------------------------------------------------------------------

CONSENT_FIELDS = [
    Field("party", required=True, max_length=200),
    Field("scope", kind="str", required=True, max_length=500),
    Field("given_on", kind="date", required=True),
    Field("expires_on", kind="date"),
]
CONTACT_FIELDS = [
    Field("party", required=True, max_length=200),
    Field("contacted_on", kind="date", required=True),
    Field("purpose", max_length=500),
    Field("confirm", kind="bool"),
]


def consents_of(db: Session, participant_id: int) -> list[Consent]:
    return list(db.scalars(select(Consent).where(Consent.participant_id == participant_id).order_by(Consent.given_on.desc(), Consent.id.desc())))


def contacts_of(db: Session, participant_id: int) -> list[OutsideContact]:
    return list(
        db.scalars(
            select(OutsideContact).where(OutsideContact.participant_id == participant_id)
            .order_by(OutsideContact.contacted_on.desc(), OutsideContact.id.desc())
        )
    )


def add_consent(db: Session, user: Staff, participant: Participant, data: dict[str, Any], page: str) -> Consent:
    clean = validate(CONSENT_FIELDS, data)
    if clean["expires_on"] is not None and clean["expires_on"] < clean["given_on"]:
        raise FormError({"expires_on": _("The expiry date is before the date the consent was given.")})
    consent = Consent(organization_id=participant.organization_id, participant_id=participant.id, recorded_by_id=user.id, **clean)
    db.add(consent)
    log_sensitive_access(db, user, participant.id, "consent", action="change", page=page)
    db.commit()
    return consent


def withdraw_consent(db: Session, user: Staff, consent: Consent, day: dt.date, page: str) -> Consent:
    """Withdrawal takes effect on ``day``; the consent stays on record, marked withdrawn."""
    if consent.withdrawn_on is None:
        consent.withdrawn_on = max(day, consent.given_on)
        log_sensitive_access(db, user, consent.participant_id, "consent", action="change", page=page)
        db.commit()
    return consent


def _same_party(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


@dataclass(frozen=True)
class ConsentCheck:
    consent: Consent | None
    reason: str
    """Empty when a valid consent covers the contact; else ``none``, ``expired``,
    ``withdrawn`` or ``not_yet``."""

    @property
    def ok(self) -> bool:
        return self.consent is not None and not self.reason

    def message(self) -> str:
        c = self.consent
        if self.reason == "expired" and c is not None and c.expires_on is not None:
            return _("The consent for %(party)s expired on %(date)s.", party=c.party, date=c.expires_on.isoformat())
        if self.reason == "withdrawn" and c is not None and c.withdrawn_on is not None:
            return _("The consent for %(party)s was withdrawn on %(date)s.", party=c.party, date=c.withdrawn_on.isoformat())
        if self.reason == "not_yet" and c is not None:
            return _("The consent for %(party)s is only valid from %(date)s.", party=c.party, date=c.given_on.isoformat())
        if self.reason == "none":
            return _("There is no consent on record for contacting this service or person.")
        return ""


def check_consent(db: Session, participant_id: int, party: str, day: dt.date) -> ConsentCheck:
    """Find a consent that covers contacting ``party`` on ``day``, or say why there is none."""
    matching = [c for c in consents_of(db, participant_id) if _same_party(c.party, party)]
    if not matching:
        return ConsentCheck(None, "none")
    for c in matching:
        if c.is_valid_on(day):
            return ConsentCheck(c, "")
    latest = matching[0]
    if latest.withdrawn_on is not None and latest.withdrawn_on <= day:
        return ConsentCheck(latest, "withdrawn")
    if latest.given_on > day:
        return ConsentCheck(latest, "not_yet")
    return ConsentCheck(latest, "expired")


def record_contact(db: Session, user: Staff, participant: Participant, data: dict[str, Any], page: str) -> tuple[OutsideContact | None, ConsentCheck]:
    """Record a contact with an outside service, after checking consent.

    Without a valid consent nothing is stored unless ``confirm`` is set: the caller shows
    the check's message and asks again. A confirmed contact keeps the reason on record.
    """
    clean = validate(CONTACT_FIELDS, data)
    check = check_consent(db, participant.id, clean["party"], clean["contacted_on"])
    if not check.ok and not clean["confirm"]:
        return None, check
    contact = OutsideContact(
        organization_id=participant.organization_id,
        participant_id=participant.id,
        party=clean["party"],
        contacted_on=clean["contacted_on"],
        purpose=clean["purpose"],
        consent_id=check.consent.id if check.ok and check.consent is not None else None,
        without_consent_reason=check.reason,
        recorded_by_id=user.id,
    )
    db.add(contact)
    log_sensitive_access(db, user, participant.id, "consent", action="change", page=page)
    db.commit()
    return contact, check


# ---------------------------------------------------------------------------------------
# GDPR rights: export, erasure, retention
# ---------------------------------------------------------------------------------------


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _iso(getattr(obj, f)) for f in fields}


def export_person(db: Session, plugins: Any, organization: Any, user: Staff, participant: Participant, page: str) -> dict[str, Any]:
    """Everything the organization holds about a person, as JSON-able data, and logged.

    ``tables`` holds the person's rows of every classified table of the core and of each
    plugin the organization has enabled (:mod:`core.services.personal_data`), keyed by
    table name; ``attendance`` the days they came and how each went; ``access_log`` who
    looked at their data.
    """
    log_sensitive_access(db, user, participant.id, "all", action="export", page=page)
    days = list(
        db.execute(
            select(ProgramDay.date, Shift.outcome, Shift.hours)
            .select_from(Attendance)
            .join(ProgramDay, Attendance.day_id == ProgramDay.id)
            .outerjoin(Shift, (Shift.day_id == Attendance.day_id) & (Shift.participant_id == Attendance.participant_id))
            .where(Attendance.participant_id == participant.id)
            .order_by(ProgramDay.date)
        )
    )
    log_rows, _total = access_log(db, subject_id=participant.id, limit=100_000)
    tables = person_tables(plugins, organization.enabled_plugins)
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(timespec="seconds") + "Z",
        "organization": organization.name,
        "participant_id": participant.id,
        "tables": {t.table: t.as_json() for t in export_tables(db, tables, participant.id, participant.organization_id)},
        "attendance": [{"date": _iso(d), "outcome": o, "hours": None if h is None else str(h)} for d, o, h in days],
        "access_log": [_row(e, ("at", "staff_name", "category", "action", "page")) for e in log_rows],
    }
    db.commit()
    return data


def is_erased(db: Session, participant_id: int) -> bool:
    return db.scalar(select(func.count()).select_from(ParticipantErasure).where(ParticipantErasure.participant_id == participant_id)) > 0


def erase_person(
    db: Session, plugins: Any, organization: Any, user: Staff | None, participant: Participant, *, reason: str = "request", page: str = "",
    forget: bool = True,
) -> dict[str, int]:
    """Anonymize a person in one transaction (GDPR art. 17); if anything fails, nothing is erased.

    Every classified table of the core and of each enabled plugin is erased as its model
    declares (:mod:`core.services.personal_data`): rows deleted, or classified columns
    emptied except those the law keeps (pay lines for the accounting period, counts for
    reports). The participant row stays under a number, with its gender and birth year.
    The access log keeps its entries but loses the reference to the person (the one
    update its trigger allows). After the commit, the database is asked to let go of the
    old bytes too (:func:`core.services.storage.forget_erased`), unless ``forget`` is False
    (the retention policy erases many people and does that once, at the end).

    :returns: rows deleted or anonymized, per table.
    """
    if is_erased(db, participant.id):
        return {}
    pid, org_id = participant.id, participant.organization_id
    birth_year = participant.birth_date.year if participant.birth_date is not None else None
    gender = participant.gender
    tables = person_tables(plugins, organization.enabled_plugins)
    try:
        counts = erase_tables(db, tables, pid, org_id)
        refs = db.execute(
            update(AccessLogEntry).where(AccessLogEntry.subject_id == pid).values(subject_id=None)
            .execution_options(synchronize_session=False)
        ).rowcount or 0
        if refs:
            counts["access_log_entry"] = refs
        # Language-neutral, and still tells rows apart in lists and reports.
        db.execute(
            update(Participant).where(Participant.id == pid).values(
                first_name=f"#{pid}", gender=gender, active=False,
                birth_date=dt.date(birth_year, 7, 1) if birth_year is not None else None,
            ).execution_options(synchronize_session=False)
        )
        db.add(ParticipantErasure(organization_id=org_id, participant_id=pid, erased_by_id=user.id if user is not None else None, reason=reason))
        # The erasure itself is logged, without a reference to the person it was about.
        log_sensitive_access(db, user, None, "all", action="erase", page=page, organization_id=org_id)
        db.commit()
    except Exception:
        db.rollback()
        raise
    db.expire_all()
    if forget:
        forget_erased(db.get_bind(), [t.name for t in tables] + ["access_log_entry"])
    return counts


def last_activity(db: Session, plugins: Any, organization: Any, participant: Participant) -> dt.date | None:
    """The latest date anything happened with the person, over the core and the plugins."""
    dates: list[dt.date] = []
    last_day = db.scalar(
        select(func.max(ProgramDay.date)).select_from(Attendance).join(ProgramDay, Attendance.day_id == ProgramDay.id)
        .where(Attendance.participant_id == participant.id)
    )
    last_shift = db.scalar(
        select(func.max(ProgramDay.date)).select_from(Shift).join(ProgramDay, Shift.day_id == ProgramDay.id)
        .where(Shift.participant_id == participant.id)
    )
    last_note = db.scalar(select(func.max(FollowUpNote.written_on)).where(FollowUpNote.participant_id == participant.id))
    last_contact = db.scalar(select(func.max(OutsideContact.contacted_on)).where(OutsideContact.participant_id == participant.id))
    for d in (last_day, last_shift, last_note, last_contact, participant.first_seen_on, participant.created_at):
        if d is not None:
            dates.append(d.date() if isinstance(d, dt.datetime) else d)
    for _plugin, result, _error in plugins.call_each(
        "lavterskel_participant_last_activity", organization.enabled_plugins, db=db, organization=organization, participant=participant
    ):
        if isinstance(result, dt.datetime):
            result = result.date()
        if isinstance(result, dt.date):
            dates.append(result)
    return max(dates) if dates else None


@dataclass(frozen=True)
class RetentionCandidate:
    participant_id: int
    name: str
    last_activity: dt.date | None


def retention_candidates(db: Session, plugins: Any, organization: Organization, years: int, today: dt.date) -> list[RetentionCandidate]:
    """Inactive, not yet anonymized people whose last activity is more than ``years`` ago."""
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    erased = select(ParticipantErasure.participant_id)
    out: list[RetentionCandidate] = []
    for p in db.scalars(select(Participant).where(Participant.id.not_in(erased)).order_by(Participant.id)):
        last = last_activity(db, plugins, organization, p)
        if last is None or last < cutoff:
            out.append(RetentionCandidate(p.id, p.display_name, last))
    return out


def apply_retention(db: Session, plugins: Any, organization: Organization, years: int, today: dt.date) -> list[RetentionCandidate]:
    done = retention_candidates(db, plugins, organization, years, today)
    for c in done:
        p = db.get(Participant, c.participant_id)
        if p is not None:
            erase_person(db, plugins, organization, None, p, reason="retention", page="cli:retention", forget=False)
    if done:
        tables = person_tables(plugins, organization.enabled_plugins)
        forget_erased(db.get_bind(), [t.name for t in tables] + ["access_log_entry"])
    return done
