"""Property tests of the draw and the rights over random sequences of days.

A simulation plays many days: random people come (some judged not fit), rights are
computed from the history exactly as the plugin does, and the draw is run with a fresh
seed. Hypothesis varies the people, the attendance and the capacity.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.dagsverk_lottery.algorithm import Entrant, entrants_digest, fingerprint, run_draw
from plugins.dagsverk_lottery.rights import DayRecord, days_waited, right_from


def simulate(pool: int, days: list[tuple[list[bool], list[bool], int]], seed_base: int):
    """Run the days; yield (record, entrants with rights, placements, capacity) per day."""
    history: list[DayRecord] = []
    seen: set[int] = set()
    out = []
    for n, (present, unfit, capacity) in enumerate(days):
        here = [i for i in range(pool) if present[i]]
        entered = [i for i in here if not unfit[i]]
        entrants = [Entrant(i, right_from(days_waited(history, i), i not in seen)) for i in entered]
        seed = hashlib.sha256(f"{seed_base}:{n}".encode()).hexdigest()
        placements = run_draw(entrants, capacity, seed)
        record = DayRecord(date=dt.date(2026, 1, 1) + dt.timedelta(days=n), entered=set(entered),
                           worked={p.participant_id for p in placements if p.drawn}, present=set(here))
        history.append(record)
        seen |= set(here)
        out.append((record, entrants, placements, capacity))
    return out


POOL = 14
day_strategy = st.tuples(
    st.lists(st.booleans(), min_size=POOL, max_size=POOL),
    st.lists(st.integers(0, 9).map(lambda v: v == 0), min_size=POOL, max_size=POOL),
    st.integers(0, 12),
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(day_strategy, min_size=1, max_size=12), st.integers(0, 10_000))
def test_capacity_is_never_exceeded(days, seed_base):
    for _record, entrants, placements, capacity in simulate(POOL, days, seed_base):
        drawn = [p for p in placements if p.drawn]
        assert len(drawn) == min(capacity, len(entrants))
        reserves = sorted(p.reserve_number for p in placements if not p.drawn)
        assert reserves == list(range(1, len(entrants) - len(drawn) + 1))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(day_strategy, min_size=1, max_size=12), st.integers(0, 10_000))
def test_first_day_people_work_unless_rights_exceed_capacity(days, seed_base):
    for _record, entrants, placements, capacity in simulate(POOL, days, seed_base):
        rights = [e for e in entrants if e.right != "none"]
        got = {p.participant_id for p in placements if p.drawn}
        if len(rights) <= capacity:
            for e in entrants:
                if e.right == "first_day":
                    assert e.participant_id in got
        else:
            # Rights alone exceed the places: all places go to right holders.
            assert all(p.right != "none" for p in placements if p.drawn)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(day_strategy, min_size=3, max_size=14), st.integers(0, 10_000))
def test_nobody_waits_a_fourth_day_unless_rights_exceeded_places(days, seed_base):
    """Two open days in a row entered and not picked: the third day they work, unless the
    rights that day were more than the places (then they keep the right)."""
    sim = simulate(POOL, days, seed_base)
    for n, (_record, entrants, placements, capacity) in enumerate(sim):
        got = {p.participant_id for p in placements if p.drawn}
        n_rights = sum(1 for e in entrants if e.right != "none")
        for e in entrants:
            if e.right in ("third_day", "carried_over") and n_rights <= capacity:
                assert e.participant_id in got, (n, e)
        for e in entrants:
            prev = [r for r, *_rest in sim[:n]]
            if days_waited(prev, e.participant_id) >= 2:
                assert e.right in ("third_day", "carried_over")
        # Waiting a fourth day happens only after a day whose rights exceeded the places.
        for e in entrants:
            if e.right == "carried_over":
                earlier = [(ents, cap) for _r, ents, _p, cap in sim[:n]]
                assert any(sum(1 for x in ents if x.right != "none") > cap for ents, cap in earlier)


def test_a_carried_over_right_comes_before_new_rights():
    entrants = [Entrant(1, "carried_over"), Entrant(2, "first_day"), Entrant(3, "third_day"), Entrant(4)]
    for s in range(50):
        got = [p.participant_id for p in run_draw(entrants, 1, f"seed{s}") if p.drawn]
        assert got == [1]


CHI2_CRIT_P001 = {9: 27.877, 19: 43.820}
"""Chi-square critical values at p = 0.001 (df 9 and 19), from the standard tables."""


def test_the_lottery_is_uniform_over_many_seeds():
    """20 entrants, 10 places, no rights: over 4,000 fixed seeds every entrant should be
    drawn about half the time, and the position of one entrant uniform over 1..20."""
    entrants = [Entrant(i) for i in range(100, 120)]
    wins = Counter()
    position_of_first = Counter()
    seeds = [hashlib.sha256(f"uniformity-{k}".encode()).hexdigest() for k in range(4000)]
    for seed in seeds:
        placements = run_draw(entrants, 10, seed)
        for p in placements:
            if p.drawn:
                wins[p.participant_id] += 1
            if p.participant_id == 100:
                position_of_first[p.position] += 1
    expected = len(seeds) * 10 / 20
    chi2 = sum((wins[e.participant_id] - expected) ** 2 / expected for e in entrants)
    assert chi2 < CHI2_CRIT_P001[19], chi2
    exp_pos = len(seeds) / 20
    chi2_pos = sum((position_of_first[k] - exp_pos) ** 2 / exp_pos for k in range(1, 21))
    assert chi2_pos < CHI2_CRIT_P001[19], chi2_pos


def test_a_biased_draw_fails_the_uniformity_check():
    """The statistical test is able to fail: a draw that favours low ids is caught."""
    entrants = list(range(20))
    wins = Counter()
    rng = random.Random(7)
    for _ in range(4000):
        weights = [1.3 if i < 10 else 1.0 for i in entrants]
        chosen = set()
        while len(chosen) < 10:
            chosen.add(rng.choices(entrants, weights)[0])
        wins.update(chosen)
    expected = 4000 * 10 / 20
    chi2 = sum((wins[i] - expected) ** 2 / expected for i in entrants)
    assert chi2 > CHI2_CRIT_P001[19]


def test_the_draw_is_deterministic_and_depends_on_every_input():
    entrants = [Entrant(i, "first_day" if i == 3 else "none") for i in range(1, 30)]
    a = run_draw(entrants, 10, "abc")
    assert a == run_draw(list(reversed(entrants)), 10, "abc")
    assert a != run_draw(entrants, 10, "abd")
    d = entrants_digest(entrants, 10)
    assert d != entrants_digest(entrants, 11)
    assert d != entrants_digest(entrants[:-1], 10)
    assert d != entrants_digest([Entrant(1, "first_day"), *entrants[1:]], 10)
    assert fingerprint("abc") == hashlib.sha256(b"abc").hexdigest()


def test_tickets_order_and_digest_are_the_published_definitions():
    """docs/lottery.md's definitions computed the slow, obvious way: whatever the draw does
    to be fast must give the same tickets, order, results and entrants' fingerprint, or
    stored draws would stop verifying."""
    import json

    rng = random.Random(3)
    rights = ["none", "none", "none", "first_day", "third_day", "carried_over"]
    entrants = [Entrant(pid, rng.choice(rights)) for pid in rng.sample(range(1, 10**6), 300)]
    seed = hashlib.sha256(b"published").hexdigest()
    placements = run_draw(entrants, 23, seed)

    ticket = {e.participant_id: hashlib.sha256(f"{seed}:{e.participant_id}".encode("ascii")).hexdigest() for e in entrants}
    group = {"carried_over": 0, "first_day": 1, "third_day": 1, "none": 2}
    order = sorted(entrants, key=lambda e: (group[e.right], ticket[e.participant_id], e.participant_id))
    assert [p.participant_id for p in placements] == [e.participant_id for e in order]
    assert [p.ticket for p in placements] == [ticket[e.participant_id] for e in order]
    assert [p.position for p in placements] == list(range(1, 301))
    assert [p.result for p in placements[:23]] == ["right" if group[e.right] < 2 else "lottery" for e in order[:23]]
    assert all(p.result == "reserve" and p.reserve_number == p.position - 23 for p in placements[23:])
    assert all(p.reserve_number is None for p in placements[:23])

    text = json.dumps({"algorithm": "dagsverk-lottery/1", "capacity": 23,
                       "entrants": sorted([e.participant_id, e.right] for e in entrants)}, separators=(",", ":"))
    assert text.startswith('{"algorithm":"dagsverk-lottery/1","capacity":23,"entrants":[[')
    assert entrants_digest(entrants, 23) == hashlib.sha256(text.encode("ascii")).hexdigest()
    assert entrants_digest(list(reversed(entrants)), 23) == entrants_digest(entrants, 23)
