"""The door that knows Norwegian names (issue 15): search by the letters of a name with Æ, Ø
and Å in either case, results that tell namesakes apart, a warning before a newcomer whose
name exists, and undo of a registration until check-in closes. Page and API alike."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select

from core.models import AccessLogEntry, Attendance, Participant, ProgramDay
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.checkin import check_in
from plugins.dagsverk_lottery.models import CheckIn
from tests.conftest import api_token, bearer, login, post_form
from tests.plugins.dagsverk_lottery.conftest import open_day, weekday

A = "/api/v1/dagsverk"


def _people(world: Any) -> dict[str, int]:
    with world.db(world.a) as db:
        org = world.a.org.id
        made = {
            "oyvind1": Participant(organization_id=org, first_name="Øyvind", last_name="Amundsen", birth_date=dt.date(1971, 5, 17), card_code="K-1042"),
            "oyvind2": Participant(organization_id=org, first_name="Øyvind", last_name="Amundsen", nickname="Gubben", birth_date=dt.date(1988, 2, 1),
                                   card_code="K-2077", phone="99887766"),
            "aase": Participant(organization_id=org, first_name="Åse", last_name="Kristoffersen"),
            "aerlig": Participant(organization_id=org, first_name="Ærlig", last_name="Ødegård"),
            "ola": Participant(organization_id=org, first_name="Ola", last_name="Nordmann"),
        }
        db.add_all(made.values())
        db.commit()
        return {k: p.id for k, p in made.items()}


def _day(world: Any, offset: int = 0) -> tuple[int, str]:
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(offset))
        return day.id, day.date.isoformat()


def _results(html: str) -> str:
    return html.split('id="dv-results"', 1)[1].split("</section>", 1)[0]


def test_the_search_page_finds_norwegian_letters_in_either_case(world, client) -> None:  # type: ignore[no-untyped-def]
    ids = _people(world)
    _day_id, date = _day(world)
    login(client, world.a.users["work_leader"])
    for typed in ("øyv", "Øyv", "ØYV", "øyvind am", "oyv"):
        found = _results(client.get("/dagsverk/checkin", params={"date": date, "q": typed}).text)
        assert found.count("Øyvind Amundsen") == 2, typed
        assert "Ola" not in found and "Nobody found" not in found
    for typed, name in (("åse", "Åse Kristoffersen"), ("Kristofersen", "Åse Kristoffersen"), ("ÆR", "Ærlig Ødegård"),
                        ("ødeg", "Ærlig Ødegård"), ("odeg", "Ærlig Ødegård")):
        assert name in _results(post_form(client, "/dagsverk/checkin", {"date": date, "q": typed}).text), typed
    # What tells the two Øyvind Amundsen apart: birth year, the card's end, the nickname, never the phone.
    found = _results(client.get("/dagsverk/checkin", params={"date": date, "q": "øyvind"}).text)
    assert "born 1971" in found and "born 1988" in found and "card …042" in found and "card …077" in found
    assert "(Gubben)" in found and "not here before" in found and "99887766" not in found
    assert ids


def test_the_api_search_answers_what_tells_people_apart(world, client) -> None:  # type: ignore[no-untyped-def]
    ids = _people(world)
    day_id, _date = _day(world, 1)
    with world.db(world.a) as db:
        earlier = open_day(db, world.a, weekday(0))
        check_in(db, earlier, db.get(Participant, ids["oyvind2"]), None)
        check_in(db, db.get(ProgramDay, day_id), db.get(Participant, ids["ola"]), None)
    h = bearer(api_token(world, world.a, "work_leader"))
    r = client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": "ØYVIND amundsen"}, headers=h)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    # The one here most recently first.
    assert [i["participant_id"] for i in items] == [ids["oyvind2"], ids["oyvind1"]]
    first = items[0]
    assert first == {"participant_id": ids["oyvind2"], "name": "Øyvind Amundsen (Gubben)", "nickname": "Gubben", "birth_year": 1988,
                     "card_code_end": "077", "last_seen_on": weekday(0).isoformat(), "is_registered": False, "by_card": False}
    assert "phone" not in first
    card = client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": "K-1042"}, headers=h).json()["items"]
    assert [(i["participant_id"], i["by_card"]) for i in card] == [(ids["oyvind1"], True)]
    ola = client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": "ola"}, headers=h).json()["items"]
    assert ola[0]["is_registered"] is True
    assert client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": ""}, headers=h).json() == {"items": []}
    # Not for a role without the door's permission; not another organization's day.
    assert client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": "øy"}, headers=bearer(api_token(world, world.a, "payroll"))).status_code == 403
    assert client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": "øy"}, headers=bearer(api_token(world, world.b, "leader"))).status_code in (403, 404)


def test_the_participants_list_finds_the_same_names(world, client) -> None:  # type: ignore[no-untyped-def]
    _people(world)
    login(client, world.a.users["leader"])
    for typed in ("øyv", "ØYV", "oyvind"):
        assert client.get("/participants", params={"q": typed}).text.count("Amundsen") >= 2, typed
    h = bearer(api_token(world, world.a, "leader"))
    assert client.get("/api/v1/participants", params={"q": "ødegård"}, headers=h).json()["total"] == 1


def test_a_newcomer_with_a_name_that_exists_is_asked_about_first_page(world, client) -> None:  # type: ignore[no-untyped-def]
    ids = _people(world)
    day_id, date = _day(world)
    login(client, world.a.users["work_leader"])
    r = post_form(client, f"/dagsverk/days/{day_id}/newcomer", {"first_name": "øyvind"})
    assert r.status_code == 409
    assert "These people have similar names. Is it one of them?" in r.text
    assert r.text.count("Øyvind Amundsen") >= 2 and "born 1971" in r.text
    assert 'value="øyvind"' in r.text  # kept for "add anyway"
    with world.db(world.a) as db:
        assert db.scalar(select(func.count()).select_from(Participant)) == len(ids)
    # "It is him": the button checks the existing person in.
    r = post_form(client, f"/dagsverk/days/{day_id}/checkin", {"participant_id": ids["oyvind1"]})
    assert r.status_code == 303
    # Or add anyway, confirmed.
    r = post_form(client, f"/dagsverk/days/{day_id}/newcomer", {"first_name": "øyvind", "confirm_new_person": "1"})
    assert r.status_code == 303
    with world.db(world.a) as db:
        assert db.scalar(select(func.count()).select_from(Participant)) == len(ids) + 1
    # A name nobody has goes straight in, as before.
    assert post_form(client, f"/dagsverk/days/{day_id}/newcomer", {"first_name": "Zacharias"}).status_code == 303
    page = client.get("/dagsverk/checkin", params={"date": date}, headers={"Accept-Language": "nb"})
    assert "Angre registrering" in page.text


def test_a_newcomer_with_a_name_that_exists_is_refused_409_by_the_api_unless_confirmed(world, client) -> None:  # type: ignore[no-untyped-def]
    ids = _people(world)
    day_id, _date = _day(world)
    h = bearer(api_token(world, world.a, "work_leader"))
    r = client.post(f"{A}/days/{day_id}/newcomer", json={"first_name": "Aase"}, headers=h)  # Aase/Åse: same name
    assert r.status_code == 409, r.text
    body = r.json()
    assert [s["participant_id"] for s in body["similar"]] == [ids["aase"]]
    assert body["errors"]["confirm_new_person"] == body["detail"] and "Åse Kristoffersen" in body["detail"]
    r = client.post(f"{A}/days/{day_id}/newcomer", json={"first_name": "Aase", "confirm_new_person": True}, headers=h)
    assert r.status_code == 201 and r.json()["is_new"] is True


def _present(world: Any, day_id: int, pid: int) -> tuple[int, int]:
    with world.db(world.a) as db:
        return (db.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.day_id == day_id, CheckIn.participant_id == pid)) or 0,
                db.scalar(select(func.count()).select_from(Attendance).where(Attendance.day_id == day_id, Attendance.participant_id == pid)) or 0)


def test_a_registration_is_undone_on_the_page_and_logged(world, client) -> None:  # type: ignore[no-untyped-def]
    ids = _people(world)
    day_id, date = _day(world)
    login(client, world.a.users["work_leader"])
    assert post_form(client, f"/dagsverk/days/{day_id}/checkin", {"participant_id": ids["aerlig"]}).status_code == 303
    page = client.get("/dagsverk/checkin", params={"date": date})
    assert "Undo registration" in page.text and "Undo the registration of Ærlig Ødegård?" in page.text
    with world.db(world.a) as db:
        assert db.get(Participant, ids["aerlig"]).first_seen_on == weekday(0)
    r = post_form(client, f"/dagsverk/days/{day_id}/undo-checkin", {"participant_id": ids["aerlig"]})
    assert r.status_code == 303 and f"undone={ids['aerlig']}" in r.headers["location"]
    assert "Registration undone: Ærlig Ødegård" in client.get(r.headers["location"]).text
    assert _present(world, day_id, ids["aerlig"]) == (0, 0)
    with world.db(world.a) as db:
        # The first day goes back to what it was (none), and the log says who undid it, naming no one.
        assert db.get(Participant, ids["aerlig"]).first_seen_on is None
        entry = db.scalars(select(AccessLogEntry).where(AccessLogEntry.subject_id == ids["aerlig"])).one()
        assert (entry.action, entry.category, entry.source, entry.staff_user_id) == ("change", "work", "dagsverk_lottery", world.a.users["work_leader"].id)
        assert not re.search(r"\d", entry.page)
    # Someone not registered: a clear message, nothing changed.
    r = post_form(client, f"/dagsverk/days/{day_id}/undo-checkin", {"participant_id": ids["aerlig"]})
    assert r.status_code == 400 and "This person is not registered today." in r.text


def test_undo_is_refused_once_check_in_has_closed(world, client) -> None:  # type: ignore[no-untyped-def]
    ids = _people(world)
    day_id, date = _day(world)
    with world.db(world.a) as db:
        day = db.get(ProgramDay, day_id)
        for key in ("oyvind1", "aase"):
            check_in(db, day, db.get(Participant, ids[key]), None)
    h = bearer(api_token(world, world.a, "work_leader"))
    r = client.post(f"{A}/days/{day_id}/undo-checkin", json={"participant_id": ids["aase"]}, headers=h)
    assert r.status_code == 200 and r.json() == {"participant_id": ids["aase"], "day_id": day_id, "registered": False}
    assert _present(world, day_id, ids["aase"]) == (0, 0)
    with world.db(world.a) as db:
        draws.seal(db, db.get(ProgramDay, day_id), None)
    r = client.post(f"{A}/days/{day_id}/undo-checkin", json={"participant_id": ids["oyvind1"]}, headers=h)
    assert r.status_code == 409 and r.json()["errors"]["__all__"] == "Check-in has closed: a registration can no longer be undone."
    nb = client.post(f"{A}/days/{day_id}/undo-checkin", json={"participant_id": ids["oyvind1"]}, headers={**h, "Accept-Language": "nb"})
    assert nb.status_code == 409
    login(client, world.a.users["work_leader"])
    page = client.get("/dagsverk/checkin", params={"date": date})
    assert "Undo registration" not in page.text  # no button once closed
    r = post_form(client, f"/dagsverk/days/{day_id}/undo-checkin", {"participant_id": ids["oyvind1"]}, headers={"Accept-Language": "nb"})
    assert r.status_code == 409 and "Innsjekkingen er stengt: en registrering kan ikke lenger angres." in r.text
    assert _present(world, day_id, ids["oyvind1"]) == (1, 1)
    # Not for a role without the door's permission.
    assert client.post(f"{A}/days/{day_id}/undo-checkin", json={"participant_id": ids["oyvind1"]},
                       headers=bearer(api_token(world, world.a, "payroll"))).status_code == 403


def test_last_seen_is_said_as_staff_say_it() -> None:
    from core.i18n import today, use_locale
    from plugins.dagsverk_lottery.checkin import seen_text

    with use_locale("nb"):
        assert (seen_text(today()), seen_text(today() - dt.timedelta(days=1)), seen_text(None)) == ("i dag", "i går", "")
        assert seen_text(dt.date(2026, 3, 2)) == "2. mars 2026"
    with use_locale("en"):
        assert (seen_text(today()), seen_text(today() - dt.timedelta(days=1))) == ("today", "yesterday")
        assert seen_text(dt.date(2026, 3, 2)) == "2 Mar 2026"


def test_odd_input_to_the_search_is_answered_not_crashed(world, client) -> None:  # type: ignore[no-untyped-def]
    _people(world)
    day_id, date = _day(world)
    h = bearer(api_token(world, world.a, "work_leader"))
    for q in ("\x00", "øy\x00v", "%", "_", "\\", "' OR 1=1 --", "ø" * 200, "a b c d e f g", "١٢٣", "😀"):
        r = client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": q}, headers=h)
        assert r.status_code in (200, 400), (q, r.status_code)
    assert client.get(f"{A}/days/{day_id}/checkin-candidates", params={"q": "øy\x00v"}, headers=h).json()["items"][0]["name"].startswith("Øyvind")
    login(client, world.a.users["work_leader"])
    assert client.get("/dagsverk/checkin", params={"date": date, "q": "\x00øyv"}).status_code == 200
