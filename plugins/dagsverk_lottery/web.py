"""Dagsverket's pages: check-in, draw, big screen, verification, teams, end of day,
calendar, numbers for funders, and the work profile. Thin: the logic is in the services."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from babel.numbers import format_decimal, format_percent

from litestar import Request, Response
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, HTTPException, NotFoundException
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.actions import action_opt, form_input, validation_errors
from core.forms import Field, FormError, validate
from core.forms import parse_date as checked_date
from core.i18n import babel_locale
from core.i18n import gettext as _
from core.i18n import today
from core.models import Participant, ProgramDay, Shift
from core.services import days as day_service
from core.services.days import NewDay, work_leader_choices
from core.services.reports import cell_text
from core.services.settings import history as setting_history
from core.services.settings import set_setting
from core.services.suppression import MIN_GROUP, has_hidden, hidden_note, is_hidden
from core.web.context import current_user
from core.web.handlers import caller_of, form_data, form_list, get_or_404, page_get, page_post, redirect
from core.web.templating import render
from plugins.dagsverk_lottery import actions as act
from plugins.dagsverk_lottery import algorithm
from plugins.dagsverk_lottery import calendar as cal
from plugins.dagsverk_lottery import calls
from plugins.dagsverk_lottery import checkin as checkin_service
from plugins.dagsverk_lottery import draws as draw_service
from plugins.dagsverk_lottery import end_of_day, fairness, numbers
from plugins.dagsverk_lottery import solve_jobs
from plugins.dagsverk_lottery import teams as team_service
from plugins.dagsverk_lottery.funders import funders_tables
from plugins.dagsverk_lottery.models import LIMITS, PREFERENCES, Draw, DrawEntrant, DrawEvent, TeamNote, WorkProfile

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
P = "/dagsverk"


def day_on(request: Request[Any, Any, Any], db: Session, date: dt.date) -> ProgramDay:
    """The program day, stored now if it was not: for POSTs that need it."""
    site = cal.default_site(db)
    if site is None:
        raise NotFoundException()
    return cal.day_for(db, current_user(request).organization.id, site, date)


def day_shown(request: Request[Any, Any, Any], db: Session, date: dt.date) -> ProgramDay:
    """The program day for a page that only looks: a day not stored yet is shown unsaved."""
    site = cal.default_site(db)
    if site is None:
        raise NotFoundException()
    return cal.find_day(db, current_user(request).organization.id, site, date)


def day_of_ref(request: Request[Any, Any, Any], db: Session, ref: str) -> ProgramDay:
    """The day a form posts to (``/dagsverk/days/<ref>/...``): by id, or by date for a day
    the page showed before it was stored (then unsaved, without an id). Another
    organization's id, or anything else, is 404."""
    if ref.isascii() and ref.isdigit():
        return get_or_404(db, ProgramDay, int(ref))
    try:
        date = checked_date(ref)
    except ValueError:  # not a date, or one no program day can have
        raise NotFoundException() from None
    return day_shown(request, db, date)


def posted_day(request: Request[Any, Any, Any], db: Session, ref: str, *, create: bool = True) -> tuple[ProgramDay, bool]:
    """The stored day a form posts to, and whether this request stored it: a day not stored
    yet is stored by the first POST that needs it (``create``; see :func:`on_day`), and is
    404 for the others, as an unknown ``day_id`` is in the API."""
    day = day_of_ref(request, db, ref)
    if day.id is not None:
        return day, False
    if not create:
        raise NotFoundException()
    return day_on(request, db, day.date), True


def on_day(db: Session, day: ProgramDay, stored_now: bool, run: Callable[[], Any]) -> Any:
    """``run()`` the action on a day this request may just have stored: if the action is
    refused, the day is forgotten again (when nothing else has used it), so a refused
    write stores no day, as in the API, which never stores one."""
    try:
        return run()
    except (FormError, HTTPException):
        db.rollback()
        if stored_now:
            cal.forget_unused_day(db, day.id)
        raise


def parse_date(value: str | None) -> dt.date:
    if not value:
        return today()
    try:
        return checked_date(value)
    except ValueError as exc:
        raise FormError({"date": str(exc)}) from None


def screen_name(p: Participant, style: str) -> str:
    """A name for the room: the nickname (``short``) or first name, with the last name's
    initial when there is one ("Jørgen H."). ``receipt`` shows no name (see :func:`screen_names`)."""
    first = (p.first_name or p.nickname) if style == "first_name" else (p.short_name or p.first_name)
    initial = (p.last_name or "").strip()[:1]
    return f"{first} {initial}." if first and initial else (first or "")


def screen_names(people: list[tuple[Participant | None, str | None]], style: str) -> list[str]:
    """The names the big screen shows for ``(person, receipt code)`` pairs, all lists of the
    day together: two that would read the same (two "Jørgen H.", an "Arne" on the work
    list and one on the reserve list) each get their receipt code after the name, and the
    style ``receipt`` shows the codes alone. A person without a code keeps the name."""
    if style == "receipt":
        return [code or (screen_name(p, "short") if p else "") for p, code in people]
    names = [screen_name(p, style) if p is not None else "" for p, _code in people]
    seen: dict[str, int] = {}
    for name in names:
        key = name.casefold()
        seen[key] = seen.get(key, 0) + 1
    return [f"{name} · {code}" if code and seen[name.casefold()] > 1 else (name or code or "")
            for name, (_p, code) in zip(names, people)]


# --- Check-in -------------------------------------------------------------------------

def _checkin_page(request: Request[Any, Any, Any], db: Session, day: ProgramDay, q: str = "", errors: dict[str, str] | None = None,
                  status: int = 200, ok: int | None = None, similar: list[checkin_service.Hit] | None = None,
                  newcomer: dict[str, str] | None = None, undone: int | None = None) -> Any:
    rows = checkin_service.day_list(db, day)
    draw = draw_service.active_draw(db, day)
    results = checkin_service.find(db, q, organization_id=day.organization_id) if q else []
    present = {a.participant_id for a, _c in rows}
    ok_person = db.get(Participant, ok) if ok else None
    if ok_person is not None and ok_person.organization_id != day.organization_id:
        ok_person = None
    undone_person = db.get(Participant, undone) if undone else None
    if undone_person is not None and undone_person.organization_id != day.organization_id:
        undone_person = None
    counts = {"entered": sum(1 for _a, c in rows if c is None or c.status == "entered"),
              "not_fit": sum(1 for _a, c in rows if c is not None and c.status == "not_fit"),
              "after_draw": sum(1 for _a, c in rows if c is not None and c.status == "after_draw")}
    ok_receipt = next((c.receipt_code for a, c in rows if ok_person is not None and a.participant_id == ok_person.id and c is not None), None)
    return render(request, "dagsverk_lottery/checkin.html", status_code=status, day=day, rows=rows, draw=draw, q=q, results=results,
                  present=present, errors=errors or {}, ok_person=ok_person, ok_receipt=ok_receipt, counts=counts, similar=similar or [], newcomer=newcomer or {},
                  undone_person=undone_person,
                  intake=checkin_service.intake_due(db, [a.participant_id for a, _c in rows]), mode=cal.draw_mode(db))


@page_get(f"{P}/checkin", opt={"permission": "dagsverk.checkin"}, name="dagsverk.checkin")
def checkin_page(request: Request[Any, Any, Any], db: Session, date: str | None = None, q: str = "", ok: int | None = None,
                 undone: int | None = None) -> Any:
    """The page, and the results for ``q`` (what the page's script fetches while staff type).
    A GET changes nothing: even an exact card code only shows the person."""
    try:
        day = day_shown(request, db, parse_date(date))
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("Check-in"), text=exc.errors["date"])
    return _checkin_page(request, db, day, q=q, ok=ok, undone=undone)


@page_post(f"{P}/checkin", opt=action_opt(act.check_in))
def checkin_search_post(request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
    """The search box. A scanner types the card code and presses Enter: an exact card code
    registers the person at once and redirects to the page (a POST with the CSRF token, so
    no link or image elsewhere can register anyone). Anything else shows the results."""
    try:
        clean = validate([Field("date", kind="date"), Field("q", max_length=200)], form_data(data))
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("Check-in"),
                      text=next(iter(exc.errors.values())))
    date, q = clean["date"] or today(), clean["q"] or ""
    day = day_shown(request, db, date)
    found = checkin_service.find(db, q, organization_id=day.organization_id) if q and day.is_open else []
    if len(found) == 1 and found[0].card:
        person_id = found[0].participant.id
        stored_now = day.id is None
        day = day_on(request, db, date) if stored_now else day
        try:
            on_day(db, day, stored_now, lambda: act.check_in.run(caller_of(request, db), day.id, act.CheckInIn(participant_id=person_id)))
        except FormError as exc:
            return _checkin_page(request, db, day_shown(request, db, date), q=q, errors=exc.errors, status=400)
        return redirect(f"{P}/checkin?date={date.isoformat()}&ok={person_id}")
    return _checkin_page(request, db, day, q=q)


@page_post(f"{P}/days/{{day_ref:str}}/checkin", opt=action_opt(act.check_in))
def checkin_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    try:
        inp = form_input(act.CheckInIn, form_data(data))  # before the day is stored: bad input stores nothing
    except FormError as exc:
        return _checkin_page(request, db, day_of_ref(request, db, day_ref), errors=exc.errors, status=400)
    day, stored_now = posted_day(request, db, day_ref)
    try:
        out = on_day(db, day, stored_now, lambda: act.check_in.run(caller_of(request, db), day.id, inp))
    except FormError as exc:
        return _checkin_page(request, db, day_shown(request, db, day.date), errors=exc.errors, status=400)
    return redirect(f"{P}/checkin?date={day.date.isoformat()}&ok={out.participant_id}")


@page_post(f"{P}/days/{{day_ref:str}}/newcomer", opt=action_opt(act.add_newcomer))
def newcomer_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    day, stored_now = posted_day(request, db, day_ref)
    try:
        inp = form_input(act.NewcomerIn, form_data(data))
        out = on_day(db, day, stored_now, lambda: act.add_newcomer.run(caller_of(request, db), day.id, inp))
    except FormError as exc:
        db.rollback()
        return _checkin_page(request, db, day_shown(request, db, day.date), errors=exc.errors, status=400)
    except checkin_service.SimilarNames as exc:
        # The form again, with the people of similar names to check in instead, and the
        # newcomer's names kept for "add anyway" (409, as the API: nothing was stored).
        return _checkin_page(request, db, day_shown(request, db, day.date), status=409, similar=exc.similar,
                             newcomer={"first_name": inp.first_name, "nickname": inp.nickname})
    return redirect(f"{P}/checkin?date={day.date.isoformat()}&ok={out.participant_id}")


@page_post(f"{P}/days/{{day_ref:str}}/undo-checkin", opt=action_opt(act.undo_check_in))
def undo_checkin_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    day, _stored_now = posted_day(request, db, day_ref, create=False)  # only a stored day has registrations to undo
    try:
        out = act.undo_check_in.run(caller_of(request, db), day.id, form_input(act.UndoCheckInIn, form_data(data)))
    except FormError as exc:
        db.rollback()  # the form has no field to point at: the message itself is shown
        return _checkin_page(request, db, day, errors={"__all__": " ".join(exc.errors.values())}, status=400)
    except ClientException as exc:
        db.rollback()
        errors = exc.extra if isinstance(exc.extra, dict) else {}
        return _checkin_page(request, db, day, errors={str(k): str(v) for k, v in errors.items()}, status=exc.status_code)
    return redirect(f"{P}/checkin?date={day.date.isoformat()}&undone={out.participant_id}")


@page_post(f"{P}/days/{{day_ref:str}}/fit", opt=action_opt(act.set_fit))
def fit_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    day, _stored_now = posted_day(request, db, day_ref, create=False)  # only someone registered can be judged fit or not
    try:
        act.set_fit.run(caller_of(request, db), day.id, form_input(act.FitIn, form_data(data)))
    except FormError as exc:
        db.rollback()
        return _checkin_page(request, db, day, errors=exc.errors, status=400)
    return redirect(f"{P}/checkin?date={day.date.isoformat()}")


# --- The draw -------------------------------------------------------------------------

def _names(db: Session, draw: Draw | None) -> dict[int, Participant]:
    if draw is None:
        return {}
    entrants = select(DrawEntrant.participant_id).where(DrawEntrant.draw_id == draw.id)
    return {p.id: p for p in db.scalars(select(Participant).where(Participant.id.in_(entrants)))}


def _freed(draw: Draw | None) -> set[int]:
    """Who gave up the place the draw gave them (declined, or not reached by the deadline),
    so the draw's own list says so instead of "Work" beside them."""
    return calls.freed_ids(draw) if draw is not None and draw.status == "drawn" else set()


def _draw_page(request: Request[Any, Any, Any], db: Session, day: ProgramDay, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    draw = draw_service.active_draw(db, day)
    voided = list(db.scalars(select(Draw).where(Draw.day_id == day.id, Draw.status == "voided").order_by(Draw.attempt)))
    events = list(db.scalars(select(DrawEvent).where(DrawEvent.draw_id.in_([d.id for d in [*voided, *([draw] if draw else [])]])).order_by(DrawEvent.at, DrawEvent.id)))
    # The call list first: after the deadline it gives free places to reserves, which the rows below then show.
    call_list = act.call_list(caller_of(request, db), draw) if draw and draw.status == "drawn" and draw.mode == "day_before" else None
    rows = draw_service.entrant_rows(db, draw.id) if draw else []
    order = sorted(rows, key=lambda e: e.position or 0) if draw and draw.status == "drawn" else rows
    return render(request, "dagsverk_lottery/draw.html", status_code=status, day=day, draw=draw, voided=voided, events=events,
                  order=order, people=_names(db, draw), errors=errors or {}, capacity=cal.capacity_for(db, day),
                  entered=len(rows) if draw else draw_service.entrant_count(db, day), mode=cal.draw_mode(db),
                  contribution=cal.draw_contribution(db), v2=draw is not None and draw.algorithm != algorithm.ALGORITHM_V1,
                  final_seed=draw_service.ticket_seed(draw) if draw is not None and draw.status != "sealed" else None,
                  check_path=f"{P}/public/{current_user(request).organization.slug}/check",
                  call_list=call_list, freed=_freed(draw))


@page_get(f"{P}/draw", opt={"permission": "dagsverk.screen"}, name="dagsverk.draw")
def draw_page(request: Request[Any, Any, Any], db: Session, date: str | None = None) -> Any:
    try:
        day = day_shown(request, db, parse_date(date))
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("The draw"), text=exc.errors["date"])
    return _draw_page(request, db, day)


@page_post(f"{P}/days/{{day_ref:str}}/seal", opt=action_opt(act.seal))
def seal_post(request: Request[Any, Any, Any], db: Session, day_ref: str) -> Any:
    day, stored_now = posted_day(request, db, day_ref)
    try:
        on_day(db, day, stored_now, lambda: act.seal.run(caller_of(request, db), day.id))
    except FormError as exc:
        return _draw_page(request, db, day_shown(request, db, day.date), exc.errors, 400)
    return redirect(f"{P}/draw?date={day.date.isoformat()}")


def draw_input(values: dict[str, Any]) -> act.DrawIn:
    """The numbers as typed in the one text field ("7 12 45", "7, 12, 45"), as the action's
    input; anything but whole numbers is a translated error for the field."""
    text = str(values.get("numbers") or "")
    words = text.replace(",", " ").replace(";", " ").split()
    if not all(w.isdigit() and w.isascii() for w in words):
        raise FormError({"numbers": _("Write whole numbers from 0 to 99 with spaces between them, for example 7 12 45.")})
    if len(words) > algorithm.CONTRIBUTION_MAX:
        raise FormError({"numbers": _("At most %(n)s numbers.", n=algorithm.CONTRIBUTION_MAX)})
    return form_input(act.DrawIn, {}, numbers=[int(w[:6]) for w in words])


@page_post(f"{P}/days/{{day_ref:str}}/draw", opt=action_opt(act.draw))
def draw_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    try:
        inp = draw_input(form_data(data))  # before the day is stored: bad input stores nothing
    except FormError as exc:
        return _draw_page(request, db, day_of_ref(request, db, day_ref), exc.errors, 400)
    day, stored_now = posted_day(request, db, day_ref)
    try:
        on_day(db, day, stored_now, lambda: act.draw.run(caller_of(request, db), day.id, inp))
    except FormError as exc:
        return _draw_page(request, db, day_shown(request, db, day.date), exc.errors, 400)
    except ClientException as exc:
        if exc.status_code != 409:
            raise
        return _draw_page(request, db, day_shown(request, db, day.date), {"__all__": str(exc.detail)}, 409)
    return redirect(f"{P}/draw?date={day.date.isoformat()}")


@page_post(f"{P}/draws/{{draw_id:int}}/void", opt=action_opt(act.void))
def void_post(request: Request[Any, Any, Any], db: Session, draw_id: int, data: Form) -> Any:
    draw = get_or_404(db, Draw, draw_id)
    day = get_or_404(db, ProgramDay, draw.day_id)
    try:
        act.void.run(caller_of(request, db), draw.id, form_input(act.VoidIn, form_data(data)))
    except FormError as exc:
        db.rollback()
        return _draw_page(request, db, day, exc.errors, 400)
    return redirect(f"{P}/draw?date={day.date.isoformat()}")


@page_post(f"{P}/draws/{{draw_id:int}}/calls", opt=action_opt(act.record_call))
def call_post(request: Request[Any, Any, Any], db: Session, draw_id: int, data: Form) -> Any:
    draw = get_or_404(db, Draw, draw_id)
    day = get_or_404(db, ProgramDay, draw.day_id)
    try:
        act.record_call.run(caller_of(request, db), draw.id, form_input(act.CallIn, form_data(data)))
    except FormError as exc:
        db.rollback()
        return _draw_page(request, db, day, exc.errors, 400)
    except ClientException as exc:  # too late to undo, or the place has gone on: said on the page, as a 409
        db.rollback()
        return _draw_page(request, db, day, {"__all__": str(exc.detail)}, exc.status_code)
    return redirect(f"{P}/draw?date={day.date.isoformat()}#calls")


@page_get(f"{P}/draws/{{draw_id:int}}/verify", opt={"permission": "dagsverk.screen"}, name="dagsverk.verify")
def verify_page(request: Request[Any, Any, Any], db: Session, draw_id: int) -> Any:
    draw = get_or_404(db, Draw, draw_id)
    day = get_or_404(db, ProgramDay, draw.day_id)
    rows = draw_service.entrant_rows(db, draw.id)
    result = draw_service.verify(draw, rows)
    return render(request, "dagsverk_lottery/verify.html", day=day, draw=draw, result=result, people=_names(db, draw),
                  stored={e.participant_id: e for e in rows}, v2=draw.algorithm != algorithm.ALGORITHM_V1,
                  final_seed=draw_service.ticket_seed(draw) if draw.status != "sealed" else None,
                  receipts={e.participant_id: e.receipt_code for e in rows},
                  check_path=f"{P}/public/{current_user(request).organization.slug}/check")


# --- The big screen -------------------------------------------------------------------

def screen_state(db: Session, day: ProgramDay) -> dict[str, Any]:
    draw = draw_service.active_draw(db, day)
    style = cal.screen_names(db)
    state: dict[str, Any] = {"date": day.date.isoformat(), "status": "open" if draw is None else draw.status,
                             "entered": draw_service.entrant_count(db, day) if draw is None else draw_service.entrant_total(db, draw.id),
                             "capacity": cal.capacity_for(db, day) if draw is None else draw.capacity,
                             "fingerprint": None, "entrants_fingerprint": None, "beacon_round": None, "contribution": None,
                             "beacon": None, "seed": None, "drawn": [], "reserve": []}
    if draw is not None:
        state["fingerprint"] = draw.seed_sha256
        if draw.algorithm != algorithm.ALGORITHM_V1:
            state["entrants_fingerprint"] = draw.entrants_sha256
            state["beacon_round"] = draw.beacon_round
    if draw is not None and draw.status == "drawn":
        calls.settle(db, draw)  # day-before mode: after the deadline, places of people not reached go on
        people = _names(db, draw)
        rows = {e.participant_id: e for e in draw_service.entrant_rows(db, draw.id)}
        # Who has a place now: a decline or a freed place shows the reserve called in, and
        # the reserve list shows only those still waiting, at the next poll.
        state["seed"] = draw.seed
        if draw.algorithm != algorithm.ALGORITHM_V1:
            state["contribution"] = draw.contribution or "–"
            state["beacon"] = draw.beacon_value
        # Names over every entrant at once, so an "Arne" with work and an "Arne" in reserve
        # are told apart even when one of them is not shown.
        order = sorted(rows.values(), key=lambda e: e.position or 0)
        names = dict(zip((e.participant_id for e in order),
                         screen_names([(people.get(e.participant_id), e.receipt_code) for e in order], style)))
        state["drawn"] = [{"name": names[pid], "right": rows[pid].result == "right"} for pid in draw_service.drawn_ids(draw)]
        state["reserve"] = [{"name": names[e.participant_id], "number": e.reserve_number}
                            for e in sorted(rows.values(), key=lambda e: e.reserve_number or 0) if e.result == "reserve" and not e.called_in]
    return state


@page_get(f"{P}/screen", opt={"permission": "dagsverk.screen"}, name="dagsverk.screen")
def screen_page(request: Request[Any, Any, Any], db: Session, date: str | None = None) -> Any:
    try:
        day = day_shown(request, db, parse_date(date))
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("Big screen"), text=exc.errors["date"])
    return render(request, "dagsverk_lottery/screen.html", day=day, state=screen_state(db, day),
                  check_path=f"{P}/public/{current_user(request).organization.slug}/check")


@page_get(f"{P}/screen/state", opt={"permission": "dagsverk.screen"}, name="dagsverk.screen_state")
def screen_state_json(request: Request[Any, Any, Any], db: Session, date: str | None = None) -> Response[Any]:
    try:
        day = day_shown(request, db, parse_date(date))
    except FormError as exc:
        return Response({"errors": exc.errors}, status_code=400)
    return Response(screen_state(db, day), headers={"Cache-Control": "no-store"})


# --- Teams and the end of the day -------------------------------------------------------

def _teams_page(request: Request[Any, Any, Any], db: Session, day: ProgramDay, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    job = solve_jobs.job_of(db, day)
    teams = team_service.day_teams(db, day)
    shifts = list(db.scalars(select(Shift).where(Shift.day_id == day.id)))
    note = db.scalars(select(TeamNote).where(TeamNote.day_id == day.id)).first()
    profiles = {w.participant_id: w for w in db.scalars(select(WorkProfile).where(WorkProfile.participant_id.in_([s.participant_id for s in shifts])))}
    return render(request, "dagsverk_lottery/teams.html", status_code=status, day=day, teams=teams, errors=errors or {},
                  unassigned=[s for s in shifts if s.team_id is None], leaders=work_leader_choices(db), on_duty=set(team_service.on_duty_by_default(db)),
                  reasons=team_service.reasons(db, day, note), note=note, profiles=profiles,
                  draw=draw_service.last_drawn(db, day), job=job, working=bool(job and job.status in solve_jobs.PENDING),
                  job_errors=solve_jobs.ERROR_TEXT)


@page_get(f"{P}/teams", opt={"permission": "dagsverk.teams"}, name="dagsverk.teams")
def teams_page(request: Request[Any, Any, Any], db: Session, date: str | None = None) -> Any:
    try:
        day = day_shown(request, db, parse_date(date))
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("Teams"), text=exc.errors["date"])
    return _teams_page(request, db, day)


@page_post(f"{P}/days/{{day_ref:str}}/teams/suggest", opt=action_opt(act.suggest))
def suggest_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    day, stored_now = posted_day(request, db, day_ref)
    values = form_data(data)
    try:
        # No leader ticked: every work leader, as when the API sends no list.
        inp = form_input(act.SuggestIn, values, **({} if form_list(values, "leader_ids") else {"leader_ids": None}))
        on_day(db, day, stored_now, lambda: act.suggest.run(caller_of(request, db), day.id, inp))
    except FormError as exc:
        db.rollback()
        return _teams_page(request, db, day_shown(request, db, day.date), exc.errors, 400)
    return redirect(f"{P}/teams?date={day.date.isoformat()}")


@page_post(f"{P}/days/{{day_ref:str}}/teams/move", opt=action_opt(act.move))
def move_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    day, _stored_now = posted_day(request, db, day_ref, create=False)  # people are moved between a stored day's teams
    try:
        act.move.run(caller_of(request, db), day.id, form_input(act.MoveIn, form_data(data)))
    except FormError as exc:
        db.rollback()
        return _teams_page(request, db, day, exc.errors, 400)
    return redirect(f"{P}/teams?date={day.date.isoformat()}")


@page_post(f"{P}/days/{{day_ref:str}}/teams/{{team_id:int}}/lock", opt=action_opt(act.lock))
def lock_post(request: Request[Any, Any, Any], db: Session, day_ref: str, team_id: int, data: Form) -> Any:
    day, _stored_now = posted_day(request, db, day_ref, create=False)
    try:
        act.lock.run(caller_of(request, db), day.id, team_id, form_input(act.LockIn, form_data(data)))
    except FormError as exc:
        db.rollback()
        return _teams_page(request, db, day, exc.errors, 400)
    return redirect(f"{P}/teams?date={day.date.isoformat()}")


def _end_page(request: Request[Any, Any, Any], db: Session, day: ProgramDay, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    return render(request, "dagsverk_lottery/end.html", status_code=status, day=day, teams=team_service.day_teams(db, day),
                  orders=end_of_day.day_orders(db, day), outcomes=end_of_day.END_OUTCOMES, errors=errors or {}, today_=today(),
                  unassigned=list(db.scalars(select(Shift).where(Shift.day_id == day.id, Shift.team_id.is_(None)))))


@page_get(f"{P}/end", opt={"permission": "dagsverk.teams"}, name="dagsverk.end")
def end_page(request: Request[Any, Any, Any], db: Session, date: str | None = None) -> Any:
    try:
        day = day_shown(request, db, parse_date(date))
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("End of day"), text=exc.errors["date"])
    return _end_page(request, db, day)


def close_input(values: dict[str, Any]) -> act.CloseIn:
    """The end-of-day form (``outcome_<participant id>``, ``order_<order id>`` = ``done``,
    ``remaining_<order id>``) as the action's input."""
    outcomes = [{"participant_id": int(k[8:]), "outcome": str(v)} for k, v in values.items() if k.startswith("outcome_") and k[8:].isdigit()]
    orders = [{"work_order_id": int(k[6:]), "is_done": str(v) == "done", "remaining": str(values.get(f"remaining_{k[6:]}", ""))}
              for k, v in values.items() if k.startswith("order_") and k[6:].isdigit()]
    try:
        return msgspec.convert({"outcomes": outcomes, "orders": orders}, act.CloseIn)
    except msgspec.ValidationError as exc:
        raise FormError({"__all__": next(iter(validation_errors(str(exc)).values()))}) from None


@page_post(f"{P}/days/{{day_ref:str}}/end", opt=action_opt(act.close))
def end_post(request: Request[Any, Any, Any], db: Session, day_ref: str, data: Form) -> Any:
    day, stored_now = posted_day(request, db, day_ref)
    try:
        inp = close_input(form_data(data))
        on_day(db, day, stored_now, lambda: act.close.run(caller_of(request, db), day.id, inp))
    except FormError as exc:
        db.rollback()
        return _end_page(request, db, day_shown(request, db, day.date), exc.errors, 400)
    return redirect(f"{P}/end?date={day.date.isoformat()}")


# --- Calendar, numbers and work profiles ------------------------------------------------

def _calendar(request: Request[Any, Any, Any], db: Session, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    site = cal.default_site(db)
    days = cal.calendar(db, site, today(), 28) if site else []
    # Today's places as the draw would use them: the day's own number, else the dated setting
    # in force today (not the newest row of the setting, which may begin in the future).
    places_today = days[0].capacity if days else int(cal.setting(db, "dagsverk.capacity", today()))
    return render(request, "dagsverk_lottery/calendar.html", status_code=status, days=days, errors=errors or {},
                  capacities=setting_history(db, "dagsverk.capacity"), places_today=places_today, today_=today(),
                  mode=cal.draw_mode(db), draw_time=cal.setting(db, "dagsverk.draw_time"), screen=cal.screen_names(db),
                  contribution=cal.draw_contribution(db),
                  call_deadline=cal.setting(db, "dagsverk.call_deadline"))


@page_get(f"{P}/calendar", opt={"permission": "dagsverk.screen"}, name="dagsverk.calendar")
def calendar_page(request: Request[Any, Any, Any], db: Session) -> Any:
    return _calendar(request, db)


@page_post(f"{P}/calendar/day", opt=action_opt(day_service.plan_day))
def calendar_day_post(request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
    """Open or close a date, or set its places: the core's ``days.plan``, as in the core's
    pages and ``PATCH /api/v1/days/{day_id}``; a date not stored yet is stored with it."""
    site = cal.default_site(db)
    if site is None:
        raise NotFoundException()
    values = form_data(data)
    fixed: dict[str, Any] = {"site_id": site.id}
    if "capacity" in values and not str(values["capacity"]).strip():
        fixed["capacity"] = None  # an emptied field: back to the setting for the date
    if not str(values.get("note") or "").strip() and str(values.get("is_open", "")).strip().lower() in ("1", "true", "on", "yes"):
        fixed["note"] = ""  # opening a day clears why it was closed; closing without a reason keeps the old one
    try:
        day_service.create_day.run(caller_of(request, db), form_input(NewDay, values, **fixed))
    except FormError as exc:
        db.rollback()
        return _calendar(request, db, exc.errors, 400)
    except ClientException as exc:
        if exc.status_code != 409 or not isinstance(exc.extra, dict):
            raise
        db.rollback()
        return _calendar(request, db, {k: str(v) for k, v in exc.extra.items()}, 409)
    return redirect(f"{P}/calendar")


@page_post(f"{P}/calendar/settings", opt={"permission": "dagsverk.calendar"})
def calendar_settings_post(request: Request[Any, Any, Any], db: Session, data: Form) -> Any:
    org = current_user(request).organization.id
    try:
        clean = validate([Field("capacity", kind="int", min_value=0, max_value=1000), Field("valid_from", kind="date"),
                          Field("draw_mode", kind="choice", choices=cal.DRAW_MODES), Field("screen_names", kind="choice", choices=cal.SCREEN_NAMES),
                          Field("draw_contribution", kind="choice", choices=cal.CONTRIBUTIONS), Field("draw_time"), Field("call_deadline")], form_data(data))
        if clean["capacity"] is not None:
            set_setting(db, org, cal.DEFS["dagsverk.capacity"], clean["capacity"], clean["valid_from"] or today())
        if clean["draw_mode"]:
            set_setting(db, org, cal.DEFS["dagsverk.draw_mode"], clean["draw_mode"])
        if clean["screen_names"]:
            set_setting(db, org, cal.DEFS["dagsverk.screen_names"], clean["screen_names"])
        if clean["draw_time"]:
            set_setting(db, org, cal.DEFS["dagsverk.draw_time"], clean["draw_time"])
        if clean["draw_contribution"]:
            set_setting(db, org, cal.DEFS["dagsverk.draw_contribution"], clean["draw_contribution"])
        if clean["call_deadline"]:
            set_setting(db, org, cal.DEFS["dagsverk.call_deadline"], clean["call_deadline"])
    except FormError as exc:
        db.rollback()
        named = {"dagsverk.draw_time": "draw_time", "dagsverk.call_deadline": "call_deadline"}
        errors = {named.get(k, k): v for k, v in exc.errors.items()}
        return _calendar(request, db, errors, 400)
    return redirect(f"{P}/calendar")


@page_get(f"{P}/numbers", opt={"permission": "dagsverk.numbers"}, name="dagsverk.numbers")
def numbers_page(request: Request[Any, Any, Any], db: Session, start: str | None = None, end: str | None = None,
                 shared: bool = False) -> Any:
    try:
        end_d = parse_date(end)
        start_d = parse_date(start) if start else end_d - dt.timedelta(days=30)
        if start_d > end_d or (end_d - start_d).days > 3660:
            raise FormError({"date": _("The end date is before the start date.") if start_d > end_d else _("At most ten years at a time.")})
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("Numbers for funders"), text=exc.errors["date"])
    return render(request, "dagsverk_lottery/numbers.html", t=funders_tables(numbers.period(db, start_d, end_d), shared=shared),
                  start=start_d, end=end_d, cell_text=cell_text, is_hidden=is_hidden, has_hidden=has_hidden, hidden_note=hidden_note,
                  min_group=MIN_GROUP)


@page_get(f"{P}/fairness", opt={"permission": "dagsverk.fairness"}, name="dagsverk.fairness")
def fairness_page(request: Request[Any, Any, Any], db: Session, date: str | None = None) -> Any:
    try:
        shown = parse_date(date)
    except FormError as exc:
        return render(request, "dagsverk_lottery/message.html", status_code=400, title=_("Fairness"), text=exc.errors["date"])
    found = fairness.ledger_for(db, shown, today())
    start, end = fairness.month_bounds(shown)
    return render(request, "dagsverk_lottery/fairness.html", ledger=found, kinds=fairness.KINDS, often=fairness.TURNED_AWAY_OFTEN,
                  weeks=fairness.WINDOW_WEEKS, previous=(start - dt.timedelta(days=1)).replace(day=1),
                  next=end if end <= today() else None, percent=_percent, points=_points)


def _percent(value: float | None) -> str:
    return "–" if value is None else format_percent(value, locale=babel_locale())


def _points(value: float | None) -> str:
    return "–" if value is None else format_decimal(round(abs(value), 1), format="0.#", locale=babel_locale())


PROFILE_FIELDS = [Field("close_follow_up", kind="bool"), Field("experience", kind="int", min_value=0, max_value=2, default=0),
                  Field("intake_due", kind="bool"), Field("intake_done_on", kind="date")]


def _int_list(data: Any, key: str) -> list[int]:
    out = []
    for raw in form_list(data, key):
        try:
            out.append(int(raw))
        except ValueError:
            raise FormError({key: _("No such record.")}) from None
    return out


def _profile(db: Session, person: Participant) -> WorkProfile:
    prof = db.scalars(select(WorkProfile).where(WorkProfile.participant_id == person.id)).first()
    if prof is None:
        prof = WorkProfile(organization_id=person.organization_id, participant_id=person.id, limits=[], preferences=[], not_with=[])
    return prof


def _profile_page(request: Request[Any, Any, Any], db: Session, person: Participant, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    others = list(db.scalars(select(Participant).where(Participant.id != person.id, Participant.active).order_by(Participant.first_name).limit(1000)))
    return render(request, "dagsverk_lottery/profile.html", status_code=status, person=person, profile=_profile(db, person),
                  others=others, limits=LIMITS, preferences=PREFERENCES, errors=errors or {})


@page_get(f"{P}/profiles/{{participant_id:int}}", opt={"permission": "dagsverk.profiles"}, name="dagsverk.profile")
def profile_page(request: Request[Any, Any, Any], db: Session, participant_id: int) -> Any:
    return _profile_page(request, db, get_or_404(db, Participant, participant_id))


@page_post(f"{P}/profiles/{{participant_id:int}}", opt={"permission": "dagsverk.profiles"})
def profile_post(request: Request[Any, Any, Any], db: Session, participant_id: int, data: Form) -> Any:
    person = get_or_404(db, Participant, participant_id)
    try:
        clean = validate(PROFILE_FIELDS, form_data(data))
        limits = form_list(data, "limits")
        prefs = form_list(data, "preferences")
        not_with = _int_list(data, "not_with")
        save_profile(db, person, clean, limits, prefs, not_with)
    except FormError as exc:
        db.rollback()
        return _profile_page(request, db, person, exc.errors, 400)
    return redirect(f"/participants/{person.id}")


def save_profile(db: Session, person: Participant, clean: dict[str, Any], limits: list[str], prefs: list[str], not_with: list[int]) -> WorkProfile:
    if any(x not in LIMITS for x in limits):
        raise FormError({"limits": _("Not one of the allowed choices.")})
    if any(x not in PREFERENCES for x in prefs):
        raise FormError({"preferences": _("Not one of the allowed choices.")})
    known = set(db.scalars(select(Participant.id).where(Participant.id.in_(not_with))))
    if any(i not in known or i == person.id for i in not_with):
        raise FormError({"not_with": _("No such record.")})
    prof = _profile(db, person)
    prof.limits, prof.preferences, prof.not_with = sorted(set(limits)), sorted(set(prefs)), sorted(set(not_with))
    for key in ("close_follow_up", "experience", "intake_due", "intake_done_on"):
        if key in clean:
            setattr(prof, key, clean[key] if clean[key] is not None or key == "intake_done_on" else getattr(prof, key))
    if prof.intake_done_on is not None:
        prof.intake_due = False
    db.add(prof)
    db.commit()
    return prof


def route_handlers() -> list[Any]:
    return [checkin_page, checkin_search_post, checkin_post, newcomer_post, undo_checkin_post, fit_post, draw_page, seal_post, draw_post, void_post, call_post, verify_page,
            screen_page, screen_state_json, teams_page, suggest_post, move_post, lock_post, end_page, end_post, calendar_page,
            calendar_day_post, calendar_settings_post, numbers_page, fairness_page, profile_page, profile_post]

