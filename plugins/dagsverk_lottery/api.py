"""Dagsverket in the JSON API (``/api/v1/dagsverk``): check-in, the draw, verification,
teams, the end of the day, the calendar and the numbers for funders.

Days are addressed by id, as everywhere in the API: from a site and a date to the id with
``GET /api/v1/days?site_id=&date_from=&date_to=`` (``POST /api/v1/days`` stores a day not
stored yet). Every write is an action of :mod:`plugins.dagsverk_lottery.actions`, the same
the pages call; no route here creates a day.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from msgspec import Meta
from sqlalchemy.orm import Session

from core.actions import api_doc
from core.forms import FormError
from core.i18n import gettext as _
from core.i18n import today as today_in_oslo
from core.services.days import stored_day
from core.web.handlers import api_get, api_post, caller_of
from plugins.dagsverk_lottery import actions as act
from plugins.dagsverk_lottery import fairness, numbers
from plugins.dagsverk_lottery.fairness import FairnessOut
from plugins.dagsverk_lottery.actions import (
    CalendarOut,
    CallIn,
    CallListOut,
    CallOut,
    CheckInIn,
    CheckInOut,
    ClosedDayOut,
    CloseIn,
    DayDrawOut,
    DrawIn,
    DrawOut,
    FitIn,
    LockIn,
    MoveIn,
    NewcomerIn,
    PeopleFoundOut,
    SimilarNamesOut,
    SuggestIn,
    SuggestionOut,
    TeamsOut,
    UndoCheckInIn,
    UndoneOut,
    VerificationOut,
    VoidIn,
)
from plugins.dagsverk_lottery.checkin import SimilarNames
from plugins.dagsverk_lottery import transcript as transcript_service
from plugins.dagsverk_lottery.funders import DAY_COUNTS, as_json, funders_tables
from plugins.dagsverk_lottery.transcript import TranscriptOut

A = "/api/v1/dagsverk"
TAGS = ["dagsverk"]
DayIdParam = Annotated[int, Parameter(description="The program day's id (find it with `GET /api/v1/days?site_id=&date_from=&date_to=`).")]
DrawIdParam = Annotated[int, Parameter(description="The draw's id (see the day's draw).")]


# --- Check-in ---------------------------------------------------------------------------------

@api_post(f"{A}/days/{{day_id:int}}/checkin", **api_doc(act.check_in), status_code=201, name="api.dagsverk.checkin", tags=TAGS)
def api_checkin(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: CheckInIn) -> CheckInOut:
    return act.check_in.run(caller_of(request, db), day_id, data)


SIMILAR = {409: ResponseSpec(data_container=SimilarNamesOut, generate_examples=False,
                             description="People with similar names exist: one of them may be the person. Nothing was stored.")}


@api_post(f"{A}/days/{{day_id:int}}/newcomer", **api_doc(act.add_newcomer), status_code=201, name="api.dagsverk.newcomer", tags=TAGS,
          responses=SIMILAR)
def api_newcomer(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: NewcomerIn) -> CheckInOut:
    try:
        return act.add_newcomer.run(caller_of(request, db), day_id, data)
    except SimilarNames as exc:
        db.rollback()
        present = act.present_on(db, stored_day(caller_of(request, db), day_id))
        body = SimilarNamesOut(status_code=409, detail=exc.message, errors={"confirm_new_person": exc.message},
                               similar=[act.hit_out(h, present) for h in exc.similar])
        return Response(body, status_code=409, media_type=MediaType.JSON)  # type: ignore[return-value]


@api_post(f"{A}/days/{{day_id:int}}/undo-checkin", **api_doc(act.undo_check_in), status_code=200, name="api.dagsverk.undo_checkin", tags=TAGS)
def api_undo_checkin(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: UndoCheckInIn) -> UndoneOut:
    return act.undo_check_in.run(caller_of(request, db), day_id, data)


@api_get(f"{A}/days/{{day_id:int}}/checkin-candidates", opt={"permission": "dagsverk.checkin"}, name="api.dagsverk.checkin_candidates",
         tags=TAGS, summary="Find a person at the door",
         description="What the check-in page's search box finds: an exact card code alone, else up to 8 people whose names "
         "match the words typed (each word the start of a first name, last name or nickname; case and accents folded "
         "alike, \"o\" finding \"ø\" as a second choice, then a letter missing, doubled or swapped), the likeliest "
         "first. Each with what tells people of one name apart: birth year, the card code's last characters, "
         "nickname, the last day present, and whether already registered on this day. Finds nothing, and changes "
         "nothing, by itself: register with `POST .../checkin`.")
def api_checkin_candidates(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam,
                           q: Annotated[str, Parameter(description="A few letters of the name (words), or the card code; at most 100 characters are used.", max_length=200)] = "") -> PeopleFoundOut:
    return act.people_found(db, stored_day(caller_of(request, db), day_id), q)


@api_post(f"{A}/days/{{day_id:int}}/fit", **api_doc(act.set_fit), status_code=200, name="api.dagsverk.fit", tags=TAGS)
def api_fit(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: FitIn) -> CheckInOut:
    return act.set_fit.run(caller_of(request, db), day_id, data)


# --- The draw ---------------------------------------------------------------------------------

@api_get(f"{A}/days/{{day_id:int}}/draw", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.draw.get", tags=TAGS,
         summary="The day's draw", description="The day's draw that counts (sealed or drawn; null before check-in "
         "closes), how many are entered and the places. The seed and the results are shown once drawn.")
def api_get_draw(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam) -> DayDrawOut:
    return act.day_draw(db, stored_day(caller_of(request, db), day_id))


@api_post(f"{A}/days/{{day_id:int}}/seal", **api_doc(act.seal), status_code=200, name="api.dagsverk.seal", tags=TAGS)
def api_seal(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam) -> DrawOut:
    return act.seal.run(caller_of(request, db), day_id)


@api_post(f"{A}/days/{{day_id:int}}/draw", **api_doc(act.draw), status_code=200, name="api.dagsverk.draw", tags=TAGS)
def api_draw(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: DrawIn | None = None) -> DrawOut:
    return act.draw.run(caller_of(request, db), day_id, data or DrawIn())


@api_get(f"{A}/draws/{{draw_id:int}}", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.draw.detail", tags=TAGS,
         summary="A draw", description="A draw by id, voided ones too: its fingerprints, its entrants and, once "
         "drawn, the seed and the results.")
def api_draw_detail(request: Request[Any, Any, Any], db: Session, draw_id: DrawIdParam) -> DrawOut:
    return act.draw_out(db, act.stored_draw(caller_of(request, db), draw_id))


@api_get(f"{A}/draws/{{draw_id:int}}/verify", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.verify", tags=TAGS,
         summary="Verify a draw", description="Recomputes the draw from what was stored (the seed, the entrants and "
         "their rights) and says whether it gives the stored results.")
def api_verify(request: Request[Any, Any, Any], db: Session, draw_id: DrawIdParam) -> VerificationOut:
    return act.verification(db, act.stored_draw(caller_of(request, db), draw_id))


@api_get(f"{A}/draws/{{draw_id:int}}/transcript", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.transcript", tags=TAGS,
         summary="A draw's public transcript", description="Everything needed to recompute a `dagsverk-lottery/2` draw without "
         "the app (`scripts/check_draw.py`, docs/lottery.md): the fingerprints published at sealing, the beacon round, the "
         "numbers typed, the beacon value, the seed once drawn, the entrants by receipt code and the results. Names no "
         "person and no internal id; the same as the public check page's download. A version 1 draw has none (404).")
def api_transcript(request: Request[Any, Any, Any], db: Session, draw_id: DrawIdParam) -> TranscriptOut:
    draw = act.stored_draw(caller_of(request, db), draw_id)
    if not transcript_service.public(draw):
        raise NotFoundException()
    return transcript_service.transcript(db, draw)


@api_post(f"{A}/draws/{{draw_id:int}}/void", **api_doc(act.void), status_code=200, name="api.dagsverk.void", tags=TAGS)
def api_void(request: Request[Any, Any, Any], db: Session, draw_id: DrawIdParam, data: VoidIn) -> DrawOut:
    return act.void.run(caller_of(request, db), draw_id, data)


@api_post(f"{A}/draws/{{draw_id:int}}/calls", **api_doc(act.record_call), status_code=200, name="api.dagsverk.call", tags=TAGS)
def api_call(request: Request[Any, Any, Any], db: Session, draw_id: DrawIdParam, data: CallIn) -> CallOut:
    return act.record_call.run(caller_of(request, db), draw_id, data)


@api_get(f"{A}/draws/{{draw_id:int}}/calls", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.calls", tags=TAGS,
         summary="The call list (day-before mode)",
         description="Everyone given a place by the draw, in draw order, then the reserves called in, each with how "
         "their call went and whether they still have the place. Phone numbers only for callers who make the calls "
         "(`dagsverk.draw`: work leaders and leaders); for every other caller `phone` is null. Reading the list after "
         "the deadline first gives the places of people not reached to the next reserves (once, logged). A draw not "
         "yet run is 422.")
def api_calls(request: Request[Any, Any, Any], db: Session, draw_id: DrawIdParam) -> CallListOut:
    caller = caller_of(request, db)
    return act.call_list(caller, act.stored_draw(caller, draw_id))


# --- Teams and the end of the day -------------------------------------------------------------

@api_get(f"{A}/days/{{day_id:int}}/teams", opt={"permission": "dagsverk.teams"}, name="api.dagsverk.teams", tags=TAGS,
         summary="The day's teams", description="The day's teams with their people, who is on no team yet, and why "
         "the last suggestion looks as it does.")
def api_teams(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam) -> TeamsOut:
    return act.day_teams(db, stored_day(caller_of(request, db), day_id))


@api_post(f"{A}/days/{{day_id:int}}/teams/suggest", **api_doc(act.suggest), status_code=202, name="api.dagsverk.suggest", tags=TAGS)
def api_suggest(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: SuggestIn) -> SuggestionOut:
    return act.suggest.run(caller_of(request, db), day_id, data)


@api_get(f"{A}/days/{{day_id:int}}/teams/suggestion", opt={"permission": "dagsverk.teams"}, name="api.dagsverk.suggestion", tags=TAGS,
         summary="The state of the day's team suggestion", description="Whether the last suggestion asked for is queued, "
         "running, done (the teams are written: read `teams_url`) or failed (with why). 404 if none was asked for.")
def api_suggestion(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam) -> SuggestionOut:
    return act.suggestion(caller_of(request, db), day_id)


@api_post(f"{A}/days/{{day_id:int}}/teams/move", **api_doc(act.move), status_code=200, name="api.dagsverk.move", tags=TAGS)
def api_move(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: MoveIn) -> TeamsOut:
    return act.move.run(caller_of(request, db), day_id, data)


@api_post(f"{A}/days/{{day_id:int}}/teams/{{team_id:int}}/lock", **api_doc(act.lock), status_code=200, name="api.dagsverk.lock", tags=TAGS)
def api_lock(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam,
             team_id: Annotated[int, Parameter(description="The team's id, one of the day's.")], data: LockIn) -> TeamsOut:
    return act.lock.run(caller_of(request, db), day_id, team_id, data)


@api_post(f"{A}/days/{{day_id:int}}/close", **api_doc(act.close), status_code=200, name="api.dagsverk.close", tags=TAGS)
def api_close(request: Request[Any, Any, Any], db: Session, day_id: DayIdParam, data: CloseIn) -> ClosedDayOut:
    return act.close.run(caller_of(request, db), day_id, data)


# --- The calendar and the numbers -------------------------------------------------------------

@api_get(f"{A}/calendar", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.calendar", tags=TAGS,
         summary="The opening calendar", description="Each date of the period at the default site: open or closed, "
         "its places and note, the public holiday's name, and the day's id where it is stored. A stored day wins; "
         "dates not stored are open on the open weekdays, except Norwegian public holidays and the closed dates "
         "(`dagsverk.closed_dates`, by default Christmas Eve and New Year's Eve). "
         "At most a year. A day is opened, closed or given places with `PATCH /api/v1/days/{day_id}`.")
def api_calendar(
    db: Session,
    date_from: Annotated[dt.date, Parameter(description="The first date, inclusive (YYYY-MM-DD).", query="date_from")],
    date_to: Annotated[dt.date, Parameter(description="The last date, inclusive (YYYY-MM-DD).", query="date_to")],
) -> CalendarOut:
    return act.calendar(db, date_from, date_to)


Count = Annotated[int | None, Meta(description="A count of people; null where a shared report hides it.")]


class NumbersDay(msgspec.Struct):
    date: Annotated[dt.date, Meta(description="An open day.")]
    capacity: Annotated[int | None, Meta(description="Places in the draw.")]
    registered: Count
    entered: Count
    by_right: Count
    by_lottery: Count
    called_in: Count
    worked: Count
    turned_away: Count


class NumbersTotals(msgspec.Struct):
    registered: Count
    entered: Count
    by_right: Count
    by_lottery: Count
    called_in: Count
    worked: Count
    turned_away: Count


class NumbersOut(msgspec.Struct):
    date_from: Annotated[dt.date, Meta(description="The period's first date.")]
    date_to: Annotated[dt.date, Meta(description="The period's last date.")]
    shared: Annotated[bool, Meta(description="Whether small groups are hidden, as in the shared yearly report.")]
    days: Annotated[list[NumbersDay], Meta(description="One per open day of the period.")]
    totals: Annotated[NumbersTotals, Meta(description="The period's totals (people counted once per day).")]
    unique_people: Count
    unique_women: Count
    unique_workers: Count
    women_share: Annotated[float | None, Meta(description="Women's share of the unique people, 0 to 1; null where hidden.")]


assert DAY_COUNTS == NumbersTotals.__struct_fields__, "NumbersDay and NumbersTotals list the funders' day counts"


@api_get(f"{A}/numbers", opt={"permission": "dagsverk.numbers"}, name="api.dagsverk.numbers", tags=TAGS,
         summary="The numbers for funders", description="Per open day and in total: registered, entered, drawn by "
         "right and by lottery, called in, worked and turned away; unique people, women and workers. With `shared` "
         "true, small groups and every figure from which one could be worked out are null, by the same rules as "
         "the shared yearly report. At most ten years.")
def api_numbers(
    db: Session,
    date_from: Annotated[dt.date, Parameter(description="The first date, inclusive (YYYY-MM-DD).", query="date_from")],
    date_to: Annotated[dt.date, Parameter(description="The last date, inclusive (YYYY-MM-DD).", query="date_to")],
    shared: Annotated[bool, Parameter(description="Hide small groups, as in a report shared outside.", query="shared")] = False,
) -> NumbersOut:
    if date_to < date_from or (date_to - date_from).days > 3660:
        raise FormError({"date_to": _("The end date is before the start date.") if date_to < date_from else _("At most ten years at a time.")})
    t = funders_tables(numbers.period(db, date_from, date_to), shared=shared)
    days = [NumbersDay(date=row[0], capacity=as_json(row[1]), **{c: as_json(v) for c, v in zip(DAY_COUNTS, row[2:])})
            for row in t.days.rows[:-1]]
    share = as_json(t.person(3))
    return NumbersOut(
        date_from=date_from, date_to=date_to, shared=shared, days=days,
        totals=NumbersTotals(**{c: as_json(t.total(c)) for c in DAY_COUNTS}),
        unique_people=as_json(t.person(0)), unique_women=as_json(t.person(1)), unique_workers=as_json(t.person(2)),
        women_share=None if share is None else float(share),
    )


@api_get(f"{A}/fairness", opt={"permission": "dagsverk.fairness"}, name="api.dagsverk.fairness", tags=TAGS,
         summary="The fairness ledger", description="Per person, for one calendar month: days entered in the draw, days "
         "worked, days turned away (entered, no work) and the longest run of those, with a flag for someone turned away "
         "often (`turned_away_often_from` times or more). And over the last 8 weeks (up to the month's end for a past "
         "month): days worked indoors, at the firewood shed and outdoors by women, men and others, as days and shares, "
         "with the gap between women's and men's indoor shares. For the leader and the social worker.")
def api_fairness(
    db: Session,
    date: Annotated[dt.date | None, Parameter(description="A date in the month the ledger covers (YYYY-MM-DD); default today.", query="date")] = None,
) -> FairnessOut:
    now = today_in_oslo()
    return fairness.fairness_out(fairness.ledger_for(db, date or now, now))


def route_handlers() -> list[Any]:
    return [api_checkin, api_checkin_candidates, api_newcomer, api_undo_checkin, api_fit, api_get_draw, api_seal, api_draw, api_draw_detail, api_verify, api_transcript, api_void, api_call, api_calls,
            api_teams, api_suggest, api_suggestion, api_move, api_lock, api_close, api_calendar, api_numbers, api_fairness]
