"""Teams from the drawn people with the solver's hard constraints, moving and locking,
the end of the day, and pay flowing through the core's payable-work hook."""
from __future__ import annotations

import itertools
import random

from sqlalchemy import select

from core.models import Membership, Shift, StaffUser, Team, WorkOrder
from plugins.dagsverk_lottery import draws, teams
from plugins.dagsverk_lottery.models import OrderProfile, WorkProfile
from plugins.dagsverk_lottery.team_solver import Person, Slot, allowed, suggest
from tests.conftest import api_token, bearer, login, post_form, password_hash
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, wait_for_teams, weekday


def test_the_solver_respects_every_hard_constraint():
    rng = random.Random(3)
    persons = []
    for i in range(23):
        limits = frozenset(rng.sample(["no_heavy", "no_steep", "indoor_only"], 1)) if rng.random() < 0.3 else frozenset()
        persons.append(Person(i, f"P{i}", woman=rng.random() < 0.3, experienced=rng.random() < 0.5, limits=limits,
                              not_with=frozenset({i + 1}) if i % 5 == 0 else frozenset(), follow_up=i % 6 == 0,
                              history={"indoor": rng.randint(0, 5)}))
    slots = [Slot("fw", "Firewood", "firewood", heavy=True, fixed=True), Slot("in", "Indoor", "indoor", indoor=True, fixed=True)]
    slots += [Slot(f"o{j}", f"Order {j}", "order", order_id=j, heavy=j % 2 == 0, steep=j % 3 == 0, target=5) for j in range(6)]
    s = suggest(persons, slots, leaders=5, max_follow_up=1)
    assert s.status in ("OPTIMAL", "FEASIBLE") and not s.unplaced
    assert len(s.teams) <= 5
    by_key = {sl.key: sl for sl in slots}
    placed = [pid for members in s.teams.values() for pid in members]
    assert sorted(placed) == list(range(23))
    for key, members in s.teams.items():
        assert 4 <= len(members) <= 6
        assert sum(persons[m].follow_up for m in members) <= 1
        for m in members:
            assert allowed(persons[m], by_key[key])
        for a, b in itertools.combinations(members, 2):
            assert b not in persons[a].not_with and a not in persons[b].not_with
    assert {"fw", "in"} <= set(s.teams)


def test_variety_keeps_the_usual_indoor_person_outdoors():
    persons = [Person(i, f"P{i}", history={"indoor": 8} if i == 0 else {}) for i in range(8)]
    slots = [Slot("in", "Indoor", "indoor", indoor=True, fixed=True), Slot("out", "Outdoor", "order", order_id=1)]
    s = suggest(persons, slots, leaders=2)
    assert 0 in s.teams["out"]
    assert any(k == "variety" for k, _p in s.notes)


def _add_leaders(db, org, n):
    out = []
    for i in range(n):
        u = StaffUser(username=f"wl{i}-{org.org.slug}", full_name=f"Work leader {i}", password_hash=password_hash())
        db.add(u)
        db.flush()
        db.add(Membership(user_id=u.id, organization_id=org.org.id, role="work_leader"))
        out.append(u)
    db.commit()
    return out


def _drawn_day(world, n_people=12, capacity=12):
    with world.db(world.a) as db:
        persons = people(db, world.a, n_people, women=3)
        _add_leaders(db, world.a, 2)
        day = open_day(db, world.a, weekday(0), capacity=capacity)
        order = WorkOrder(organization_id=world.a.org.id, title="Steep lawn", status="scheduled", people_needed=4, heavy=False)
        db.add(order)
        db.flush()
        db.add(OrderProfile(organization_id=world.a.org.id, work_order_id=order.id, steep=True))
        db.add(WorkProfile(organization_id=world.a.org.id, participant_id=persons[0].id, limits=["no_steep"], preferences=[], not_with=[persons[1].id]))
        db.commit()
        check_in_all(db, day, persons)
        draws.run(db, day, None)
        return day.id, [p.id for p in persons], order.id


def test_suggest_move_lock_and_close_the_day(world, client):
    day_id, pids, order_id = _drawn_day(world)
    login(client, world.a.users["work_leader"])
    date = weekday(0).isoformat()
    r = post_form(client, f"/dagsverk/days/{day_id}/teams/suggest")
    assert r.status_code == 303, r.text[:2000]
    assert wait_for_teams(world, day_id) == "done"
    page = client.get(f"/dagsverk/teams?date={date}")
    assert "Why the suggestion looks like this" in page.text and "kept on different teams" in page.text
    with world.db(world.a) as db:
        teams = list(db.scalars(select(Team).where(Team.day_id == day_id)))
        shifts = {s.participant_id: s for s in db.scalars(select(Shift).where(Shift.day_id == day_id))}
        assert set(shifts) == set(pids)
        assert shifts[pids[0]].team_id != shifts[pids[1]].team_id
        lawn = next((t for t in teams if any(o.id == order_id for o in t.work_orders)), None)
        if lawn is not None:
            assert shifts[pids[0]].team_id != lawn.id
        first, second = teams[0], teams[1]
        mover = next(s.participant_id for s in shifts.values() if s.team_id == first.id)
    r = post_form(client, f"/dagsverk/days/{day_id}/teams/move", {"participant_id": mover, "team_id": second.id})
    assert r.status_code == 303
    r = post_form(client, f"/dagsverk/days/{day_id}/teams/{second.id}/lock", {"locked": "1"})
    assert r.status_code == 303
    with world.db(world.a) as db:
        locked_members = sorted(s.participant_id for s in db.scalars(select(Shift).where(Shift.team_id == second.id)))
    assert mover in locked_members
    # Suggest again: the locked team keeps exactly its people.
    assert post_form(client, f"/dagsverk/days/{day_id}/teams/suggest").status_code == 303
    assert wait_for_teams(world, day_id) == "done"
    with world.db(world.a) as db:
        assert sorted(s.participant_id for s in db.scalars(select(Shift).where(Shift.team_id == second.id))) == locked_members
        assert db.get(Team, second.id).locked
    # End of the day: one left early, one sent home, the rest worked; the lawn is not done.
    page = client.get(f"/dagsverk/end?date={date}")
    assert page.status_code == 200
    form = {f"outcome_{pid}": "worked" for pid in pids}
    form[f"outcome_{pids[2]}"] = "left_early"
    form[f"outcome_{pids[3]}"] = "no_show"
    with world.db(world.a) as db:
        has_lawn = db.scalars(select(Team).join(Team.work_orders).where(Team.day_id == day_id, WorkOrder.id == order_id)).first() is not None
    if has_lawn:
        form[f"order_{order_id}"] = "more"
        form[f"remaining_{order_id}"] = "The back slope"
    r = post_form(client, f"/dagsverk/days/{day_id}/end", form)
    assert r.status_code == 303, r.text[:2000]
    with world.db(world.a) as db:
        outcomes = {s.participant_id: s.outcome for s in db.scalars(select(Shift).where(Shift.day_id == day_id))}
        assert outcomes[pids[2]] == "left_early" and outcomes[pids[3]] == "no_show" and outcomes[pids[4]] == "worked"
        if has_lawn:
            assert db.get(WorkOrder, order_id).remaining == "The back slope"
    # Pay flows through the core's payable-work hook: worked days, not the no-show.
    ctx = client.app.state["ctx"]
    with world.db(world.a) as db:
        from core.models import Organization

        org = db.get(Organization, world.a.org.id)
        work = [w for res in ctx.plugins.for_organization("lavterskel_payable_work", org.enabled_plugins)(db=db, organization=org, start=weekday(0), end=weekday(0)) for w in res]
        paid = {w.participant_id for w in work if w.kind == "day"}
    assert pids[3] not in paid and {pids[2], pids[4]} <= paid


def test_teams_and_close_through_the_api(world, client):
    day_id, pids, _order = _drawn_day(world, n_people=9, capacity=9)
    token = api_token(world, world.a, "work_leader")
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/teams/suggest", json={}, headers=bearer(token))
    assert r.status_code == 202, r.text
    assert r.json()["status"] in ("queued", "running") and r.json()["status_url"].endswith(f"/days/{day_id}/teams/suggestion")
    assert wait_for_teams(world, day_id) == "done"
    assert client.get(r.json()["status_url"], headers=bearer(token)).json()["status"] == "done"
    body = client.get(r.json()["teams_url"], headers=bearer(token)).json()
    assert sorted([*(m for t in body["teams"] for m in t["participant_ids"]), *body["unassigned_participant_ids"]]) == sorted(pids)
    assert body["explanation"] and body["solver"]["status"] in ("OPTIMAL", "FEASIBLE")
    team = body["teams"][0]
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/teams/{team['id']}/lock", json={"locked": True}, headers=bearer(token))
    assert r.status_code == 200 and next(t for t in r.json()["teams"] if t["id"] == team["id"])["locked"] is True
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/close", json={"outcomes": [{"participant_id": pids[0], "outcome": "sent_home"}]}, headers=bearer(token))
    assert r.status_code == 200 and r.json()["closed_at"]
    assert {s["participant_id"]: s["outcome"] for s in r.json()["shifts"]}[pids[0]] == "sent_home"
    # An outcome outside the enum, or a body of the old shape, is outside the schema: 400.
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/close", json={"outcomes": [{"participant_id": pids[0], "outcome": "partied"}]}, headers=bearer(token))
    assert r.status_code == 400
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/close", json={"outcomes": {"x": "worked"}}, headers=bearer(token))
    assert r.status_code == 400
    # Someone without a place today: a rule, 422, and nothing written.
    r = client.post(f"/api/v1/dagsverk/days/{day_id}/close", json={"outcomes": [{"participant_id": pids[0], "outcome": "worked"},
                                                                                   {"participant_id": 10**6, "outcome": "worked"}]}, headers=bearer(token))
    assert r.status_code == 422
    r = client.get(f"/api/v1/dagsverk/days/{day_id}/teams", headers=bearer(token))
    assert r.status_code == 200 and next(t for t in r.json()["teams"] if t["id"] == team["id"])["locked"] is True


def test_no_teams_before_the_draw(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0))
    login(client, world.a.users["work_leader"])
    r = post_form(client, f"/dagsverk/days/{day.id}/teams/suggest")
    assert r.status_code == 400 and "run the draw first" in r.text
