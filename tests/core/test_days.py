"""Program days: open or closed, capacity, who came (twice is once), teams, who is on
which team, and how each shift went, in HTML, in the API and in the services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.forms import FormError
from core.models import Attendance, Participant, ProgramDay, Shift, Team, WorkOrder
from core.services import days as day_service
from tests.conftest import api_token, bearer, login, post_form

DAY = dt.date(2026, 6, 3)


@pytest.fixture
def setup(world):
    with world.db() as db:
        people = [Participant(organization_id=world.a.org.id, first_name=n) for n in ("Kari", "Ola", "Per", "Liv")]
        orders = [WorkOrder(organization_id=world.a.org.id, title=t, status="accepted") for t in ("Vedbua", "Plenklipp")]
        db.add_all(people + orders)
        db.commit()
        return {"people": [p.id for p in people], "orders": [o.id for o in orders]}


def _day_id(world, date=DAY):
    with world.db(world.a) as db:
        return db.scalars(select(ProgramDay.id).where(ProgramDay.date == date)).one()


def _count(world, model, **where):
    with world.db(world.a) as db:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return db.scalar(stmt)


def test_open_a_day_with_capacity_then_close_and_reopen_it(world, client, setup):
    # Planning a day (open or closed, its places) is days.plan: a leader's, not a work leader's
    # (issue 14: the same in the core's pages, the API and Dagsverket's calendar).
    login(client, world.a.users["work_leader"])
    r = post_form(client, "/days", {"site_id": str(world.a.site.id), "date": DAY.isoformat(), "is_open": "1", "capacity": "23"})
    assert r.status_code == 403 and _count(world, ProgramDay) == 0  # refused before anything is stored
    assert post_form(client, "/days", {"site_id": str(world.a.site.id), "date": DAY.isoformat(), "is_open": "1"}).status_code == 303
    day_id = _day_id(world)
    assert post_form(client, f"/days/{day_id}/settings", {"capacity": "", "note": ""}).status_code == 403
    login(client, world.a.users["leader"])
    r = post_form(client, "/days", {"site_id": str(world.a.site.id), "date": DAY.isoformat(), "is_open": "1", "capacity": "23",
                                    "note": "Onsdag: matsentralen"})
    assert r.status_code == 303
    day_id = _day_id(world)
    assert r.headers["location"] == f"/days/{day_id}"
    page = client.get(f"/days/{day_id}", headers={"Accept-Language": "nb"})
    assert "Onsdag: matsentralen" in page.text and 'value="23"' in page.text
    # The same site and date again is the same day (changed), never a second one.
    r = post_form(client, "/days", {"site_id": str(world.a.site.id), "date": DAY.isoformat(), "is_open": "1", "capacity": "15"})
    assert r.headers["location"] == f"/days/{day_id}"
    assert _count(world, ProgramDay) == 1
    # Closing: the unticked box sends nothing, and that means closed; capacity empty = the setting's.
    assert post_form(client, f"/days/{day_id}/settings", {"capacity": "", "note": "Stengt: streik"}).status_code == 303
    with world.db(world.a) as db:
        day = db.get(ProgramDay, day_id)
        assert (day.is_open, day.capacity, day.note) == (False, None, "Stengt: streik")
    r = post_form(client, f"/days/{day_id}/attendance", {"participant_id": str(setup["people"][0])}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and "The program is closed on this day." in r.text
    assert _count(world, Attendance) == 0
    assert post_form(client, f"/days/{day_id}/settings", {"is_open": "1", "capacity": "18"}).status_code == 303
    assert post_form(client, f"/days/{day_id}/attendance", {"participant_id": str(setup["people"][0])}).status_code == 303
    assert _count(world, Attendance) == 1


def test_attendance_twice_is_once_and_the_first_day_is_remembered(world, client, setup):
    h = bearer(api_token(world, world.a, "work_leader"))
    day = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": DAY.isoformat()}, headers=h).json()
    kari = setup["people"][0]
    first = client.post(f"/api/v1/days/{day['id']}/attendance", json={"participant_id": kari}, headers=h)
    again = client.post(f"/api/v1/days/{day['id']}/attendance", json={"participant_id": kari}, headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json()["arrived_at"] == again.json()["arrived_at"]  # the first registration stands
    login(client, world.a.users["work_leader"])
    assert post_form(client, f"/days/{day['id']}/attendance", {"participant_id": str(kari)}).status_code == 303
    assert _count(world, Attendance, participant_id=kari) == 1
    # The first day seen is set by the first attendance and not moved by a later one.
    later = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": (DAY + dt.timedelta(days=1)).isoformat()}, headers=h).json()
    client.post(f"/api/v1/days/{later['id']}/attendance", json={"participant_id": kari}, headers=h)
    with world.db(world.a) as db:
        assert db.get(Participant, kari).first_seen_on == DAY
    detail = client.get(f"/api/v1/days/{day['id']}", headers=h).json()
    assert [a["participant_id"] for a in detail["attendance"]] == [kari]
    # Who registered is kept.
    with world.db(world.a) as db:
        row = db.scalars(select(Attendance).where(Attendance.day_id == day["id"])).one()
        assert row.registered_by_id == world.a.users["work_leader"].id


def test_teams_with_a_work_leader_and_orders(world, client, setup):
    h = bearer(api_token(world, world.a, "leader"))
    day = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": DAY.isoformat()}, headers=h).json()
    leader = world.a.users["work_leader"].id
    vedbua, plen = setup["orders"]
    r = client.post(f"/api/v1/days/{day['id']}/teams", json={"name": " Vedbua ", "work_leader_id": leader,
                                                             "work_order_ids": [vedbua, vedbua, plen]}, headers=h)
    assert r.status_code == 201, r.text
    team = r.json()
    assert team["name"] == "Vedbua" and team["work_leader_id"] == leader and sorted(team["work_order_ids"]) == sorted([vedbua, plen])
    # Only someone who leads work can lead a team; a social worker cannot.
    before = _count(world, Team)
    r = client.post(f"/api/v1/days/{day['id']}/teams", json={"name": "Inne", "work_leader_id": world.a.users["social_worker"].id}, headers=h)
    assert r.status_code == 422 and "work_leader_id" in r.json()["errors"]
    login(client, world.a.users["leader"])
    r = post_form(client, f"/days/{day['id']}/teams", {"name": "Inne", "work_leader_id": str(world.a.users["payroll"].id)})
    assert r.status_code == 400
    assert _count(world, Team) == before
    r = post_form(client, f"/days/{day['id']}/teams", {"name": "Inne", "work_leader_id": str(leader), "work_order_ids": str(plen)})
    assert r.status_code == 303
    page = client.get(f"/days/{day['id']}")
    assert "Inne" in page.text and "Vedbua" in page.text


def test_assigning_moves_a_person_and_keeps_one_shift_per_day(world, setup):
    kari, ola = setup["people"][:2]
    with world.db(world.a) as db:
        day = day_service.program_day(db, world.a.org.id, db.merge(world.a.site), DAY)
        other_day = day_service.program_day(db, world.a.org.id, db.merge(world.a.site), DAY + dt.timedelta(days=1))
        t1 = day_service.create_team(db, day, "Lag 1", None, [])
        t2 = day_service.create_team(db, day, "Lag 2", None, [])
        foreign = day_service.create_team(db, other_day, "I morgen", None, [])
        k = db.get(Participant, kari)
        s1 = day_service.assign_to_team(db, day, k, t1)
        s2 = day_service.assign_to_team(db, day, k, t2)
        assert s1.id == s2.id and s2.team_id == t2.id
        with pytest.raises(FormError) as exc:
            day_service.assign_to_team(db, day, k, foreign)
        assert "team_id" in exc.value.errors
        db.rollback()
        assert db.get(Shift, s1.id).team_id == t2.id
        unassigned = day_service.assign_to_team(db, day, db.get(Participant, ola), None)
        overview = day_service.day_overview(db, day)
        assert [s.id for s in overview["unassigned"]] == [unassigned.id]  # type: ignore[union-attr]
        assert {s.participant_id for s in overview["shifts"]} == {kari, ola}  # type: ignore[union-attr]
        assert db.scalar(select(func.count()).select_from(Shift).where(Shift.day_id == day.id)) == 2


def test_assigning_through_html_and_api(world, client, setup):
    h = bearer(api_token(world, world.a, "work_leader"))
    day = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": DAY.isoformat()}, headers=h).json()
    team = client.post(f"/api/v1/days/{day['id']}/teams", json={"name": "Vedbua"}, headers=h).json()
    kari, ola = setup["people"][:2]
    r = client.post(f"/api/v1/days/{day['id']}/assign", json={"participant_id": kari, "team_id": team["id"]}, headers=h)
    assert r.status_code == 200 and r.json()["team_id"] == team["id"] and r.json()["outcome"] == "planned"
    login(client, world.a.users["work_leader"])
    assert post_form(client, f"/days/{day['id']}/assign", {"participant_id": str(ola), "team_id": str(team["id"])}).status_code == 303
    detail = client.get(f"/api/v1/days/{day['id']}", headers=h).json()
    assert sorted(s["participant_id"] for s in detail["shifts"] if s["team_id"] == team["id"]) == sorted([kari, ola])
    assert client.post(f"/api/v1/days/{day['id']}/assign", json={"participant_id": 999999}, headers=h).status_code == 404


@pytest.fixture
def shift(world, setup):
    with world.db(world.a) as db:
        day = day_service.program_day(db, world.a.org.id, db.merge(world.a.site), DAY)
        team = day_service.create_team(db, day, "Vedbua", None, [])
        s = day_service.assign_to_team(db, day, db.get(Participant, setup["people"][0]), team)
        return {"day": day.id, "shift": s.id}


def _shift(world, sid):
    with world.db(world.a) as db:
        s = db.get(Shift, sid)
        return s.outcome, s.hours


def test_shift_outcomes_and_hours(world, client, shift):
    h = bearer(api_token(world, world.a, "work_leader"))
    url = f"/api/v1/days/{shift['day']}/shifts/{shift['shift']}"
    r = client.patch(url, json={"outcome": "worked", "hours": "5.5"}, headers=h)
    assert r.status_code == 200 and r.json()["outcome"] == "worked" and Decimal(r.json()["hours"]) == Decimal("5.5")
    assert _shift(world, shift["shift"]) == ("worked", Decimal("5.5"))
    login(client, world.a.users["work_leader"])
    # A comma is how people write decimals in Norway.
    assert post_form(client, f"/days/{shift['day']}/shifts/{shift['shift']}", {"outcome": "left_early", "hours": "2,5"}).status_code == 303
    assert _shift(world, shift["shift"]) == ("left_early", Decimal("2.5"))
    assert post_form(client, f"/days/{shift['day']}/shifts/{shift['shift']}", {"outcome": "sent_home", "hours": ""}).status_code == 303
    assert _shift(world, shift["shift"]) == ("sent_home", None)
    # A no-show has no hours (hours are what pay is computed from).
    r = client.patch(url, json={"outcome": "no_show", "hours": "3"}, headers={**h, "Accept-Language": "nb"})
    assert r.status_code == 422 and r.json()["errors"]["hours"] == "Den som ikke kom, har ingen timer."
    r = post_form(client, f"/days/{shift['day']}/shifts/{shift['shift']}", {"outcome": "no_show", "hours": "3"}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and "Someone who did not come has no hours." in r.text
    assert _shift(world, shift["shift"]) == ("sent_home", None)
    assert client.patch(url, json={"outcome": "no_show", "hours": "0"}, headers=h).status_code == 200
    assert client.patch(url, json={"outcome": "no_show"}, headers=h).json()["hours"] is None
    assert client.patch(url, json={"outcome": "worked", "hours": "24.5"}, headers=h).status_code == 422
    # Outside what the schema allows (a decimal as a JSON number, an outcome not in the enum): 400 (docs/api.md).
    for bad in ({"outcome": "worked", "hours": 6.5}, {"outcome": "holiday"}):
        assert client.patch(url, json=bad, headers=h).status_code == 400, bad
    assert _shift(world, shift["shift"]) == ("no_show", None)


def test_a_shift_is_reached_only_through_its_own_day(world, client, shift, setup):
    h = bearer(api_token(world, world.a, "work_leader"))
    other = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": "2026-06-04"}, headers=h).json()
    assert client.patch(f"/api/v1/days/{other['id']}/shifts/{shift['shift']}", json={"outcome": "worked"}, headers=h).status_code == 404
    login(client, world.a.users["work_leader"])
    assert post_form(client, f"/days/{other['id']}/shifts/{shift['shift']}", {"outcome": "worked"}).status_code == 404
    assert _shift(world, shift["shift"]) == ("planned", None)


def test_days_api_lists_by_date_and_updates(world, client):
    h = bearer(api_token(world, world.a, "leader"))
    for d in ("2026-06-01", "2026-06-02", "2026-06-05"):
        assert client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": d}, headers=h).status_code == 201
    items = client.get("/api/v1/days?date_from=2026-06-02&date_to=2026-06-04", headers=h).json()["items"]
    assert [i["date"] for i in items] == ["2026-06-02"]
    day_id = items[0]["id"]
    r = client.patch(f"/api/v1/days/{day_id}", json={"is_open": False, "note": "Helligdag"}, headers=h)
    assert r.json() == {**r.json(), "is_open": False, "note": "Helligdag", "capacity": None}
    r = client.patch(f"/api/v1/days/{day_id}", json={"capacity": 15}, headers=h)
    assert (r.json()["capacity"], r.json()["is_open"], r.json()["note"]) == (15, False, "Helligdag")
    # Beyond what the schema allows (0 to 1000 places): 400, as docs/api.md says.
    assert client.patch(f"/api/v1/days/{day_id}", json={"capacity": 1001}, headers=h).status_code == 400
    # Planning is days.plan: a work leader may see and staff the day, not close it or change its places.
    hw = bearer(api_token(world, world.a, "work_leader"))
    assert client.patch(f"/api/v1/days/{day_id}", json={"is_open": True}, headers=hw).status_code == 403
    r = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": "2026-06-09", "is_open": False}, headers=hw)
    assert r.status_code == 403
    assert client.get("/api/v1/days?date_from=2026-06-09&date_to=2026-06-09", headers=h).json()["items"] == []
    # From a site and a date to the day's id.
    items = client.get(f"/api/v1/days?site_id={world.a.site.id}&date_from=2026-06-05&date_to=2026-06-05", headers=h).json()["items"]
    assert [(i["site_id"], i["date"]) for i in items] == [(world.a.site.id, "2026-06-05")]
    # A closed day created through the API stays closed.
    r = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": "2026-06-06", "is_open": False}, headers=h)
    assert r.json()["is_open"] is False
    # Another organization's days are not listed.
    hb = bearer(api_token(world, world.b, "leader"))
    assert client.get("/api/v1/days", headers=hb).json()["items"] == []
