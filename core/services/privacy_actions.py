"""Consents, contacts with outside services and the GDPR export: one action each, which
the privacy pages and the JSON API both call, with their typed input and answer.

The rules stay in :mod:`core.services.privacy` (a consent's dates in order, a contact
checked against the consents on record, every change and export in the access log); the
actions find the person in the caller's organization and hand over the typed input.
``page`` is the route the request came through, which the access log records.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import msgspec
from litestar.exceptions import NotFoundException
from msgspec import Meta

from core.actions import Caller, Input, action
from core.api_types import Date, Id, ParticipantId
from core.db import get_scoped
from core.models import Consent, Organization, OutsideContact, Participant
from core.services import privacy as svc

Party = Annotated[str, Meta(
    min_length=1, max_length=200, pattern=r"\S",
    description="The outside service or person: a contact is matched to a consent by this name (case and spacing aside).",
    examples=["NAV Falkenborg"],
)]


# --- consents ----------------------------------------------------------------------------


class ConsentInput(Input):
    """A consent the participant gave to contacting or sharing with an outside party."""

    party: Party
    scope: Annotated[str, Meta(
        min_length=1, max_length=500, pattern=r"\S",
        description="What the consent covers: which information, for what purpose.",
        examples=["Attendance and work hours, to follow up the work-training benefit"],
    )]
    given_on: Annotated[dt.date, Meta(description="The day the consent was given; it holds from that day.", examples=["2026-12-03"])]
    expires_on: Annotated[dt.date | None, Meta(
        description="The last day the consent holds; null or left out: until it is withdrawn. Not before given_on.",
        examples=["2027-12-03"],
    )] = None


class ConsentOut(msgspec.Struct, kw_only=True):
    """A consent on record; a withdrawn one stays, marked with the day it ended."""

    id: Id
    participant_id: ParticipantId
    party: Annotated[str, Meta(description="The outside service or person the consent is for.")]
    scope: Annotated[str, Meta(description="What the consent covers.")]
    given_on: Annotated[dt.date, Meta(description="The day the consent was given.")]
    expires_on: Annotated[dt.date | None, Meta(description="The last day it holds; null: until withdrawn.")]
    withdrawn_on: Annotated[dt.date | None, Meta(description="The day it was withdrawn; null while it stands.")]


class ConsentList(msgspec.Struct, kw_only=True):
    items: Annotated[list[ConsentOut], Meta(description="The person's consents, newest first, withdrawn ones included.")]


def consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(id=c.id, participant_id=c.participant_id, party=c.party, scope=c.scope, given_on=c.given_on,
                      expires_on=c.expires_on, withdrawn_on=c.withdrawn_on)


def participant_of(caller: Caller, participant_id: int) -> Participant:
    """The person, in the caller's organization, or 404."""
    participant = get_scoped(caller.db, Participant, participant_id)
    if participant is None:
        raise NotFoundException()
    return participant


@action(
    "consents.create", permission="consents.edit", summary="Record a consent",
    description="Records a consent the participant gave to contacting or sharing information with an outside service "
    "or person, and logs the change in the access log. An expiry before the day it was given is 422.",
)
def add_consent(caller: Caller, participant_id: int, data: ConsentInput, *, page: str) -> ConsentOut:
    participant = participant_of(caller, participant_id)
    values = {"party": data.party, "scope": data.scope, "given_on": data.given_on, "expires_on": data.expires_on}
    return consent_out(svc.add_consent(caller.db, caller.user, participant, values, page))


@action(
    "consents.withdraw", permission="consents.edit", summary="Withdraw a consent",
    description="Marks the consent withdrawn from today (or from the day it was given, if that is later); it stays on "
    "record. Withdrawing one already withdrawn changes nothing. A consent of another person is 404.",
)
def withdraw_consent(caller: Caller, participant_id: int, consent_id: int, *, page: str, today: dt.date) -> ConsentOut:
    participant = participant_of(caller, participant_id)
    consent = get_scoped(caller.db, Consent, consent_id)
    if consent is None or consent.participant_id != participant.id:
        raise NotFoundException()
    return consent_out(svc.withdraw_consent(caller.db, caller.user, consent, today, page))


# --- contacts with outside services ------------------------------------------------------


class ContactInput(Input):
    """A contact with an outside service about the participant."""

    party: Party
    contacted_on: Annotated[dt.date, Meta(description="The day of the contact.", examples=["2026-12-03"])]
    purpose: Annotated[str, Meta(max_length=500, description="What the contact was about.", examples=["Planning the return to work"])] = ""
    confirm: Annotated[bool, Meta(description=(
        "Record the contact even without a valid consent for this party on that day; the reason is kept with it. "
        "Without it, such a contact is not stored and the answer says why."
    ))] = False


class ConsentWarning(msgspec.Struct, kw_only=True):
    reason: Annotated[Literal["none", "expired", "withdrawn", "not_yet"], Meta(
        description="Why no consent covers the contact: none on record for the party, expired, withdrawn, or not yet given on that day.",
    )]
    message: Annotated[str, Meta(description="The same in words, in the caller's language.")]


class ContactResult(msgspec.Struct, kw_only=True):
    """What became of a contact: stored (201), or not stored for want of consent (409)."""

    stored: Annotated[bool, Meta(description="Whether the contact was recorded.")]
    id: Annotated[int | None, Meta(description="The contact's id; null when not stored.")] = None
    party: Annotated[str | None, Meta(description="The outside service or person; null when not stored.")] = None
    contacted_on: Annotated[Date | None, Meta(description="The day of the contact; null when not stored.")] = None
    consent_id: Annotated[int | None, Meta(description="The consent that covers it; null when none does.")] = None
    warning: Annotated[ConsentWarning | None, Meta(description="Why no consent covers it; null when one does.")] = None


@action(
    "contacts.create", permission="consents.edit", summary="Record a contact with an outside service",
    description="Checks the participant's consents for the party on the day of the contact. With a valid one the "
    "contact is recorded with it (201). Without one nothing is stored and the answer is 409 with the reason, unless "
    "`confirm` is true: then it is recorded with the reason kept (201, with the warning).",
)
def record_contact(caller: Caller, participant_id: int, data: ContactInput, *, page: str) -> ContactResult:
    participant = participant_of(caller, participant_id)
    values = {"party": data.party, "contacted_on": data.contacted_on, "purpose": data.purpose, "confirm": data.confirm}
    contact, check = svc.record_contact(caller.db, caller.user, participant, values, page)
    warning = ConsentWarning(reason=check.reason, message=check.message()) if check.reason else None  # type: ignore[arg-type]
    if contact is None:
        return ContactResult(stored=False, warning=warning)
    return contact_result(contact, warning)


def contact_result(contact: OutsideContact, warning: ConsentWarning | None) -> ContactResult:
    return ContactResult(stored=True, id=contact.id, party=contact.party, contacted_on=contact.contacted_on,
                         consent_id=contact.consent_id, warning=warning)


# --- the GDPR export ---------------------------------------------------------------------

# A whole number is a JSON number too: listed once, or the schema's oneOf would match an
# integer twice (integer and number) and a validator would refuse every count.
Cell = str | float | bool | None


def _cell(value: Any) -> Cell:
    """A stored value as the export shows it: a structured one (a list of answers, a
    week's schedule) as its JSON text, so every cell is one of four described kinds."""
    if isinstance(value, (list, dict)):
        return msgspec.json.encode(value).decode()
    return value


class ExportedTable(msgspec.Struct, kw_only=True):
    title: Annotated[str, Meta(description="What the table holds, in words.")]
    owner: Annotated[str, Meta(description="Who keeps it: `core` or a program's short name.")]
    categories: Annotated[dict[str, str], Meta(description="Column name → the kind of personal data it holds (identity, health...).")]
    rows: Annotated[list[dict[str, Cell]], Meta(description="The person's rows: column name → value (dates and decimals as strings, a stored list or object as its JSON text).")]


class ExportedDay(msgspec.Struct, kw_only=True):
    date: Annotated[str, Meta(description="The program day, YYYY-MM-DD.")]
    outcome: Annotated[str | None, Meta(description="How the day went (worked, left_early...); null when not recorded.")]
    hours: Annotated[str | None, Meta(description="Hours worked, a decimal string; null when not recorded.")]


class ExportedLook(msgspec.Struct, kw_only=True):
    at: Annotated[str, Meta(description="When, RFC 3339.")]
    staff_name: Annotated[str, Meta(description="Who looked, as named then.")]
    category: Annotated[str, Meta(description="Which kind of data.")]
    action: Annotated[str, Meta(description="view, change, export or print.")]
    page: Annotated[str, Meta(description="The route it was done through.")]


class PersonExport(msgspec.Struct, kw_only=True):
    """Everything the organization holds about a person (GDPR art. 15 and 20)."""

    exported_at: Annotated[str, Meta(description="When the export was made, RFC 3339 in UTC.")]
    organization: Annotated[str, Meta(description="The organization that holds the data.")]
    participant_id: ParticipantId
    tables: Annotated[dict[str, ExportedTable], Meta(description="The person's rows of every table that holds personal data, by table name.")]
    attendance: Annotated[list[ExportedDay], Meta(description="The days the person came, and how each went.")]
    access_log: Annotated[list[ExportedLook], Meta(description="Who looked at the person's sensitive data, and when.")]


def _export_of(data: dict[str, Any]) -> PersonExport:
    tables = {
        name: ExportedTable(title=str(t["title"]), owner=str(t["owner"]), categories={k: str(v) for k, v in t["categories"].items()}, rows=[{k: _cell(v) for k, v in row.items()} for row in t["rows"]])
        for name, t in data["tables"].items()
    }
    return PersonExport(
        exported_at=data["exported_at"], organization=data["organization"], participant_id=data["participant_id"], tables=tables,
        attendance=[ExportedDay(**d) for d in data["attendance"]], access_log=[ExportedLook(**e) for e in data["access_log"]],
    )


@action(
    "privacy.export", permission="privacy.export", summary="Export everything about a person",
    description="Everything the organization holds about the participant, from the core and every program it runs "
    "(GDPR art. 15 and 20), including who looked at their data. The export itself is logged.",
)
def export_person(caller: Caller, participant_id: int, *, page: str) -> PersonExport:
    participant = participant_of(caller, participant_id)
    org = caller.db.get(Organization, caller.organization_id)
    return _export_of(svc.export_person(caller.db, caller.plugins, org, caller.user, participant, page))
