"""Rights from the stored history, check-in at the door, and what arrives after the draw."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.forms import FormError

from core.models import Attendance, Participant, ProgramDay
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.checkin import check_in, set_fit
from plugins.dagsverk_lottery.models import CheckIn, Draw, WorkProfile
from tests.conftest import api_token, bearer, login, post_form
from tests.plugins.dagsverk_lottery.conftest import api_day, check_in_all, open_day, people, weekday


def _entrant(draw: Draw, pid: int):
    return next(e for e in draw.entrants if e.participant_id == pid)


def test_first_day_and_third_day_rights_from_the_stored_days(world):
    with world.db(world.a) as db:
        regulars = people(db, world.a, 6, prefix="Reg")
        # Day 0 and day 1: everyone comes, one place; day 2 a closed day; day 3 again.
        d0 = open_day(db, world.a, weekday(0), capacity=1)
        check_in_all(db, d0, regulars)
        r0 = draws.run(db, d0, None)
        assert {e.right for e in r0.entrants} == {"first_day"}  # all new: rights exceed the one place
        d1 = open_day(db, world.a, weekday(1), capacity=1)
        check_in_all(db, d1, regulars)
        r1 = draws.run(db, d1, None)
        winners = {e.participant_id for d in (r0, r1) for e in d.entrants if e.result != "reserve"}
        closed = ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=weekday(2), is_open=False)
        db.add(closed)
        db.commit()
        newcomer = people(db, world.a, 1, prefix="New")[0]
        d3 = open_day(db, world.a, weekday(3), capacity=10)
        check_in_all(db, d3, [*regulars, newcomer])
        r3 = draws.run(db, d3, None)
        assert _entrant(r3, newcomer.id).right == "first_day"
        for p in regulars:
            e = _entrant(r3, p.id)
            # Day 0's losers kept a first-day right they could not use; two days without work.
            if p.id in winners:
                assert e.right == "none"
            else:
                assert e.right in ("third_day", "carried_over"), (p.id, e.right)
            assert e.result in ("right", "lottery")


def test_not_fit_is_present_but_not_entered_and_breaks_nothing(world):
    with world.db(world.a) as db:
        a, b, c = people(db, world.a, 3)
        for p in (a, b, c):  # known from before: no first-day right on day 0 to carry over
            p.first_seen_on = weekday(-30)
        db.commit()
        d0 = open_day(db, world.a, weekday(0), capacity=0)
        check_in_all(db, d0, [a, b, c])
        draws.run(db, d0, None)
        d1 = open_day(db, world.a, weekday(1), capacity=0)
        check_in_all(db, d1, [a, b])
        check_in(db, d1, c, None, not_fit=True)
        r1 = draws.run(db, d1, None)
        assert {e.participant_id for e in r1.entrants} == {a.id, b.id}
        assert db.scalars(select(Attendance).where(Attendance.day_id == d1.id, Attendance.participant_id == c.id)).one()
        d2 = open_day(db, world.a, weekday(2), capacity=0)
        check_in_all(db, d2, [a, c])
        r2 = draws.run(db, d2, None)
        assert _entrant(r2, a.id).right == "third_day"
        # c: entered day 0, not fit day 1 (neutral), entered now: one day waited only.
        assert _entrant(r2, c.id).right == "none"


def test_after_the_draw_people_are_attended_not_entered(world):
    with world.db(world.a) as db:
        early = people(db, world.a, 3)
        late = people(db, world.a, 1, prefix="Late")[0]
        day = open_day(db, world.a, weekday(0), capacity=2)
        check_in_all(db, day, early)
        draw = draws.run(db, day, None)
        row, created = check_in(db, day, late, None)
        assert created and row.status == "after_draw"
        assert late.id not in {e.participant_id for e in draw.entrants}
        again, created2 = check_in(db, day, late, None)
        assert not created2 and again.id == row.id
        with pytest.raises(FormError):
            set_fit(db, day, early[0].id, False)


def test_check_in_page_scan_search_newcomer_and_not_fit(world, client):
    with world.db(world.a) as db:
        persons = people(db, world.a, 3, prefix="Kari")
        day = open_day(db, world.a, weekday(0))
        date, day_id = day.date.isoformat(), day.id
    login(client, world.a.users["social_worker"])
    # A scanned card registers at once: the search form posts, and the answer redirects to the page.
    r = post_form(client, "/dagsverk/checkin", {"date": date, "q": persons[0].card_code})
    assert r.status_code == 303 and f"ok={persons[0].id}" in r.headers["location"]
    page = client.get(r.headers["location"])
    assert "Registered: Kari0 Testesen" in page.text
    # A few letters find people (posted from the form, or fetched while typing); one button registers.
    page = post_form(client, "/dagsverk/checkin", {"date": date, "q": "kar"})
    assert page.status_code == 200 and "Kari1 Testesen" in page.text and "Kari2 Testesen" in page.text
    page = client.get(f"/dagsverk/checkin?date={date}&q=kar")
    assert "Kari1 Testesen" in page.text and "Kari2 Testesen" in page.text
    r = post_form(client, f"/dagsverk/days/{day_id}/checkin", {"participant_id": persons[1].id, "not_fit": "1"})
    assert r.status_code == 303
    r = post_form(client, f"/dagsverk/days/{day_id}/newcomer", {"nickname": "Tuppen"})
    assert r.status_code == 303
    r = post_form(client, f"/dagsverk/days/{day_id}/newcomer", {"first_name": "", "nickname": ""})
    assert r.status_code == 400 and "Write a first name or a nickname." in r.text
    page = client.get(f"/dagsverk/checkin?date={date}")
    assert "Intake conversation due" in page.text
    with world.db(world.a) as db:
        marks = {c.participant_id: c.status for c in db.scalars(select(CheckIn))}
        assert marks[persons[0].id] == "entered" and marks[persons[1].id] == "not_fit"
        tuppen = db.scalars(select(Participant).where(Participant.nickname == "Tuppen")).one()
        assert db.scalars(select(WorkProfile).where(WorkProfile.participant_id == tuppen.id)).one().intake_due
    assert client.get(f"/dagsverk/checkin?date=not-a-date").status_code == 400


def test_a_get_with_a_card_code_registers_nobody(world, client):
    """Only the form's POST (with its CSRF token) registers: a link, an image or a prefetch
    with a card code in the URL shows the person and changes nothing."""
    with world.db(world.a) as db:
        person = people(db, world.a, 1, prefix="Kari")[0]
        day = open_day(db, world.a, weekday(0))
        date, day_id = day.date.isoformat(), day.id
    login(client, world.a.users["work_leader"])
    page = client.get(f"/dagsverk/checkin?date={date}&q={person.card_code}", follow_redirects=False)
    assert page.status_code == 200 and "Register Kari0" in page.text and "Registered:" not in page.text
    # A POST without the CSRF token (a form on another site) is refused before anything is done.
    r = client.post("/dagsverk/checkin", data={"date": date, "q": person.card_code}, follow_redirects=False)
    assert r.status_code == 403
    with world.db(world.a) as db:
        assert db.scalars(select(Attendance).where(Attendance.day_id == day_id)).all() == []
        assert db.scalars(select(CheckIn)).all() == []


def test_pages_create_no_program_day_until_a_post_needs_it(world, client):
    """Opening a day's pages (or its API GETs) stores nothing; the page still shows the day,
    open or closed by the weekdays, and its forms post to the day by date; the first POST
    that needs the day stores it."""
    with world.db(world.a) as db:
        person = people(db, world.a, 1, prefix="Kari")[0]
    monday, sunday = weekday(0), weekday(6)
    login(client, world.a.users["leader"])
    for path in ("checkin", "draw", "teams", "end", "screen", "screen/state"):
        for date in (monday, sunday):
            r = client.get(f"/dagsverk/{path}?date={date.isoformat()}", follow_redirects=False)
            assert r.status_code == 200, (path, date, r.text[:300])
    page = client.get(f"/dagsverk/checkin?date={sunday.isoformat()}")
    assert "The program is closed on this day." in page.text
    page = client.get(f"/dagsverk/checkin?date={monday.isoformat()}&q={person.card_code}")
    assert f'action="/dagsverk/days/{monday.isoformat()}/checkin"' in page.text
    assert f'action="/dagsverk/days/{monday.isoformat()}/seal"' in client.get(f"/dagsverk/draw?date={monday.isoformat()}").text
    # The API addresses days by id: a date with no stored day has none to read.
    token = api_token(world, world.a, "leader")
    assert api_day(client, token, world.a.site.id, monday, create=False) is None
    with world.db(world.a) as db:
        assert db.scalars(select(ProgramDay)).all() == []
    # Judging someone fit on a day nobody came to is 404, and stores no day either.
    assert post_form(client, f"/dagsverk/days/{monday.isoformat()}/fit", {"participant_id": person.id}).status_code == 404
    assert post_form(client, f"/dagsverk/days/not-a-day/checkin", {"participant_id": person.id}).status_code == 404
    with world.db(world.a) as db:
        assert db.scalars(select(ProgramDay)).all() == []
    # Registering from the page's results stores the day, then the person.
    r = post_form(client, f"/dagsverk/days/{monday.isoformat()}/checkin", {"participant_id": person.id})
    assert r.status_code == 303 and f"ok={person.id}" in r.headers["location"]
    with world.db(world.a) as db:
        day = db.scalars(select(ProgramDay)).one()
        assert (day.date, day.is_open) == (monday, True)
        assert db.scalars(select(Attendance.participant_id).where(Attendance.day_id == day.id)).all() == [person.id]
        day_id = day.id
    page = client.get(f"/dagsverk/checkin?date={monday.isoformat()}")
    assert f'action="/dagsverk/days/{day_id}/newcomer"' in page.text


def test_check_in_through_the_api_by_card(world, client):
    with world.db(world.a) as db:
        p = people(db, world.a, 1)[0]
    token = api_token(world, world.a, "work_leader")
    day_id = api_day(client, token, world.a.site.id, weekday(0))
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/checkin", json={"card_code": p.card_code}, headers=bearer(token))
    assert r.status_code == 201 and r.json()["status"] == "entered" and r.json()["is_new"] is True
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/checkin", json={"card_code": p.card_code}, headers=bearer(token))
    assert r.status_code == 201 and r.json()["is_new"] is False
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/checkin", json={"card_code": "NOPE"}, headers=bearer(token))
    assert r.status_code == 422 and "card_code" in r.json()["errors"]
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/newcomer", json={"first_name": "Ny"}, headers=bearer(token))
    assert r.status_code == 201 and r.json()["is_new"] is True
    with world.db(world.a) as db:
        assert db.scalars(select(WorkProfile.intake_due).where(WorkProfile.participant_id == r.json()["participant_id"])).one() is True
    # A day id that is not stored (or another organization's) is 404, and nothing is stored.
    assert client.post(f"/api/v1/dagsverk/days/{day_id + 1000}/checkin", json={"participant_id": p.id}, headers=bearer(token)).status_code == 404


def test_organizations_without_the_plugin_get_404(world, client):
    login(client, world.b.users["admin"])
    assert client.get("/dagsverk/checkin").status_code == 404
    token = api_token(world, world.b, "admin")
    assert client.get("/api/v1/dagsverk/days/1/draw", headers=bearer(token)).status_code == 404
