"""Dagsverket in the JSON API (``/api/v1/dagsverk``): check-in, draw, verify, teams, end of day."""
from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.forms import Field, FormError, validate
from core.i18n import gettext as _
from core.models import Participant, ProgramDay, Shift
from core.web.context import current_user
from core.web.handlers import api_get, api_post, get_or_404
from plugins.dagsverk_lottery import calendar as cal
from plugins.dagsverk_lottery import checkin as checkin_service
from plugins.dagsverk_lottery import draws as draw_service
from plugins.dagsverk_lottery import end_of_day, numbers
from plugins.dagsverk_lottery import teams as team_service
from plugins.dagsverk_lottery.funders import DAY_COUNTS, as_json, funders_tables
from plugins.dagsverk_lottery.models import Draw, TeamNote

A = "/api/v1/dagsverk"


def _day(request: Request[Any, Any, Any], db: Session, date: dt.date) -> ProgramDay:
    """The program day, stored now if it was not (POSTs)."""
    site = cal.default_site(db)
    if site is None:
        raise NotFoundException()
    return cal.day_for(db, current_user(request).organization.id, site, date)


def _day_shown(request: Request[Any, Any, Any], db: Session, date: dt.date) -> ProgramDay:
    """The program day for a GET, which stores nothing: a day not stored yet is unsaved."""
    site = cal.default_site(db)
    if site is None:
        raise NotFoundException()
    return cal.find_day(db, current_user(request).organization.id, site, date)


def draw_json(db: Session, draw: Draw | None) -> dict[str, Any] | None:
    if draw is None:
        return None
    out: dict[str, Any] = {
        "id": draw.id, "day_id": draw.day_id, "attempt": draw.attempt, "status": draw.status, "mode": draw.mode,
        "algorithm": draw.algorithm, "capacity": draw.capacity, "seed_sha256": draw.seed_sha256,
        "entrants_sha256": draw.entrants_sha256, "void_reason": draw.void_reason or None,
    }
    revealed = draw.status != "sealed"
    out["seed"] = draw.seed if revealed else None
    rows = draw_service.entrant_rows(db, draw.id)
    # Rows unpacked as tuples, one dict each: a draw can list 10,000 entrants.
    if revealed:
        out["entrants"] = [
            {"participant_id": pid, "right": right, "result": result, "position": position, "reserve_number": reserve_number,
             "called_in": called_in, "call_status": call_status or None}
            for _id, pid, right, result, position, reserve_number, called_in, call_status in rows
        ]
    else:
        out["entrants"] = [{"participant_id": pid, "right": right} for _id, pid, right, *_hidden in rows]
    return out


@api_post(f"{A}/days/{{date:date}}/checkin", opt={"permission": "dagsverk.checkin"}, status_code=201, name="api.dagsverk.checkin")
def api_checkin(request: Request[Any, Any, Any], db: Session, date: dt.date, data: dict[str, Any]) -> dict[str, Any]:
    """Register by ``participant_id`` or ``card_code``; ``not_fit`` enters them as present only."""
    clean = validate([Field("participant_id", kind="ref"), Field("card_code", max_length=40), Field("not_fit", kind="bool")], data)
    day = _day(request, db, date)
    if clean["participant_id"]:
        person = get_or_404(db, Participant, clean["participant_id"])
    elif clean["card_code"]:
        person = db.scalars(select(Participant).where(Participant.card_code == clean["card_code"])).first()
        if person is None:
            raise FormError({"card_code": _("No participant has this card.")})
    else:
        raise FormError({"participant_id": _("This field is required.")})
    row, created = checkin_service.check_in(db, day, person, current_user(request).id, not_fit=clean["not_fit"])
    return {"participant_id": person.id, "day_id": day.id, "status": row.status, "new": created}


@api_post(f"{A}/days/{{date:date}}/newcomer", opt={"permission": "dagsverk.checkin"}, status_code=201, name="api.dagsverk.newcomer")
def api_newcomer(request: Request[Any, Any, Any], db: Session, date: dt.date, data: dict[str, Any]) -> dict[str, Any]:
    clean = validate([Field("first_name", max_length=100), Field("nickname", max_length=100)], data)
    day = _day(request, db, date)
    person, row = checkin_service.add_newcomer(db, day, clean["first_name"], clean["nickname"], current_user(request).id)
    return {"participant_id": person.id, "day_id": day.id, "status": row.status, "intake_due": True}


@api_post(f"{A}/days/{{date:date}}/fit", opt={"permission": "dagsverk.checkin"}, status_code=200, name="api.dagsverk.fit")
def api_fit(request: Request[Any, Any, Any], db: Session, date: dt.date, data: dict[str, Any]) -> dict[str, Any]:
    clean = validate([Field("participant_id", kind="ref", required=True), Field("fit", kind="bool")], data)
    row = checkin_service.set_fit(db, _day(request, db, date), clean["participant_id"], clean["fit"])
    return {"participant_id": row.participant_id, "status": row.status}


@api_get(f"{A}/days/{{date:date}}/draw", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.draw.get")
def api_get_draw(request: Request[Any, Any, Any], db: Session, date: dt.date) -> dict[str, Any]:
    day = _day_shown(request, db, date)
    return {"date": date.isoformat(), "draw": draw_json(db, draw_service.active_draw(db, day)),
            "entered": draw_service.entrant_count(db, day), "capacity": cal.capacity_for(db, day)}


@api_post(f"{A}/days/{{date:date}}/seal", opt={"permission": "dagsverk.draw"}, status_code=200, name="api.dagsverk.seal")
def api_seal(request: Request[Any, Any, Any], db: Session, date: dt.date) -> dict[str, Any]:
    return draw_json(db, draw_service.seal(db, _day(request, db, date), current_user(request).id)) or {}


@api_post(f"{A}/days/{{date:date}}/draw", opt={"permission": "dagsverk.draw"}, status_code=200, name="api.dagsverk.draw")
def api_draw(request: Request[Any, Any, Any], db: Session, date: dt.date) -> dict[str, Any]:
    """Close check-in if still open and draw. Asking twice returns the same draw."""
    return draw_json(db, draw_service.run(db, _day(request, db, date), current_user(request).id)) or {}


@api_get(f"{A}/draws/{{draw_id:int}}/verify", opt={"permission": "dagsverk.screen"}, name="api.dagsverk.verify")
def api_verify(db: Session, draw_id: int) -> dict[str, Any]:
    draw = get_or_404(db, Draw, draw_id)
    result = draw_service.verify(draw, draw_service.entrant_rows(db, draw.id))
    return {"draw_id": draw.id, "matches": result.matches, "problems": result.problems}


@api_post(f"{A}/draws/{{draw_id:int}}/void", opt={"permission": "dagsverk.void"}, status_code=200, name="api.dagsverk.void")
def api_void(request: Request[Any, Any, Any], db: Session, draw_id: int, data: dict[str, Any]) -> dict[str, Any]:
    draw = get_or_404(db, Draw, draw_id)  # the draw first: another organization's is 404, not a form error
    clean = validate([Field("reason", required=True, max_length=500)], data)
    return draw_json(db, draw_service.void(db, draw, current_user(request).id, clean["reason"])) or {}


@api_post(f"{A}/draws/{{draw_id:int}}/call", opt={"permission": "dagsverk.draw"}, status_code=200, name="api.dagsverk.call")
def api_call(request: Request[Any, Any, Any], db: Session, draw_id: int, data: dict[str, Any]) -> dict[str, Any]:
    draw = get_or_404(db, Draw, draw_id)  # the draw first: another organization's is 404, not a form error
    clean = validate([Field("participant_id", kind="ref", required=True),
                      Field("call_status", kind="choice", choices=("reached", "declined", "not_reached"), required=True)], data)
    promoted = draw_service.record_call(db, draw, clean["participant_id"], clean["call_status"], current_user(request).id)
    return {"participant_id": clean["participant_id"], "call_status": clean["call_status"],
            "called_in": promoted.participant_id if promoted else None}


def teams_json(db: Session, day: ProgramDay) -> dict[str, Any]:
    note = db.scalars(select(TeamNote).where(TeamNote.day_id == day.id)).first()
    return {
        "date": day.date.isoformat(),
        "teams": [{"id": t.id, "name": t.name, "work_leader_id": t.work_leader_id, "locked": t.locked,
                   "work_order_ids": [o.id for o in t.work_orders], "kind": (note.team_kinds if note else {}).get(str(t.id)),
                   "members": [s.participant_id for s in t.shifts]} for t in team_service.day_teams(db, day)],
        "unassigned": list(db.scalars(select(Shift.participant_id).where(Shift.day_id == day.id, Shift.team_id.is_(None)))),
        "explanation": team_service.explanation_lines(db, day, note),
        "solver": {k: (note.explanation or {}).get(k) for k in ("status", "gap", "seconds")} if note else None,
    }


@api_get(f"{A}/days/{{date:date}}/teams", opt={"permission": "dagsverk.teams"}, name="api.dagsverk.teams")
def api_teams(request: Request[Any, Any, Any], db: Session, date: dt.date) -> dict[str, Any]:
    return teams_json(db, _day_shown(request, db, date))


@api_post(f"{A}/days/{{date:date}}/teams/suggest", opt={"permission": "dagsverk.teams"}, status_code=200, name="api.dagsverk.suggest")
def api_suggest(request: Request[Any, Any, Any], db: Session, date: dt.date, data: dict[str, Any] | None = None) -> dict[str, Any]:
    leaders = (data or {}).get("leader_ids")
    if leaders is not None and (not isinstance(leaders, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in leaders)):
        raise FormError({"leader_ids": _("Must be a list of whole numbers.")})
    day = _day(request, db, date)
    team_service.suggest_and_apply(db, day, leaders)
    return teams_json(db, day)


@api_post(f"{A}/days/{{date:date}}/teams/move", opt={"permission": "dagsverk.teams"}, status_code=200, name="api.dagsverk.move")
def api_move(request: Request[Any, Any, Any], db: Session, date: dt.date, data: dict[str, Any]) -> dict[str, Any]:
    clean = validate([Field("participant_id", kind="ref", required=True), Field("team_id", kind="ref")], data)
    day = _day(request, db, date)
    team_service.move(db, day, clean["participant_id"], clean["team_id"])
    return teams_json(db, day)


@api_post(f"{A}/days/{{date:date}}/teams/{{team_id:int}}/lock", opt={"permission": "dagsverk.teams"}, status_code=200, name="api.dagsverk.lock")
def api_lock(request: Request[Any, Any, Any], db: Session, date: dt.date, team_id: int, data: dict[str, Any]) -> dict[str, Any]:
    day = _day(request, db, date)
    if team_service.team_of_day(db, day, team_id) is None:
        raise NotFoundException()  # an id in the path that is not here: 404, as everywhere
    clean = validate([Field("locked", kind="bool")], data)
    team_service.set_locked(db, day, team_id, clean["locked"])
    return teams_json(db, day)


@api_post(f"{A}/days/{{date:date}}/close", opt={"permission": "dagsverk.teams"}, status_code=200, name="api.dagsverk.close")
def api_close(request: Request[Any, Any, Any], db: Session, date: dt.date, data: dict[str, Any]) -> dict[str, Any]:
    """``{"outcomes": {participant_id: outcome}, "orders": {order_id: {"done": bool, "remaining": str}}}``."""
    raw_outcomes = data.get("outcomes") or {}
    raw_orders = data.get("orders") or {}
    if not isinstance(raw_outcomes, dict) or not isinstance(raw_orders, dict):
        raise FormError({"__all__": _("The request body must be an object.")})
    try:
        outcomes = {int(k): str(v) for k, v in raw_outcomes.items()}
        orders = {}
        for k, v in raw_orders.items():
            if not isinstance(v, dict) or not isinstance(v.get("remaining", ""), str):
                raise ValueError
            orders[int(k)] = (v.get("done") is True, v.get("remaining", ""))
    except ValueError:
        raise FormError({"__all__": _("Must be a whole number.")}) from None
    day = _day(request, db, date)
    end_of_day.close_day(db, day, outcomes, orders)
    return {"date": date.isoformat(), "closed_at": day.closed_at.isoformat() if day.closed_at else None,
            "shifts": [{"participant_id": s.participant_id, "outcome": s.outcome} for s in db.scalars(select(Shift).where(Shift.day_id == day.id))]}


@api_get(f"{A}/numbers", opt={"permission": "dagsverk.numbers"}, name="api.dagsverk.numbers")
def api_numbers(db: Session, start: dt.date, end: dt.date, shared: bool = False) -> dict[str, Any]:
    """The funders' numbers; with ``shared`` true, small groups and every figure from which one
    could be worked out are null, by the same rules as the shared yearly report."""
    if end < start or (end - start).days > 3660:
        raise FormError({"end": _("The end date is before the start date.") if end < start else _("At most ten years at a time.")})
    t = funders_tables(numbers.period(db, start, end), shared=shared)
    day_rows = t.days.rows[:-1]
    return {
        "start": start.isoformat(), "end": end.isoformat(), "shared": shared,
        "days": [{"date": row[0].isoformat(), "capacity": as_json(row[1]), **{c: as_json(v) for c, v in zip(DAY_COUNTS, row[2:])}}
                 for row in day_rows],
        "totals": {c: as_json(t.total(c)) for c in DAY_COUNTS},
        "unique_people": as_json(t.person(0)), "unique_women": as_json(t.person(1)), "unique_workers": as_json(t.person(2)),
        "women_share": as_json(t.person(3)),
    }


def route_handlers() -> list[Any]:
    return [api_checkin, api_newcomer, api_fit, api_get_draw, api_seal, api_draw, api_verify, api_void, api_call, api_teams,
            api_suggest, api_move, api_lock, api_close, api_numbers]
