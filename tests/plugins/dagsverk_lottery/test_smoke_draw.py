"""A whole draw through the service and the pages: check-in, seal, draw, screen, verify."""
from __future__ import annotations

from sqlalchemy import select

from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.models import Draw
from tests.conftest import h1, login, post_form
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, wait_for_teams, weekday


def test_a_morning_draw_through_the_pages(world, client):
    with world.db(world.a) as db:
        persons = people(db, world.a, 30)
        day = open_day(db, world.a, weekday(), capacity=23)
        check_in_all(db, day, persons)
        date = day.date.isoformat()
        day_id = day.id
    login(client, world.a.users["work_leader"])
    page = client.get(f"/dagsverk/checkin?date={date}")
    assert page.status_code == 200, page.text[:2000]
    assert "Check-in" in h1(page.text)
    assert post_form(client, f"/dagsverk/days/{day_id}/seal").status_code == 303
    r = post_form(client, f"/dagsverk/days/{day_id}/draw", {"numbers": "12 7 45"})
    assert r.status_code == 303, r.text[:2000]
    page = client.get(f"/dagsverk/draw?date={date}")
    assert page.status_code == 200, page.text[:3000]
    with world.db(world.a) as db:
        draw = db.scalars(select(Draw)).one()
        assert draw.status == "drawn"
        assert sum(1 for e in draw.entrants if e.result != "reserve") == 23
        assert draws.verify(draw).matches
    screen = client.get(f"/dagsverk/screen?date={date}")
    assert screen.status_code == 200, screen.text[:2000]
    state = client.get(f"/dagsverk/screen/state?date={date}").json()
    assert len(state["drawn"]) == 23 and len(state["reserve"]) == 7
    v = client.get(f"/dagsverk/draws/{draw.id}/verify")
    assert v.status_code == 200, v.text[:2000]
    js = client.get("/dagsverk-static/screen.js")
    assert js.status_code == 200


def test_every_page_renders_in_bokmal(world, client):
    with world.db(world.a) as db:
        persons = people(db, world.a, 8)
        day = open_day(db, world.a, weekday(), capacity=5)
        check_in_all(db, day, persons)
        date = day.date.isoformat()
    client.headers["Accept-Language"] = "nb"
    login(client, world.a.users["leader"])
    paths = ["/dagsverk/checkin", "/dagsverk/draw", "/dagsverk/screen", "/dagsverk/teams", "/dagsverk/end"]
    for path in paths:
        r = client.get(f"{path}?date={date}")
        assert r.status_code == 200, (path, r.text[:500])
    assert post_form(client, f"/dagsverk/days/{day.id}/seal").status_code == 303
    assert post_form(client, f"/dagsverk/days/{day.id}/draw", {"numbers": "3 5"}).status_code == 303
    assert post_form(client, f"/dagsverk/days/{day.id}/teams/suggest").status_code == 303
    assert wait_for_teams(world, day.id) == "done"
    for path in paths:
        r = client.get(f"{path}?date={date}")
        assert r.status_code == 200, (path, r.text[:500])
        assert 'lang="nb"' in r.text
    for path in ("/dagsverk/calendar", "/dagsverk/numbers", f"/dagsverk/profiles/{persons[0].id}", f"/participants/{persons[0].id}", "/"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
