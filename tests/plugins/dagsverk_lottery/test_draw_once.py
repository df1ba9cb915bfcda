"""A draw runs once per day, even when two requests ask at the same moment."""
from __future__ import annotations

import threading

from litestar.testing import TestClient
from sqlalchemy import func, select

from core.models import ProgramDay
from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.models import Draw, DrawEvent
from tests.conftest import api_token, bearer
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday


def _race(n: int, work) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_two_concurrent_service_calls_make_one_draw(world):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(), capacity=5)
        check_in_all(db, day, people(db, world.a, 12))
        day_id = day.id

    def work(_i: int):
        with world.db(world.a) as db:
            d = db.get(ProgramDay, day_id)
            draw = draws.run(db, d, None)
            return draw.id, draw.seed, sorted((e.participant_id, e.result, e.reserve_number) for e in draw.entrants)

    results = _race(4, work)
    assert len(set(r[0] for r in results)) == 1
    assert len(set(r[1] for r in results)) == 1
    assert all(r[2] == results[0][2] for r in results)
    with world.db(world.a) as db:
        assert db.scalar(select(func.count()).select_from(Draw)) == 1
        assert db.scalar(select(func.count()).select_from(DrawEvent).where(DrawEvent.kind == "drawn")) == 1


def test_two_concurrent_api_requests_make_one_draw(world, app):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(1), capacity=4)
        check_in_all(db, day, people(db, world.a, 9))
        draws.seal(db, day, None)  # numbers are typed after check-in closes (dagsverk-lottery/2)
        day_id = day.id
    tokens = [api_token(world, world.a, "work_leader"), api_token(world, world.a, "leader")]

    # Two clients (two devices), started here; only the requests race.
    with TestClient(app, base_url="http://testserver.local") as c0, TestClient(app, base_url="http://testserver.local") as c1:
        clients = [c0, c1]

        def work(i: int):
            # Two devices, two sets of numbers typed: one draw, with the numbers of the request that won.
            r = clients[i].post(f"/api/v1/dagsverk/days/{day_id}/draw", json={"numbers": [i + 1, 7]}, headers=bearer(tokens[i]))
            assert r.status_code == 200, r.text
            return r.json()

        a, b = _race(2, work)
    assert a["id"] == b["id"] and a["seed"] == b["seed"] and a["entrants"] == b["entrants"]
    assert a["contribution"] == b["contribution"] in ("1.7./", "2.7./")
    with world.db(world.a) as db:
        assert db.scalar(select(func.count()).select_from(Draw)) == 1


def test_a_second_draw_returns_the_first_and_voiding_allows_a_new_one(world):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(2), capacity=3)
        check_in_all(db, day, people(db, world.a, 6))
        first = draws.run(db, day, None)
        again = draws.run(db, day, None)
        assert again.id == first.id and again.seed == first.seed
        voided = draws.void(db, first, world.a.users["leader"].id, "Drew before the last bus came")
        assert voided.status == "voided"
        second = draws.run(db, day, None)
        assert second.id != first.id and second.attempt == 2 and second.status == "drawn"
        log = db.scalars(select(DrawEvent).where(DrawEvent.draw_id == first.id, DrawEvent.kind == "voided")).one()
        assert log.note == "Drew before the last bus came" and log.staff_id == world.a.users["leader"].id
