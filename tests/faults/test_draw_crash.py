"""The server is killed (SIGKILL) in the middle of the day's draw, three times at three
points, and started again each time. After every restart there is either no draw or the
sealed draw with no results at all; never a half-written draw. The draw finally run is
the one sealed before the crashes (same published seed fingerprint and entrants), it is
whole (every entrant has a result, places and reserve numbers are consistent) and its
verification matches (issue 8, "survives faults").
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.models import Site
from plugins.dagsverk_lottery.models import Draw, DrawEntrant, DrawEvent
from tests.faults.conftest import PEOPLE, FaultSite

A = "/api/v1/dagsverk"

# The statements the server is killed right after, in the order a draw runs them.
SEALING = r"^INSERT INTO dagsverk_lottery_draw_entrant "  # the entrants of the new sealed draw
CLAIMING = r"^UPDATE dagsverk_lottery_draw SET status="  # sealed -> drawn, before any result
RESULTS_WRITTEN = r"commit after ^UPDATE dagsverk_lottery_draw_entrant SET"  # every result written, only COMMIT left
NUMBERS = {"numbers": [33, 4, 17]}  # typed in the room once check-in has closed


def draw_day() -> dt.date:
    """A recent weekday, when the program is open."""
    day = dt.date.today() - dt.timedelta(days=1)
    while day.isoweekday() > 5:
        day -= dt.timedelta(days=1)
    return day


def stored(site: FaultSite) -> tuple[list[Draw], list[DrawEntrant], list[str]]:
    with site.db() as db:
        draws = list(db.scalars(select(Draw).order_by(Draw.id)))
        entrants = list(db.scalars(select(DrawEntrant).order_by(DrawEntrant.id)))
        events = list(db.scalars(select(DrawEvent.kind).order_by(DrawEvent.id)))
        db.expunge_all()
    return draws, entrants, events


def assert_sealed_without_results(site: FaultSite, day: int, sealed: dict | None) -> dict:
    with site.api() as c:
        shown = c.get(f"{A}/days/{day}/draw").json()["draw"]
    assert shown is not None and shown["status"] == "sealed", shown
    assert shown["seed"] is None and all(e["result"] is None for e in shown["entrants"])
    if sealed is not None:
        for key in ("id", "seed_sha256", "entrants_sha256", "capacity"):
            assert shown[key] == sealed[key], key
    draws, entrants, events = stored(site)
    assert [(d.status, d.drawn_at) for d in draws] == [("sealed", None)]
    assert len(entrants) == PEOPLE
    assert [(e.result, e.position, e.reserve_number) for e in entrants] == [(None, None, None)] * PEOPLE
    assert events == ["sealed"]
    return shown


def test_a_draw_killed_three_times_is_never_half_written(fault_site: FaultSite) -> None:
    site = fault_site
    site.start()
    with site.db() as db:
        site_id = db.scalar(select(Site.id))
    with site.api() as c:
        # The API addresses days by id: the integrator stores the day, then checks people in.
        r = c.post("/api/v1/days", json={"site_id": site_id, "date": draw_day().isoformat()})
        assert r.status_code == 201, r.text
        day = r.json()["id"]
        for pid in site.participant_ids:
            r = c.post(f"{A}/days/{day}/checkin", json={"participant_id": pid})
            assert r.status_code == 201, r.text
        assert c.get(f"{A}/days/{day}/draw").json()["entered"] == PEOPLE

    # 1. Killed while check-in closes: the draw row and some entrants are written, not committed.
    statement = site.crash_during("POST", f"{A}/days/{day}/seal", SEALING)
    assert statement.startswith("INSERT INTO dagsverk_lottery_draw_entrant")
    site.start()
    with site.api() as c:
        shown = c.get(f"{A}/days/{day}/draw").json()
    assert shown["draw"] is None and shown["entered"] == PEOPLE
    assert stored(site) == ([], [], [])

    # 2. Killed after the draw was claimed as drawn, before any result was written. Check-in
    # is closed first (the numbers of the room are typed after it: dagsverk-lottery/2).
    with site.api() as c:
        assert c.post(f"{A}/days/{day}/seal").status_code == 200
    site.crash_during("POST", f"{A}/days/{day}/draw", CLAIMING, json=NUMBERS)
    site.start()
    sealed = assert_sealed_without_results(site, day, None)

    # 3. Killed with every result and the "drawn" event written: only the COMMIT was missing.
    statement = site.crash_during("POST", f"{A}/days/{day}/draw", RESULTS_WRITTEN, json=NUMBERS)
    assert statement.startswith("COMMIT after UPDATE dagsverk_lottery_draw_entrant SET result=")
    site.start()
    assert_sealed_without_results(site, day, sealed)

    # The same sealed draw is run in full; asking again returns it unchanged.
    with site.api() as c:
        r = c.post(f"{A}/days/{day}/draw", json=NUMBERS)
        assert r.status_code == 200, r.text
        drawn = r.json()
        assert c.post(f"{A}/days/{day}/draw", json=NUMBERS).json() == drawn
        verification = c.get(f"{A}/draws/{drawn['id']}/verify").json()
    assert {k: verification[k] for k in ("draw_id", "matches", "problems")} == {"draw_id": sealed["id"], "matches": True, "problems": []}
    assert drawn["contribution"] == "4.17.33./"
    assert drawn["status"] == "drawn" and drawn["attempt"] == 1
    for key in ("id", "seed_sha256", "entrants_sha256", "capacity"):
        assert drawn[key] == sealed[key], key
    entrants = drawn["entrants"]
    assert sorted(e["participant_id"] for e in entrants) == sorted(site.participant_ids)
    capacity = drawn["capacity"]
    assert 0 < capacity < PEOPLE
    placed = [e for e in entrants if e["result"] in ("right", "lottery")]
    reserves = [e for e in entrants if e["result"] == "reserve"]
    assert len(placed) == capacity and len(reserves) == PEOPLE - capacity
    assert sorted(e["position"] for e in placed) == list(range(1, capacity + 1))
    assert all(e["reserve_number"] is None for e in placed)
    assert sorted(e["reserve_number"] for e in reserves) == list(range(1, PEOPLE - capacity + 1))
    assert sorted(e["position"] for e in entrants) == list(range(1, PEOPLE + 1))

    draws, stored_entrants, events = stored(site)
    assert len(draws) == 1 and draws[0].status == "drawn" and draws[0].drawn_at is not None
    assert {(e.participant_id, e.result, e.position, e.reserve_number) for e in stored_entrants} == {
        (e["participant_id"], e["result"], e["position"], e["reserve_number"]) for e in entrants}
    assert events == ["sealed", "drawn"]
    with site.db() as db:
        assert db.scalar(select(func.count()).select_from(Draw)) == 1
    assert site.servers_started == 4
