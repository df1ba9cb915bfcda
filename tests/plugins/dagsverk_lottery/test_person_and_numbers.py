"""A person's page says why they did or did not get work; the funders' numbers add up."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.i18n import use_locale
from core.models import Organization, Shift
from plugins.dagsverk_lottery import draws, numbers
from plugins.dagsverk_lottery.checkin import check_in
from tests.conftest import api_token, bearer, login
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday


def _three_days(world):
    """Day 0: 4 people, 1 place. Day 1: same 4, 1 place, one not fit. Day 2: 4 + a late one."""
    with world.db(world.a) as db:
        ps = people(db, world.a, 4, women=1)
        late = people(db, world.a, 1, prefix="Late")[0]
        results = []
        for i in range(3):
            day = open_day(db, world.a, weekday(i), capacity=1)
            if i == 1:
                check_in_all(db, day, ps[:3])
                check_in(db, day, ps[3], None, not_fit=True)
            else:
                check_in_all(db, day, ps)
            draw = draws.run(db, day, None)
            if i == 2:
                check_in(db, day, late, None)
            results.append([(e.participant_id, e.result, e.reserve_number) for e in draw.entrants])
            for e in draw.entrants:
                if e.result != "reserve":
                    db.add(Shift(organization_id=world.a.org.id, day_id=day.id, participant_id=e.participant_id, outcome="worked"))
            db.commit()
        return ps, late, results


def test_numbers_per_day_and_period(world, client):
    ps, late, results = _three_days(world)
    with world.db(world.a) as db:
        n = numbers.period(db, weekday(0), weekday(2))
    assert [d.registered for d in n.days] == [4, 4, 5]
    assert [d.entered for d in n.days] == [4, 3, 4]
    assert [d.by_right + d.by_lottery for d in n.days] == [1, 1, 1]
    assert [d.turned_away for d in n.days] == [3, 3, 4]
    assert n.unique_people == 5 and n.unique_women == 1 and round(n.women_share, 2) == 0.2
    # Day 0: all new (first-day rights beyond the one place); day 1: day 0's losers who came
    # again carry their first-day right over (issue 15); day 2: somebody still has one.
    assert [d.by_right for d in n.days] == [1, 1, 1]
    login(client, world.a.users["leader"])
    page = client.get(f"/dagsverk/numbers?start={weekday(0).isoformat()}&end={weekday(2).isoformat()}")
    assert page.status_code == 200 and "Turned away" in page.text
    assert client.get("/dagsverk/numbers?start=2026-05-01&end=2026-04-01").status_code == 400
    token = api_token(world, world.a, "leader")
    body = client.get(f"/api/v1/dagsverk/numbers?date_from={weekday(0).isoformat()}&date_to={weekday(2).isoformat()}", headers=bearer(token)).json()
    assert body["totals"]["turned_away"] == 10 and body["unique_people"] == 5 and body["women_share"] == 0.2
    # The yearly report gets the same numbers through the hook.
    ctx = client.app.state["ctx"]
    with world.db(world.a) as db:
        org = db.get(Organization, world.a.org.id)
        sections = [s for res in ctx.plugins.for_organization("lavterskel_report_sections", org.enabled_plugins)(
            db=db, organization=org, start=weekday(0), end=weekday(2), work=[]) for s in res]
    ours = next(s for s in sections if s.key == "dagsverk_lottery")
    with use_locale("en"):
        assert [10] == [row[1] for row in ours.rows if "Turned away" in str(row[0])]


def test_the_person_panel_explains_each_day(world, client):
    ps, late, results = _three_days(world)
    login(client, world.a.users["social_worker"])
    page = client.get(f"/participants/{ps[3].id}")
    assert page.status_code == 200
    text = page.text
    assert "Dagsverket: work and the draw" in text
    assert "not fit to work that day" in text
    page = client.get(f"/participants/{late.id}")
    assert "Came after the draw" in page.text
    winner0 = next(pid for pid, result, _n in results[0] if result != "reserve")
    page = client.get(f"/participants/{winner0}")
    assert "Got work by right" in page.text
    loser, _r, number = next(e for e in results[2] if e[1] == "reserve")
    page = client.get(f"/participants/{loser}")
    # Whether the loser held a right depends on the draw; both wordings name the reserve number.
    assert f"reserve number {number}" in page.text.lower()


def test_calendar_capacity_and_closed_days(world, client):
    login(client, world.a.users["leader"])
    from tests.conftest import post_form

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    r = post_form(client, "/dagsverk/calendar/day", {"date": tomorrow, "is_open": "0", "note": "Christmas"})
    assert r.status_code == 303
    r = post_form(client, "/dagsverk/calendar/settings", {"capacity": "15", "valid_from": weekday(0).isoformat()})
    assert r.status_code == 303
    r = post_form(client, "/dagsverk/calendar/settings", {"capacity": "-3"})
    assert r.status_code == 400
    page = client.get("/dagsverk/calendar")
    assert "Christmas" in page.text and ">15<" in page.text
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(3))
        check_in_all(db, day, people(db, world.a, 20))
        assert draws.run(db, day, None).capacity == 15
    login(client, world.a.users["work_leader"])
    assert post_form(client, "/dagsverk/calendar/day", {"date": tomorrow, "is_open": "1"}).status_code == 403
