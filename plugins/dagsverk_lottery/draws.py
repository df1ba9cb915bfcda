"""Sealing, drawing, voiding and verifying the day's draw, and the day-before call list.

Once per day, even under two concurrent requests or two server processes: a partial
unique index allows one draw per day that is not voided, so only one INSERT can commit;
the loser rolls back and reads the winner's row. Drawing a sealed draw is a conditional UPDATE
(``status = 'sealed'`` -> ``'drawn'``) in the same transaction as the results, so only
one request writes results. No lock in memory is involved.

Built for 10,000 entrants: the entrants are written with one bulk INSERT and their results
with one bulk UPDATE, the rights come from one aggregate query, and the draw's entrants
are read as plain rows, not ORM objects.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, Integer, Row, String, and_, bindparam, case, exists, false, func, insert, literal, literal_column, or_, select, union_all, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import utcnow
from core.forms import FormError
from core.i18n import gettext as _
from core.models import Attendance, Participant, ProgramDay, Shift
from plugins.dagsverk_lottery import algorithm, calls
from plugins.dagsverk_lottery.calendar import capacity_for, draw_mode
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant, DrawEvent
from plugins.dagsverk_lottery.rights import DayRecord, right_from

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


def waited_before(db: Session, site_id: int, date: dt.date, people: Sequence[int] | None = None,
                  limit: int = HISTORY_DAYS) -> dict[int, int]:
    """:func:`plugins.dagsverk_lottery.rights.days_waited` over the last ``limit`` open days
    at the site before ``date``, for ``people`` (or everyone), in one aggregate query. Only
    people who waited at least one day are in the answer.

    Each person's open days are numbered from the newest (1) back. A day ends the run when
    they got work or were not there; the days before the first such day are the run, and
    the days waited are the days of the run on which they were entered. In SQL: per person
    and day, "entered" and "worked" marks; the days without work numbered again per person
    (``row_number``); the run is where both numbers agree.

    The marks are read by day (the indexes on ``day_id``), never by person: a filter on
    10,000 people would invite PostgreSQL, before it has statistics of freshly written
    rows, to look each person up on their own."""
    if people is not None and not people:
        return {}
    params: dict[str, Any] = {"site_id": site_id, "before": date, "history_limit": limit}
    if people is not None:
        params["people"] = list(people)
    return {pid: int(n) for pid, n in db.execute(_waited_statement(people is not None), params)}


@functools.cache
def _waited_statement(for_people: bool) -> Any:
    """The statement of :func:`waited_before`, built once (with and without a list of
    people): building it cost more than running it for one person's page. The site, the
    date, the number of days and the people come in as parameters."""
    days = (
        select(ProgramDay.id.label("day_id"), func.row_number().over(order_by=ProgramDay.date.desc()).label("n"))
        .where(ProgramDay.site_id == bindparam("site_id", type_=Integer), ProgramDay.date < bindparam("before", type_=Date),
               ProgramDay.is_open)
        .order_by(ProgramDay.date.desc()).limit(bindparam("history_limit", type_=Integer)).cte("history_days")
    )
    day_ids = select(days.c.day_id)
    got_work = or_(DrawEntrant.result.in_(("right", "lottery")), DrawEntrant.called_in)
    zero, one = literal_column("0"), literal_column("1")
    branches = [
        select(Attendance.day_id, Attendance.participant_id, zero.label("entered"), zero.label("worked"))
        .where(Attendance.day_id.in_(day_ids)),
        select(Draw.day_id, DrawEntrant.participant_id, one, case((got_work, one), else_=zero))
        .join(DrawEntrant, DrawEntrant.draw_id == Draw.id).where(Draw.day_id.in_(day_ids), Draw.status == "drawn"),
        select(Shift.day_id, Shift.participant_id, zero, one).where(Shift.day_id.in_(day_ids), Shift.outcome != "no_show"),
    ]
    if for_people:
        people = bindparam("people", expanding=True, type_=Integer)
        branches[0] = branches[0].where(Attendance.participant_id.in_(people))
        branches[1] = branches[1].where(DrawEntrant.participant_id.in_(people))
        branches[2] = branches[2].where(Shift.participant_id.in_(people))
    marks = union_all(*branches).subquery("marks")
    per_day = (
        select(marks.c.participant_id, days.c.n, func.max(marks.c.entered).label("entered"), func.max(marks.c.worked).label("worked"))
        .join(days, days.c.day_id == marks.c.day_id).group_by(marks.c.participant_id, days.c.n).subquery("per_day")
    )
    no_work = (
        select(per_day.c.participant_id, per_day.c.n, per_day.c.entered,
               func.row_number().over(partition_by=per_day.c.participant_id, order_by=per_day.c.n).label("k"))
        .where(per_day.c.worked == 0).subquery("no_work")
    )
    waited = func.sum(no_work.c.entered)
    return (select(no_work.c.participant_id, waited).where(no_work.c.n == no_work.c.k)
            .group_by(no_work.c.participant_id).having(waited > 0))


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


def _registered_today(day: ProgramDay) -> Any:
    return select(Attendance.participant_id).where(Attendance.day_id == day.id).scalar_subquery()


def _seen_before_today(db: Session, day: ProgramDay) -> set[int]:
    """:func:`seen_before` for everyone registered on the day, without a list of ids."""
    earlier = (select(Attendance.id).join(ProgramDay, Attendance.day_id == ProgramDay.id)
               .where(Attendance.participant_id == Participant.id, ProgramDay.date < day.date))
    return set(db.scalars(select(Participant.id).where(
        Participant.id.in_(_registered_today(day)), or_(Participant.first_seen_on < day.date, exists(earlier)),
    )))


def rights_on(db: Session, day: ProgramDay, participant_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """``participant id -> (right, days waited)`` before the day's draw, for people
    registered on the day."""
    waited = waited_before(db, day.site_id, day.date)
    seen = _seen_before_today(db, day)
    return {pid: (right_from(waited.get(pid, 0), pid not in seen), waited.get(pid, 0)) for pid in participant_ids}


def entrant_ids(db: Session, day: ProgramDay) -> list[int]:
    """Registered people who are entered: not judged unfit, not come after the draw."""
    return list(db.scalars(
        select(Attendance.participant_id)
        .outerjoin(CheckIn, and_(CheckIn.day_id == Attendance.day_id, CheckIn.participant_id == Attendance.participant_id))
        .where(Attendance.day_id == day.id, or_(CheckIn.status.is_(None), CheckIn.status == "entered"))
        .order_by(Attendance.participant_id)
    ))


def entrant_count(db: Session, day: ProgramDay) -> int:
    return db.scalar(
        select(func.count()).select_from(Attendance)
        .outerjoin(CheckIn, and_(CheckIn.day_id == Attendance.day_id, CheckIn.participant_id == Attendance.participant_id))
        .where(Attendance.day_id == day.id, or_(CheckIn.status.is_(None), CheckIn.status == "entered"))
    ) or 0


ENTRANT_COLUMNS = (DrawEntrant.id, DrawEntrant.participant_id, DrawEntrant.right, DrawEntrant.result, DrawEntrant.position,
                   DrawEntrant.reserve_number, DrawEntrant.called_in, DrawEntrant.call_status)


def entrant_rows(db: Session, draw_id: int) -> Sequence[Row[Any]]:
    """The draw's entrants as plain rows (the columns of :class:`DrawEntrant`), by participant."""
    return db.execute(select(*ENTRANT_COLUMNS).where(DrawEntrant.draw_id == draw_id).order_by(DrawEntrant.participant_id)).all()


def entrant_total(db: Session, draw_id: int) -> int:
    return db.scalar(select(func.count()).select_from(DrawEntrant).where(DrawEntrant.draw_id == draw_id)) or 0


def _reloaded(db: Session, draw_id: int) -> Draw:
    """The draw as stored, after bulk statements the session did not follow. Only the
    lottery's own rows are expired: the people and days the caller holds stay loaded."""
    for obj in list(db.identity_map.values()):
        if isinstance(obj, (Draw, DrawEntrant, CheckIn)):
            db.expire(obj)
    return db.scalars(select(Draw).where(Draw.id == draw_id)).one()


def _log(db: Session, draw: Draw, kind: str, staff_id: int | None, note: str = "") -> None:
    db.add(DrawEvent(organization_id=draw.organization_id, draw_id=draw.id, kind=kind, staff_id=staff_id, note=note[:500]))


def _postgresql(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _insert_entrants(db: Session, draw: Draw, entrants: Sequence[algorithm.Entrant]) -> None:
    """All entrants of a new draw in one statement on PostgreSQL (``unnest`` of two arrays),
    one ``executemany`` of plain tuples on SQLite; never an ORM object, or even a dict, per row."""
    if not entrants:
        return
    table = DrawEntrant.__table__
    if _postgresql(db):
        rows = func.unnest(
            bindparam("participant_ids", [pid for pid, _right in entrants], type_=ARRAY(Integer)),
            bindparam("rights", [right for _pid, right in entrants], type_=ARRAY(String)),
        ).table_valued("participant_id", "right").render_derived()
        db.execute(insert(table).from_select(
            ["organization_id", "draw_id", "participant_id", "right", "called_in", "call_status"],
            select(literal(draw.organization_id, Integer), literal(draw.id, Integer), rows.c.participant_id, rows.c.right,
                   false(), literal("", String)),
        ))
    else:
        db.connection().exec_driver_sql(
            f"INSERT INTO {table.name} (organization_id, draw_id, participant_id, \"right\", called_in, call_status) "
            "VALUES (?, ?, ?, ?, 0, '')",
            [(draw.organization_id, draw.id, pid, right) for pid, right in entrants],
        )


def _store_results(db: Session, draw: Draw, placements: Sequence[algorithm.Placement]) -> None:
    """Every entrant's result, place and reserve number, found by the draw and the person
    (the unique index on both): one ``UPDATE ... FROM unnest(...)`` on PostgreSQL, one
    ``executemany`` on SQLite."""
    if not placements:
        return
    table = DrawEntrant.__table__
    if _postgresql(db):
        given = func.unnest(
            bindparam("participant_ids", [p.participant_id for p in placements], type_=ARRAY(Integer)),
            bindparam("results", [p.result for p in placements], type_=ARRAY(String)),
            bindparam("positions", [p.position for p in placements], type_=ARRAY(Integer)),
            bindparam("reserve_numbers", [p.reserve_number for p in placements], type_=ARRAY(Integer)),
        ).table_valued("participant_id", "result", "position", "reserve_number").render_derived()
        db.execute(update(table).where(table.c.draw_id == draw.id, table.c.participant_id == given.c.participant_id)
                   .values(result=given.c.result, position=given.c.position, reserve_number=given.c.reserve_number))
    else:
        db.connection().exec_driver_sql(
            f"UPDATE {table.name} SET result=?, position=?, reserve_number=? WHERE draw_id = ? AND participant_id = ?",
            [(p.result, p.position, p.reserve_number, draw.id, p.participant_id) for p in placements],
        )


def seal(db: Session, day: ProgramDay, staff_id: int | None, *, mode: str | None = None) -> Draw:
    """Close check-in: fix the entrants, their rights, the capacity and the seed. Returns the
    day's active draw if there already is one."""
    return _seal(db, day, staff_id, mode)[0]


def _seal(db: Session, day: ProgramDay, staff_id: int | None, mode: str | None = None) -> tuple[Draw, list[algorithm.Entrant] | None]:
    """:func:`seal`, and the entrants when this call fixed them (``None`` when the day's
    draw was already there), so a draw that follows at once need not read them back."""
    existing = active_draw(db, day)
    if existing is not None:
        return existing, None
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
    db.add(draw)
    try:
        db.flush()  # the draw's row first: a second live draw for the day fails here
        _insert_entrants(db, draw, entrants)
        _log(db, draw, "sealed", staff_id)
        db.commit()
    except IntegrityError:
        # Another request or process sealed this day at the same moment: theirs stands.
        db.rollback()
        winner = active_draw(db, day)
        if winner is None:  # pragma: no cover - the other one was voided in between
            raise
        return winner, None
    return draw, entrants


def perform(db: Session, draw: Draw, staff_id: int | None, entrants: Sequence[algorithm.Entrant] | None = None) -> Draw:
    """Run a sealed draw. A second call (double click, another device) returns it as drawn.
    ``entrants`` are the draw's stored entrants when the caller has just sealed it."""
    if draw.status != "sealed":
        return draw
    if entrants is None:
        entrants = [algorithm.Entrant(pid, right) for pid, right in
                    db.execute(select(DrawEntrant.participant_id, DrawEntrant.right).where(DrawEntrant.draw_id == draw.id))]
    placements = algorithm.run_draw(entrants, draw.capacity, draw.seed, draw.algorithm)
    claimed = db.execute(
        update(Draw).where(Draw.id == draw.id, Draw.status == "sealed").values(status="drawn", drawn_at=utcnow(), drawn_by_id=staff_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.rollback()
        db.expire_all()
        return db.scalars(select(Draw).where(Draw.id == draw.id)).one()
    _log(db, draw, "drawn", staff_id)
    db.flush()
    _store_results(db, draw, placements)
    db.commit()
    return _reloaded(db, draw.id)


def run(db: Session, day: ProgramDay, staff_id: int | None) -> Draw:
    """Close check-in if still open, and draw: the one button in front of everyone."""
    draw, entrants = _seal(db, day, staff_id)
    return perform(db, draw, staff_id, entrants)


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
        db.execute(update(CheckIn).where(CheckIn.day_id == draw.day_id, CheckIn.status == "after_draw").values(status="entered")
                   .execution_options(synchronize_session=False))
    db.commit()
    return _reloaded(db, draw.id)


@dataclass
class Verification:
    matches: bool
    problems: list[str] = field(default_factory=list)
    recomputed: list[algorithm.Placement] = field(default_factory=list)


def verify(draw: Draw, entrants: Sequence[Any] | None = None) -> Verification:
    """Recompute a past draw from what was stored and say whether it matches. ``entrants``
    are the stored entrants (rows from :func:`entrant_rows`, or ``draw.entrants`` if not given)."""
    if draw.status == "sealed":
        return Verification(False, [_("The draw has not been run yet, so its seed is still secret.")])
    stored_rows = draw.entrants if entrants is None else entrants
    problems = []
    fixed = [algorithm.Entrant(e.participant_id, e.right) for e in stored_rows]
    if algorithm.fingerprint(draw.seed) != draw.seed_sha256:
        problems.append(_("The seed does not match the fingerprint published before the draw."))
    if algorithm.entrants_digest(fixed, draw.capacity, draw.algorithm) != draw.entrants_sha256:
        problems.append(_("The stored entrants, rights or capacity differ from those fixed when check-in closed."))
    try:
        recomputed = algorithm.run_draw(fixed, draw.capacity, draw.seed, draw.algorithm)
    except ValueError as exc:
        return Verification(False, [*problems, str(exc)])
    stored = {e.participant_id: (e.result, e.position, e.reserve_number) for e in stored_rows}
    differing = [p for p in recomputed if stored.get(p.participant_id) != (p.result, p.position, p.reserve_number)]
    if differing:
        problems.append(_("%(n)s entrants have a stored result that differs from the recomputed one.", n=len(differing)))
    return Verification(not problems, problems, recomputed)


def drawn_ids(draw: Draw) -> list[int]:
    """Who has a place, in draw order, with reserves called in after them; not those who
    declined, nor (day-before mode) those not reached by the deadline."""
    freed = calls.freed_ids(draw)
    got = sorted((e for e in draw.entrants if e.result in ("right", "lottery")), key=lambda e: e.position or 0)
    called = sorted((e for e in draw.entrants if e.called_in), key=lambda e: e.reserve_number or 0)
    return [e.participant_id for e in [*got, *called] if e.participant_id not in freed]


def record_call(db: Session, draw: Draw, participant_id: int, status: str, staff_id: int | None) -> DrawEntrant | None:
    """Day-before mode: how the phone call went; see :func:`plugins.dagsverk_lottery.calls.record_call`.
    Returns the reserve who was called in, if any."""
    return calls.record_call(db, draw, participant_id, status, staff_id)


def day_draw_summary(draw: Draw | None) -> dict[str, object]:
    if draw is None:
        return {"status": "open"}
    return {"status": draw.status, "id": draw.id, "capacity": draw.capacity, "seed_sha256": draw.seed_sha256}


def last_drawn(db: Session, day: ProgramDay) -> Draw | None:
    return db.scalars(select(Draw).where(Draw.day_id == day.id, Draw.status == "drawn").order_by(Draw.attempt.desc())).first()


def active_draw(db: Session, day: ProgramDay) -> Draw | None:
    """The day's draw that counts: the latest attempt not voided (sealed or drawn), if any."""
    if day.id is None:  # a day not stored yet has no draw
        return None
    return db.scalars(select(Draw).where(Draw.day_id == day.id, Draw.status != "voided").order_by(Draw.attempt.desc())).first()
