"""The fairness ledger: who came and got work, who came and was turned away, and who
worked indoors, by gender, over time. Read by the leader and the social worker on the
fairness page and API, and by the team builder (:mod:`teams`), which keeps women's and
men's indoor shares over the last 8 weeks close.

Every figure comes from rows the program already keeps: a person *entered* a day when
they were an entrant of that day's draw (not voided), *worked* it when they had a shift
that day, and was *turned away* when they entered and had no shift. The kind of work of a
shift is its team's: the kind the suggestion made the team for (the day's
``TeamNote.team_kinds``), else its work order's (an order of a fixed team, or one marked
indoor), folded into three kinds: indoor, firewood and outdoor (heavy outdoor work and the
food bank run count as outdoor).

Each figure is one aggregate query per period (grouped in the database, or a few hundred
rows of a month), so the page stays fast on the national dataset.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Literal

import msgspec
from msgspec import Meta
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.api_types import ParticipantId
from core.models import Participant, ProgramDay, Shift, Team, WorkOrder
from core.models.work import team_work_order
from plugins.dagsverk_lottery.models import Draw, DrawEntrant, OrderProfile, TeamNote
from plugins.dagsverk_lottery.team_solver import Balance, broad_kind

KINDS = ("indoor", "firewood", "outdoor")
WINDOW_WEEKS = 8
"""The period of the gender figure and of each person's indoor share."""
TURNED_AWAY_OFTEN = 5
"""A person turned away this many times in a month is flagged: a week's worth of open days
of coming in the morning and going home without work. The flag asks staff to look (talk
to the person, check their rights), it changes nothing by itself."""
NEWCOMER_DAYS = 3
"""Someone who has worked fewer days than this before today is a newcomer to the team builder."""


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``month``'s month and the first day of the next."""
    first = month.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def team_kinds(db: Session, start: dt.date, end: dt.date) -> dict[int, str]:
    """Team id -> indoor, firewood or outdoor, for the teams of days in [start, end)."""
    days = select(ProgramDay.id).where(ProgramDay.date >= start, ProgramDay.date < end)
    out: dict[int, str] = {}
    for team_id, indoor, fixed, category in db.execute(
        select(team_work_order.c.team_id, WorkOrder.indoor, OrderProfile.fixed_team, OrderProfile.category)
        .join(Team, Team.id == team_work_order.c.team_id)
        .join(WorkOrder, WorkOrder.id == team_work_order.c.work_order_id)
        .outerjoin(OrderProfile, OrderProfile.work_order_id == WorkOrder.id)
        .where(Team.day_id.in_(days))
    ):
        kind = fixed or (category if category in KINDS else "") or ("indoor" if indoor else "outdoor")
        if out.get(team_id) != "indoor":  # a team on an indoor order and an outdoor one was inside part of the day
            out[team_id] = broad_kind(kind)
    # The suggestion's own record of what it made each team for wins (fixed teams have no order).
    for kinds in db.scalars(select(TeamNote.team_kinds).where(TeamNote.day_id.in_(days))):
        for team_id, kind in (kinds or {}).items():
            out[int(team_id)] = broad_kind(kind)
    return out


def _shift_kinds(db: Session, start: dt.date, end: dt.date, by: object) -> list[tuple[object, int, int]]:
    """(``by``'s value, team id, days) for worked days on a team in [start, end)."""
    rows = db.execute(
        select(by, Shift.team_id, func.count())  # type: ignore[call-overload]
        .join(ProgramDay, ProgramDay.id == Shift.day_id)
        .join(Participant, Participant.id == Shift.participant_id)
        .where(ProgramDay.date >= start, ProgramDay.date < end, Shift.team_id.is_not(None))
        .group_by(by, Shift.team_id)
    ).all()
    return [(k, int(t), int(n)) for k, t, n in rows]


def window_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(weeks=WINDOW_WEEKS)


def indoor_balance(db: Session, day: dt.date) -> Balance:
    """Women's and men's indoor days and worked days over the 8 weeks before ``day``."""
    start = window_start(day)
    kinds = team_kinds(db, start, day)
    figures = {"woman": [0, 0], "man": [0, 0]}
    for gender, team_id, n in _shift_kinds(db, start, day, Participant.gender):
        if gender in figures and team_id in kinds:
            figures[str(gender)][1] += n
            figures[str(gender)][0] += n if kinds[team_id] == "indoor" else 0
    return Balance(women_indoor=figures["woman"][0], women_days=figures["woman"][1],
                   men_indoor=figures["man"][0], men_days=figures["man"][1])


def indoor_shares(db: Session, day: dt.date, ids: Iterable[int]) -> dict[int, float]:
    """Each person's share of worked days indoors over the 8 weeks before ``day``."""
    ids = list(ids)
    start = window_start(day)
    kinds = team_kinds(db, start, day)
    rows = db.execute(
        select(Shift.participant_id, Shift.team_id, func.count()).join(ProgramDay, ProgramDay.id == Shift.day_id)
        .where(Shift.participant_id.in_(ids), ProgramDay.date >= start, ProgramDay.date < day, Shift.team_id.is_not(None))
        .group_by(Shift.participant_id, Shift.team_id)
    ).all()
    days: dict[int, list[int]] = {}
    for pid, team_id, n in rows:
        if team_id in kinds:
            d = days.setdefault(pid, [0, 0])
            d[1] += n
            d[0] += n if kinds[team_id] == "indoor" else 0
    return {pid: inside / total for pid, (inside, total) in days.items() if total}


def newcomers(db: Session, day: dt.date, ids: Iterable[int]) -> set[int]:
    """Who among ``ids`` has worked fewer than NEWCOMER_DAYS days before ``day``."""
    ids = list(ids)
    worked = dict(db.execute(
        select(Shift.participant_id, func.count()).join(ProgramDay, ProgramDay.id == Shift.day_id)
        .where(Shift.participant_id.in_(ids), ProgramDay.date < day).group_by(Shift.participant_id)
    ).all())
    return {pid for pid in ids if worked.get(pid, 0) < NEWCOMER_DAYS}


# --- The ledger ---------------------------------------------------------------------------------

@dataclass
class PersonMonth:
    participant_id: int
    name: str
    entered: int = 0
    worked: int = 0
    turned_away: int = 0
    longest_streak: int = 0
    """Most times in a row this person entered and was turned away (days they did not come
    neither break nor lengthen a run; a day with work ends it)."""

    @property
    def flagged(self) -> bool:
        return self.turned_away >= TURNED_AWAY_OFTEN


@dataclass
class GenderKinds:
    gender: str
    """``woman``, ``man`` or ``other`` (any other or no recorded gender)."""
    days: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.days.values())

    def share(self, kind: str) -> float | None:
        return self.days[kind] / self.total if self.total else None


@dataclass
class Ledger:
    month: dt.date
    people: list[PersonMonth]
    window_start: dt.date
    window_end: dt.date
    genders: list[GenderKinds]

    @property
    def indoor_gap(self) -> float | None:
        """Women's indoor share minus men's, in percentage points; None without both."""
        w = next(g for g in self.genders if g.gender == "woman").share("indoor")
        m = next(g for g in self.genders if g.gender == "man").share("indoor")
        return None if w is None or m is None else 100 * (w - m)


def month_rows(db: Session, month: dt.date) -> list[PersonMonth]:
    """Per person, the month's days entered, worked and turned away, and the longest run."""
    start, end = month_bounds(month)
    entered = db.execute(
        select(DrawEntrant.participant_id, ProgramDay.date, Shift.id.is_not(None))
        .join(Draw, Draw.id == DrawEntrant.draw_id)
        .join(ProgramDay, ProgramDay.id == Draw.day_id)
        .outerjoin(Shift, and_(Shift.day_id == Draw.day_id, Shift.participant_id == DrawEntrant.participant_id))
        .where(Draw.status == "drawn", ProgramDay.date >= start, ProgramDay.date < end)
        .order_by(DrawEntrant.participant_id, ProgramDay.date)
    ).all()
    worked = dict(db.execute(
        select(Shift.participant_id, func.count()).join(ProgramDay, ProgramDay.id == Shift.day_id)
        .where(ProgramDay.date >= start, ProgramDay.date < end).group_by(Shift.participant_id)
    ).all())
    ids = {pid for pid, _d, _w in entered} | set(worked)
    # Full names: two "Jan" in one list cannot be told apart.
    names = {p.id: p.display_name for p in db.scalars(select(Participant).where(Participant.id.in_(ids)))} if ids else {}
    rows = {pid: PersonMonth(pid, str(names.get(pid) or f"#{pid}"), worked=int(worked.get(pid, 0))) for pid in ids}
    run: dict[int, int] = {}
    for pid, _date, had_shift in entered:
        row = rows[pid]
        row.entered += 1
        if had_shift:
            run[pid] = 0
        else:
            row.turned_away += 1
            run[pid] = run.get(pid, 0) + 1
            row.longest_streak = max(row.longest_streak, run[pid])
    return sorted(rows.values(), key=lambda r: (-r.turned_away, r.name.casefold(), r.participant_id))


def gender_kinds(db: Session, start: dt.date, end: dt.date) -> list[GenderKinds]:
    """Days worked in each kind of work by women, men and others, over [start, end)."""
    kinds = team_kinds(db, start, end)
    out = {g: GenderKinds(g) for g in ("woman", "man", "other")}
    for gender, team_id, n in _shift_kinds(db, start, end, Participant.gender):
        if team_id in kinds:
            out[str(gender) if gender in ("woman", "man") else "other"].days[kinds[team_id]] += n
    return list(out.values())


def ledger(db: Session, month: dt.date, today: dt.date) -> Ledger:
    """The month's ledger and the gender figure over the 8 weeks up to ``today`` (included)."""
    end = today + dt.timedelta(days=1)
    start = window_start(end)
    return Ledger(month=month.replace(day=1), people=month_rows(db, month), window_start=start, window_end=today,
                  genders=gender_kinds(db, start, end))


# --- The ledger as the API answers it -------------------------------------------------------------

class LedgerPersonOut(msgspec.Struct):
    participant_id: ParticipantId
    entered: Annotated[int, Meta(description="Days of the month the person was entered in the draw.")]
    worked: Annotated[int, Meta(description="Days of the month the person had work (a shift).")]
    turned_away: Annotated[int, Meta(description="Days the person was entered and got no work.")]
    longest_streak: Annotated[int, Meta(description="Most times in a row the person was entered and turned away (days not entered do not break a run; a day with work does).")]
    turned_away_often: Annotated[bool, Meta(description="Turned away at least `turned_away_often_from` times this month: staff should look.")]


class GenderKindsOut(msgspec.Struct):
    gender: Annotated[Literal["woman", "man", "other"], Meta(description="Women, men, or anyone with another or no recorded gender.")]
    days: Annotated[int, Meta(description="Days worked on a team whose kind of work is known.")]
    indoor_days: Annotated[int, Meta(description="Of these, days indoors (the indoor team, indoor orders).")]
    firewood_days: Annotated[int, Meta(description="Days at the firewood shed.")]
    outdoor_days: Annotated[int, Meta(description="Days of outdoor work (orders outside, heavy work, the food bank run).")]
    indoor_share: Annotated[float | None, Meta(description="indoor_days / days (0-1); null without days.")]
    firewood_share: Annotated[float | None, Meta(description="firewood_days / days (0-1); null without days.")]
    outdoor_share: Annotated[float | None, Meta(description="outdoor_days / days (0-1); null without days.")]


class FairnessOut(msgspec.Struct):
    month_from: Annotated[dt.date, Meta(description="The first day of the month of the per-person ledger.")]
    month_to: Annotated[dt.date, Meta(description="Its last day.")]
    turned_away_often_from: Annotated[int, Meta(description="How many turned-away days in a month flag a person.")]
    people: Annotated[list[LedgerPersonOut], Meta(description="Everyone entered or working in the month, most often turned away first.")]
    kinds_from: Annotated[dt.date, Meta(description="The first day of the 8 weeks the gender figure covers.")]
    kinds_to: Annotated[dt.date, Meta(description="Its last day: today, or the month's last day for a past month.")]
    kinds: Annotated[list[GenderKindsOut], Meta(description="Days worked by kind of work, for women, men and others, over those 8 weeks.")]
    indoor_gap_points: Annotated[float | None, Meta(description="Women's indoor share minus men's, in percentage points (the team builder keeps it under 10 either way); null without both.")]


def ledger_for(db: Session, date: dt.date, today: dt.date) -> Ledger:
    """The ledger of ``date``'s month, its gender figure over the 8 weeks up to the earlier
    of today and the month's last day."""
    start, end = month_bounds(date)
    return ledger(db, start, min(today, end - dt.timedelta(days=1)))


def fairness_out(found: Ledger) -> FairnessOut:
    _start, end = month_bounds(found.month)
    return FairnessOut(
        month_from=found.month, month_to=end - dt.timedelta(days=1), turned_away_often_from=TURNED_AWAY_OFTEN,
        people=[LedgerPersonOut(participant_id=p.participant_id, entered=p.entered, worked=p.worked, turned_away=p.turned_away,
                                longest_streak=p.longest_streak, turned_away_often=p.flagged) for p in found.people],
        kinds_from=found.window_start, kinds_to=found.window_end,
        kinds=[GenderKindsOut(gender=g.gender, days=g.total, indoor_days=g.days["indoor"], firewood_days=g.days["firewood"],  # type: ignore[arg-type]
                              outdoor_days=g.days["outdoor"], indoor_share=g.share("indoor"), firewood_share=g.share("firewood"),
                              outdoor_share=g.share("outdoor")) for g in found.genders],
        indoor_gap_points=None if found.indoor_gap is None else round(found.indoor_gap, 1),
    )
