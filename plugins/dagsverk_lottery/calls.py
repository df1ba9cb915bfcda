"""Day-before mode: the call list, how each call went, and the places freed by it.

Under COVID the draw moved to the afternoon before and staff phoned the drawn people
(DOMAIN.md). Each person with a place starts as *not called yet* (``call_status`` ""); a
call ends as reached, declined or not reached. A declined place goes to the next reserve
at once. A person not reached keeps the place until the deadline the program sets
(``dagsverk.call_deadline``, a time of the day before the draw's day); after it the place
goes to the next reserve, while the person keeps any right they held (the rights do not
count "not reached" as work). A wrong status can be set back to *not called yet* (undone)
until the deadline.

Which places are free is counted, not remembered: the places the draw gave, less the
people still holding one, is how many reserves must be called in. So freeing is done once
however many requests ask at the same time: each call-in is a conditional UPDATE of the
next waiting reserve (``called_in = false``), and a request that loses it stops.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from litestar.exceptions import ClientException
from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session

from core.forms import FormError
from core.i18n import OSLO
from core.i18n import gettext as _
from core.models import ProgramDay
from plugins.dagsverk_lottery.calendar import setting
from plugins.dagsverk_lottery.models import Draw, DrawEntrant, DrawEvent

CALLED = ("reached", "declined", "not_reached")
"""How a call can end; "" is *not called yet*."""
PLACED = ("right", "lottery")


def deadline_of(db: Session, day_date: dt.date) -> dt.datetime:
    """When a place of someone not reached goes to the next reserve: the setting's time on
    the day before the draw's day, in Oslo."""
    raw = str(setting(db, "dagsverk.call_deadline") or "18:00")
    try:
        at = dt.time.fromisoformat(raw)
    except ValueError:
        at = dt.time(18, 0)
    return dt.datetime.combine(day_date - dt.timedelta(days=1), at, tzinfo=OSLO)


def now() -> dt.datetime:
    """The present moment in Oslo (one place for tests to move the clock)."""
    return dt.datetime.now(OSLO)


def day_date(db: Session, draw: Draw) -> dt.date:
    day = db.get(ProgramDay, draw.day_id)
    assert day is not None  # a draw belongs to its day (ON DELETE CASCADE)
    return day.date


def deadline_passed(db: Session, draw: Draw, at: dt.datetime | None = None) -> bool:
    return (at or now()) >= deadline_of(db, day_date(db, draw))


def holds_place(e: Any) -> bool:
    """Given a place by the draw, or called in from the reserve list for one."""
    return e.result in PLACED or bool(e.called_in)


def is_freed(e: Any, passed: bool) -> bool:
    """A place given up: declined, or not reached when the deadline has passed."""
    return holds_place(e) and (e.call_status == "declined" or (passed and e.call_status == "not_reached"))


def freed_ids(draw: Draw) -> set[int]:
    """Who no longer has the place the draw gave them (declined, or not reached by the
    deadline). A morning draw has no calls, so nobody."""
    if draw.mode != "day_before":
        return {e.participant_id for e in draw.entrants if holds_place(e) and e.call_status == "declined"}
    db = object_session(draw)
    passed = db is not None and deadline_passed(db, draw)
    return {e.participant_id for e in draw.entrants if is_freed(e, passed)}


def _log(db: Session, draw: Draw, kind: str, staff_id: int | None, participant_id: int) -> None:
    # As draws._log: the person by id only, never a name or a phone number.
    db.add(DrawEvent(organization_id=draw.organization_id, draw_id=draw.id, kind=kind, staff_id=staff_id, note=str(participant_id)))


def _entrants(db: Session, draw: Draw) -> list[DrawEntrant]:
    return list(db.scalars(select(DrawEntrant).where(DrawEntrant.draw_id == draw.id).order_by(DrawEntrant.participant_id)))


def _fill_places(db: Session, draw: Draw, entrants: Sequence[DrawEntrant], passed: bool, staff_id: int | None) -> list[DrawEntrant]:
    """Call in as many waiting reserves, in reserve order, as places are free. Returns them."""
    places = sum(1 for e in entrants if e.result in PLACED)
    holding = sum(1 for e in entrants if holds_place(e) and not is_freed(e, passed))
    waiting = sorted((e for e in entrants if e.result == "reserve" and not e.called_in), key=lambda e: e.reserve_number or 0)
    promoted = []
    for e in waiting[:max(0, places - holding)]:
        claimed = db.execute(update(DrawEntrant).where(DrawEntrant.id == e.id, DrawEntrant.called_in.is_(False))
                             .values(called_in=True).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            break  # another request filled this place a moment ago
        e.called_in = True
        _log(db, draw, "called_in", staff_id, e.participant_id)
        promoted.append(e)
    return promoted


def settle(db: Session, draw: Draw, at: dt.datetime | None = None) -> list[DrawEntrant]:
    """After the deadline, give the places of those not reached to the next reserves, once,
    logged (``place_freed`` for the person, ``called_in`` for the reserve) in one
    transaction. Every reading of the call list and the big screen asks first, so the
    screen follows without anyone pressing a button. Returns the reserves called in."""
    if draw.status != "drawn" or draw.mode != "day_before" or not deadline_passed(db, draw, at):
        return []
    entrants = _entrants(db, draw)
    logged = set(db.scalars(select(DrawEvent.note).where(DrawEvent.draw_id == draw.id, DrawEvent.kind == "place_freed")))
    newly = [e for e in entrants if holds_place(e) and e.call_status == "not_reached" and str(e.participant_id) not in logged]
    promoted = _fill_places(db, draw, entrants, True, None)
    if not newly and not promoted:
        return []
    for e in newly:
        _log(db, draw, "place_freed", None, e.participant_id)
    db.commit()
    return promoted


def record_call(db: Session, draw: Draw, participant_id: int, status: str, staff_id: int | None,
                at: dt.datetime | None = None) -> DrawEntrant | None:
    """How the phone call went (``reached``, ``declined``, ``not_reached``), or ``""`` to
    undo a status set by mistake. A declined place goes to the next reserve, who is
    returned. Undoing a decline takes that place back from the last reserve called in, if
    nobody has called them yet (409 otherwise). After the deadline nothing is undone, and
    the status of someone whose place has gone is fixed (409)."""
    if status not in ("", *CALLED):
        raise FormError({"call_status": _("Not one of the allowed choices.")})
    if draw.status != "drawn":
        raise FormError({"__all__": _("The draw has not been run yet.")})
    entrants = _entrants(db, draw)
    entrant = next((e for e in entrants if e.participant_id == participant_id), None)
    if entrant is None or not holds_place(entrant):
        raise FormError({"participant_id": _("This person has no place in this draw.")})
    day_before = draw.mode == "day_before"
    passed = day_before and deadline_passed(db, draw, at)
    if passed and (status == "" or is_freed(entrant, True)):
        raise ClientException(status_code=409, detail=_("The deadline for the calls has passed: the place has gone to the next reserve, or a call can no longer be undone."))
    if status == entrant.call_status:
        return None
    was_declined = entrant.call_status == "declined"
    entrant.call_status = status
    _log(db, draw, f"call_{status}" if status else "call_undone", staff_id, participant_id)
    if passed and status == "not_reached":
        _log(db, draw, "place_freed", staff_id, participant_id)  # past the deadline the place goes at once
    if was_declined:
        # The place comes back: the last reserve called in for it gives it up, if not called yet.
        called = sorted((e for e in entrants if e.result == "reserve" and e.called_in), key=lambda e: e.reserve_number or 0)
        holding = sum(1 for e in entrants if holds_place(e) and not is_freed(e, passed))
        if holding > sum(1 for e in entrants if e.result in PLACED) and called:
            last = called[-1]
            if last.call_status:
                db.rollback()
                raise ClientException(status_code=409, detail=_("The place has already gone to the next reserve, who has been called."))
            last.called_in = False
            _log(db, draw, "called_in_undone", staff_id, last.participant_id)
    promoted = _fill_places(db, draw, entrants, passed, staff_id)
    db.commit()
    return promoted[0] if promoted else None
