"""Planning a day (open, closed, its places) is one action, ``days.plan``, in the core's
pages, the API and Dagsverket's calendar; a drawn day keeps its plan (issue 14)."""
from __future__ import annotations

from sqlalchemy import select

from core.models import ProgramDay
from plugins.dagsverk_lottery import draws
from tests.conftest import api_token, bearer, login, post_form
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday


def test_lavterskel_day_plan_refused_keeps_a_drawn_day_until_its_draw_is_voided(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=2)
        check_in_all(db, day, people(db, world.a, 3))
        draw = draws.run(db, day, None)
        day_id, draw_id = day.id, draw.id
    h = {**bearer(api_token(world, world.a, "leader")), "Accept-Language": "en"}
    r = client.patch(f"/api/v1/days/{day_id}", json={"is_open": False, "note": "Streik"}, headers=h)
    assert r.status_code == 409 and "Void it" in r.json()["errors"]["__all__"]
    # Sending what the day already is changes nothing, and is not refused.
    assert client.patch(f"/api/v1/days/{day_id}", json={"capacity": 2}, headers=h).status_code == 200
    login(client, world.a.users["leader"])
    r = post_form(client, "/dagsverk/calendar/day", {"date": weekday(0).isoformat(), "is_open": "0", "note": "Streik"})
    assert r.status_code == 409 and "Void it" in r.text
    r = post_form(client, f"/days/{day_id}/settings", {"capacity": "5", "note": ""})
    assert r.status_code == 409
    with world.db(world.a) as db:
        assert (db.get(ProgramDay, day_id).is_open, db.get(ProgramDay, day_id).capacity) == (True, 2)
    # Voided, the day is free to plan again.
    assert client.post(f"/api/v1/dagsverk/draws/{draw_id}/void", json={"reason": "Feil antall plasser"}, headers=h).status_code == 200
    r = client.patch(f"/api/v1/days/{day_id}", json={"capacity": 3}, headers=h)
    assert r.status_code == 200 and r.json()["capacity"] == 3


def test_a_work_leader_plans_no_day_in_the_calendar_or_the_api(world, client):
    login(client, world.a.users["work_leader"])
    page = client.get("/dagsverk/calendar")
    assert page.status_code == 200 and 'action="/dagsverk/calendar/day"' not in page.text
    assert post_form(client, "/dagsverk/calendar/day", {"date": weekday(0).isoformat(), "is_open": "0"}).status_code == 403
    h = bearer(api_token(world, world.a, "work_leader"))
    r = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": weekday(0).isoformat(), "is_open": False}, headers=h)
    assert r.status_code == 403
    with world.db(world.a) as db:
        assert db.scalars(select(ProgramDay)).all() == []  # refused before anything was stored


def test_the_calendar_in_the_api_shows_stored_and_unstored_dates(world, client):
    with world.db(world.a) as db:
        open_day(db, world.a, weekday(1), capacity=7)
    h = bearer(api_token(world, world.a, "social_worker"))
    r = client.get(f"/api/v1/dagsverk/calendar?date_from={weekday(0).isoformat()}&date_to={weekday(6).isoformat()}", headers=h)
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["date"] for i in items] == [weekday(n).isoformat() for n in range(7)]
    assert items[1]["day_id"] is not None and items[1]["capacity"] == 7
    assert items[0]["day_id"] is None and items[0]["is_open"] is True and items[6]["is_open"] is False  # Monday, Sunday
    bad = client.get(f"/api/v1/dagsverk/calendar?date_from={weekday(6).isoformat()}&date_to={weekday(0).isoformat()}", headers=h)
    assert bad.status_code == 422
    with world.db(world.a) as db:
        assert len(db.scalars(select(ProgramDay)).all()) == 1  # a read stores nothing


def test_a_refused_check_in_on_a_date_not_stored_stores_no_day(world, client):
    with world.db(world.a) as db:
        person = people(db, world.a, 1)[0]
    login(client, world.a.users["leader"])
    sunday = weekday(6)  # closed: the open weekdays are Monday to Friday
    r = post_form(client, f"/dagsverk/days/{sunday.isoformat()}/checkin", {"participant_id": person.id})
    assert r.status_code == 400 and "The program is closed on this day." in r.text
    with world.db(world.a) as db:
        assert db.scalars(select(ProgramDay)).all() == []
