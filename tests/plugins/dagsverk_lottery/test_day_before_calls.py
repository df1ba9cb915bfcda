"""Day-before mode as the staff's phone (issue 15): a call list with phone numbers for
those who call and for nobody else, every row starting as "not called yet", a decline
giving the place to the next reserve at once and "not reached" at the program's deadline
(once, logged), undo until the deadline, and the big screen following each change."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from core.i18n import OSLO
from core.models import Participant
from plugins.dagsverk_lottery import calls, draws
from plugins.dagsverk_lottery.models import Draw, DrawEntrant, DrawEvent
from tests.conftest import ROLES, api_token, bearer, login, post_form
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday

DAY = weekday(1)
BEFORE = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(15, 0), tzinfo=OSLO)
AFTER = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(18, 1), tzinfo=OSLO)
A = "/api/v1/dagsverk"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.datetime]:
    """The afternoon before the day, before the deadline (18:00); tests move it on."""
    moment = {"now": BEFORE}
    monkeypatch.setattr(calls, "now", lambda: moment["now"])
    return moment


@pytest.fixture
def drawn(world) -> dict[str, Any]:
    """A day-before draw with 2 places and 3 reserves; everyone has a phone number."""
    with world.db(world.a) as db:
        day = open_day(db, world.a, DAY, capacity=2)
        persons = people(db, world.a, 5, prefix="Åse")
        for i, p in enumerate(persons):
            p.phone = f"9{i}0 00 00{i}"
        db.commit()
        check_in_all(db, day, persons)
        draw = draws.perform(db, draws.seal(db, day, None, mode="day_before"), None)
        placed = [e.participant_id for e in sorted(draw.entrants, key=lambda e: e.position or 0) if e.result != "reserve"]
        reserves = [e.participant_id for e in sorted(draw.entrants, key=lambda e: e.reserve_number or 0) if e.result == "reserve"]
        phones = {p.id: p.phone for p in persons}
        return {"draw": draw.id, "placed": placed, "reserves": reserves, "phones": phones}


def _state(client: Any) -> dict[str, Any]:
    return client.get(f"/dagsverk/screen/state?date={DAY.isoformat()}").json()


def _names(world: Any, ids: list[int]) -> list[str]:
    with world.db(world.a) as db:
        return [db.get(Participant, i).first_name for i in ids]


def test_every_row_starts_as_not_called_yet(world, client, drawn, clock):
    login(client, world.a.users["work_leader"])
    page = client.get(f"/dagsverk/draw?date={DAY.isoformat()}").text
    assert page.count("Not called yet") == 2 and 'aria-pressed="true"' not in page
    out = client.get(f"{A}/draws/{drawn['draw']}/calls", headers=bearer(api_token(world, world.a, "work_leader"))).json()
    assert [r["call_status"] for r in out["items"]] == ["not_called", "not_called"]
    assert [r["participant_id"] for r in out["items"]] == drawn["placed"] and out["deadline_passed"] is False
    assert out["deadline"] == "2026-03-02T17:00:00Z"  # 18:00 in Oslo on the day before


def test_phone_numbers_only_for_those_who_call_page_api_and_never_on_the_big_screen(world, client, drawn, clock):
    number = drawn["phones"][drawn["placed"][0]]
    for role in ROLES:
        client.cookies.clear()
        login(client, world.a.users[role])
        page = client.get(f"/dagsverk/draw?date={DAY.isoformat()}")
        api = client.get(f"{A}/draws/{drawn['draw']}/calls", headers=bearer(api_token(world, world.a, role)))
        calls_them = role in ("admin", "leader", "work_leader")  # dagsverk.draw: who records the calls
        if page.status_code == 403:
            assert api.status_code == 403 and role == "payroll"
            continue
        assert (number in page.text) is calls_them, role
        phones = [r["phone"] for r in api.json()["items"]]
        assert phones == ([drawn["phones"][p] for p in drawn["placed"]] if calls_them else [None, None]), role
        screen = client.get(f"/dagsverk/screen?date={DAY.isoformat()}").text + str(_state(client))
        assert number not in screen and number.replace(" ", "") not in screen


def test_a_decline_gives_the_place_to_the_next_reserve_and_the_screen_follows(world, client, drawn, clock):
    login(client, world.a.users["work_leader"])
    before = _state(client)
    first, reserve = drawn["placed"][0], drawn["reserves"][0]
    r = post_form(client, f"/dagsverk/draws/{drawn['draw']}/calls", {"participant_id": str(first), "call_status": "declined"})
    assert r.status_code == 303
    after = _state(client)
    assert after != before
    drawn_names = [d["name"] for d in after["drawn"]]
    waiting = [d["name"] for d in after["reserve"]]
    assert len(drawn_names) == 2 and len(waiting) == 2
    # The screen's names start with the first name (however the screen shortens the rest).
    first_names = _names(world, [drawn["placed"][1], reserve, *drawn["reserves"][1:]])
    assert [n.split()[0] for n in drawn_names + waiting] == first_names
    with world.db(world.a) as db:
        draw = db.get(Draw, drawn["draw"])
        assert draws.drawn_ids(draw) == [drawn["placed"][1], reserve]
        kinds = [e.kind for e in db.scalars(select(DrawEvent).where(DrawEvent.draw_id == draw.id).order_by(DrawEvent.id))]
        assert kinds[-2:] == ["call_declined", "called_in"]


def test_not_reached_keeps_the_place_until_the_deadline_then_frees_it_once(world, client, drawn, clock):
    h = bearer(api_token(world, world.a, "leader"))
    login(client, world.a.users["social_worker"])  # the big screen, seen by anyone
    first, reserve = drawn["placed"][0], drawn["reserves"][0]
    r = client.post(f"{A}/draws/{drawn['draw']}/calls", json={"participant_id": first, "call_status": "not_reached"}, headers=h)
    assert r.status_code == 200 and r.json()["called_in_participant_id"] is None
    with world.db(world.a) as db:
        assert first in draws.drawn_ids(db.get(Draw, drawn["draw"]))
    clock["now"] = AFTER
    for _ in range(3):  # the list, the screen and the list again: freed once
        out = client.get(f"{A}/draws/{drawn['draw']}/calls", headers=h).json()
        _state(client)
    assert out["deadline_passed"] is True
    rows = {r["participant_id"]: r for r in out["items"]}
    assert rows[first]["has_place"] is False and rows[first]["call_status"] == "not_reached"
    assert rows[reserve]["has_place"] is True and rows[reserve]["call_status"] == "not_called" and rows[reserve]["reserve_number"] == 1
    with world.db(world.a) as db:
        draw = db.get(Draw, drawn["draw"])
        assert draws.drawn_ids(draw) == [drawn["placed"][1], reserve]
        events = [(e.kind, e.note, e.staff_id) for e in db.scalars(select(DrawEvent).where(DrawEvent.draw_id == draw.id,
                                                                                         DrawEvent.kind.in_(("place_freed", "called_in"))))]
        assert sorted(events) == [("called_in", str(reserve), None), ("place_freed", str(first), None)]
        called = db.scalars(select(DrawEntrant).where(DrawEntrant.draw_id == draw.id, DrawEntrant.called_in)).all()
        assert [e.participant_id for e in called] == [reserve]
    # The person whose place went keeps it gone: the status cannot be changed or undone now.
    r = client.post(f"{A}/draws/{drawn['draw']}/calls", json={"participant_id": first, "call_status": "reached"}, headers=h)
    assert r.status_code == 409


def test_undo_before_the_deadline_and_not_after(world, client, drawn, clock):
    h = bearer(api_token(world, world.a, "work_leader"))
    first, second, reserve = drawn["placed"][0], drawn["placed"][1], drawn["reserves"][0]

    def call(pid: int, status: str) -> Any:
        return client.post(f"{A}/draws/{drawn['draw']}/calls", json={"participant_id": pid, "call_status": status}, headers=h)

    assert call(second, "reached").status_code == 200
    assert call(second, "not_called").status_code == 200
    # A decline by mistake: undoing it takes the place back from the reserve, not yet called.
    assert call(first, "declined").json()["called_in_participant_id"] == reserve
    assert call(first, "not_called").status_code == 200
    with world.db(world.a) as db:
        draw = db.get(Draw, drawn["draw"])
        assert draws.drawn_ids(draw) == drawn["placed"]
        assert [e.call_status for e in draw.entrants if e.participant_id in drawn["placed"]] == ["", ""]
    # Once the reserve has been called, the decline stands.
    assert call(first, "declined").json()["called_in_participant_id"] == reserve
    assert call(reserve, "reached").status_code == 200
    r = call(first, "not_called")
    assert r.status_code == 409
    login(client, world.a.users["work_leader"])
    page = post_form(client, f"/dagsverk/draws/{drawn['draw']}/calls", {"participant_id": str(first), "call_status": "not_called"},
                     headers={"Accept-Language": "nb"})
    assert page.status_code == 409 and "Plassen har allerede gått til neste reserve" in page.text
    clock["now"] = AFTER
    assert call(second, "reached").status_code == 200  # a call still ends in a status after the deadline
    assert call(second, "not_called").status_code == 409  # but is not undone


def test_someone_without_a_place_has_no_call_and_a_sealed_draw_no_list(world, client, drawn, clock):
    h = bearer(api_token(world, world.a, "leader"))
    r = client.post(f"{A}/draws/{drawn['draw']}/calls", json={"participant_id": drawn["reserves"][1], "call_status": "reached"}, headers=h)
    assert r.status_code == 422
    r = client.post(f"{A}/draws/{drawn['draw']}/calls", json={"participant_id": drawn["placed"][0], "call_status": "maybe"}, headers=h)
    assert r.status_code in (400, 422)
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(2))
        check_in_all(db, day, people(db, world.a, 2, prefix="Øy"))
        sealed = draws.seal(db, day, None, mode="day_before")
    assert client.get(f"{A}/draws/{sealed.id}/calls", headers=h).status_code == 422


def test_the_program_sets_the_deadline(world, client, drawn, clock):
    login(client, world.a.users["leader"])
    assert post_form(client, "/dagsverk/calendar/settings", {"call_deadline": "25:00"}).status_code == 400
    assert post_form(client, "/dagsverk/calendar/settings", {"call_deadline": "16:00"}).status_code == 303
    out = client.get(f"{A}/draws/{drawn['draw']}/calls", headers=bearer(api_token(world, world.a, "leader"))).json()
    assert out["deadline"] == "2026-03-02T15:00:00Z" and out["deadline_passed"] is False  # the clock says 15:00
    clock["now"] = BEFORE + dt.timedelta(hours=1)
    assert client.get(f"{A}/draws/{drawn['draw']}/calls", headers=bearer(api_token(world, world.a, "leader"))).json()["deadline_passed"]
    client.cookies.clear()
    login(client, world.a.users["work_leader"])  # a work leader calls but does not set the program's deadline
    assert post_form(client, "/dagsverk/calendar/settings", {"call_deadline": "20:00"}).status_code == 403


def test_not_reached_after_the_deadline_frees_the_place_at_once(world, client, drawn, clock):
    clock["now"] = AFTER
    h = bearer(api_token(world, world.a, "work_leader"))
    second, reserve = drawn["placed"][1], drawn["reserves"][0]
    r = client.post(f"{A}/draws/{drawn['draw']}/calls", json={"participant_id": second, "call_status": "not_reached"}, headers=h)
    assert r.status_code == 200 and r.json()["called_in_participant_id"] == reserve
    client.get(f"{A}/draws/{drawn['draw']}/calls", headers=h)
    with world.db(world.a) as db:
        freed = db.scalars(select(DrawEvent.note).where(DrawEvent.draw_id == drawn["draw"], DrawEvent.kind == "place_freed")).all()
        called = db.scalars(select(DrawEntrant.participant_id).where(DrawEntrant.draw_id == drawn["draw"], DrawEntrant.called_in)).all()
    assert freed == [str(second)] and called == [reserve]
