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
from typing import Annotated, Literal

import msgspec
from litestar.exceptions import NotFoundException
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import Caller, Input, action
from core.api_types import DayId, ParticipantId, TeamId
from core.db import as_utc, get_scoped
from core.forms import INT_MAX, FormError
from core.i18n import gettext as _
from core.models import Participant, ProgramDay, Shift
from core.services.days import stored_day
from plugins.dagsverk_lottery import calendar as cal
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


class EntrantOut(msgspec.Struct):
    participant_id: ParticipantId
    right: Annotated[str, Meta(description="The person's right at the draw: `first_day`, `third_day` or `none`.")]
    result: Annotated[str | None, Meta(description="What the draw gave: `right`, `lottery` or `reserve`; null until drawn.")] = None
    position: Annotated[int | None, Meta(description="1-based place in the draw's order; null until drawn.")] = None
    reserve_number: Annotated[int | None, Meta(description="The place on the reserve list; null if not a reserve.")] = None
    called_in: Annotated[bool | None, Meta(description="Whether a reserve was called in for a declined place; null until drawn.")] = None
    call_status: Annotated[str | None, Meta(description="Day-before mode: how the phone call went (`reached`, `declined`, `not_reached`).")] = None


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
    day_id: Annotated[int | None, Meta(description="The stored day's id; null for a date with no stored day (it follows the open weekdays).")]
    is_open: Annotated[bool, Meta(description="Whether the program is open.")]
    capacity: Annotated[int, Meta(description="Places in the draw: the day's own, else the setting for the date.")]
    note: Annotated[str, Meta(description="Why the day is closed or otherwise special.")]


class CalendarOut(msgspec.Struct):
    items: Annotated[list[CalendarDayOut], Meta(description="One per date of the period, in order.")]


# --- Reads ----------------------------------------------------------------------------------

def draw_out(db: Session, draw: Draw) -> DrawOut:
    revealed = draw.status != "sealed"
    rows = draw_service.entrant_rows(db, draw.id)
    # Rows unpacked as tuples: a draw can list 10,000 entrants.
    if revealed:
        entrants = [EntrantOut(participant_id=pid, right=right, result=result, position=position, reserve_number=reserve_number,
                               called_in=called_in, call_status=call_status or None)
                    for _id, pid, right, result, position, reserve_number, called_in, call_status in rows]
    else:
        entrants = [EntrantOut(participant_id=pid, right=right) for _id, pid, right, *_hidden in rows]
    return DrawOut(id=draw.id, day_id=draw.day_id, attempt=draw.attempt, status=draw.status, mode=draw.mode,
                   algorithm=draw.algorithm, capacity=draw.capacity, seed_sha256=draw.seed_sha256,
                   entrants_sha256=draw.entrants_sha256, seed=draw.seed if revealed else None,
                   void_reason=draw.void_reason or None, entrants=entrants)


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
    return VerificationOut(draw_id=draw.id, matches=result.matches, problems=list(result.problems))


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
    for date, row, is_open in cal.calendar(db, site, date_from, (date_to - date_from).days + 1):
        capacity = row.capacity if row is not None and row.capacity is not None else int(cal.setting(db, "dagsverk.capacity", date))
        items.append(CalendarDayOut(date=date, day_id=row.id if row else None, is_open=is_open, capacity=capacity,
                                    note=row.note if row else ""))
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


@action("dagsverk.newcomer", permission="dagsverk.checkin", summary="Add a newcomer at the door",
        description="A new participant with only a first name or a nickname (one is required, 422), registered "
                    "at once as for check-in. The intake conversation is marked as due.")
def add_newcomer(caller: Caller, day_id: int, data: NewcomerIn) -> CheckInOut:
    day = stored_day(caller, day_id)
    person, row = checkin_service.add_newcomer(caller.db, day, data.first_name, data.nickname, caller.user.id)
    return CheckInOut(participant_id=person.id, day_id=day.id, status=row.status, is_new=True)


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
        description="Fixes the entrants, their rights, the places and the seed, and shows the seed's fingerprint. "
                    "Asking again answers the day's draw as it is.")
def seal(caller: Caller, day_id: int) -> DrawOut:
    day = stored_day(caller, day_id)
    return draw_out(caller.db, draw_service.seal(caller.db, day, caller.user.id))


@action("dagsverk.draw", permission="dagsverk.draw", summary="Draw",
        description="Closes check-in if still open and draws: rights first, then the lottery, then the reserve "
                    "list. Once per day: asking twice answers the same draw.")
def draw(caller: Caller, day_id: int) -> DrawOut:
    day = stored_day(caller, day_id)
    return draw_out(caller.db, draw_service.run(caller.db, day, caller.user.id))


class VoidIn(Input):
    reason: Annotated[str, Meta(min_length=1, max_length=500, pattern=r"\S", description="Why the draw is voided (kept with it).", examples=["Feil antall plasser"])]


@action("dagsverk.void", permission="dagsverk.void", summary="Void a draw",
        description="Voids the draw with a reason; the day can then be sealed and drawn again (a new attempt), "
                    "and planned again.")
def void(caller: Caller, draw_id: int, data: VoidIn) -> DrawOut:
    found = stored_draw(caller, draw_id)
    return draw_out(caller.db, draw_service.void(caller.db, found, caller.user.id, data.reason))


class CallIn(Input):
    participant_id: ParticipantId
    call_status: Annotated[Literal["reached", "declined", "not_reached"], Meta(description="How the phone call went; a declined place goes to the next reserve.", examples=["reached"])]


@action("dagsverk.call", permission="dagsverk.draw", summary="Record a call (day-before mode)",
        description="How the phone call to a drawn person went. A declined place goes to the next reserve, who is "
                    "answered as `called_in_participant_id`.")
def record_call(caller: Caller, draw_id: int, data: CallIn) -> CallOut:
    found = stored_draw(caller, draw_id)
    promoted = draw_service.record_call(caller.db, found, data.participant_id, data.call_status, caller.user.id)
    return CallOut(participant_id=data.participant_id, call_status=data.call_status,
                   called_in_participant_id=promoted.participant_id if promoted else None)


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
                    "is written.")
def close(caller: Caller, day_id: int, data: CloseIn) -> ClosedDayOut:
    day = stored_day(caller, day_id)
    end_of_day.close_day(caller.db, day, {o.participant_id: o.outcome for o in data.outcomes},
                         {o.work_order_id: (o.is_done, o.remaining) for o in data.orders})
    shifts = caller.db.scalars(select(Shift).where(Shift.day_id == day.id).order_by(Shift.participant_id))
    return ClosedDayOut(day_id=day.id, date=day.date, closed_at=as_utc(day.closed_at),
                        shifts=[ShiftOutcomeOut(participant_id=s.participant_id, outcome=s.outcome) for s in shifts])

