"""Dagsverket's actions, each defined once: its typed input, its permission, the service
that does it and the typed answer. The pages (``web.py``, which address days by date) and
the API (``api.py``, which addresses them by id) both call these, so they cannot differ.

A day is always one the organization has stored: the actions take its id and never create
it. The pages find or store the day for a date before they call an action (see
``web.posted_day``); the API finds it by ``GET /api/v1/days?site_id=&date_from=&date_to=``
and creates it with ``POST /api/v1/days``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import msgspec
from litestar.exceptions import ClientException, NotFoundException
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import Caller, Input, action
from core.api_types import DayId, ParticipantId, TeamId
from core.db import as_utc, get_scoped
from core.forms import INT_MAX, FormError
from core.i18n import gettext as _
from core.models import Attendance, Participant, ProgramDay, Shift
from core.services.days import stored_day
from plugins.dagsverk_lottery import algorithm
from plugins.dagsverk_lottery import calendar as cal
from plugins.dagsverk_lottery import calls
from plugins.dagsverk_lottery import checkin as checkin_service
from plugins.dagsverk_lottery import draws as draw_service
from plugins.dagsverk_lottery import end_of_day, solve_jobs
from plugins.dagsverk_lottery import teams as team_service
from plugins.dagsverk_lottery.models import Draw, TeamJob, TeamNote

DrawId = Annotated[int, Meta(ge=1, description="The draw's id.", examples=[1])]
Status = Annotated[str, Meta(description="The person's place in today's draw: `entered`, `not_fit` (present, not entered) or `after_draw` (came after check-in closed).", examples=["entered"])]


# --- Answers --------------------------------------------------------------------------------

class CheckInOut(msgspec.Struct):
    participant_id: ParticipantId
    day_id: DayId
    status: Status
    is_new: Annotated[bool, Meta(description="Whether this request registered the person (false: they were registered already).")]


Sha256 = Annotated[str, Meta(description="64 hexadecimal characters.", examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])]
ReceiptCode = Annotated[str, Meta(description="The person's receipt code for the day, given at check-in (5 letters and digits).", examples=["K7MXA"])]


class EntrantOut(msgspec.Struct):
    participant_id: ParticipantId
    right: Annotated[str, Meta(description="The person's right at the draw: `first_day`, `third_day`, `carried_over` or `none`.")]
    result: Annotated[str | None, Meta(description="What the draw gave: `right`, `lottery` or `reserve`; null until drawn.")] = None
    position: Annotated[int | None, Meta(description="1-based place in the draw's order; null until drawn.")] = None
    reserve_number: Annotated[int | None, Meta(description="The place on the reserve list; null if not a reserve.")] = None
    called_in: Annotated[bool | None, Meta(description="Whether a reserve was called in for a declined place; null until drawn.")] = None
    call_status: Annotated[str | None, Meta(description="Day-before mode: how the phone call went (`reached`, `declined`, `not_reached`).")] = None
    receipt_code: Annotated[str | None, Meta(description="The receipt code the ticket is made from (version 2); null in version 1 draws.", examples=["K7MXA"])] = None
    ticket: Annotated[str | None, Meta(description="The entrant's ticket, SHA-256 in hex, once drawn; null before.")] = None


class DrawOut(msgspec.Struct):
    id: DrawId
    day_id: DayId
    attempt: Annotated[int, Meta(description="1 for the day's first draw; one more after each voided draw.")]
    status: Annotated[str, Meta(description="`sealed` (check-in closed, entrants fixed), `drawn` or `voided`.")]
    mode: Annotated[str, Meta(description="`morning` or `day_before` (with a call list).")]
    algorithm: Annotated[str, Meta(description="The name and version of the drawing algorithm, for verification.")]
    capacity: Annotated[int, Meta(description="Places drawn for.")]
    seed_sha256: Annotated[str, Meta(description="The fingerprint of the seed, shown on the big screen when check-in closes.")]
    entrants_sha256: Annotated[str, Meta(description="The fingerprint of the sealed list of entrants.")]
    seed: Annotated[str | None, Meta(description="The seed, once drawn (null while sealed), so anyone can recompute the draw.")]
    void_reason: Annotated[str | None, Meta(description="Why the draw was voided; null if it was not.")]
    entrants: Annotated[list[EntrantOut], Meta(description="The entrants by participant id; results only once drawn.")]
    beacon_round: Annotated[int | None, Meta(description="Version 2: the drand quicknet round named at sealing, one that did not exist yet; null when the beacon is off.")] = None
    beacon_value: Annotated[str | None, Meta(description="Version 2: the named round's randomness as fetched at the draw; null before the draw or when it could not be fetched.")] = None
    beacon_note: Annotated[str | None, Meta(description="Version 2: why no beacon value was mixed in (`off`, `not_yet`, `unreachable`, `invalid`); null when one was, or before the draw.")] = None
    contribution: Annotated[str | None, Meta(description="Version 2: the canonical text of the numbers typed at the draw (sorted, RFC 3797 style, e.g. `7.12.45./`); empty if none were typed, null before the draw.", examples=["7.12.45./"])] = None
    final_seed: Annotated[str | None, Meta(description="Version 2: SHA-256 of the seed, the entrants' fingerprint, the contribution and the beacon value, which the tickets are made from; null before the draw.")] = None


class DayDrawOut(msgspec.Struct):
    day_id: DayId
    date: Annotated[dt.date, Meta(description="The day's date.")]
    draw: Annotated[DrawOut | None, Meta(description="The day's draw that counts (sealed or drawn); null before check-in closes.")]
    entered: Annotated[int, Meta(description="How many are entered (before the draw: so far).")]
    capacity: Annotated[int, Meta(description="Places in the draw.")]


class CallOut(msgspec.Struct):
    participant_id: ParticipantId
    call_status: Annotated[str, Meta(description="How the call went.")]
    called_in_participant_id: Annotated[int | None, Meta(description="The reserve called in for a declined place, if any.")]


class VerificationOut(msgspec.Struct):
    draw_id: DrawId
    matches: Annotated[bool, Meta(description="Whether recomputing the draw from what was stored gives what was stored.")]
    problems: Annotated[list[str], Meta(description="What does not match, in words.")]
    algorithm: Annotated[str, Meta(description="The algorithm the draw was recomputed by (its own, stored with it).")] = ""
    seed_sha256: Annotated[str, Meta(description="The seed's fingerprint, published at sealing.")] = ""
    entrants_sha256: Annotated[str, Meta(description="The entrants' fingerprint, published at sealing.")] = ""
    beacon_round: Annotated[int | None, Meta(description="Version 2: the beacon round named at sealing; null if none.")] = None
    beacon_value: Annotated[str | None, Meta(description="Version 2: the beacon value mixed in; null if none.")] = None
    contribution: Annotated[str | None, Meta(description="Version 2: the numbers typed at the draw, as canonical text; null in version 1.")] = None
    final_seed: Annotated[str | None, Meta(description="Version 2: the seed the tickets were recomputed from; null in version 1 or before the draw.")] = None


class DayTeamOut(msgspec.Struct):
    id: TeamId
    name: Annotated[str, Meta(description="The team's name.")]
    work_leader_id: Annotated[int | None, Meta(description="The staff member leading the team, if any.")]
    locked: Annotated[bool, Meta(description="Whether a new suggestion leaves the team as it is.")]
    work_order_ids: Annotated[list[int], Meta(description="The work orders the team works on.")]
    kind: Annotated[str | None, Meta(description="The kind of work the suggestion made the team for (`firewood`, `indoor`, an order...); null if made by hand.")]
    participant_ids: Annotated[list[int], Meta(description="Who is on the team.")]
    reasons: Annotated[list[str], Meta(description="Why the last suggestion put these people here (limits, people kept apart, variety), in the reader's language.")]


class SolverOut(msgspec.Struct):
    status: Annotated[str | None, Meta(description="The solver's verdict on the last suggestion (`OPTIMAL`, `FEASIBLE`...).")]
    gap: Annotated[float | None, Meta(description="How far from proven best the suggestion may be (0 is optimal).")]
    seconds: Annotated[float | None, Meta(description="How long the solver took.")]


class TeamsOut(msgspec.Struct):
    day_id: DayId
    date: Annotated[dt.date, Meta(description="The day's date.")]
    teams: Annotated[list[DayTeamOut], Meta(description="The day's teams, by name.")]
    unassigned_participant_ids: Annotated[list[int], Meta(description="People with a place today on no team yet.")]
    explanation: Annotated[list[str], Meta(description="Why the last suggestion looks as it does as a whole (leaders, counts, balance, how good), in the reader's language; the reasons about single people are under their team (`teams[].reasons`, `unassigned_reasons`).")]
    unassigned_reasons: Annotated[list[str], Meta(description="Why people on no team are there (could not be placed), in the reader's language.")]
    solver: Annotated[SolverOut | None, Meta(description="The last suggestion's solver figures; null if none was made.")]


class ShiftOutcomeOut(msgspec.Struct):
    participant_id: ParticipantId
    outcome: Annotated[str, Meta(description="How the shift went.")]


class ClosedDayOut(msgspec.Struct):
    day_id: DayId
    date: Annotated[dt.date, Meta(description="The day's date.")]
    closed_at: Annotated[dt.datetime | None, Meta(description="When the day was closed (UTC).")]
    shifts: Annotated[list[ShiftOutcomeOut], Meta(description="Every shift of the day with its outcome.")]


class CalendarDayOut(msgspec.Struct):
    date: Annotated[dt.date, Meta(description="The date.")]
    day_id: Annotated[int | None, Meta(description="The stored day's id; null for a date with no stored day (it is open on the open "
                                                   "weekdays unless a public holiday or one of the closed dates).")]
    is_open: Annotated[bool, Meta(description="Whether the program is open: the stored day's choice, else the calendar's default.")]
    capacity: Annotated[int, Meta(description="Places in the draw: the day's own, else the setting for the date.")]
    note: Annotated[str, Meta(description="Why the day is closed or otherwise special.")]
    holiday: Annotated[str, Meta(description="The Norwegian public holiday's name, or that of a closed date (Christmas Eve, New "
                                             "Year's Eve), in the request's language (the package's Norwegian name in nb); "
                                             "empty on other days. Shown whether or not the day is stored.",
                                 examples=["Første juledag", ""])] = ""


class CalendarOut(msgspec.Struct):
    items: Annotated[list[CalendarDayOut], Meta(description="One per date of the period, in order.")]


# --- Reads ----------------------------------------------------------------------------------

def _revealed(draw: Draw) -> bool:
    """Whether the seed and the results are shown: once the draw is no longer sealed."""
    return draw.status != "sealed"


def draw_out(db: Session, draw: Draw, fresh: Sequence[tuple[Any, ...]] | None = None) -> DrawOut:
    """The draw as the API shows it. ``fresh``: the entrant rows this request wrote, with
    their tickets (``draws.fresh_rows``), instead of reading and hashing them again."""
    revealed = _revealed(draw)
    if fresh is not None:
        rows: Sequence[Any] = [r[:9] for r in fresh]
        known = {r[1]: r[9] for r in fresh if r[9] is not None}
    else:
        rows, known = draw_service.entrant_rows(db, draw.id), {}
    v2 = draw.algorithm != algorithm.ALGORITHM_V1
    seed = draw_service.ticket_seed(draw) if revealed else None
    # Rows unpacked as tuples: a draw can list 10,000 entrants.
    if revealed and seed is not None:
        prefix = hashlib.sha256(f"{seed}:".encode("ascii")).copy

        def ticket(key: object, pid: int) -> str:
            if pid in known:
                return known[pid]
            h = prefix()
            h.update(str(key).encode("ascii"))
            return h.hexdigest()

        entrants = [EntrantOut(participant_id=pid, right=right, result=result, position=position, reserve_number=reserve_number,
                               called_in=called_in, call_status=call_status or None, receipt_code=code,
                               ticket=ticket(code if v2 else pid, pid))
                    for _id, pid, right, result, position, reserve_number, called_in, call_status, code in rows]
    else:
        entrants = [EntrantOut(participant_id=pid, right=right, receipt_code=code) for _id, pid, right, *_hidden, code in rows]
    return DrawOut(id=draw.id, day_id=draw.day_id, attempt=draw.attempt, status=draw.status, mode=draw.mode,
                   algorithm=draw.algorithm, capacity=draw.capacity, seed_sha256=draw.seed_sha256,
                   entrants_sha256=draw.entrants_sha256, seed=draw.seed if revealed else None,
                   void_reason=draw.void_reason or None, entrants=entrants, beacon_round=draw.beacon_round,
                   beacon_value=draw.beacon_value if revealed else None,
                   beacon_note=(draw.beacon_note or None) if revealed and v2 else None,
                   contribution=draw.contribution if revealed and v2 else None,
                   final_seed=seed if revealed and v2 else None)


def day_draw(db: Session, day: ProgramDay) -> DayDrawOut:
    draw = draw_service.active_draw(db, day)
    return DayDrawOut(day_id=day.id, date=day.date, draw=draw_out(db, draw) if draw else None,
                      entered=draw_service.entrant_total(db, draw.id) if draw else draw_service.entrant_count(db, day),
                      capacity=draw.capacity if draw else cal.capacity_for(db, day))


def stored_draw(caller: Caller, draw_id: int) -> Draw:
    draw = get_scoped(caller.db, Draw, draw_id)
    if draw is None:
        raise NotFoundException()
    return draw


def verification(db: Session, draw: Draw) -> VerificationOut:
    result = draw_service.verify(draw, draw_service.entrant_rows(db, draw.id))
    revealed, v2 = _revealed(draw), draw.algorithm != algorithm.ALGORITHM_V1
    return VerificationOut(draw_id=draw.id, matches=result.matches, problems=list(result.problems), algorithm=draw.algorithm,
                           seed_sha256=draw.seed_sha256, entrants_sha256=draw.entrants_sha256, beacon_round=draw.beacon_round,
                           beacon_value=draw.beacon_value if revealed else None,
                           contribution=draw.contribution if revealed and v2 else None,
                           final_seed=draw_service.ticket_seed(draw) if revealed and v2 else None)


def day_teams(db: Session, day: ProgramDay) -> TeamsOut:
    note = db.scalars(select(TeamNote).where(TeamNote.day_id == day.id)).first()
    kinds = note.team_kinds if note else {}
    solver = None
    if note is not None:
        figures = note.explanation or {}
        solver = SolverOut(status=figures.get("status"), gap=figures.get("gap"), seconds=figures.get("seconds"))
    why = team_service.reasons(db, day, note)
    return TeamsOut(
        day_id=day.id, date=day.date,
        teams=[DayTeamOut(id=t.id, name=t.name, work_leader_id=t.work_leader_id, locked=t.locked,
                          work_order_ids=[o.id for o in t.work_orders], kind=kinds.get(str(t.id)),
                          participant_ids=[s.participant_id for s in t.shifts], reasons=why.teams.get(t.id, []))
               for t in team_service.day_teams(db, day)],
        unassigned_participant_ids=list(db.scalars(select(Shift.participant_id).where(Shift.day_id == day.id, Shift.team_id.is_(None)))),
        explanation=why.day, unassigned_reasons=why.teams.get(None, []),
        solver=solver,
    )


def calendar(db: Session, date_from: dt.date, date_to: dt.date) -> CalendarOut:
    """The default site's days in a period, stored or not: what the calendar page shows."""
    if date_to < date_from:
        raise FormError({"date_to": _("The end date is before the start date.")})
    if (date_to - date_from).days > 366:
        raise FormError({"date_to": _("At most a year at a time.")})
    site = cal.default_site(db)
    if site is None:
        return CalendarOut(items=[])
    items = []
    for d in cal.calendar(db, site, date_from, (date_to - date_from).days + 1):
        items.append(CalendarDayOut(date=d.date, day_id=d.row.id if d.row else None, is_open=d.is_open, capacity=d.capacity,
                                    note=d.row.note if d.row else "", holiday=d.holiday))
    return CalendarOut(items=items)


# --- Check-in -------------------------------------------------------------------------------

class CheckInIn(Input):
    participant_id: Annotated[Annotated[int, Meta(ge=1, le=INT_MAX)] | None, Meta(description="Who came; give this or `card_code`.")] = None
    card_code: Annotated[Annotated[str, Meta(max_length=40)] | None, Meta(description="The code on the person's card, as a scanner reads it; give this or `participant_id`.", examples=["K-1042"])] = None
    not_fit: Annotated[bool, Meta(description="Present but not fit to work today: attended, not entered in the draw.")] = False


@action("dagsverk.checkin", permission="dagsverk.checkin", summary="Register a person at the door",
        description="Registers the person as present (attendance) and, before check-in closes, enters them in the "
                    "day's draw (`not_fit`: present only). After check-in has closed they are present but not "
                    "entered (`after_draw`). Registering twice answers the first registration (`is_new` false). "
                    "A closed day is 422; an unknown `participant_id` 404, an unknown `card_code` 422.")
def check_in(caller: Caller, day_id: int, data: CheckInIn) -> CheckInOut:
    day = stored_day(caller, day_id)
    db = caller.db
    if data.participant_id is not None:
        person = get_scoped(db, Participant, data.participant_id)
        if person is None:
            raise NotFoundException()
    elif data.card_code:
        person = db.scalars(select(Participant).where(Participant.card_code == data.card_code)).first()
        if person is None:
            raise FormError({"card_code": _("No participant has this card.")})
    else:
        raise FormError({"participant_id": _("This field is required.")})
    row, created = checkin_service.check_in(db, day, person, caller.user.id, not_fit=data.not_fit)
    return CheckInOut(participant_id=person.id, day_id=day.id, status=row.status, is_new=created)


class NewcomerIn(Input):
    first_name: Annotated[str, Meta(max_length=100, description="The first name, if the person gives one.", examples=["Øyvind"])] = ""
    nickname: Annotated[str, Meta(max_length=100, description="What the person is called, if no first name.", examples=["Gubben"])] = ""
    confirm_new_person: Annotated[bool, Meta(description="Add the person although people with similar names exist (the answer "
                                                         "without it was 409 listing them): staff asked, and it is none of them.")] = False


@action("dagsverk.newcomer", permission="dagsverk.checkin", summary="Add a newcomer at the door",
        description="A new participant with only a first name or a nickname (one is required, 422), registered "
                    "at once as for check-in. The intake conversation is marked as due. While people with a similar "
                    "first name or nickname exist (the door's name matching: accents and a typo forgiven, inactive "
                    "people too), the answer is 409 listing them under `similar`, and nothing is stored: check one of "
                    "them in instead, or send again with `confirm_new_person: true`.")
def add_newcomer(caller: Caller, day_id: int, data: NewcomerIn) -> CheckInOut:
    day = stored_day(caller, day_id)
    person, row = checkin_service.add_newcomer(caller.db, day, data.first_name, data.nickname, caller.user.id,
                                               confirmed=data.confirm_new_person)
    return CheckInOut(participant_id=person.id, day_id=day.id, status=row.status, is_new=True)


class UndoCheckInIn(Input):
    participant_id: ParticipantId


class UndoneOut(msgspec.Struct):
    participant_id: ParticipantId
    day_id: DayId
    registered: Annotated[bool, Meta(description="Whether the person is still registered that day: always false after an undo.")]


@action("dagsverk.undo_check_in", permission="dagsverk.checkin", summary="Undo a registration at the door",
        description="Takes back a registration made by mistake, until check-in closes: the person's check-in and their "
                    "attendance that day are removed (no attendance is left) and the access log records who did it. "
                    "Once check-in has closed (the draw is sealed or drawn) the answer is 409, as it is for someone with "
                    "a shift that day; someone not registered that day is 422.")
def undo_check_in(caller: Caller, day_id: int, data: UndoCheckInIn) -> UndoneOut:
    day = stored_day(caller, day_id)
    page = "/api/v1/dagsverk/days/{day_id}/undo-checkin" if caller.api else "/dagsverk/days/{day_ref}/undo-checkin"
    checkin_service.undo_check_in(caller.db, day, data.participant_id, caller.user.id, page=page)
    return UndoneOut(participant_id=data.participant_id, day_id=day.id, registered=False)


# --- Search at the door ---------------------------------------------------------------------

class PersonHitOut(msgspec.Struct):
    participant_id: ParticipantId
    name: Annotated[str, Meta(description="First and last name, with the nickname in brackets.", examples=["Øyvind Amundsen (Gubben)"])]
    nickname: Annotated[str, Meta(description="What the person is called; empty if nothing.")]
    birth_year: Annotated[int | None, Meta(description="The year of birth, to tell people of one name apart; null if unknown.", examples=[1971])]
    card_code_end: Annotated[str | None, Meta(description="The last three characters of the card code, to tell people apart; null without a card.", examples=["042"])]
    last_seen_on: Annotated[dt.date | None, Meta(description="The last day the person was registered present; null if never.")]
    is_registered: Annotated[bool, Meta(description="Whether the person is already registered on this day.")]
    by_card: Annotated[bool, Meta(description="Found by the exact card code (then the only result).")]


class PeopleFoundOut(msgspec.Struct):
    items: Annotated[list[PersonHitOut], Meta(description="The people found, the likeliest first (at most 8).")]


class SimilarNamesOut(msgspec.Struct, kw_only=True):
    """A 409 from the newcomer action: people with similar names exist."""

    status_code: Annotated[int, Meta(description="409.", examples=[409])]
    detail: Annotated[str, Meta(description="What to do, in the language of the token's owner.")]
    errors: Annotated[dict[str, str], Meta(description="The same message under `confirm_new_person`.")]
    similar: Annotated[list[PersonHitOut], Meta(description="The people with similar names, the likeliest first.")]


def hit_out(hit: checkin_service.Hit, present: set[int]) -> PersonHitOut:
    p = hit.participant
    return PersonHitOut(participant_id=p.id, name=p.display_name.strip(), nickname=p.nickname or "", birth_year=hit.birth_year,
                        card_code_end=hit.card_end, last_seen_on=hit.last_seen, is_registered=p.id in present, by_card=hit.card)


def present_on(db: Session, day: ProgramDay) -> set[int]:
    return set(db.scalars(select(Attendance.participant_id).where(Attendance.day_id == day.id)))


def people_found(db: Session, day: ProgramDay, q: str) -> PeopleFoundOut:
    """The door's search, as the check-in page shows it: by exact card code, else by name."""
    present = present_on(db, day)
    return PeopleFoundOut(items=[hit_out(h, present) for h in checkin_service.find(db, q, organization_id=day.organization_id)])


class FitIn(Input):
    participant_id: ParticipantId
    fit: Annotated[bool, Meta(description="Fit to work today (entered in the draw) or not (present only).")] = False


@action("dagsverk.fit", permission="dagsverk.checkin", summary="Mark a person fit or not fit today",
        description="Staff's judgement at the door, before check-in closes (after: 422). The person must be "
                    "registered today (422).")
def set_fit(caller: Caller, day_id: int, data: FitIn) -> CheckInOut:
    day = stored_day(caller, day_id)
    row = checkin_service.set_fit(caller.db, day, data.participant_id, data.fit)
    return CheckInOut(participant_id=row.participant_id, day_id=day.id, status=row.status, is_new=False)


# --- The draw -------------------------------------------------------------------------------

@action("dagsverk.seal", permission="dagsverk.draw", summary="Close check-in (seal the draw)",
        description="Fixes the entrants (by their receipt codes), their rights, the places, the server's seed and the "
                    "beacon round to come, and answers the fingerprints of the seed and of the entrants, which the big "
                    "screen shows before the numbers are drawn. Asking again answers the day's draw as it is.")
def seal(caller: Caller, day_id: int) -> DrawOut:
    day = stored_day(caller, day_id)
    return draw_out(caller.db, *draw_service.seal_with_rows(caller.db, day, caller.user.id))


Numbers = Annotated[
    list[Annotated[int, Meta(ge=0, le=99)]],
    Meta(max_length=algorithm.CONTRIBUTION_MAX,
         description="The numbers drawn in the room, typed in front of everyone: 1 to 10 balls of a lottery machine (0-99) "
                     "or dice (1-6), in any order (they are sorted). Mixed into the seed, so the server, which committed "
                     "to its seed before they existed, cannot steer the draw.", examples=[[45, 7, 12]]),
]


class DrawIn(Input):
    numbers: Numbers = []


@action("dagsverk.draw", permission="dagsverk.draw", summary="Draw",
        description="Draws the sealed draw with the numbers typed in the room and the named beacon round (if it can be "
                    "fetched): rights first, then the lottery, then the reserve list. Once per day: asking twice "
                    "answers the same draw. Numbers are required unless the program setting "
                    "`dagsverk.draw_contribution` is `optional` (422); numbers for a day whose check-in is still open "
                    "are 409 (close check-in first, so the seed is fixed before the numbers exist). With the setting "
                    "`optional` and no numbers, check-in is closed and the draw made at once.")
def draw(caller: Caller, day_id: int, data: DrawIn) -> DrawOut:
    day = stored_day(caller, day_id)
    db = caller.db
    found = draw_service.active_draw(db, day)
    if found is not None and found.status != "sealed":
        return draw_out(db, found)  # drawn already: the same answer, whatever was typed
    numbers = list(data.numbers)
    if not numbers and (found is None or found.algorithm != algorithm.ALGORITHM_V1) and cal.draw_contribution(db) == "required":
        raise FormError({"numbers": _("Type the numbers drawn in the room (1 to 10 numbers from 0 to 99).")})
    if numbers and found is None:
        raise ClientException(status_code=409, detail=_("Close check-in first: the fingerprints must be shown before the numbers are drawn."))
    return draw_out(db, *draw_service.run_with_rows(db, day, caller.user.id, numbers))


class VoidIn(Input):
    reason: Annotated[str, Meta(min_length=1, max_length=500, pattern=r"\S", description="Why the draw is voided (kept with it).", examples=["Feil antall plasser"])]


@action("dagsverk.void", permission="dagsverk.void", summary="Void a draw",
        description="Voids the draw with a reason; the day can then be sealed and drawn again (a new attempt), "
                    "and planned again.")
def void(caller: Caller, draw_id: int, data: VoidIn) -> DrawOut:
    found = stored_draw(caller, draw_id)
    return draw_out(caller.db, draw_service.void(caller.db, found, caller.user.id, data.reason))


CallStatus = Annotated[Literal["not_called", "reached", "declined", "not_reached"], Meta(
    description="How the phone call went: `reached`, `declined` (the place goes to the next reserve at once), "
                "`not_reached` (the place goes to the next reserve at the program's deadline, `dagsverk.call_deadline` "
                "on the day before; the person keeps any right they held), or `not_called` (not called yet).",
    examples=["reached"])]


def _call_status(stored: str) -> str:
    return stored or "not_called"


class CallIn(Input):
    participant_id: ParticipantId
    call_status: Annotated[CallStatus, Meta(description="How the call went; `not_called` undoes a status set by mistake, until the deadline.")]


@action("dagsverk.call", permission="dagsverk.draw", summary="Record a call (day-before mode)",
        description="How the phone call to a person with a place went. A declined place goes to the next reserve, "
                    "who is answered as `called_in_participant_id`. `not_called` undoes a wrong status until the "
                    "deadline; undoing a decline takes the place back from the reserve called in for it, unless that "
                    "reserve has been called (409). After the deadline a call can no longer be undone, nor the status "
                    "changed of someone whose place has gone (409). Someone without a place is 422.")
def record_call(caller: Caller, draw_id: int, data: CallIn) -> CallOut:
    found = stored_draw(caller, draw_id)
    stored = "" if data.call_status == "not_called" else data.call_status
    promoted = draw_service.record_call(caller.db, found, data.participant_id, stored, caller.user.id)
    return CallOut(participant_id=data.participant_id, call_status=data.call_status,
                   called_in_participant_id=promoted.participant_id if promoted else None)


class CallRowOut(msgspec.Struct):
    participant_id: ParticipantId
    name: Annotated[str, Meta(description="The person's name as staff see it.", examples=["Øyvind Aas"])]
    phone: Annotated[str | None, Meta(description="The person's phone number (contact data); null for a caller who does not make the calls (without `dagsverk.draw`), or when none is known.", examples=["91234567"])]
    position: Annotated[int | None, Meta(description="The place in the draw's order; null for a reserve.")]
    reserve_number: Annotated[int | None, Meta(description="The place on the reserve list, for a reserve called in.")]
    right: Annotated[str, Meta(description="The person's right at the draw: `first_day`, `third_day`, `carried_over` or `none`.")]
    call_status: CallStatus
    has_place: Annotated[bool, Meta(description="Whether the person still has the place (false: declined, or not reached by the deadline).")]


class CallListOut(msgspec.Struct):
    draw_id: DrawId
    deadline: Annotated[dt.datetime, Meta(description="When places of people not reached go to the next reserve (UTC).")]
    deadline_passed: Annotated[bool, Meta(description="Whether the deadline has passed: calls can no longer be undone.")]
    items: Annotated[list[CallRowOut], Meta(description="Everyone who was given a place, in draw order, then the reserves called in.")]


def call_list(caller: Caller, draw: Draw) -> CallListOut:
    """The call list of a drawn draw. Phone numbers only for those who make the calls
    (``dagsverk.draw``); contact data is not a special category, so, as on the person's
    page, showing it is not logged. Places of people not reached are given on first (see
    :func:`plugins.dagsverk_lottery.calls.settle`)."""
    db = caller.db
    if draw.status != "drawn":
        raise FormError({"__all__": _("The draw has not been run yet.")})
    calls.settle(db, draw)
    passed = calls.deadline_passed(db, draw)
    rows = [e for e in draw_service.entrant_rows(db, draw.id) if calls.holds_place(e)]
    rows.sort(key=lambda e: (e.result not in calls.PLACED, e.position or 0, e.reserve_number or 0))
    people = {p.id: p for p in db.scalars(select(Participant).where(Participant.id.in_([e.participant_id for e in rows])))}
    phones = caller.user.can("dagsverk.draw")
    items = [CallRowOut(participant_id=e.participant_id, name=people[e.participant_id].display_name.strip(),
                        phone=(people[e.participant_id].phone or None) if phones else None,
                        position=e.position if e.result in calls.PLACED else None,
                        reserve_number=e.reserve_number if e.result == "reserve" else None, right=e.right,
                        call_status=_call_status(e.call_status), has_place=not calls.is_freed(e, passed)) for e in rows]
    deadline = calls.deadline_of(db, calls.day_date(db, draw)).astimezone(dt.timezone.utc)
    return CallListOut(draw_id=draw.id, deadline=deadline, deadline_passed=passed, items=items)


# --- Teams and the end of the day -----------------------------------------------------------

class SuggestIn(Input):
    leader_ids: Annotated[Annotated[list[Annotated[int, Meta(ge=1, le=INT_MAX)]], Meta(max_length=100)] | None, Meta(description="The work leaders on duty (each a work leader or a leader); null: every work leader.")] = None


class SuggestionOut(msgspec.Struct):
    day_id: DayId
    status: Annotated[Literal["queued", "running", "done", "failed"], Meta(description="Where the suggestion is: `queued` (waiting for a solver), `running`, `done` (the teams are written) or `failed`.")]
    requested_at: Annotated[dt.datetime, Meta(description="When the suggestion was asked for (UTC).")]
    finished_at: Annotated[dt.datetime | None, Meta(description="When it was done or failed (UTC); null while it runs.")]
    error: Annotated[str | None, Meta(description="Why it failed, as a code: `no_draw` (the draw was voided meanwhile), `invalid` (a leader may no longer lead), `crashed` or `lost` (interrupted); null unless failed.")]
    message: Annotated[str | None, Meta(description="The failure in the reader's language; null unless failed.")]
    status_url: Annotated[str, Meta(description="Where to ask again for this state (GET).")]
    teams_url: Annotated[str, Meta(description="Where the day's teams are read (GET) once `done`.")]


def suggestion_out(day: ProgramDay, job: TeamJob) -> SuggestionOut:
    failed = job.status == "failed"
    return SuggestionOut(
        day_id=day.id, status=job.status, requested_at=as_utc(job.requested_at), finished_at=as_utc(job.finished_at),  # type: ignore[arg-type]
        error=job.error or None if failed else None, message=str(solve_jobs.ERROR_TEXT.get(job.error, "")) or None if failed else None,
        status_url=f"/api/v1/dagsverk/days/{day.id}/teams/suggestion", teams_url=f"/api/v1/dagsverk/days/{day.id}/teams")


@action("dagsverk.suggest", permission="dagsverk.teams", summary="Suggest the day's teams",
        description="Starts a suggestion of the day's teams and answers at once (202) with where to follow it: a "
                    "solver process of its own puts the people who got work on teams, one per leader on duty, by "
                    "the orders, the people's limits, who should not work together, newcomers spread over the "
                    "teams and the balance of indoor work between women and men over the last 8 weeks; locked "
                    "teams are kept. Poll `status_url` until `done`, then read `teams_url`. A suggestion already "
                    "queued or running for the day is answered as it is. No draw yet is 422, as is a leader who "
                    "may not lead a team.")
def suggest(caller: Caller, day_id: int, data: SuggestIn) -> SuggestionOut:
    day = stored_day(caller, day_id)
    job = solve_jobs.start(caller.db, caller.settings.database.url, day,
                           None if data.leader_ids is None else list(data.leader_ids), caller.user.id)
    return suggestion_out(day, job)


def suggestion(caller: Caller, day_id: int) -> SuggestionOut:
    """The state of the day's last suggestion; 404 if none was asked for."""
    day = stored_day(caller, day_id)
    job = solve_jobs.job_of(caller.db, day)
    if job is None:
        raise NotFoundException()
    return suggestion_out(day, job)


class MoveIn(Input):
    participant_id: ParticipantId
    team_id: Annotated[Annotated[int, Meta(ge=1, le=INT_MAX)] | None, Meta(description="The team, one of the day's; null takes the person off every team.")] = None


@action("dagsverk.move", permission="dagsverk.teams", summary="Move a person to another team",
        description="Moves someone with a place today to one of the day's teams, or off every team. A locked team, "
                    "a person without a place or a team of another day is 422.")
def move(caller: Caller, day_id: int, data: MoveIn) -> TeamsOut:
    day = stored_day(caller, day_id)
    team_service.move(caller.db, day, data.participant_id, data.team_id)
    return day_teams(caller.db, day)


class LockIn(Input):
    locked: Annotated[bool, Meta(description="Locked: a new suggestion leaves the team as it is.")] = False


@action("dagsverk.lock", permission="dagsverk.teams", summary="Lock or unlock a team",
        description="A locked team keeps its people and leader when teams are suggested again. A team not of "
                    "this day is 404.")
def lock(caller: Caller, day_id: int, team_id: int, data: LockIn) -> TeamsOut:
    day = stored_day(caller, day_id)
    if team_service.team_of_day(caller.db, day, team_id) is None:
        raise NotFoundException()
    team_service.set_locked(caller.db, day, team_id, data.locked)
    return day_teams(caller.db, day)


class OutcomeLine(msgspec.Struct, forbid_unknown_fields=True):
    participant_id: ParticipantId
    outcome: Annotated[Literal["worked", "left_early", "sent_home", "no_show"], Meta(description="How the day went for the person.")]


class OrderLine(msgspec.Struct, forbid_unknown_fields=True):
    work_order_id: Annotated[int, Meta(ge=1, le=INT_MAX, description="One of the day's work orders.")]
    is_done: Annotated[bool, Meta(description="The order is done.")] = False
    remaining: Annotated[str, Meta(max_length=5000, description="What remains, when not done; carried over to the next day's list.")] = ""


class CloseIn(Input):
    outcomes: Annotated[list[OutcomeLine], Meta(max_length=10000, description="How it went for each person with a place.")] = []
    orders: Annotated[list[OrderLine], Meta(max_length=1000, description="Each order's state at the end of the day.")] = []


@action("dagsverk.close", permission="dagsverk.teams", summary="Close the day",
        description="Records every outcome (what the day wage is paid from) and each order's state in one "
                    "transaction: any person without a place today or order not of the day is 422 and nothing "
                    "is written. A day after today (Europe/Oslo) is 422: a day is closed on the day or after.")
def close(caller: Caller, day_id: int, data: CloseIn) -> ClosedDayOut:
    day = stored_day(caller, day_id)
    end_of_day.close_day(caller.db, day, {o.participant_id: o.outcome for o in data.outcomes},
                         {o.work_order_id: (o.is_done, o.remaining) for o in data.orders})
    shifts = caller.db.scalars(select(Shift).where(Shift.day_id == day.id).order_by(Shift.participant_id))
    return ClosedDayOut(day_id=day.id, date=day.date, closed_at=as_utc(day.closed_at),
                        shifts=[ShiftOutcomeOut(participant_id=s.participant_id, outcome=s.outcome) for s in shifts])

