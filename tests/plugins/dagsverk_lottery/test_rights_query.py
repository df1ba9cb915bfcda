"""The rights come from one aggregate query (``draws.standings_before``); it must give what the
rule written out in Python (``rights.standing`` over ``draws.history_before``) gives, on
random histories: open and closed days, open days nobody was registered on (no stored row),
people present, not fit, entered with or without a right, drawn, called in from the reserve
list, reached, declined or not reached on the phone, given a shift or not shown up, and
voided draws that count for nothing."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from core.models import Attendance, Participant, ProgramDay, Shift, Site
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant
from plugins.dagsverk_lottery.rights import right_of, standing
from tests.plugins.dagsverk_lottery.conftest import people

START = dt.date(2026, 1, 5)


def random_history(db, org_id: int, site_id: int, pool: list[int], rng: random.Random, n_days: int,
                   unstored: float = 0.0) -> list[ProgramDay]:
    """``unstored``: the share of dates left without a day row (open weekdays among them
    break every row, as a day nobody came to)."""
    days = []
    for n in range(n_days):
        if n and rng.random() < unstored:
            continue
        day = ProgramDay(organization_id=org_id, site_id=site_id, date=START + dt.timedelta(days=n), is_open=rng.random() < 0.8)
        db.add(day)
        db.flush()
        days.append(day)
        if not day.is_open and rng.random() < 0.7:
            continue  # a closed day nobody came to; sometimes people are registered anyway
        here = [p for p in pool if rng.random() < 0.65]
        for pid in here:
            db.add(Attendance(organization_id=org_id, day_id=day.id, participant_id=pid))
        entered = [p for p in here if rng.random() < 0.85]
        for pid in set(here) - set(entered):
            db.add(CheckIn(organization_id=org_id, day_id=day.id, participant_id=pid, status="not_fit"))
        if rng.random() < 0.15:  # a voided draw first: its entrants and results count for nothing
            voided = Draw(organization_id=org_id, day_id=day.id, attempt=1, status="voided", algorithm="x", capacity=1,
                          seed="s", seed_sha256="f", entrants_sha256="e")
            voided.entrants = [DrawEntrant(organization_id=org_id, participant_id=p, result="right", position=1) for p in here]
            db.add(voided)
        status = rng.choice(["drawn", "drawn", "drawn", "sealed", None])
        if status is not None:
            draw = Draw(organization_id=org_id, day_id=day.id, attempt=2, status=status, algorithm="x", capacity=2,
                        seed="s", seed_sha256="f", entrants_sha256="e")
            draw.entrants = [
                DrawEntrant(organization_id=org_id, participant_id=p, result=rng.choice(["right", "lottery", "reserve", "reserve"]),
                            called_in=rng.random() < 0.1,
                            right=rng.choice(["none", "none", "none", "first_day", "third_day", "carried_over"]),
                            call_status=rng.choice(["", "", "", "reached", "declined", "not_reached"]))
                for p in entered
            ]
            db.add(draw)
        for pid in rng.sample(here, k=min(len(here), rng.randint(0, 3))):
            db.add(Shift(organization_id=org_id, day_id=day.id, participant_id=pid,
                         outcome=rng.choice(["planned", "worked", "no_show"])))
    db.commit()
    return days


def test_the_aggregate_query_gives_the_days_waited_of_the_written_rule(world):
    with world.db(world.a) as db:
        pool = [p.id for p in people(db, world.a, 12)]
        # Some were known before the first day (first_seen_on), others are new.
        for p in db.scalars(select(Participant).where(Participant.id.in_(pool[:4]))):
            p.first_seen_on = START - dt.timedelta(days=30)
        checked = 0
        carried = 0
        for k in range(4):
            site = Site(organization_id=world.a.org.id, name=f"Site {k}")
            db.add(site)
            db.flush()
            days = random_history(db, world.a.org.id, site.id, pool, random.Random(k), 24, unstored=0.15 if k == 3 else 0.0)
            for day in days:
                for limit in (draws.HISTORY_DAYS, 4):
                    history = draws.history_before(db, day, limit=limit)
                    want = {p: standing(history, p) for p in pool}
                    got = draws.standings_before(db, day.site_id, day.date, pool, limit=limit)
                    assert got == {p: s for p, s in want.items() if s.waited}, (k, day.date, limit)
                    assert draws.waited_before(db, day.site_id, day.date, pool, limit=limit) == {
                        p: s.waited for p, s in want.items() if s.waited}
                    checked += sum(1 for s in want.values() if s.waited)
                    carried += sum(1 for s in want.values() if s.carried)
                # The rights of the day's registered people: the query's and the rule's agree.
                registered = list(db.scalars(select(Attendance.participant_id).where(Attendance.day_id == day.id)))
                history = draws.history_before(db, day)
                seen = draws.seen_before(db, day, registered)
                assert draws.rights_on(db, day, registered) == {p: right_of(history, p, p not in seen) for p in registered}
        assert checked > 100  # the histories were long enough for people to wait, often
        assert carried > 20  # and rights were held and not honoured, often

