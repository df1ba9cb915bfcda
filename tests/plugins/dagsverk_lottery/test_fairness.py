"""The fairness ledger (per person and month; kinds of work by gender over 8 weeks), who may
read it, and the team builder's use of it: newcomers spread, and over 8 weeks of real
suggestions women's and men's indoor shares within 10 percentage points."""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from core.models import Participant, ProgramDay, Shift, Team, WorkOrder
from plugins.dagsverk_lottery import draws, fairness, teams
from plugins.dagsverk_lottery.models import Draw, DrawEntrant, TeamNote, WorkProfile
from plugins.dagsverk_lottery.team_solver import Balance, Person, Slot, suggest
from tests.conftest import ROLES, api_token, bearer, login
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people
from tests.plugins.dagsverk_lottery.test_teams_and_end_of_day import _add_leaders


def _monday(weeks_back: int) -> dt.date:
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday(), weeks=weeks_back)


def _day_with(db, org, date, entered, worked, kinds=None):  # type: ignore[no-untyped-def]
    """A drawn day: ``entered`` people in its draw, ``worked`` of them on teams (by kind)."""
    day = open_day(db, org, date)
    draw = Draw(organization_id=org.org.id, day_id=day.id, status="drawn", algorithm="test", capacity=len(worked),
                seed="00", seed_sha256="00", entrants_sha256="00")
    db.add(draw)
    db.flush()
    for p in entered:
        db.add(DrawEntrant(organization_id=org.org.id, draw_id=draw.id, participant_id=p.id, right="none"))
    made: dict[str, Team] = {}
    for p in worked:
        kind = (kinds or {}).get(p.id, "outdoor")
        if kind not in made:
            made[kind] = Team(organization_id=org.org.id, day_id=day.id, name=kind)
            db.add(made[kind])
            db.flush()
        db.add(Shift(organization_id=org.org.id, day_id=day.id, participant_id=p.id, team_id=made[kind].id))
    db.add(TeamNote(organization_id=org.org.id, day_id=day.id, explanation={}, team_kinds={str(t.id): k for k, t in made.items()}))
    db.commit()
    return day


def test_the_ledger_counts_entered_worked_turned_away_and_the_longest_run(world):
    start = _monday(6)
    with world.db(world.a) as db:
        a, b = people(db, world.a, 2, women=1, prefix="Åse")
        # Åse0 (a woman) is turned away Monday to Thursday and works Friday; Åse1 works every day.
        for i in range(5):
            _day_with(db, world.a, start + dt.timedelta(days=i), [a, b], [b] + ([a] if i == 4 else []),
                      {a.id: "indoor", b.id: "firewood" if i % 2 else "outdoor"})
        month = fairness.month_rows(db, start)
    rows = {r.participant_id: r for r in month}
    if all(start.month == (start + dt.timedelta(days=i)).month for i in range(5)):
        assert (rows[a.id].entered, rows[a.id].worked, rows[a.id].turned_away, rows[a.id].longest_streak) == (5, 1, 4, 4)
        assert (rows[b.id].entered, rows[b.id].worked, rows[b.id].turned_away, rows[b.id].longest_streak) == (5, 5, 0, 0)
        assert not rows[a.id].flagged and fairness.TURNED_AWAY_OFTEN == 5
    with world.db(world.a) as db:
        found = fairness.ledger(db, start, start + dt.timedelta(days=6))
    by = {g.gender: g for g in found.genders}
    assert by["woman"].days == {"indoor": 1, "firewood": 0, "outdoor": 0}
    assert by["man"].days == {"indoor": 0, "firewood": 2, "outdoor": 3}
    assert found.indoor_gap == 100.0


def test_someone_turned_away_often_is_flagged(world):
    start = _monday(3)
    with world.db(world.a) as db:
        (p,) = people(db, world.a, 1)
        for i in range(7):
            date = start + dt.timedelta(days=i if i < 5 else i + 2)
            _day_with(db, world.a, date, [p], [])
        rows = fairness.month_rows(db, start + dt.timedelta(days=8))
    row = next(r for r in rows if r.participant_id == p.id)
    assert row.turned_away >= 1 and row.flagged == (row.turned_away >= fairness.TURNED_AWAY_OFTEN)


def test_the_page_and_api_are_for_the_leader_and_the_social_worker(world, client):
    start = _monday(1)
    with world.db(world.a) as db:
        a, b = people(db, world.a, 2, women=1, prefix="Øyvind")
        _day_with(db, world.a, start, [a, b], [b], {b.id: "indoor"})
    for role in ROLES:
        client.cookies.clear()
        login(client, world.a.users[role])
        page = client.get(f"/dagsverk/fairness?date={start.isoformat()}")
        api = client.get(f"/api/v1/dagsverk/fairness?date={start.isoformat()}", headers=bearer(api_token(world, world.a, role)))
        if role in ("leader", "social_worker"):
            assert page.status_code == 200 and "Øyvind0" in page.text and "Fairness" in page.text, page.text[:500]
            body = api.json()
            assert api.status_code == 200 and {p["participant_id"] for p in body["people"]} == {a.id, b.id}
            assert next(p for p in body["people"] if p["participant_id"] == a.id)["turned_away"] == 1
            assert {g["gender"] for g in body["kinds"]} == {"woman", "man", "other"}
        else:
            assert page.status_code in (403, 404) and api.status_code in (403, 404), role
    # Bokmål: month names and percentages from Babel.
    client.cookies.clear()
    login(client, world.a.users["leader"])
    page = client.get(f"/dagsverk/fairness?date={start.isoformat()}", headers={"Accept-Language": "nb"})
    assert page.status_code == 200 and "Rettferdighet" in page.text and "100 %" in page.text.replace("\xa0", " ")
    assert client.get("/dagsverk/fairness?date=2026-13-01").status_code == 400


def test_three_newcomers_do_not_land_on_one_team():
    persons = [Person(i, newcomer=i < 3, experienced=i >= 3) for i in range(15)]
    slots = [Slot("in", "Indoor", "indoor", indoor=True, fixed=True), Slot("fw", "Firewood", "firewood", fixed=True),
             Slot("o", "Order", "order", order_id=1, target=5)]
    s = suggest(persons, slots, leaders=3)
    for members in s.teams.values():
        assert sum(persons[m].newcomer for m in members) <= 1
    assert ("newcomers", {"count": 3, "teams": 3}) in s.notes


def test_the_solver_sends_men_inside_when_women_were_inside_more():
    # Over 8 weeks women were inside half their days, men a tenth: today men go inside.
    persons = [Person(i, woman=i < 5, preferences=frozenset({"indoor"}) if i < 5 else frozenset()) for i in range(15)]
    slots = [Slot("in", "Indoor", "indoor", indoor=True, fixed=True, target=5), Slot("o1", "Out", "order", order_id=1, target=5),
             Slot("o2", "Out 2", "order", order_id=2, target=5)]
    s = suggest(persons, slots, leaders=3, balance=Balance(women_indoor=50, women_days=100, men_indoor=20, men_days=200))
    assert sum(1 for m in s.teams["in"] if not persons[m].woman) >= 4


def test_eight_weeks_of_suggestions_keep_indoor_work_even(world, capsys):
    """The simulation: 8 weeks of open days, 24 of 40 people entered each day (women often
    asking for indoor work, as participants said happened), the real draw and the real
    suggestion (``teams.suggest_and_apply``, what the solver worker runs); then the ledger's
    gender figure over those 8 weeks."""
    rng = random.Random(15)
    first = _monday(8)
    with world.db(world.a) as db:
        persons = people(db, world.a, 40, women=16, prefix="Sim")
        _add_leaders(db, world.a, 4)
        for p in persons:
            prefers = ["indoor"] if p.gender == "woman" and rng.random() < 0.6 else (["outdoor"] if rng.random() < 0.3 else [])
            db.add(WorkProfile(organization_id=world.a.org.id, participant_id=p.id, preferences=prefers, experience=rng.randint(0, 2)))
        for title, indoor in (("Vask av trappeoppganger", True), ("Rydde hage på Årvoll", False), ("Bære ut sofa", False)):
            db.add(WorkOrder(organization_id=world.a.org.id, title=title, status="scheduled", people_needed=5, indoor=indoor))
        db.commit()
        days = [first + dt.timedelta(weeks=w, days=d) for w in range(8) for d in range(5)]
        days = [d for d in days if d < dt.date.today()]
        for date in days:
            day = open_day(db, world.a, date, capacity=20)
            check_in_all(db, day, rng.sample(persons, 24))
            draws.run(db, day, None)
            teams.suggest_and_apply(db, day, time_limit=1.0)
        found = fairness.ledger(db, days[0], days[-1])
    by = {g.gender: g for g in found.genders}
    women, men = by["woman"].share("indoor"), by["man"].share("indoor")
    with capsys.disabled():
        print(f"\n8 weeks of suggestions ({len(days)} days): indoor share women {women:.1%} ({by['woman'].total} days), "
              f"men {men:.1%} ({by['man'].total} days), difference {abs(found.indoor_gap):.1f} percentage points")
    assert by["woman"].total > 100 and by["man"].total > 100
    assert abs(found.indoor_gap) < 10
