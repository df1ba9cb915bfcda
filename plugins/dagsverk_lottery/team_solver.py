"""Suggesting the day's teams with a real solver (OR-Tools CP-SAT).

Pure: people, team slots and the number of work leaders in, a suggestion out. The
database side is :mod:`plugins.dagsverk_lottery.teams`.

Hard constraints: everybody is on exactly one team (or, if nothing fits, reported as
unplaced at a very high cost); people marked "not with" each other are never together;
a person's limits keep them off work they must not do (heavy, steep, ladders, indoor or
outdoor only); a used team has 4-6 people, or what its order asks; no more teams than
work leaders on duty; at most ``max_follow_up`` people needing close follow-up per team.

Soft goals, weighed in the objective: the fixed teams run (firewood shed, indoor team,
food bank on Wednesdays); team sizes close to what orders need; women spread over the teams in
proportion to the day and someone experienced on each team; newcomers spread, at most one per
team where the day allows; the balance of indoor work between women and men over the last 8
weeks (see :class:`Balance`), and each person's own indoor share; variety over time (a person
who was often in a kind of work in the last weeks costs more there); preferences.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

LIMIT_BLOCKS = {
    "no_heavy": lambda s: s.heavy,
    "no_steep": lambda s: s.steep,
    "no_ladders": lambda s: s.ladders,
    "indoor_only": lambda s: not s.indoor,
    "outdoor_only": lambda s: s.indoor,
}

W_UNPLACED = 10_000
W_FIXED_MISSING = 400
W_SIZE = 12
W_GENDER = 25
W_EXPERIENCE = 20
W_VARIETY = 6
W_PREFERENCE = 4
W_NEWCOMER = 200
"""Each newcomer beyond the first on one team: above every goal but placing people."""
W_BALANCE = 4
"""Per tenth of a percentage point that women's and men's indoor shares over the last 8
weeks (today included) differ by beyond ``BALANCE_SLACK``."""
BALANCE_SLACK = 20
"""Tenths of a percentage point (2 pp) of difference that cost nothing: the 8-week figure
moves a little every day, and the aim is to stay well below the 10 pp the program promises."""
W_OWN_INDOOR = 10
"""A person's own indoor share (0-1) over the last 8 weeks, as a cost on indoor work: within
each gender, those who were inside least go inside first."""


@dataclass(frozen=True)
class Person:
    id: int
    name: str = ""
    woman: bool = False
    experienced: bool = False
    limits: frozenset[str] = frozenset()
    preferences: frozenset[str] = frozenset()
    not_with: frozenset[int] = frozenset()
    follow_up: bool = False
    history: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    """Kind of work -> days in it over the last weeks."""
    indoor_share: float = 0.0
    """Share of the person's worked days over the last 8 weeks that were indoors (0 if none)."""
    newcomer: bool = False
    """New to the work (few days worked so far): spread, at most one per team."""


@dataclass(frozen=True)
class Balance:
    """Indoor work of women and of men over the last 8 weeks, before today: days indoors
    and days worked. The solver adds today's teams to these and keeps the two shares close."""

    women_indoor: int = 0
    women_days: int = 0
    men_indoor: int = 0
    men_days: int = 0


@dataclass(frozen=True)
class Slot:
    key: str
    name: str
    category: str
    """``firewood``, ``indoor``, ``food_bank`` or ``order``."""
    order_id: int | None = None
    indoor: bool = False
    heavy: bool = False
    steep: bool = False
    ladders: bool = False
    min_size: int = 4
    max_size: int = 6
    target: int = 5
    fixed: bool = False


@dataclass
class Suggestion:
    teams: dict[str, list[int]]
    unplaced: list[int]
    status: str
    objective: float
    bound: float
    seconds: float
    notes: list[tuple[str, dict[str, object]]]

    @property
    def gap(self) -> float:
        """Relative distance from the best bound the solver proved (0 = proven optimal)."""
        if self.status == "OPTIMAL":
            return 0.0
        return abs(self.objective - self.bound) / max(1.0, abs(self.objective))


def allowed(person: Person, slot: Slot) -> bool:
    return not any(block(slot) for limit, block in LIMIT_BLOCKS.items() if limit in person.limits)


def slot_kind(slot: Slot) -> str:
    if slot.category != "order":
        return slot.category
    return "indoor" if slot.indoor else ("heavy" if slot.heavy else "outdoor")


def preferred(person: Person, slot: Slot) -> bool:
    kinds = {slot.category, "indoor" if slot.indoor else "outdoor"}
    return bool(kinds & person.preferences)


def suggest(people: Sequence[Person], slots: Sequence[Slot], leaders: int, max_follow_up: int = 1,
            time_limit: float = 5.0, workers: int = 1, balance: Balance | None = None) -> Suggestion:
    from ortools.sat.python import cp_model

    start = time.perf_counter()
    model = cp_model.CpModel()
    n = len(people)
    women = sum(p.woman for p in people)
    by_id = {p.id: p for p in people}
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    for p in people:
        for s in slots:
            if allowed(p, s):
                x[p.id, s.key] = model.new_bool_var(f"x_{p.id}_{s.key}")
    unplaced = {p.id: model.new_bool_var(f"u_{p.id}") for p in people}
    used = {s.key: model.new_bool_var(f"y_{s.key}") for s in slots}
    objective = []
    for p in people:
        model.add(sum(x[p.id, s.key] for s in slots if (p.id, s.key) in x) + unplaced[p.id] == 1)
        objective.append(W_UNPLACED * unplaced[p.id])
    model.add(sum(used.values()) <= max(0, leaders))
    for s in slots:
        members = [x[p.id, s.key] for p in people if (p.id, s.key) in x]
        size = sum(members) if members else 0
        model.add(size >= s.min_size * used[s.key])
        model.add(size <= s.max_size * used[s.key])
        for var in members:
            model.add_implication(var, used[s.key])
        if s.fixed:
            objective.append(W_FIXED_MISSING * (1 - used[s.key]))
        dev = model.new_int_var(0, 60, f"d_{s.key}")
        model.add(dev >= size - s.target * used[s.key])
        model.add(dev >= s.target * used[s.key] - size)
        objective.append(W_SIZE * dev)
        if n and members:
            # Women spread in proportion: a team of the target size should not hold more
            # than its share (rounded up); each woman above costs. Linear and tight, so the
            # solver can prove optimality quickly.
            cap = -(-women * s.target // n) if women else 0
            w_in = sum(x[p.id, s.key] for p in people if p.woman and (p.id, s.key) in x)
            over = model.new_int_var(0, s.max_size, f"g_{s.key}")
            model.add(over >= w_in - cap)
            objective.append(W_GENDER * over)
            # At least one experienced person on every team that runs.
            e_in = sum(x[p.id, s.key] for p in people if p.experienced and (p.id, s.key) in x)
            short = model.new_bool_var(f"e_{s.key}")
            model.add(short >= used[s.key] - e_in)
            objective.append(W_EXPERIENCE * short)
        new_in = [x[p.id, s.key] for p in people if p.newcomer and (p.id, s.key) in x]
        if len(new_in) > 1:
            crowd = model.new_int_var(0, len(new_in), f"n_{s.key}")
            model.add(crowd >= sum(new_in) - 1)
            objective.append(W_NEWCOMER * crowd)
        follow = [x[p.id, s.key] for p in people if p.follow_up and (p.id, s.key) in x]
        if follow:
            model.add(sum(follow) <= max_follow_up)
        kind = slot_kind(s)
        for p in people:
            if (p.id, s.key) not in x:
                continue
            cost = W_VARIETY * p.history.get(kind, 0) - (W_PREFERENCE if preferred(p, s) else 0)
            if s.indoor:
                cost += round(W_OWN_INDOOR * p.indoor_share)
            if cost:
                objective.append(cost * x[p.id, s.key])
    objective += _balance_terms(model, people, slots, x, balance or Balance())
    done_pairs = set()
    for p in people:
        for other in p.not_with:
            if other not in by_id or (min(p.id, other), max(p.id, other)) in done_pairs:
                continue
            done_pairs.add((min(p.id, other), max(p.id, other)))
            for s in slots:
                if (p.id, s.key) in x and (other, s.key) in x:
                    model.add(x[p.id, s.key] + x[other, s.key] <= 1)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    status = solver.solve(model)
    status_name = solver.status_name(status)
    teams: dict[str, list[int]] = {s.key: [] for s in slots}
    left: list[int] = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for p in people:
            if solver.value(unplaced[p.id]):
                left.append(p.id)
                continue
            for s in slots:
                if (p.id, s.key) in x and solver.value(x[p.id, s.key]):
                    teams[s.key].append(p.id)
        obj, bound = solver.objective_value, solver.best_objective_bound
    else:  # pragma: no cover - the unplaced option keeps the model feasible
        left = [p.id for p in people]
        obj = bound = float("nan")
    teams = {k: v for k, v in teams.items() if v}
    suggestion = Suggestion(teams, left, status_name, obj, bound, time.perf_counter() - start, [])
    suggestion.notes = explain(people, slots, leaders, max_follow_up, suggestion, balance or Balance())
    return suggestion


def _balance_terms(model, people: Sequence[Person], slots: Sequence[Slot], x, b: Balance) -> list:  # type: ignore[no-untyped-def]
    """Women's and men's indoor shares over 8 weeks with today's teams added, kept within
    BALANCE_SLACK of each other. With today's places counted as worked days (everyone is
    placed but for the rare unplaced), the difference is linear in who goes inside:

        diff = (Wi + wI) / (Wd + w) - (Mi + mI) / (Md + m)

    so ``D * e >= 1000 * ((Wi + wI) * (Md + m) - (Mi + mI) * (Wd + w))`` with
    ``D = (Wd + w) * (Md + m)`` makes ``e`` the difference in tenths of a point, exactly."""
    women = [p for p in people if p.woman]
    men = [p for p in people if not p.woman]
    if not women or not men or not any(s.indoor for s in slots):
        return []
    wd, md = b.women_days + len(women), b.men_days + len(men)
    w_in = sum(x[p.id, s.key] for p in women for s in slots if s.indoor and (p.id, s.key) in x)
    m_in = sum(x[p.id, s.key] for p in men for s in slots if s.indoor and (p.id, s.key) in x)
    cross = (b.women_indoor + w_in) * md - (b.men_indoor + m_in) * wd
    span = 1000
    diff = model.new_int_var(0, span, "indoor_gap")
    model.add(wd * md * diff >= 1000 * cross)
    model.add(wd * md * diff >= -1000 * cross)
    over = model.new_int_var(0, span, "indoor_gap_over")
    model.add(over >= diff - BALANCE_SLACK)
    return [W_BALANCE * over]


def warm_up() -> None:
    """Load OR-Tools and solve a tiny model, so a worker's first real solve does not pay for it."""
    suggest([Person(1)], [Slot("s", "", "order", min_size=1)], leaders=1, time_limit=1.0)


def broad_kind(kind: str) -> str:
    """The three kinds of work the fairness ledger counts: indoor, firewood, outdoor (heavy
    outdoor work and the food bank run are outdoor work too)."""
    return kind if kind in ("indoor", "firewood") else "outdoor"


def explain(people: Sequence[Person], slots: Sequence[Slot], leaders: int, max_follow_up: int,
            s: Suggestion, balance: Balance = Balance()) -> list[tuple[str, dict[str, object]]]:
    """Which constraints shaped the suggestion, as (message key, parameters). A reason
    about one person carries their id as ``pid`` (and ``other``: the id of the person kept
    apart from them), never a name: names are shown from the participant rows."""
    notes: list[tuple[str, dict[str, object]]] = []
    where = {pid: key for key, members in s.teams.items() for pid in members}
    names = {sl.key: sl.name for sl in slots}
    notes.append(("leaders", {"leaders": leaders, "teams": len(s.teams)}))
    if max(0, leaders) < len(slots):
        idle = [sl.name for sl in slots if sl.key not in s.teams]
        if idle:
            notes.append(("not_staffed", {"orders": ", ".join(idle)}))
    for p in people:
        blocked = [sl.name for sl in slots if not allowed(p, sl)]
        if blocked and p.limits:
            notes.append(("limits", {"pid": p.id, "limits": sorted(p.limits), "slots": ", ".join(blocked)}))
    seen = set()
    for p in people:
        for o in p.not_with:
            pair = (min(p.id, o), max(p.id, o))
            other = next((q for q in people if q.id == o), None)
            if other is not None and pair not in seen:
                seen.add(pair)
                notes.append(("not_with", {"pid": p.id, "other": other.id}))
    follow = sum(p.follow_up for p in people)
    if follow:
        notes.append(("follow_up", {"count": follow, "max": max_follow_up}))
    women = [p for p in people if p.woman]
    if women:
        notes.append(("gender", {"women": len(women), "teams": len({where[p.id] for p in women if p.id in where})}))
    newcomers = [p for p in people if p.newcomer and p.id in where]
    if len(newcomers) > 1:
        notes.append(("newcomers", {"count": len(newcomers), "teams": len({where[p.id] for p in newcomers})}))
    indoor = {key for key in s.teams if next(sl for sl in slots if sl.key == key).indoor}
    men = [p for p in people if not p.woman]
    if women and men and indoor:
        w_in = sum(1 for p in women if where.get(p.id) in indoor)
        m_in = sum(1 for p in men if where.get(p.id) in indoor)
        notes.append(("indoor_balance", {
            "women": round(100 * (balance.women_indoor + w_in) / (balance.women_days + len(women))),
            "men": round(100 * (balance.men_indoor + m_in) / (balance.men_days + len(men)))}))
    for p in people:
        if p.id not in where:
            continue
        here = next(sl for sl in slots if sl.key == where[p.id])
        today = broad_kind(slot_kind(here))
        # Variety moved the person only if most of their recent days were of another broad
        # kind than today's team (heavy and plain outdoor work are the same kind here).
        recent: dict[str, int] = {}
        for kind, count in p.history.items():
            recent[broad_kind(kind)] = recent.get(broad_kind(kind), 0) + count
        if recent:
            kind, count = max(sorted(recent.items()), key=lambda kv: kv[1])
            if count >= 3 and kind != today and recent.get(today, 0) < count:
                notes.append(("variety", {"pid": p.id, "kind": kind, "count": count, "today": today}))
    for pid in s.unplaced:
        p = next(q for q in people if q.id == pid)
        notes.append(("unplaced", {"pid": p.id}))
    notes.append(("solver", {"status": s.status, "gap": round(s.gap * 100, 1), "seconds": round(s.seconds, 2)}))
    return notes
