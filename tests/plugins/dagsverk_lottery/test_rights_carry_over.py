"""Rights beyond the places are kept, for every kind of right (DOMAIN.md: "the draw is among
them and the rest keep their right for the next day"), and in day-before mode a place the
person could not be told about is not work.

The property runs the rule as the plugin does (``rights.right_of`` over the days so far, the
draw's own ``run_draw``) over random histories in which rights often exceed the places; the
stored history and the aggregate query give the same as this rule (test_rights_query.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.dagsverk_lottery.algorithm import Entrant, run_draw
from plugins.dagsverk_lottery.rights import RIGHTS, DayRecord, right_from, right_of, standing

POOL = 10
# Each person on a day: 0 absent, 1 entered, 2 present but not fit; the places; and the
# day-before call of each drawn person (reached, declined, not reached), when the day is one.
person_day = st.sampled_from([0, 1, 1, 1, 2])
call = st.sampled_from(["reached", "declined", "not_reached"])
day_strategy = st.tuples(
    st.lists(person_day, min_size=POOL, max_size=POOL),
    st.integers(0, 4),  # few places: the rights alone exceed them on most days
    st.one_of(st.none(), st.lists(call, min_size=POOL, max_size=POOL)),
)


def simulate(days, seed_base: int, known: int):
    """Play the days; per day the entrants (with rights), who got work, and the record.
    People below ``known`` were seen before the first day (no first-day right)."""
    history: list[DayRecord] = []
    seen = set(range(known))
    out = []
    for n, (marks, capacity, calls) in enumerate(days):
        here = [i for i in range(POOL) if marks[i]]
        entered = [i for i in here if marks[i] == 1]
        entrants = [Entrant(i, right_of(history, i, i not in seen)[0]) for i in entered]
        placed = [p for p in run_draw(entrants, capacity, hashlib.sha256(f"{seed_base}:{n}".encode()).hexdigest()) if p.drawn]
        # Morning mode: a place is work. Day-before mode: a "not reached" place is not work
        # (given back); a declined one counts as offered work.
        worked = {p.participant_id for p in placed if calls is None or calls[p.participant_id] != "not_reached"}
        record = DayRecord(date=dt.date(2026, 1, 5) + dt.timedelta(days=n), entered=set(entered), worked=worked,
                           present=set(here), rights={e.participant_id: e.right for e in entrants})
        history.append(record)
        seen |= set(here)
        out.append((record, entrants))
    return out


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(day_strategy, min_size=2, max_size=12), st.integers(0, 10_000), st.integers(0, POOL))
def test_a_right_held_and_not_honoured_is_held_the_next_open_day(days, seed_base, known):
    """For every kind of right: whoever held one and did not get work holds one (carried
    over) on the next open day they are entered, as long as they did not miss an open day
    in between (days present but not fit neither count nor break the row)."""
    sim = simulate(days, seed_base, known)
    for n, (record, entrants) in enumerate(sim):
        for e in entrants:
            if e.right == "none" or e.participant_id in record.worked:
                continue
            for later, later_entrants in sim[n + 1:]:
                pid = e.participant_id
                if pid in later.entered:
                    right = next(x.right for x in later_entrants if x.participant_id == pid)
                    assert right == "carried_over", (n, e, right)
                    break
                if pid not in later.present:
                    break  # missed an open day: the row, and the right, are gone


def test_the_histories_hold_rights_beyond_the_places_of_every_kind():
    """The property is not empty: such histories lose rights of each kind in the draw."""
    import random

    lost: dict[str, int] = dict.fromkeys(RIGHTS, 0)
    for k in range(40):
        rng = random.Random(k)
        days = [([rng.choice([0, 1, 1, 1, 2]) for _ in range(POOL)], rng.randint(0, 4),
                 None if rng.random() < 0.5 else [rng.choice(["reached", "declined", "not_reached"]) for _ in range(POOL)])
                for _ in range(10)]
        for record, entrants in simulate(days, k, known=rng.randint(0, POOL)):
            for e in entrants:
                if e.right != "none" and e.participant_id not in record.worked:
                    lost[e.right] += 1
    assert all(n >= 10 for n in lost.values()), lost


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(day_strategy, min_size=1, max_size=12), st.integers(0, 10_000), st.integers(0, POOL))
def test_every_kind_of_right_is_carried_over(days, seed_base, known):
    """Whatever the kind held (first day, third day, carried over), what follows it after a
    day without work is ``carried_over``: the first group of the next draw."""
    sim = simulate(days, seed_base, known)
    for n in range(1, len(sim)):
        history = [r for r, _e in sim[:n]]
        prev_record, prev_entrants = sim[n - 1]
        for e in prev_entrants:
            if e.right in RIGHTS and e.participant_id not in prev_record.worked:
                s = standing(history, e.participant_id)
                assert s.carried and right_from(s.waited, False, s.carried) == "carried_over"


def _day(n: int, entered=(), worked=(), present=(), rights=None) -> DayRecord:
    return DayRecord(date=dt.date(2026, 1, 5) + dt.timedelta(days=n), entered=set(entered), worked=set(worked),
                     present=set(entered) | set(present), rights=dict(rights or {}))


def test_a_first_day_right_lost_in_the_draw_is_carried_over_not_lost():
    # Day 0: person 1 came for the first time; first-day rights exceeded the places.
    history = [_day(0, entered=[1], rights={1: "first_day"})]
    assert right_of(history, 1, first_day=False) == ("carried_over", 1)
    # It stays until honoured, through a day present but not fit.
    history += [_day(1, present=[1]), _day(2, entered=[1], rights={1: "carried_over"})]
    assert right_of(history, 1, first_day=False) == ("carried_over", 2)
    # Honoured: gone.
    history.append(_day(3, entered=[1], worked=[1], rights={1: "carried_over"}))
    assert right_of(history, 1, first_day=False) == ("none", 0)


def test_a_carried_right_is_gone_after_a_missed_open_day():
    history = [_day(0, entered=[1], rights={1: "first_day"}), _day(1, entered=[2])]
    assert right_of(history, 1, first_day=False) == ("none", 0)


def test_a_third_day_right_not_reached_on_the_phone_is_kept():
    # Two days waited, then a third-day place in day-before mode the person was not told of.
    history = [_day(0, entered=[1]), _day(1, entered=[1]), _day(2, entered=[1], rights={1: "third_day"})]
    assert right_of(history, 1, first_day=False) == ("carried_over", 3)
