"""Dagsverket's and the core's day actions agree between page and API, for every role
(issue 14): the same refusals, and the same rows left behind. Days are addressed by id in
the API and by id (or date) in the pages; each starting point is its own day."""
from __future__ import annotations

import datetime as dt
import itertools
import time
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Attendance, Participant, ProgramDay, Shift, Team
from core.services import days as day_service
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant, TeamJob
from tests.conftest import OrgWorld
from tests.parity import Ctx, Pair, assert_parity
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people

_dates = itertools.count()
_batches = itertools.count(100)


def _date() -> dt.date:
    """A fresh weekday for each starting point (both copies of every role's run)."""
    n = next(_dates)
    return dt.date(2025, 1, 6) + dt.timedelta(weeks=n // 5, days=n % 5)


def _day(db: Session, org: OrgWorld, n_people: int = 1, *, checked_in: bool = False, capacity: int | None = None) -> Ctx:
    day = open_day(db, org, _date(), capacity=capacity)
    persons = people(db, org, n_people, prefix=f"{next(_batches):03d}")  # card codes from the first three letters
    if checked_in:
        check_in_all(db, day, persons)
    return {"day": day.id, "date": day.date.isoformat(), "people": [p.id for p in persons]}


def _drawn(db: Session, org: OrgWorld) -> Ctx:
    ctx = _day(db, org, 3, checked_in=True, capacity=2)
    draw = draws.run(db, db.get(ProgramDay, ctx["day"]), None)
    placed = db.scalars(select(DrawEntrant.participant_id).where(DrawEntrant.draw_id == draw.id, DrawEntrant.result.in_(("right", "lottery")))).all()
    return {**ctx, "draw": draw.id, "placed": sorted(placed)}


def _sealed(db: Session, org: OrgWorld) -> Ctx:
    ctx = _day(db, org, 3, checked_in=True, capacity=2)
    draws.seal(db, db.get(ProgramDay, ctx["day"]), None)
    return ctx


def _teams(db: Session, org: OrgWorld) -> Ctx:
    ctx = _day(db, org, 1)
    day = db.get(ProgramDay, ctx["day"])
    first = day_service.create_team(db, day, "Vedbua", None, [])
    second = day_service.create_team(db, day, "Matsentralen", None, [])
    person = db.get(Participant, ctx["people"][0])
    day_service.register_attendance(db, day, person, None)
    shift = day_service.assign_to_team(db, day, person, first)
    return {**ctx, "team": first.id, "other": second.id, "shift": shift.id}


def _with_namesake(db: Session, org: OrgWorld) -> Ctx:
    """A day, and a person whose first name is the newcomer's (Ødegård-like, unique per run)."""
    ctx = _day(db, org)
    name = f"Øy{next(_batches):03d}vind"
    db.add(Participant(organization_id=org.org.id, first_name=name, last_name="Åsheim"))
    db.commit()
    return {**ctx, "name": name}


def _present(db: Session, c: Ctx) -> Any:
    return (_checkins(db, c), db.scalar(select(func.count()).select_from(Attendance).where(Attendance.day_id == c["day"])))


def _checkins(db: Session, c: Ctx) -> Any:
    return sorted(db.scalars(select(CheckIn.status).where(CheckIn.day_id == c["day"])))


def _draws(db: Session, c: Ctx) -> Any:
    return [(d.status, d.capacity, d.void_reason, len(d.entrants), d.contribution)
            for d in db.scalars(select(Draw).where(Draw.day_id == c["day"]).order_by(Draw.attempt))]


def _team_of(db: Session, c: Ctx) -> Any:
    return db.scalar(select(Team.name).join(Shift, Shift.team_id == Team.id).where(Shift.day_id == c["day"], Shift.participant_id == c["people"][0]))


def _suggested(db: Session, c: Ctx) -> Any:
    """The teams a suggestion left, once its worker process is done (the action answers at
    once; a job that never started, as for a refused role, reads as no job)."""
    deadline = time.monotonic() + 120
    status = None
    while time.monotonic() < deadline:
        db.rollback()  # a fresh snapshot: the worker process writes in its own transaction
        status = db.scalar(select(TeamJob.status).where(TeamJob.day_id == c["day"]))
        if status not in ("queued", "running"):
            break
        time.sleep(0.1)
    return (status, db.scalar(select(func.count()).select_from(Team).where(Team.day_id == c["day"])),
            db.scalar(select(func.count()).select_from(Shift).where(Shift.day_id == c["day"], Shift.team_id.is_not(None))))


def _day_row(db: Session, c: Ctx) -> Any:
    day = db.get(ProgramDay, c["day"])
    return (day.is_open, day.capacity, day.note)


A = "/api/v1/dagsverk"
PAIRS = [
    Pair("dagsverk.checkin", "a", lambda db, o: _day(db, o),
         page=lambda c: (f"/dagsverk/days/{c['day']}/checkin", {"participant_id": c["people"][0]}),
         api=lambda c: (f"{A}/days/{c['day']}/checkin", {"participant_id": c["people"][0]}), stored=_checkins),
    # Each run adds a "Ny": the runs after the first are warned of the one before (409
    # alike), so the plain pair confirms, and the warning has pairs of its own.
    Pair("dagsverk.newcomer", "a", lambda db, o: _day(db, o),
         page=lambda c: (f"/dagsverk/days/{c['day']}/newcomer", {"first_name": "Ny", "confirm_new_person": "1"}),
         api=lambda c: (f"{A}/days/{c['day']}/newcomer", {"first_name": "Ny", "confirm_new_person": True}), stored=_checkins),
    Pair("dagsverk.newcomer", "a", _with_namesake,
         page=lambda c: (f"/dagsverk/days/{c['day']}/newcomer", {"first_name": c["name"]}),
         api=lambda c: (f"{A}/days/{c['day']}/newcomer", {"first_name": c["name"]}), stored=_checkins),
    Pair("dagsverk.undo_check_in", "a", lambda db, o: _day(db, o, checked_in=True),
         page=lambda c: (f"/dagsverk/days/{c['day']}/undo-checkin", {"participant_id": c["people"][0]}),
         api=lambda c: (f"{A}/days/{c['day']}/undo-checkin", {"participant_id": c["people"][0]}), stored=_present),
    Pair("dagsverk.undo_check_in", "a", _drawn,  # check-in has closed: refused alike (409)
         page=lambda c: (f"/dagsverk/days/{c['day']}/undo-checkin", {"participant_id": c["people"][0]}),
         api=lambda c: (f"{A}/days/{c['day']}/undo-checkin", {"participant_id": c["people"][0]}), stored=_present),
    Pair("dagsverk.fit", "a", lambda db, o: _day(db, o, checked_in=True),
         page=lambda c: (f"/dagsverk/days/{c['day']}/fit", {"participant_id": c["people"][0]}),
         api=lambda c: (f"{A}/days/{c['day']}/fit", {"participant_id": c["people"][0], "fit": False}), stored=_checkins),
    Pair("dagsverk.seal", "a", lambda db, o: _day(db, o, 3, checked_in=True, capacity=2),
         page=lambda c: (f"/dagsverk/days/{c['day']}/seal", {}), api=lambda c: (f"{A}/days/{c['day']}/seal", {}), stored=_draws),
    # The draw takes the numbers typed in the room once check-in has closed (dagsverk-lottery/2).
    Pair("dagsverk.draw", "a", _sealed,
         page=lambda c: (f"/dagsverk/days/{c['day']}/draw", {"numbers": "12 7 45"}),
         api=lambda c: (f"{A}/days/{c['day']}/draw", {"numbers": [12, 7, 45]}), stored=_draws),
    Pair("dagsverk.draw", "a", _sealed,  # no numbers while they are required: refused alike
         page=lambda c: (f"/dagsverk/days/{c['day']}/draw", {}), api=lambda c: (f"{A}/days/{c['day']}/draw", {}), stored=_draws),
    Pair("dagsverk.draw", "a", _sealed,  # a number out of range
         page=lambda c: (f"/dagsverk/days/{c['day']}/draw", {"numbers": "3 100"}),
         api=lambda c: (f"{A}/days/{c['day']}/draw", {"numbers": [3, 100]}), stored=_draws),
    Pair("dagsverk.draw", "a", lambda db, o: _day(db, o, 3, checked_in=True, capacity=2),  # numbers before the seal: 409
         page=lambda c: (f"/dagsverk/days/{c['day']}/draw", {"numbers": "4"}),
         api=lambda c: (f"{A}/days/{c['day']}/draw", {"numbers": [4]}), stored=_draws),
    Pair("dagsverk.void", "a", _drawn,
         page=lambda c: (f"/dagsverk/draws/{c['draw']}/void", {"reason": "Feil antall plasser"}),
         api=lambda c: (f"{A}/draws/{c['draw']}/void", {"reason": "Feil antall plasser"}), stored=_draws),
    Pair("dagsverk.call", "a", _drawn,
         page=lambda c: (f"/dagsverk/draws/{c['draw']}/calls", {"participant_id": c["placed"][0], "call_status": "declined"}),
         api=lambda c: (f"{A}/draws/{c['draw']}/calls", {"participant_id": c["placed"][0], "call_status": "declined"}),
         stored=lambda db, c: sorted((e.call_status or "", e.called_in) for e in db.scalars(select(DrawEntrant).where(DrawEntrant.draw_id == c["draw"])))),
    Pair("dagsverk.suggest", "a", _drawn,
         page=lambda c: (f"/dagsverk/days/{c['day']}/teams/suggest", {}), api=lambda c: (f"{A}/days/{c['day']}/teams/suggest", {}),
         stored=_suggested),
    Pair("dagsverk.move", "a", _teams,
         page=lambda c: (f"/dagsverk/days/{c['day']}/teams/move", {"participant_id": c["people"][0], "team_id": c["other"]}),
         api=lambda c: (f"{A}/days/{c['day']}/teams/move", {"participant_id": c["people"][0], "team_id": c["other"]}), stored=_team_of),
    Pair("dagsverk.lock", "a", _teams,
         page=lambda c: (f"/dagsverk/days/{c['day']}/teams/{c['team']}/lock", {"locked": "1"}),
         api=lambda c: (f"{A}/days/{c['day']}/teams/{c['team']}/lock", {"locked": True}),
         stored=lambda db, c: db.get(Team, c["team"]).locked),
    Pair("dagsverk.close", "a", _teams,
         page=lambda c: (f"/dagsverk/days/{c['day']}/end", {f"outcome_{c['people'][0]}": "sent_home"}),
         api=lambda c: (f"{A}/days/{c['day']}/close", {"outcomes": [{"participant_id": c["people"][0], "outcome": "sent_home"}]}),
         stored=lambda db, c: (db.get(Shift, c["shift"]).outcome, db.get(ProgramDay, c["day"]).closed_at is not None)),
    # The calendar's day form and the core's PATCH are the one action days.plan.
    Pair("days.plan", "a", lambda db, o: _day(db, o),
         page=lambda c: ("/dagsverk/calendar/day", {"date": c["date"], "is_open": "0", "note": "Stengt: streik"}),
         api=lambda c: (f"/api/v1/days/{c['day']}", {"is_open": False, "note": "Stengt: streik"}), stored=_day_row, api_method="PATCH"),
    Pair("days.plan", "a", lambda db, o: _day(db, o),
         page=lambda c: ("/dagsverk/calendar/day", {"date": c["date"], "is_open": "1", "capacity": "12"}),
         api=lambda c: (f"/api/v1/days/{c['day']}", {"is_open": True, "capacity": 12}), stored=_day_row, api_method="PATCH"),
    Pair("days.plan", "a", _drawn,  # a drawn day keeps its places: refused alike (409)
         page=lambda c: ("/dagsverk/calendar/day", {"date": c["date"], "is_open": "1", "capacity": "12"}),
         api=lambda c: (f"/api/v1/days/{c['day']}", {"capacity": 12}), stored=_day_row, api_method="PATCH"),
    Pair("days.register_attendance", "a", lambda db, o: _day(db, o),
         page=lambda c: (f"/days/{c['day']}/attendance", {"participant_id": c["people"][0]}),
         api=lambda c: (f"/api/v1/days/{c['day']}/attendance", {"participant_id": c["people"][0]}),
         stored=lambda db, c: db.scalar(select(func.count()).select_from(Attendance).where(Attendance.day_id == c["day"]))),
    Pair("days.create_team", "a", lambda db, o: _day(db, o),
         page=lambda c: (f"/days/{c['day']}/teams", {"name": "Vedbua"}), api=lambda c: (f"/api/v1/days/{c['day']}/teams", {"name": "Vedbua"}),
         stored=lambda db, c: sorted(db.scalars(select(Team.name).where(Team.day_id == c["day"])))),
    Pair("days.assign", "a", _teams,
         page=lambda c: (f"/days/{c['day']}/assign", {"participant_id": c["people"][0], "team_id": c["other"]}),
         api=lambda c: (f"/api/v1/days/{c['day']}/assign", {"participant_id": c["people"][0], "team_id": c["other"]}), stored=_team_of),
    Pair("days.record_outcome", "a", _teams,
         page=lambda c: (f"/days/{c['day']}/shifts/{c['shift']}", {"outcome": "worked", "hours": "5,5"}),
         api=lambda c: (f"/api/v1/days/{c['day']}/shifts/{c['shift']}", {"outcome": "worked", "hours": "5.5"}),
         stored=lambda db, c: (db.get(Shift, c["shift"]).outcome, str(db.get(Shift, c["shift"]).hours)), api_method="PATCH"),
    Pair("days.create", "a", lambda db, o: {"site": o.site.id, "date": _date().isoformat()},
         page=lambda c: ("/days", {"site_id": c["site"], "date": c["date"], "is_open": "1"}),
         api=lambda c: ("/api/v1/days", {"site_id": c["site"], "date": c["date"]}),
         stored=lambda db, c: [(d.is_open, d.capacity) for d in db.scalars(select(ProgramDay).where(ProgramDay.date == dt.date.fromisoformat(c["date"])))]),
]


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.action)
def test_page_and_api_agree(pair: Pair, app: Any, world: Any) -> None:
    assert_parity(pair, app, world)
