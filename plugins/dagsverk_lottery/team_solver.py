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
proportion to the day and someone experienced on each team; variety over time (a person who was often in a kind
of work in the last weeks costs more there); preferences.
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
            time_limit: float = 5.0, workers: int = 2) -> Suggestion:
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
        follow = [x[p.id, s.key] for p in people if p.follow_up and (p.id, s.key) in x]
        if follow:
            model.add(sum(follow) <= max_follow_up)
        kind = slot_kind(s)
        for p in people:
            if (p.id, s.key) not in x:
                continue
            cost = W_VARIETY * p.history.get(kind, 0) - (W_PREFERENCE if preferred(p, s) else 0)
            if cost:
                objective.append(cost * x[p.id, s.key])
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
    suggestion.notes = explain(people, slots, leaders, max_follow_up, suggestion)
    return suggestion


def explain(people: Sequence[Person], slots: Sequence[Slot], leaders: int, max_follow_up: int,
            s: Suggestion) -> list[tuple[str, dict[str, object]]]:
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
    for p in people:
        if p.id not in where:
            continue
        here = next(sl for sl in slots if sl.key == where[p.id])
        for kind, count in p.history.items():
            if count >= 3 and kind != slot_kind(here):
                notes.append(("variety", {"pid": p.id, "kind": kind, "count": count, "team": names[here.key]}))
                break
    for pid in s.unplaced:
        p = next(q for q in people if q.id == pid)
        notes.append(("unplaced", {"pid": p.id}))
    notes.append(("solver", {"status": s.status, "gap": round(s.gap * 100, 1), "seconds": round(s.seconds, 2)}))
    return notes
