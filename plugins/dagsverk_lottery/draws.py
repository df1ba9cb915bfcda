"""Sealing, drawing, voiding and verifying the day's draw, and the day-before call list.

Once per day, even under two concurrent requests or two server processes: a partial
unique index allows one draw per day that is not voided, so only one INSERT can commit;
the loser rolls back and reads the winner's row. Drawing a sealed draw is a conditional UPDATE
(``status = 'sealed'`` -> ``'drawn'``) in the same transaction as the results, so only
one request writes results. No lock in memory is involved.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.forms import FormError
from core.i18n import gettext as _
from core.models import Attendance, Participant, ProgramDay, Shift
from plugins.dagsverk_lottery import algorithm
from plugins.dagsverk_lottery.calendar import capacity_for, draw_mode
from plugins.dagsverk_lottery.checkin import active_draw
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant, DrawEvent
from plugins.dagsverk_lottery.rights import DayRecord, days_waited, right_from

HISTORY_DAYS = 60


def history_before(db: Session, day: ProgramDay, limit: int = HISTORY_DAYS) -> list[DayRecord]:
    """The last ``limit`` open days at the day's site before it, oldest first."""
    days = list(db.scalars(
        select(ProgramDay).where(ProgramDay.site_id == day.site_id, ProgramDay.date < day.date, ProgramDay.is_open)
        .order_by(ProgramDay.date.desc()).limit(limit)
    ))
    days.reverse()
    return records_for(db, days)


def records_for(db: Session, days: list[ProgramDay]) -> list[DayRecord]:
    if not days:
        return []
    ids = [d.id for d in days]
    records = {d.id: DayRecord(date=d.date) for d in days}
    for day_id, pid in db.execute(select(Attendance.day_id, Attendance.participant_id).where(Attendance.day_id.in_(ids))):
        records[day_id].present.add(pid)
    rows = db.execute(
        select(Draw.day_id, DrawEntrant.participant_id, DrawEntrant.result, DrawEntrant.called_in)
        .join(DrawEntrant, DrawEntrant.draw_id == Draw.id)
        .where(Draw.day_id.in_(ids), Draw.status == "drawn")
    )
    for day_id, pid, result, called_in in rows:
        records[day_id].entered.add(pid)
        if result in ("right", "lottery") or called_in:
            records[day_id].worked.add(pid)
    for day_id, pid in db.execute(select(Shift.day_id, Shift.participant_id).where(Shift.day_id.in_(ids), Shift.outcome != "no_show")):
        records[day_id].worked.add(pid)
    return [records[i] for i in ids]


def seen_before(db: Session, day: ProgramDay, participant_ids: list[int]) -> set[int]:
    """Who among these had been registered on an earlier day (or was known from earlier)."""
    if not participant_ids:
        return set()
    seen = set(db.scalars(
        select(Attendance.participant_id).join(ProgramDay, Attendance.day_id == ProgramDay.id)
        .where(Attendance.participant_id.in_(participant_ids), ProgramDay.date < day.date).distinct()
    ))
    seen |= set(db.scalars(select(Participant.id).where(Participant.id.in_(participant_ids), Participant.first_seen_on < day.date)))
    return seen


def rights_on(db: Session, day: ProgramDay, participant_ids: list[int]) -> dict[int, tuple[str, int]]:
    """``participant id -> (right, days waited)`` before the day's draw."""
    history = history_before(db, day)
    seen = seen_before(db, day, participant_ids)
    out = {}
    for pid in participant_ids:
        waited = days_waited(history, pid)
        out[pid] = (right_from(waited, pid not in seen), waited)
    return out


def entrant_ids(db: Session, day: ProgramDay) -> list[int]:
    """Registered people who are entered: not judged unfit, not come after the draw."""
    present = list(db.scalars(select(Attendance.participant_id).where(Attendance.day_id == day.id)))
    marks = dict(db.execute(select(CheckIn.participant_id, CheckIn.status).where(CheckIn.day_id == day.id)).all())
    return sorted(pid for pid in present if marks.get(pid, "entered") == "entered")


def _log(db: Session, draw: Draw, kind: str, staff_id: int | None, note: str = "") -> None:
    db.add(DrawEvent(organization_id=draw.organization_id, draw_id=draw.id, kind=kind, staff_id=staff_id, note=note[:500]))


def seal(db: Session, day: ProgramDay, staff_id: int | None, *, mode: str | None = None) -> Draw:
    """Close check-in: fix the entrants, their rights, the capacity and the seed. Returns the
    day's active draw if there already is one."""
    existing = active_draw(db, day)
    if existing is not None:
        return existing
    if not day.is_open:
        raise FormError({"__all__": _("The program is closed on this day.")})
    ids = entrant_ids(db, day)
    rights = rights_on(db, day, ids)
    entrants = [algorithm.Entrant(pid, rights[pid][0]) for pid in ids]
    capacity = capacity_for(db, day)
    last = db.scalars(select(Draw.attempt).where(Draw.day_id == day.id).order_by(Draw.attempt.desc())).first() or 0
    seed = algorithm.new_seed()
    draw = Draw(
        organization_id=day.organization_id, day_id=day.id, attempt=last + 1, status="sealed",
        mode=mode or draw_mode(db), algorithm=algorithm.ALGORITHM, capacity=capacity, seed=seed,
        seed_sha256=algorithm.fingerprint(seed), entrants_sha256=algorithm.entrants_digest(entrants, capacity),
        sealed_by_id=staff_id,
    )
    draw.entrants = [DrawEntrant(organization_id=day.organization_id, participant_id=e.participant_id, right=e.right) for e in entrants]
    db.add(draw)
    try:
        db.flush()
        _log(db, draw, "sealed", staff_id)
        db.commit()
    except IntegrityError:
        # Another request or process sealed this day at the same moment: theirs stands.
        db.rollback()
        winner = active_draw(db, day)
        if winner is None:  # pragma: no cover - the other one was voided in between
            raise
        return winner
    return draw


def perform(db: Session, draw: Draw, staff_id: int | None) -> Draw:
    """Run a sealed draw. A second call (double click, another device) returns it as drawn."""
    if draw.status != "sealed":
        return draw
    placements = {p.participant_id: p for p in algorithm.run_draw(
        [algorithm.Entrant(e.participant_id, e.right) for e in draw.entrants], draw.capacity, draw.seed, draw.algorithm
    )}
    now = utcnow()
    claimed = db.execute(
        update(Draw).where(Draw.id == draw.id, Draw.status == "sealed").values(status="drawn", drawn_at=now, drawn_by_id=staff_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.rollback()
        db.expire_all()
        return db.scalars(select(Draw).where(Draw.id == draw.id)).one()
    for e in draw.entrants:
        p = placements[e.participant_id]
        e.result, e.position, e.reserve_number = p.result, p.position, p.reserve_number
    _log(db, draw, "drawn", staff_id)
    db.commit()
    db.expire_all()
    return db.scalars(select(Draw).where(Draw.id == draw.id)).one()


def run(db: Session, day: ProgramDay, staff_id: int | None) -> Draw:
    """Close check-in if still open, and draw: the one button in front of everyone."""
    return perform(db, seal(db, day, staff_id), staff_id)


def void(db: Session, draw: Draw, staff_id: int, reason: str) -> Draw:
    reason = " ".join((reason or "").split())
    if not reason:
        raise FormError({"reason": _("Say why the draw is voided.")})
    if len(reason) > 500:
        raise FormError({"reason": _("At most %(n)s characters.", n=500)})
    if draw.status == "voided":
        return draw
    claimed = db.execute(
        update(Draw).where(Draw.id == draw.id, Draw.status != "voided")
        .values(status="voided", voided_at=utcnow(), voided_by_id=staff_id, void_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        _log(db, draw, "voided", staff_id, reason)
        # People who came after a voided draw are entrants of the next one.
        for c in db.scalars(select(CheckIn).where(CheckIn.day_id == draw.day_id, CheckIn.status == "after_draw")):
            c.status = "entered"
    db.commit()
    db.expire_all()
    return db.scalars(select(Draw).where(Draw.id == draw.id)).one()


@dataclass
class Verification:
    matches: bool
    problems: list[str] = field(default_factory=list)
    recomputed: list[algorithm.Placement] = field(default_factory=list)


def verify(draw: Draw) -> Verification:
    """Recompute a past draw from what was stored and say whether it matches."""
    if draw.status == "sealed":
        return Verification(False, [_("The draw has not been run yet, so its seed is still secret.")])
    problems = []
    entrants = [algorithm.Entrant(e.participant_id, e.right) for e in draw.entrants]
    if algorithm.fingerprint(draw.seed) != draw.seed_sha256:
        problems.append(_("The seed does not match the fingerprint published before the draw."))
    if algorithm.entrants_digest(entrants, draw.capacity, draw.algorithm) != draw.entrants_sha256:
        problems.append(_("The stored entrants, rights or capacity differ from those fixed when check-in closed."))
    try:
        recomputed = algorithm.run_draw(entrants, draw.capacity, draw.seed, draw.algorithm)
    except ValueError as exc:
        return Verification(False, [*problems, str(exc)])
    stored = {e.participant_id: (e.result, e.position, e.reserve_number) for e in draw.entrants}
    differing = [p for p in recomputed if stored.get(p.participant_id) != (p.result, p.position, p.reserve_number)]
    if differing:
        problems.append(_("%(n)s entrants have a stored result that differs from the recomputed one.", n=len(differing)))
    return Verification(not problems, problems, recomputed)


def drawn_ids(draw: Draw) -> list[int]:
    """Who got work, in draw order, with reserves called in after them."""
    got = sorted((e for e in draw.entrants if e.result in ("right", "lottery")), key=lambda e: e.position or 0)
    called = sorted((e for e in draw.entrants if e.called_in), key=lambda e: e.reserve_number or 0)
    return [e.participant_id for e in got if e.call_status != "declined"] + [e.participant_id for e in called if e.call_status != "declined"]


def record_call(db: Session, draw: Draw, participant_id: int, status: str, staff_id: int | None) -> DrawEntrant | None:
    """Day-before mode: how the phone call went. A declined place goes to the next reserve;
    returns the reserve who was called in, if any."""
    if status not in ("reached", "declined", "not_reached"):
        raise FormError({"call_status": _("Not one of the allowed choices.")})
    if draw.status != "drawn":
        raise FormError({"__all__": _("The draw has not been run yet.")})
    entrant = next((e for e in draw.entrants if e.participant_id == participant_id), None)
    if entrant is None or not (entrant.result in ("right", "lottery") or entrant.called_in):
        raise FormError({"participant_id": _("This person has no place in this draw.")})
    was_declined = entrant.call_status == "declined"
    entrant.call_status = status
    _log(db, draw, f"call_{status}", staff_id, str(participant_id))
    promoted = None
    if status == "declined" and not was_declined:
        waiting = sorted((e for e in draw.entrants if e.result == "reserve" and not e.called_in), key=lambda e: e.reserve_number or 0)
        if waiting:
            promoted = waiting[0]
            promoted.called_in = True
            _log(db, draw, "called_in", staff_id, str(promoted.participant_id))
    db.commit()
    return promoted


def day_draw_summary(draw: Draw | None) -> dict[str, object]:
    if draw is None:
        return {"status": "open"}
    return {"status": draw.status, "id": draw.id, "capacity": draw.capacity, "seed_sha256": draw.seed_sha256}


def last_drawn(db: Session, day: ProgramDay) -> Draw | None:
    return db.scalars(select(Draw).where(Draw.day_id == day.id, Draw.status == "drawn").order_by(Draw.attempt.desc())).first()


def draw_of(db: Session, day_id: int) -> Draw | None:
    return db.scalars(select(Draw).where(Draw.day_id == day_id, Draw.status != "voided").order_by(Draw.attempt.desc())).first()


def today_or(date: dt.date | None) -> dt.date:
    from core.i18n import today

    return date or today()
