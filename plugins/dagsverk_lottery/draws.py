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
from plugins.dagsverk_lottery import algorithm, beacon, calls
from plugins.dagsverk_lottery.calendar import capacity_for, draw_mode, last_unrecorded_open_day
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant, DrawEvent
from plugins.dagsverk_lottery.rights import NOT_WORKED_CALLS, RIGHTS, DayRecord, Standing, right_from

HISTORY_DAYS = 60


def history_before(db: Session, day: ProgramDay, limit: int = HISTORY_DAYS) -> list[DayRecord]:
    """The last ``limit`` open days at the day's site before it, oldest first, after the
    newest open day of the calendar that has no stored row (nobody came: every row breaks)."""
    after = last_unrecorded_open_day(db, day.site_id, day.date, limit) or NO_CUTOFF
    days = list(db.scalars(
        select(ProgramDay).where(ProgramDay.site_id == day.site_id, ProgramDay.date < day.date, ProgramDay.date > after,
                                 ProgramDay.is_open)
        .order_by(ProgramDay.date.desc()).limit(limit)
    ))
    days.reverse()
    return records_for(db, days)


# A date before every program day: no open day without a row cuts the history.
NO_CUTOFF = dt.date(1, 1, 1)


def records_for(db: Session, days: list[ProgramDay]) -> list[DayRecord]:
    if not days:
        return []
    ids = [d.id for d in days]
    records = {d.id: DayRecord(date=d.date) for d in days}
    for day_id, pid in db.execute(select(Attendance.day_id, Attendance.participant_id).where(Attendance.day_id.in_(ids))):
        records[day_id].present.add(pid)
    rows = db.execute(
        select(Draw.day_id, DrawEntrant.participant_id, DrawEntrant.right, DrawEntrant.result, DrawEntrant.called_in,
               DrawEntrant.call_status)
        .join(DrawEntrant, DrawEntrant.draw_id == Draw.id)
        .where(Draw.day_id.in_(ids), Draw.status == "drawn")
    )
    for day_id, pid, right, result, called_in, call_status in rows:
        records[day_id].entered.add(pid)
        records[day_id].rights[pid] = right
        if (result in ("right", "lottery") or called_in) and call_status not in NOT_WORKED_CALLS:
            records[day_id].worked.add(pid)
    for day_id, pid in db.execute(select(Shift.day_id, Shift.participant_id).where(Shift.day_id.in_(ids), Shift.outcome != "no_show")):
        records[day_id].worked.add(pid)
    return [records[i] for i in ids]


def waited_before(db: Session, site_id: int, date: dt.date, people: Sequence[int] | None = None,
                  limit: int = HISTORY_DAYS) -> dict[int, int]:
    """The days waited of :func:`standings_before`."""
    return {pid: s.waited for pid, s in standings_before(db, site_id, date, people, limit).items()}


def standings_before(db: Session, site_id: int, date: dt.date, people: Sequence[int] | None = None,
                     limit: int = HISTORY_DAYS) -> dict[int, Standing]:
    """:func:`plugins.dagsverk_lottery.rights.standing` over the last ``limit`` open days
    at the site before ``date`` (after the newest open day without a stored row), for
    ``people`` (or everyone), in one aggregate query. Only people who waited at least one
    day are in the answer.

    Each person's open days are numbered from the newest (1) back. A day ends the run when
    they got work or were not there; the days before the first such day are the run, and
    the days waited are the days of the run on which they were entered; a right is carried
    when one was held on a day of the run. In SQL: per person and day, "entered", "worked"
    and "held a right" marks; the days without work numbered again per person
    (``row_number``); the run is where both numbers agree.

    The marks are read by day (the indexes on ``day_id``), never by person: a filter on
    10,000 people would invite PostgreSQL, before it has statistics of freshly written
    rows, to look each person up on their own."""
    if people is not None and not people:
        return {}
    after = last_unrecorded_open_day(db, site_id, date, limit) or NO_CUTOFF
    params: dict[str, Any] = {"site_id": site_id, "before": date, "after": after, "history_limit": limit}
    if people is not None:
        params["people"] = list(people)
    return {pid: Standing(int(n), bool(held)) for pid, n, held in db.execute(_waited_statement(people is not None), params)}


@functools.cache
def _waited_statement(for_people: bool) -> Any:
    """The statement of :func:`standings_before`, built once (with and without a list of
    people): building it cost more than running it for one person's page. The site, the
    dates, the number of days and the people come in as parameters."""
    days = (
        select(ProgramDay.id.label("day_id"), func.row_number().over(order_by=ProgramDay.date.desc()).label("n"))
        .where(ProgramDay.site_id == bindparam("site_id", type_=Integer), ProgramDay.date < bindparam("before", type_=Date),
               ProgramDay.date > bindparam("after", type_=Date), ProgramDay.is_open)
        .order_by(ProgramDay.date.desc()).limit(bindparam("history_limit", type_=Integer)).cte("history_days")
    )
    day_ids = select(days.c.day_id)
    got_work = and_(or_(DrawEntrant.result.in_(("right", "lottery")), DrawEntrant.called_in),
                    DrawEntrant.call_status.not_in(NOT_WORKED_CALLS))
    zero, one = literal_column("0"), literal_column("1")
    branches = [
        select(Attendance.day_id, Attendance.participant_id, zero.label("entered"), zero.label("worked"), zero.label("held"))
        .where(Attendance.day_id.in_(day_ids)),
        select(Draw.day_id, DrawEntrant.participant_id, one, case((got_work, one), else_=zero),
               case((DrawEntrant.right.in_(RIGHTS), one), else_=zero))
        .join(DrawEntrant, DrawEntrant.draw_id == Draw.id).where(Draw.day_id.in_(day_ids), Draw.status == "drawn"),
        select(Shift.day_id, Shift.participant_id, zero, one, zero).where(Shift.day_id.in_(day_ids), Shift.outcome != "no_show"),
    ]
    if for_people:
        people = bindparam("people", expanding=True, type_=Integer)
        branches[0] = branches[0].where(Attendance.participant_id.in_(people))
        branches[1] = branches[1].where(DrawEntrant.participant_id.in_(people))
        branches[2] = branches[2].where(Shift.participant_id.in_(people))
    marks = union_all(*branches).subquery("marks")
    per_day = (
        select(marks.c.participant_id, days.c.n, func.max(marks.c.entered).label("entered"), func.max(marks.c.worked).label("worked"),
               func.max(marks.c.held).label("held"))
        .join(days, days.c.day_id == marks.c.day_id).group_by(marks.c.participant_id, days.c.n).subquery("per_day")
    )
    no_work = (
        select(per_day.c.participant_id, per_day.c.n, per_day.c.entered, per_day.c.held,
               func.row_number().over(partition_by=per_day.c.participant_id, order_by=per_day.c.n).label("k"))
        .where(per_day.c.worked == 0).subquery("no_work")
    )
    waited = func.sum(no_work.c.entered)
    return (select(no_work.c.participant_id, waited, func.max(no_work.c.held)).where(no_work.c.n == no_work.c.k)
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
    standings = standings_before(db, day.site_id, day.date)
    seen = _seen_before_today(db, day)
    none = Standing()
    return {pid: (right_from(s.waited, pid not in seen, s.carried), s.waited)
            for pid, s in ((pid, standings.get(pid, none)) for pid in participant_ids)}


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
                   DrawEntrant.reserve_number, DrawEntrant.called_in, DrawEntrant.call_status, DrawEntrant.receipt_code)


def entrant_rows(db: Session, draw_id: int) -> Sequence[Row[Any]]:
    """The draw's entrants as plain rows (the columns of :class:`DrawEntrant`), by participant.
    Read through the session's connection, not the ORM: 10,000 rows in a third of the time,
    and the draw (found in the caller's organization) is what scopes them."""
    return db.connection().execute(select(*ENTRANT_COLUMNS).where(DrawEntrant.draw_id == draw_id)
                                   .order_by(DrawEntrant.participant_id)).all()


def fresh_rows(entrants: Sequence[algorithm.Entrant], placements: Sequence[algorithm.Placement] | None = None) -> list[tuple[Any, ...]]:
    """What :func:`entrant_rows` would read back right after this request sealed or drew,
    built from what it wrote (no call made, no one called in yet), with the tickets last."""
    if placements is None:
        return sorted((None, pid, right, None, None, None, False, "", code, None) for pid, right, code in entrants)
    codes = {e[0]: e[2] for e in entrants}
    return sorted((None, p.participant_id, p.right, p.result, p.position, p.reserve_number, False, "", codes.get(p.participant_id), p.ticket)
                  for p in placements)


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
    """All entrants of a new draw in one statement on PostgreSQL (``unnest`` of three arrays),
    one ``executemany`` of plain tuples on SQLite; never an ORM object, or even a dict, per row."""
    if not entrants:
        return
    table = DrawEntrant.__table__
    if _postgresql(db):
        rows = func.unnest(
            bindparam("participant_ids", [e[0] for e in entrants], type_=ARRAY(Integer)),
            bindparam("rights", [e[1] for e in entrants], type_=ARRAY(String)),
            bindparam("receipt_codes", [e[2] for e in entrants], type_=ARRAY(String)),
        ).table_valued("participant_id", "right", "receipt_code").render_derived()
        db.execute(insert(table).from_select(
            ["organization_id", "draw_id", "participant_id", "right", "receipt_code", "called_in", "call_status"],
            select(literal(draw.organization_id, Integer), literal(draw.id, Integer), rows.c.participant_id, rows.c.right,
                   rows.c.receipt_code, false(), literal("", String)),
        ))
    else:
        db.connection().exec_driver_sql(
            f"INSERT INTO {table.name} (organization_id, draw_id, participant_id, \"right\", receipt_code, called_in, call_status) "
            "VALUES (?, ?, ?, ?, ?, 0, '')",
            [(draw.organization_id, draw.id, pid, right, code) for pid, right, code in entrants],
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


def _entrant_receipts(db: Session, day: ProgramDay) -> list[tuple[int, str | None]]:
    """``(participant id, receipt code)`` of the day's entrants (:func:`entrant_ids`), the
    code None where the person has none yet."""
    # Through the connection, not the ORM: the day was found in the caller's organization.
    return [(pid, code) for pid, code in db.connection().execute(
        select(Attendance.participant_id, CheckIn.receipt_code)
        .outerjoin(CheckIn, and_(CheckIn.day_id == Attendance.day_id, CheckIn.participant_id == Attendance.participant_id))
        .where(Attendance.day_id == day.id, or_(CheckIn.status.is_(None), CheckIn.status == "entered"))
        .order_by(Attendance.participant_id)
    )]


def new_receipt_code(db: Session, day_id: int, taken: set[str] | None = None) -> str:
    """A receipt code no one has on the day (the unique index on the day and the code is
    the last word; with 23^5 codes a clash is rare, and a new one is drawn)."""
    while True:
        code = algorithm.new_receipt_code()
        if taken is not None:
            if code not in taken:
                return code
        elif db.scalar(select(CheckIn.id).where(CheckIn.day_id == day_id, CheckIn.receipt_code == code)) is None:
            return code


def _give_receipts(db: Session, day: ProgramDay, pairs: list[tuple[int, str | None]]) -> list[tuple[int, str]]:
    """Every entrant with a receipt code: people registered without one (by the core's
    attendance alone, or before codes existed) get theirs now, in one statement each for
    the check-ins to add and to update."""
    missing = [pid for pid, code in pairs if code is None]
    if not missing:
        return pairs  # type: ignore[return-value]
    taken = set(db.scalars(select(CheckIn.receipt_code).where(CheckIn.day_id == day.id, CheckIn.receipt_code.is_not(None))))
    given: dict[int, str] = {}
    for pid in missing:
        code = new_receipt_code(db, day.id, taken)
        taken.add(code)
        given[pid] = code
    have_row = set(db.scalars(select(CheckIn.participant_id).where(CheckIn.day_id == day.id, CheckIn.participant_id.in_(missing))))
    table = CheckIn.__table__
    if have_row:
        db.execute(update(table).where(table.c.day_id == day.id, table.c.participant_id == bindparam("pid"))
                   .values(receipt_code=bindparam("code")), [{"pid": pid, "code": given[pid]} for pid in have_row])
    fresh = [pid for pid in missing if pid not in have_row]
    if fresh:
        now = utcnow()
        db.execute(insert(table), [{"organization_id": day.organization_id, "day_id": day.id, "participant_id": pid,
                                    "status": "entered", "receipt_code": given[pid], "created_at": now} for pid in fresh])
    return [(pid, code if code is not None else given[pid]) for pid, code in pairs]


def seal_with_rows(db: Session, day: ProgramDay, staff_id: int | None) -> tuple[Draw, list[tuple[Any, ...]] | None]:
    """:func:`seal`, and the entrant rows (:func:`fresh_rows`) when this call sealed."""
    draw, entrants = _seal(db, day, staff_id)
    return draw, (fresh_rows(entrants) if entrants is not None else None)


def seal(db: Session, day: ProgramDay, staff_id: int | None, *, mode: str | None = None) -> Draw:
    """Close check-in: fix the entrants (by their receipt codes), their rights, the capacity,
    the seed and the beacon round to come, and commit to the seed and the entrants by their
    fingerprints. Returns the day's active draw if there already is one."""
    return _seal(db, day, staff_id, mode)[0]


def _seal(db: Session, day: ProgramDay, staff_id: int | None, mode: str | None = None) -> tuple[Draw, list[algorithm.Entrant] | None]:
    """:func:`seal`, and the entrants when this call fixed them (``None`` when the day's
    draw was already there), so a draw that follows at once need not read them back."""
    existing = active_draw(db, day)
    if existing is not None:
        return existing, None
    if not day.is_open:
        raise FormError({"__all__": _("The program is closed on this day.")})
    pairs = _give_receipts(db, day, _entrant_receipts(db, day))
    rights = rights_on(db, day, [pid for pid, _code in pairs])
    entrants = [algorithm.Entrant(pid, rights[pid][0], code) for pid, code in pairs]
    capacity = capacity_for(db, day)
    last = db.scalars(select(Draw.attempt).where(Draw.day_id == day.id).order_by(Draw.attempt.desc())).first() or 0
    seed = algorithm.new_seed()
    beacon_round = beacon.round_after()
    draw = Draw(
        organization_id=day.organization_id, day_id=day.id, attempt=last + 1, status="sealed",
        mode=mode or draw_mode(db), algorithm=algorithm.ALGORITHM_V2, capacity=capacity, seed=seed,
        seed_sha256=algorithm.fingerprint(seed),
        entrants_sha256=algorithm.entrants_digest(entrants, capacity, algorithm.ALGORITHM_V2, beacon_round),
        beacon_round=beacon_round, contribution="", beacon_value=None, beacon_note="" if beacon_round else "off",
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


def ticket_seed(draw: Draw) -> str:
    """The seed the tickets are made from: the server's own in version 1, the final seed
    (seed, entrants, contribution, beacon) in version 2."""
    if draw.algorithm == algorithm.ALGORITHM_V1:
        return draw.seed
    return algorithm.final_seed(draw.seed, draw.entrants_sha256, draw.contribution, draw.beacon_value)


def perform(db: Session, draw: Draw, staff_id: int | None, entrants: Sequence[algorithm.Entrant] | None = None,
            numbers: Sequence[int] | None = None) -> Draw:
    """Run a sealed draw, mixing in the ``numbers`` typed in the room and the named beacon
    round's value (version 2). A second call (double click, another device) returns it as
    drawn, with the first call's numbers. ``entrants`` are the draw's stored entrants when
    the caller has just sealed it."""
    return perform_with_rows(db, draw, staff_id, entrants, numbers)[0]


def perform_with_rows(db: Session, draw: Draw, staff_id: int | None, entrants: Sequence[algorithm.Entrant] | None = None,
                      numbers: Sequence[int] | None = None) -> tuple[Draw, list[tuple[Any, ...]] | None]:
    """:func:`perform`, and the entrant rows with their tickets (:func:`fresh_rows`) when
    this call drew, so the answer need not read 10,000 rows back nor hash them again."""
    if draw.status != "sealed":
        return draw, None
    if entrants is None:
        # Plain tuples through the connection: the draw needs nothing more.
        entrants = db.connection().execute(
            select(DrawEntrant.participant_id, DrawEntrant.right, DrawEntrant.receipt_code).where(DrawEntrant.draw_id == draw.id)).all()
    mixed: dict[str, Any] = {}
    if draw.algorithm != algorithm.ALGORITHM_V1:
        mixed["contribution"] = algorithm.contribution_text(numbers or ())
        value, note = (None, "off") if draw.beacon_round is None else beacon.fetch(draw.beacon_round)
        mixed["beacon_value"], mixed["beacon_note"] = value, ("" if value else note)
        seed = algorithm.final_seed(draw.seed, draw.entrants_sha256, mixed["contribution"], value)
    else:
        seed = draw.seed
    placements = algorithm.run_draw(entrants, draw.capacity, seed, draw.algorithm)
    claimed = db.execute(
        update(Draw).where(Draw.id == draw.id, Draw.status == "sealed")
        .values(status="drawn", drawn_at=utcnow(), drawn_by_id=staff_id, **mixed)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.rollback()
        db.expire_all()
        return db.scalars(select(Draw).where(Draw.id == draw.id)).one(), None
    _log(db, draw, "drawn", staff_id)
    db.flush()
    _store_results(db, draw, placements)
    db.commit()
    return _reloaded(db, draw.id), fresh_rows(entrants, placements)


def run(db: Session, day: ProgramDay, staff_id: int | None, numbers: Sequence[int] | None = None) -> Draw:
    """Close check-in if still open, and draw. Numbers typed before the seal was committed
    would let the server choose its seed knowing them, so the draw action accepts numbers
    only for a draw already sealed (see ``actions.draw``)."""
    return run_with_rows(db, day, staff_id, numbers)[0]


def run_with_rows(db: Session, day: ProgramDay, staff_id: int | None,
                  numbers: Sequence[int] | None = None) -> tuple[Draw, list[tuple[Any, ...]] | None]:
    """:func:`run`, and the entrant rows when this call drew (:func:`perform_with_rows`)."""
    draw, entrants = _seal(db, day, staff_id)
    return perform_with_rows(db, draw, staff_id, entrants, numbers)


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
    fixed = [algorithm.Entrant(e.participant_id, e.right, e.receipt_code) for e in stored_rows]
    if algorithm.fingerprint(draw.seed) != draw.seed_sha256:
        problems.append(_("The seed does not match the fingerprint published before the draw."))
    if algorithm.entrants_digest(fixed, draw.capacity, draw.algorithm, draw.beacon_round) != draw.entrants_sha256:
        problems.append(_("The stored entrants, rights or capacity differ from those fixed when check-in closed."))
    try:
        recomputed = algorithm.run_draw(fixed, draw.capacity, ticket_seed(draw), draw.algorithm)
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
    return {"status": draw.status, "id": draw.id, "capacity": draw.capacity, "seed_sha256": draw.seed_sha256,
            "entrants_sha256": draw.entrants_sha256}


def last_drawn(db: Session, day: ProgramDay) -> Draw | None:
    return db.scalars(select(Draw).where(Draw.day_id == day.id, Draw.status == "drawn").order_by(Draw.attempt.desc())).first()


def active_draw(db: Session, day: ProgramDay) -> Draw | None:
    """The day's draw that counts: the latest attempt not voided (sealed or drawn), if any."""
    if day.id is None:  # a day not stored yet has no draw
        return None
    return db.scalars(select(Draw).where(Draw.day_id == day.id, Draw.status != "voided").order_by(Draw.attempt.desc())).first()
