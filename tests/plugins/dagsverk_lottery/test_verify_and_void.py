"""A draw is checkable: recomputed from what was stored, tampering shows, and voiding
needs a leader and a reason."""
from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from plugins.dagsverk_lottery import draws
from plugins.dagsverk_lottery.cli import dagsverk
from plugins.dagsverk_lottery.models import Draw, DrawEntrant
from tests.conftest import api_token, bearer, login, post_form
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday


def _drawn(world, n=8, capacity=3):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=capacity)
        check_in_all(db, day, people(db, world.a, n))
        return draws.run(db, day, None).id


def test_fingerprint_before_seed_after(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=2)
        check_in_all(db, day, people(db, world.a, 4))
        sealed = draws.seal(db, day, None)
    login(client, world.a.users["payroll"])  # any staff may watch the screen
    state = client.get(f"/dagsverk/screen/state?date={weekday(0).isoformat()}").json()
    assert state["status"] == "sealed" and state["fingerprint"] == sealed.seed_sha256 and state["seed"] is None
    token = api_token(world, world.a, "work_leader")
    body = client.get(f"/api/v1/dagsverk/days/{sealed.day_id}/draw", headers=bearer(token)).json()
    assert body["draw"]["seed"] is None and body["draw"]["entrants"][0]["result"] is None
    assert client.get(f"/api/v1/dagsverk/draws/{sealed.id}", headers=bearer(token)).json() == body["draw"]
    with world.db(world.a) as db:
        draws.perform(db, db.get(Draw, sealed.id), None)
    state = client.get(f"/dagsverk/screen/state?date={weekday(0).isoformat()}").json()
    assert state["status"] == "drawn" and state["seed"] == sealed.seed and len(state["drawn"]) == 2


def test_tampering_with_a_stored_entrant_makes_the_check_fail(world, client):
    draw_id = _drawn(world)
    login(client, world.a.users["work_leader"])
    assert "The draw matches" in client.get(f"/dagsverk/draws/{draw_id}/verify").text
    with world.db(world.a) as db:
        loser = db.scalars(select(DrawEntrant).where(DrawEntrant.draw_id == draw_id, DrawEntrant.result == "reserve")).first()
        loser.right = "third_day"
        db.commit()
    page = client.get(f"/dagsverk/draws/{draw_id}/verify")
    assert "The draw does not match" in page.text
    token = api_token(world, world.a, "work_leader")
    assert client.get(f"/api/v1/dagsverk/draws/{draw_id}/verify", headers=bearer(token)).json()["matches"] is False


def test_swapping_a_result_makes_the_check_fail(world):
    draw_id = _drawn(world)
    with world.db(world.a) as db:
        draw = db.get(Draw, draw_id)
        winner = next(e for e in draw.entrants if e.result != "reserve")
        loser = next(e for e in draw.entrants if e.result == "reserve")
        winner.result, loser.result = loser.result, winner.result
        db.commit()
        assert not draws.verify(db.get(Draw, draw_id)).matches


def test_the_cli_recomputes_and_reports(world, monkeypatch):
    draw_id = _drawn(world)
    runner = CliRunner()
    result = runner.invoke(dagsverk, ["verify", "alpha"])
    assert result.exit_code == 0, result.output
    assert "MATCHES" in result.output and "1 draws checked, 0 do not match" in result.output
    with world.db(world.a) as db:
        e = db.scalars(select(DrawEntrant).where(DrawEntrant.draw_id == draw_id)).first()
        db.delete(e)
        db.commit()
    result = runner.invoke(dagsverk, ["verify", "alpha", "--date", weekday(0).isoformat()])
    assert result.exit_code == 1 and "DOES NOT MATCH" in result.output


def test_voiding_needs_a_leader_and_a_reason(world, client):
    draw_id = _drawn(world)
    login(client, world.a.users["work_leader"])
    assert post_form(client, f"/dagsverk/draws/{draw_id}/void", {"reason": "x"}).status_code == 403
    client.cookies.clear()
    login(client, world.a.users["leader"])
    r = post_form(client, f"/dagsverk/draws/{draw_id}/void", {"reason": "  "})
    assert r.status_code == 400
    r = post_form(client, f"/dagsverk/draws/{draw_id}/void", {"reason": "The list was wrong"})
    assert r.status_code == 303
    page = client.get(f"/dagsverk/draw?date={weekday(0).isoformat()}")
    assert "The list was wrong" in page.text
    token = api_token(world, world.a, "work_leader")
    assert client.post(f"/api/v1/dagsverk/draws/{draw_id}/void", json={"reason": "x"}, headers=bearer(token)).status_code == 403


def test_day_before_mode_declined_place_goes_to_the_next_reserve(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=2)
        check_in_all(db, day, people(db, world.a, 5))
        draw = draws.seal(db, day, None, mode="day_before")
        draw = draws.perform(db, draw, None)
        first = next(e for e in draw.entrants if e.position == 1)
        reserve1 = next(e for e in draw.entrants if e.reserve_number == 1)
        promoted = draws.record_call(db, draw, first.participant_id, "declined", None)
        assert promoted is not None and promoted.participant_id == reserve1.participant_id
        draw = db.get(Draw, draw.id)
        assert reserve1.participant_id in draws.drawn_ids(draw) and first.participant_id not in draws.drawn_ids(draw)
    login(client, world.a.users["work_leader"])
    page = client.get(f"/dagsverk/draw?date={weekday(0).isoformat()}")
    assert "Phone call" in page.text and "called in" in page.text
