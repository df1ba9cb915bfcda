"""The calendar tells the truth (issue 15): Norwegian public holidays and the program's closed
dates are closed by default and named, a stored day wins, today's places are today's; and a
day that has not come can be neither closed nor paid, on the page or in the API."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from core.i18n import today
from core.models import ProgramDay, Shift
from plugins.dagsverk_lottery import calendar as cal
from plugins.dagsverk_lottery import draws
from plugins.payroll_rules.models import PayRun
from tests.conftest import api_token, bearer, login, post_form
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday
from tests.plugins.payroll_rules.helpers import person, setting, worked_shift

CHRISTMAS = "date_from=2026-12-21&date_to=2027-01-01"


def _calendar_api(client, world, query: str, lang: str = "en") -> dict[str, dict]:
    h = bearer(api_token(world, world.a, "social_worker")) | {"Accept-Language": lang}
    r = client.get(f"/api/v1/dagsverk/calendar?{query}", headers=h)
    assert r.status_code == 200, r.text
    return {i["date"]: i for i in r.json()["items"]}


def test_public_holidays_and_closed_dates_are_closed_and_named(world, client):
    days = _calendar_api(client, world, CHRISTMAS)
    assert days["2026-12-23"]["is_open"] is True and days["2026-12-23"]["holiday"] == ""
    assert (days["2026-12-24"]["is_open"], days["2026-12-24"]["holiday"]) == (False, "Christmas Eve")
    assert (days["2026-12-25"]["is_open"], days["2026-12-25"]["holiday"]) == (False, "Christmas Day")
    assert (days["2026-12-31"]["is_open"], days["2026-12-31"]["holiday"]) == (False, "New Year's Eve")
    assert (days["2027-01-01"]["is_open"], days["2027-01-01"]["holiday"]) == (False, "New Year's Day")
    assert days["2026-12-28"]["is_open"] is True  # a Monday between the holidays
    nb = _calendar_api(client, world, CHRISTMAS, "nb")
    assert nb["2026-12-24"]["holiday"] == "Julaften" and nb["2026-12-25"]["holiday"] == "Første juledag"
    # Moving holidays: Easter and Ascension Day 2027.
    spring = _calendar_api(client, world, "date_from=2027-03-25&date_to=2027-05-06")
    assert spring["2027-03-26"]["holiday"] == "Good Friday" and spring["2027-03-29"]["is_open"] is False
    assert spring["2027-05-06"]["holiday"] == "Ascension Day" and spring["2027-05-06"]["is_open"] is False
    with world.db(world.a) as db:
        assert db.scalars(select(ProgramDay)).all() == []  # reading stores nothing


def test_a_stored_day_wins_and_the_closed_dates_are_a_setting(world, client, app):
    with world.db(world.a) as db:
        db.add(ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=dt.date(2026, 12, 24), is_open=True))
        db.add(ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=dt.date(2026, 12, 23), is_open=False, note="Stengt"))
        db.commit()
    days = _calendar_api(client, world, CHRISTMAS)
    # Opened by staff on Christmas Eve: open, and still named.
    assert (days["2026-12-24"]["is_open"], days["2026-12-24"]["holiday"]) == (True, "Christmas Eve")
    assert days["2026-12-23"]["is_open"] is False and days["2026-12-23"]["note"] == "Stengt"
    with world.db(world.a) as db:
        setting(app, db, world.a.org.id, "dagsverk.closed_dates", "27.12, 30.12., nonsense, 31.2")
    days = _calendar_api(client, world, CHRISTMAS)
    assert days["2026-12-31"]["is_open"] is True and days["2026-12-31"]["holiday"] == ""
    assert days["2026-12-30"]["is_open"] is False and days["2026-12-25"]["is_open"] is False  # the law's holidays stay


def test_a_holiday_is_created_closed(world):
    with world.db(world.a) as db:
        assert cal.find_day(db, world.a.org.id, world.a.site, dt.date(2026, 12, 25)).is_open is False
        assert cal.find_day(db, world.a.org.id, world.a.site, dt.date(2026, 12, 22)).is_open is True
        day = cal.day_for(db, world.a.org.id, world.a.site, dt.date(2026, 5, 14))  # Ascension Day
        assert day.id is not None and day.is_open is False
        assert cal.day_for(db, world.a.org.id, world.a.site, dt.date(2026, 5, 13)).is_open is True


def test_the_calendar_page_names_holidays_in_both_languages(world, client, monkeypatch):
    import plugins.dagsverk_lottery.web as web

    monkeypatch.setattr(web, "today", lambda: dt.date(2026, 12, 20))
    login(client, world.a.users["leader"])
    page = client.get("/dagsverk/calendar")
    assert page.status_code == 200
    assert "Christmas Eve" in page.text and "Second Day of Christmas" in page.text and "New Year&#39;s Eve" in page.text
    page = client.get("/dagsverk/calendar", headers={"Accept-Language": "nb"})
    assert "Julaften" in page.text and "Andre juledag" in page.text and "Nyttårsaften" in page.text


def test_places_today_are_the_places_in_force_today(world, client, app):
    """The bug: "Places (today) 15" on a day with 23: the newest row of the dated setting
    (which had not begun) was shown, and the day's own number never."""
    with world.db(world.a) as db:
        setting(app, db, world.a.org.id, "dagsverk.capacity", 23, weekday(0))
        setting(app, db, world.a.org.id, "dagsverk.capacity", 15, today() + dt.timedelta(days=60))
    login(client, world.a.users["leader"])
    page = client.get("/dagsverk/calendar")
    assert "<dd>23</dd>" in page.text and "not yet begun" in page.text
    with world.db(world.a) as db:
        setting(app, db, world.a.org.id, "dagsverk.capacity", 15, weekday(1))
        db.add(ProgramDay(organization_id=world.a.org.id, site_id=world.a.site.id, date=today(), is_open=True, capacity=23))
        db.commit()
    page = client.get("/dagsverk/calendar")
    assert "<dd>23</dd>" in page.text  # the day's own number wins over the setting's 15


def _future_day_with_a_shift(world) -> tuple[int, int, dt.date]:
    date = today() + dt.timedelta(days=2)
    with world.db(world.a) as db:
        day = open_day(db, world.a, date, capacity=5)
        p = people(db, world.a, 1)[0]
        check_in_all(db, day, [p])
        draws.run(db, day, None)
        db.add(Shift(organization_id=world.a.org.id, day_id=day.id, participant_id=p.id, outcome="planned"))
        db.commit()
        return day.id, p.id, date


def test_a_day_that_has_not_come_cannot_be_closed(world, client):
    day_id, pid, date = _future_day_with_a_shift(world)
    login(client, world.a.users["work_leader"])
    page = client.get(f"/dagsverk/end?date={date.isoformat()}")
    assert page.status_code == 200 and "has not come yet" in page.text and "Close the day</button>" not in page.text
    r = post_form(client, f"/dagsverk/days/{day_id}/end", {f"outcome_{pid}": "worked"})
    assert r.status_code == 400 and "has not come yet" in r.text
    api = client.post(f"/api/v1/dagsverk/days/{day_id}/close", json={"outcomes": [{"participant_id": pid, "outcome": "worked"}]},
                      headers=bearer(api_token(world, world.a, "work_leader")))
    assert api.status_code == 422 and "has not come yet" in api.text
    nb = client.post(f"/api/v1/dagsverk/days/{day_id}/close", json={}, headers=bearer(api_token(world, world.a, "work_leader")) | {"Accept-Language": "nb"})
    assert nb.status_code == 422 and "ikke kommet" in nb.text
    with world.db(world.a) as db:
        assert db.get(ProgramDay, day_id).closed_at is None
        assert db.scalars(select(Shift.outcome).where(Shift.day_id == day_id)).all() == ["planned"]
    # Today can be closed.
    with world.db(world.a) as db:
        day = open_day(db, world.a, today())
    assert client.post(f"/api/v1/dagsverk/days/{day.id}/close", json={},
                       headers=bearer(api_token(world, world.a, "work_leader"))).status_code == 200


def test_a_day_that_has_not_come_cannot_be_paid(world, client, app):
    with world.db(world.a) as db:
        setting(app, db, world.a.org.id, "payroll.rules", "day_wage")
        setting(app, db, world.a.org.id, "payroll.period", "day")
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    login(client, world.a.users["work_leader"])
    r = post_form(client, "/payroll/cash-sheet", {"date": tomorrow})
    assert r.status_code == 400 and "has not come yet" in r.text
    api = client.post("/api/v1/payroll/cash-sheets", json={"date": tomorrow}, headers=bearer(api_token(world, world.a, "work_leader")))
    assert api.status_code == 422 and "has not come yet" in api.text
    with world.db(world.a) as db:
        assert db.scalars(select(PayRun)).all() == []
    assert post_form(client, "/payroll/cash-sheet", {"date": today().isoformat()}).status_code == 303


def test_a_cash_sheet_shows_earlier_unpaid_days_apart_with_their_dates(world, client, app):
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        setting(app, db, a.org.id, "payroll.period", "day")
        ola, kari = person(db, a.org.id, "Ola", "Ødegård"), person(db, a.org.id, "Kari", "Åsen")
        worked_shift(db, a.org.id, a.site.id, ola.id, dt.date(2026, 5, 26))  # a Tuesday nobody made a sheet for
        worked_shift(db, a.org.id, a.site.id, ola.id, dt.date(2026, 6, 2))
        worked_shift(db, a.org.id, a.site.id, kari.id, dt.date(2026, 6, 2))
    login(client, a.users["work_leader"])
    r = post_form(client, "/payroll/cash-sheet", {"date": "2026-06-02"}, headers={"Accept-Language": "en"})
    sheet = client.get(r.headers["location"], headers={"Accept-Language": "en"})
    body = sheet.text.replace("\xa0", " ").replace("\u202f", " ")
    today_part, earlier_part = body.split("Earlier days not yet paid", 1)
    # The day's own rows: one 250 each, not Ola's 500.
    assert re.search(r"Ola Ødegård</td>\s*<td>NOK 250.00</td>", today_part) and re.search(r"Kari Åsen</td>\s*<td>NOK 250.00</td>", today_part)
    assert re.search(r"Total for this day</th><td>NOK 500.00</td>", today_part)
    # The earlier day: its own row, with its date in words.
    assert "Tuesday, 26 May 2026" in earlier_part and "Ola Ødegård" in earlier_part and "Kari Åsen" not in earlier_part
    assert "Total paid out on this sheet" in earlier_part and "750" in earlier_part
    nb = client.get(r.headers["location"], headers={"Accept-Language": "nb"})
    assert "tirsdag 26. mai 2026" in nb.text
