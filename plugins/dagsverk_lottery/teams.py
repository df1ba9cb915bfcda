"""The day's teams in the database: gather people, orders and leaders, run the solver,
write the core's Team and Shift rows, move people, lock teams."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal, format_percent

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from core.forms import FormError
from core.i18n import babel_locale
from core.i18n import gettext as _
from core.i18n import lazy_gettext as L
from core.i18n import ngettext
from core.models import Membership, Participant, ProgramDay, Shift, StaffUser, Team, WorkOrder
from core.services.days import may_lead_teams
from core.services.recurrence import occurs_on
from core.services.staff import members_or_error
from plugins.dagsverk_lottery import calls, fairness
from plugins.dagsverk_lottery import team_solver as solver
from plugins.dagsverk_lottery.calendar import setting
from plugins.dagsverk_lottery.draws import drawn_ids, last_drawn
from plugins.dagsverk_lottery.models import OrderProfile, TeamNote, TeamReason, WorkProfile

ACTIVE_ORDER = ("accepted", "scheduled", "in_progress")
FIXED_NAMES = {"firewood": L("Firewood shed"), "indoor": L("Indoor team"), "food_bank": L("Food bank")}
HISTORY_WEEKS = 4


def on_duty_by_default(db: Session) -> list[int]:
    """Who leads teams when no one is chosen: the active work leaders. Who *may* lead a team
    is the core's one rule (``core.services.days.may_lead_teams``: work leaders and leaders)."""
    ids = select(Membership.user_id).where(Membership.role == "work_leader")
    return list(db.scalars(select(StaffUser.id).where(StaffUser.id.in_(ids), StaffUser.is_active).order_by(StaffUser.full_name)))


def orders_for(db: Session, date: dt.date) -> list[WorkOrder]:
    """Orders that can be worked on the day: accepted or under way, within their dates,
    and a recurring order only on its days (``core.services.recurrence.occurs_on``)."""
    return [o for o in db.scalars(
        select(WorkOrder).where(
            WorkOrder.status.in_(ACTIVE_ORDER),
            or_(WorkOrder.start_date.is_(None), WorkOrder.start_date <= date),
            or_(WorkOrder.end_date.is_(None), WorkOrder.end_date >= date),
        ).order_by(WorkOrder.title)
    ) if occurs_on(o, date)]


def slots_for(db: Session, day: ProgramDay, exclude_orders: set[int] = frozenset()) -> list[solver.Slot]:  # type: ignore[assignment]
    orders = [o for o in orders_for(db, day.date) if o.id not in exclude_orders]
    profiles = {p.work_order_id: p for p in db.scalars(select(OrderProfile).where(OrderProfile.work_order_id.in_([o.id for o in orders])))}
    fixed_wanted = ["firewood", "indoor"] + (["food_bank"] if day.date.isoweekday() == 3 else [])
    slots: list[solver.Slot] = []
    used_fixed: set[str] = set()
    for o in orders:
        prof = profiles.get(o.id)
        fixed = prof.fixed_team if prof and prof.fixed_team in fixed_wanted else ""
        if prof and prof.fixed_team and not fixed:
            continue  # the food bank run on a day that is not Wednesday
        needed = max(1, o.people_needed)
        lo, hi = (min(4, needed), needed if needed < 4 else max(6, needed))
        slots.append(solver.Slot(
            key=f"order-{o.id}", name=o.title, category=fixed or "order", order_id=o.id, indoor=o.indoor or fixed == "indoor",
            heavy=o.heavy, steep=o.steep or bool(prof and prof.steep), ladders=o.ladders or bool(prof and prof.ladders),
            min_size=lo, max_size=hi, target=needed, fixed=bool(fixed),
        ))
        used_fixed.add(fixed)
    for kind in fixed_wanted:
        if kind not in used_fixed and kind not in exclude_orders:
            slots.insert(0, solver.Slot(key=f"fixed-{kind}", name=str(FIXED_NAMES[kind]), category=kind,
                                        indoor=kind == "indoor", heavy=kind == "firewood", fixed=True))
    return slots


def kind_history(db: Session, day: ProgramDay, participant_ids: list[int]) -> dict[int, dict[str, int]]:
    """How often each person worked in each kind of work over the last weeks."""
    start = day.date - dt.timedelta(weeks=HISTORY_WEEKS)
    rows = db.execute(
        select(Shift.participant_id, Shift.team_id, ProgramDay.id).join(ProgramDay, Shift.day_id == ProgramDay.id)
        .where(Shift.participant_id.in_(participant_ids), ProgramDay.date >= start, ProgramDay.date < day.date, Shift.team_id.is_not(None))
    ).all()
    notes = {n.day_id: n.team_kinds for n in db.scalars(select(TeamNote).where(TeamNote.day_id.in_({r[2] for r in rows})))}
    out: dict[int, dict[str, int]] = {}
    for pid, team_id, day_id in rows:
        kind = (notes.get(day_id) or {}).get(str(team_id))
        if kind:
            out.setdefault(pid, {}).setdefault(kind, 0)
            out[pid][kind] += 1
    return out


def people_for(db: Session, day: ProgramDay, ids: list[int]) -> list[solver.Person]:
    people = {p.id: p for p in db.scalars(select(Participant).where(Participant.id.in_(ids)))}
    profiles = {w.participant_id: w for w in db.scalars(select(WorkProfile).where(WorkProfile.participant_id.in_(ids)))}
    history = kind_history(db, day, ids)
    shares = fairness.indoor_shares(db, day.date, ids)
    new = fairness.newcomers(db, day.date, ids)
    out = []
    for pid in ids:
        p = people.get(pid)
        if p is None:
            continue
        prof = profiles.get(pid)
        out.append(solver.Person(
            id=pid, name=p.short_name or p.display_name, woman=p.gender == "woman",
            experienced=bool(prof and prof.experience >= 1),
            limits=frozenset(prof.limits or ()) if prof else frozenset(),
            preferences=frozenset(prof.preferences or ()) if prof else frozenset(),
            not_with=frozenset(int(i) for i in (prof.not_with or ())) if prof else frozenset(),
            follow_up=bool(prof and prof.close_follow_up), history=history.get(pid, {}),
            indoor_share=shares.get(pid, 0.0), newcomer=pid in new,
        ))
    # "Not with" holds both ways even if only one profile says it.
    back: dict[int, set[int]] = {}
    for person in out:
        for other in person.not_with:
            back.setdefault(other, set()).add(person.id)
    return [solver.Person(**{**person.__dict__, "not_with": person.not_with | frozenset(back.get(person.id, ()))}) for person in out]


def day_teams(db: Session, day: ProgramDay) -> list[Team]:
    return list(db.scalars(select(Team).where(Team.day_id == day.id).order_by(Team.id)))


def suggest_and_apply(db: Session, day: ProgramDay, leader_ids: list[int] | None = None, time_limit: float = 5.0,
                      workers: int = 1, commit: bool = True) -> solver.Suggestion:
    """Replace the day's unlocked teams by a fresh suggestion; locked teams stay as they are.
    Run by a solver worker (:mod:`solve_jobs`), which commits with the job's state
    (``commit=False``); CP-SAT gets ``workers`` search workers and ``time_limit`` seconds."""
    draw = last_drawn(db, day)
    if draw is None:
        raise FormError({"__all__": _("Teams are suggested from the drawn people: run the draw first.")})
    existing = day_teams(db, day)
    locked = [t for t in existing if t.locked]
    locked_people = {s.participant_id for t in locked for s in t.shifts}
    locked_orders = {o.id for t in locked for o in t.work_orders}
    locked_leaders = {t.work_leader_id for t in locked}
    note = db.scalars(select(TeamNote).where(TeamNote.day_id == day.id)).first()
    locked_kinds = {(note.team_kinds if note else {}).get(str(t.id)) for t in locked}
    if leader_ids is None:
        leader_ids = on_duty_by_default(db)
    leader_ids = may_lead_teams(db, members_or_error(db, leader_ids, "leader_ids"), "leader_ids")
    leaders = [i for i in leader_ids if i not in locked_leaders]
    # Day-before mode: places of people not reached go on at the deadline, also when no one
    # has opened the call list or the screen since.
    calls.settle(db, draw)
    ids = [pid for pid in drawn_ids(draw) if pid not in locked_people]
    people = people_for(db, day, ids)
    slots = [s for s in slots_for(db, day, locked_orders) if not (s.fixed and s.category in locked_kinds)]
    max_follow = int(setting(db, "dagsverk.max_follow_up_per_team"))
    result = solver.suggest(people, slots, len(leaders), max_follow, time_limit=time_limit, workers=workers,
                            balance=fairness.indoor_balance(db, day.date))

    unlocked = [t for t in existing if not t.locked]
    if unlocked:
        # The teams go; their members' shifts stay (the ORM clears their team) and are reused.
        for t in unlocked:
            db.delete(t)
        db.flush()
    kinds = dict(note.team_kinds) if note else {}
    kinds = {k: v for k, v in kinds.items() if int(k) in {t.id for t in locked}}
    by_key = {s.key: s for s in slots}
    shifts = {s.participant_id: s for s in db.scalars(select(Shift).where(Shift.day_id == day.id))}
    for leader_id, (key, members) in zip(leaders, sorted(result.teams.items()), strict=False):
        slot = by_key[key]
        team = Team(organization_id=day.organization_id, day_id=day.id, name=slot.name[:120], work_leader_id=leader_id)
        if slot.order_id:
            team.work_orders = [db.get(WorkOrder, slot.order_id)]
        db.add(team)
        db.flush()
        kinds[str(team.id)] = solver.slot_kind(slot)
        for pid in members:
            shift = shifts.get(pid)
            if shift is None:
                shift = Shift(organization_id=day.organization_id, day_id=day.id, participant_id=pid)
                db.add(shift)
                shifts[pid] = shift
            shift.team_id = team.id
    for pid in result.unplaced:
        if pid not in shifts:
            db.add(Shift(organization_id=day.organization_id, day_id=day.id, participant_id=pid, team_id=None))
    day_notes = [[k, v] for k, v in result.notes if "pid" not in v]
    explanation = {"notes": day_notes, "status": result.status, "gap": result.gap, "seconds": result.seconds}
    # Reasons about one person are rows of that person, so erasure deletes them.
    db.execute(delete(TeamReason).where(TeamReason.day_id == day.id))
    for kind, params in result.notes:
        if "pid" in params:
            values = {k: v for k, v in params.items() if k != "pid"}
            db.add(TeamReason(organization_id=day.organization_id, day_id=day.id, participant_id=int(params["pid"]),  # type: ignore[call-overload]
                              kind=kind, params=values))
    if note is None:
        note = TeamNote(organization_id=day.organization_id, day_id=day.id)
        db.add(note)
    note.explanation = explanation
    note.team_kinds = kinds
    if commit:
        db.commit()
    else:
        db.flush()
    return result


def move(db: Session, day: ProgramDay, participant_id: int, team_id: int | None) -> Shift:
    team = None
    if team_id is not None:
        team = db.scalars(select(Team).where(Team.id == team_id, Team.day_id == day.id)).first()
        if team is None:
            raise FormError({"team_id": _("No such record.")})
    shift = db.scalars(select(Shift).where(Shift.day_id == day.id, Shift.participant_id == participant_id)).first()
    if shift is None:
        raise FormError({"participant_id": _("This person has no place today.")})
    shift.team_id = team.id if team else None
    db.commit()
    return shift


def team_of_day(db: Session, day: ProgramDay, team_id: int) -> Team | None:
    """The team, if it belongs to this day (and so to this organization)."""
    return db.scalars(select(Team).where(Team.id == team_id, Team.day_id == day.id)).first()


def set_locked(db: Session, day: ProgramDay, team_id: int, locked: bool) -> Team:
    team = team_of_day(db, day, team_id)
    if team is None:
        raise FormError({"team_id": _("No such record.")})
    team.locked = locked
    db.commit()
    return team


DAY_TEXT: dict[str, Any] = {
    "not_staffed": L("Not staffed today: %(orders)s."),
    "indoor_balance": L("Indoor work over the last 8 weeks, today included: women %(women)s, men %(men)s."),
}
"""The reasons about the day as a whole, short, shown above the teams."""


def _spread(first: str, teams: int) -> str:
    """"<first>, spread over n teams." with each number's own plural ("1 newcomer",
    "1 team"): in English a count of one reads wrong in a plural sentence."""
    return _("%(what)s, %(where)s", what=first,
             where=ngettext("spread over %(num)s team.", "spread over %(num)s teams.", teams))


DAY_COUNTS: dict[str, Any] = {
    "leaders": lambda p: ngettext("%(num)s team", "%(num)s teams", p["teams"]) + " "
    + ngettext("for %(num)s work leader on duty.", "for %(num)s work leaders on duty.", p["leaders"]),
    "follow_up": lambda p: ngettext("%(num)s person needs close follow-up: at most %(max)s per team.",
                                    "%(num)s people need close follow-up: at most %(max)s per team.", p["count"], max=p["max"]),
    "gender": lambda p: _spread(ngettext("%(num)s woman", "%(num)s women", p["women"]), p["teams"]),
    "newcomers": lambda p: _spread(ngettext("%(num)s newcomer", "%(num)s newcomers", p["count"]), p["teams"]),
}
"""The day's reasons that count people or teams, each count with its own plural."""
PERSON_TEXT: dict[str, Any] = {
    "limits": L("%(name)s: %(limits)s, so not on %(slots)s."),
    "not_with": L("%(a)s and %(b)s are kept on different teams."),
    "variety": L("%(name)s has had %(kind)s %(count)s times in the last four weeks, and %(today)s today for a change."),
    "unplaced": L("%(name)s could not be placed on any team: place them by hand."),
}
"""The reasons about one person, shown under the team they are on."""
SOLVER_TEXT = {
    "best": L("The best suggestion these rules allow (found in %(seconds)s s)."),
    "good": L("The best suggestion found in %(seconds)s s; a better one may exist."),
}
LIMIT_TEXT = {"no_heavy": L("no heavy work"), "no_steep": L("no steep slopes"), "no_ladders": L("no ladders"),
              "indoor_only": L("indoor work only"), "outdoor_only": L("outdoor work only")}
KIND_TEXT = {"indoor": L("indoor work"), "firewood": L("work at the firewood shed"), "outdoor": L("outdoor work")}
"""The three kinds the variety reason speaks of (see ``team_solver.broad_kind``)."""
PERSON_ORDER = tuple(PERSON_TEXT)


@dataclass
class Reasons:
    """The suggestion's reasons in words: the day's, and each team's (key None: the people
    on no team)."""

    day: list[str] = field(default_factory=list)
    teams: dict[int | None, list[str]] = field(default_factory=dict)


def _percent(value: object) -> str:
    return format_percent(float(value) / 100, locale=babel_locale())  # type: ignore[arg-type]


def _day_line(key: str, params: dict[str, Any]) -> str | None:
    if key == "solver":
        seconds = format_decimal(params.get("seconds", 0), format="0.#", locale=babel_locale())
        return str(SOLVER_TEXT["best" if params.get("status") == "OPTIMAL" else "good"]) % {"seconds": seconds}
    if key in DAY_COUNTS:
        return str(DAY_COUNTS[key](params))
    template = DAY_TEXT.get(key)
    if template is None:
        return None
    params = dict(params)
    if key == "indoor_balance":
        params = {"women": _percent(params["women"]), "men": _percent(params["men"])}
    return str(template) % params


def _person_line(key: str, params: dict[str, Any]) -> str | None:
    template = PERSON_TEXT.get(key)
    if template is None or (key == "variety" and "today" not in params):
        return None  # a variety reason stored before 2026-12 said why in words that did not hold
    params = dict(params)
    if "limits" in params:
        params["limits"] = ", ".join(str(LIMIT_TEXT.get(x, x)) for x in params["limits"])
    for k in ("kind", "today"):
        if k in params:
            params[k] = str(KIND_TEXT.get(str(params[k]), params[k]))
    return str(template) % params


def reasons(db: Session, day: ProgramDay, note: TeamNote | None) -> Reasons:
    """The suggestion's reasons in words, each about one person under that person's team
    as it is now (a person moved by hand takes their reasons along). Names come from the
    participant rows (an erased person reads "#id"); an erased person's own reasons were
    deleted with them."""
    out = Reasons()
    if note is None:
        return out
    day_notes = [(str(k), dict(v)) for k, v in (note.explanation or {}).get("notes", [])]
    solver_line = [n for n in day_notes if n[0] == "solver"]
    out.day = [line for key, params in [*(n for n in day_notes if n[0] != "solver"), *solver_line]
               if (line := _day_line(key, params)) is not None]
    rows = list(db.scalars(select(TeamReason).where(TeamReason.day_id == day.id).order_by(TeamReason.id)))
    ids = {r.participant_id for r in rows} | {int(r.params["other"]) for r in rows if "other" in r.params}  # type: ignore[call-overload]
    # In full, as the team lists name them: a day often has two Jørgen or two Arne, and
    # "Kaptein and Arne are kept apart" must say which Arne.
    names = {p.id: p.display_name for p in db.scalars(select(Participant).where(Participant.id.in_(ids)))}
    team_of = dict(db.execute(select(Shift.participant_id, Shift.team_id).where(Shift.day_id == day.id)).all())
    rows.sort(key=lambda r: PERSON_ORDER.index(r.kind) if r.kind in PERSON_ORDER else len(PERSON_ORDER))
    for r in rows:
        params = dict(r.params)
        params["name"] = params["a"] = names.get(r.participant_id, f"#{r.participant_id}")
        if "other" in params:
            other = int(params["other"])  # type: ignore[call-overload]
            params["b"] = names.get(other, f"#{other}")
        line = _person_line(r.kind, params)
        if line is not None:
            out.teams.setdefault(team_of.get(r.participant_id), []).append(line)
    return out


def explanation_lines(db: Session, day: ProgramDay, note: TeamNote | None) -> list[str]:
    """Every reason in words, the day's first, then the teams'."""
    found = reasons(db, day, note)
    return [*found.day, *(line for lines in found.teams.values() for line in lines)]
