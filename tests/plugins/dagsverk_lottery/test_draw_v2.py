"""dagsverk-lottery/2 (issue 15): a draw no single party can steer. The seed and the
entrants are committed to when check-in closes and shown; the numbers typed in the room
and a beacon round named in advance are mixed in at the draw; each entrant finds their
ticket by a receipt code on a public page that names no one; a checker that knows
nothing of the app recomputes the draw from its transcript; version 1 draws still verify."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from core.models import Participant
from core.services.settings import set_setting
from plugins.dagsverk_lottery import algorithm, beacon, draws
from plugins.dagsverk_lottery import calendar as cal
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant
from plugins.dagsverk_lottery.web import screen_names
from tests.conftest import api_token, bearer, login, post_form
from tests.plugins.dagsverk_lottery.conftest import check_in_all, open_day, people, weekday

A = "/api/v1/dagsverk"
CHECKER = Path(__file__).resolve().parents[3] / "scripts" / "check_draw.py"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _sealed_day(world, n=8, capacity=3, offset=0):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(offset), capacity=capacity)
        check_in_all(db, day, people(db, world.a, n))
        draw = draws.seal(db, day, None)
        return day.id, draw.id


def test_the_algorithm_by_hand():
    entrants = [algorithm.Entrant(1, "none", "KAAAA"), algorithm.Entrant(2, "third_day", "KAAAC"), algorithm.Entrant(3, "none", "KAAAD")]
    digest = algorithm.entrants_digest(entrants, 2, algorithm.ALGORITHM_V2, 77)
    text = '{"algorithm":"dagsverk-lottery/2","beacon_round":77,"capacity":2,"entrants":[["KAAAA","none"],["KAAAC","third_day"],["KAAAD","none"]]}'
    assert digest == sha(text)
    assert algorithm.contribution_text([45, 7, 12, 7]) == "7.7.12.45./" and algorithm.contribution_text([]) == ""
    final = algorithm.final_seed("ab" * 32, digest, "7.12.45./", None)
    assert final == sha(f"{'ab' * 32}:{digest}:7.12.45./:-")
    order = algorithm.run_draw(entrants, 2, final, algorithm.ALGORITHM_V2)
    assert order[0].participant_id == 2 and order[0].result == "right"  # the right comes first
    lottery = sorted(["KAAAA", "KAAAD"], key=lambda c: sha(f"{final}:{c}"))
    assert [p.ticket for p in order[1:]] == [sha(f"{final}:{c}") for c in lottery]
    assert [p.result for p in order] == ["right", "lottery", "reserve"]
    with pytest.raises(ValueError):
        algorithm.run_draw([*entrants, algorithm.Entrant(4, "none", "KAAAA")], 2, final, algorithm.ALGORITHM_V2)


def test_check_in_gives_a_receipt_code_shown_in_the_confirmation(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=3)
        persons = people(db, world.a, 30)
        check_in_all(db, day, persons)
        codes = list(db.scalars(select(CheckIn.receipt_code).where(CheckIn.day_id == day.id)))
        day_id, pid = day.id, persons[0].id
        mine = db.scalar(select(CheckIn.receipt_code).where(CheckIn.participant_id == pid))
    assert len(codes) == 30 and len(set(codes)) == 30 and all(algorithm.is_receipt_code(c) for c in codes)
    login(client, world.a.users["work_leader"])
    page = client.get(f"/dagsverk/checkin?date={weekday(0).isoformat()}&ok={pid}")
    assert "Receipt code" in page.text and mine in page.text
    # Registering twice keeps the first code.
    assert post_form(client, f"/dagsverk/days/{day_id}/checkin", {"participant_id": pid}).status_code == 303
    with world.db(world.a) as db:
        assert db.scalar(select(CheckIn.receipt_code).where(CheckIn.participant_id == pid)) == mine


def test_seal_shows_both_fingerprints_then_the_numbers_decide(world, client):
    day_id, draw_id = _sealed_day(world)
    token = api_token(world, world.a, "work_leader")
    sealed = client.get(f"{A}/draws/{draw_id}", headers=bearer(token)).json()
    assert sealed["algorithm"] == "dagsverk-lottery/2" and sealed["seed"] is None and sealed["final_seed"] is None
    assert sealed["contribution"] is None and all(e["ticket"] is None for e in sealed["entrants"])
    login(client, world.a.users["payroll"])  # the screen shows both fingerprints before the numbers exist
    state = client.get(f"/dagsverk/screen/state?date={weekday(0).isoformat()}").json()
    assert state["fingerprint"] == sealed["seed_sha256"] and state["entrants_fingerprint"] == sealed["entrants_sha256"]
    page = client.get(f"/dagsverk/draw?date={weekday(0).isoformat()}").text
    assert sealed["entrants_sha256"] in page and sealed["seed_sha256"] in page

    r = client.post(f"{A}/days/{day_id}/draw", json={"numbers": [45, 7, 12]}, headers=bearer(token))
    assert r.status_code == 200, r.text
    drawn = r.json()
    assert drawn["contribution"] == "7.12.45./" and drawn["beacon_value"] is None and drawn["beacon_note"] == "off"
    assert drawn["final_seed"] == sha(f"{drawn['seed']}:{drawn['entrants_sha256']}:7.12.45./:-")
    assert sha(drawn["seed"]) == drawn["seed_sha256"]
    for e in drawn["entrants"]:
        assert e["ticket"] == sha(f"{drawn['final_seed']}:{e['receipt_code']}")
    verified = client.get(f"{A}/draws/{draw_id}/verify", headers=bearer(token)).json()
    assert verified["matches"] and verified["final_seed"] == drawn["final_seed"] and verified["contribution"] == "7.12.45./"
    # Asked again with other numbers: the same draw.
    assert client.post(f"{A}/days/{day_id}/draw", json={"numbers": [1]}, headers=bearer(token)).json() == drawn
    state = client.get(f"/dagsverk/screen/state?date={weekday(0).isoformat()}").json()
    assert state["contribution"] == "7.12.45./"


def test_the_numbers_typed_decide_the_order(world):
    """The server committed to its seed; other numbers typed in the room give another order."""
    _day_id, draw_id = _sealed_day(world, n=20, capacity=3)
    with world.db(world.a) as db:
        draw = db.get(Draw, draw_id)
        entrants = [algorithm.Entrant(e.participant_id, e.right, e.receipt_code) for e in draw.entrants]
        orders = {tuple(p.participant_id for p in algorithm.run_draw(
            entrants, 3, algorithm.final_seed(draw.seed, draw.entrants_sha256, algorithm.contribution_text(n), None), draw.algorithm))
            for n in ([1, 2], [1, 3], [2, 1])}
    assert len(orders) == 2  # [1, 2] and [2, 1] are the same numbers


def test_bad_numbers_are_refused_and_translated(world, client):
    day_id, draw_id = _sealed_day(world)
    token = api_token(world, world.a, "work_leader")
    for body in ({"numbers": [100]}, {"numbers": [-1]}, {"numbers": list(range(11))}, {"numbers": ["sju"]}, {}):
        r = client.post(f"{A}/days/{day_id}/draw", json=body, headers=bearer(token))
        assert r.status_code in (400, 422), (body, r.text)
        assert "numbers" in r.json().get("errors", {}) or r.status_code == 400, r.text
    login(client, world.a.users["work_leader"])
    for text in ("sju", "3 100", "1 2 3 4 5 6 7 8 9 10 11", ""):
        r = post_form(client, f"/dagsverk/days/{day_id}/draw", {"numbers": text})
        assert r.status_code == 400, (text, r.text[:300])
    client.headers["Accept-Language"] = "nb"
    r = post_form(client, f"/dagsverk/days/{day_id}/draw", {"numbers": "sju"})
    assert r.status_code == 400 and "hele tall" in r.text
    with world.db(world.a) as db:
        assert db.get(Draw, draw_id).status == "sealed"


def test_numbers_before_check_in_closes_are_refused(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=2)
        check_in_all(db, day, people(db, world.a, 4))
        day_id = day.id
    token = api_token(world, world.a, "work_leader")
    r = client.post(f"{A}/days/{day_id}/draw", json={"numbers": [4, 5]}, headers=bearer(token))
    assert r.status_code == 409, r.text
    r = client.post(f"{A}/days/{day_id}/draw", headers=bearer(token))
    assert r.status_code == 422 and "numbers" in r.json()["errors"]
    with world.db(world.a) as db:
        assert db.scalars(select(Draw)).first() is None


def test_without_numbers_when_the_program_makes_them_optional(world, client):
    with world.db(world.a) as db:
        set_setting(db, world.a.org.id, cal.DEFS["dagsverk.draw_contribution"], "optional")
        db.commit()
        day = open_day(db, world.a, weekday(0), capacity=2)
        check_in_all(db, day, people(db, world.a, 5))
        day_id = day.id
    token = api_token(world, world.a, "work_leader")
    r = client.post(f"{A}/days/{day_id}/draw", headers=bearer(token))
    assert r.status_code == 200, r.text
    drawn = r.json()
    assert drawn["status"] == "drawn" and drawn["contribution"] == ""
    assert drawn["final_seed"] == sha(f"{drawn['seed']}:{drawn['entrants_sha256']}::-")
    assert client.get(f"{A}/draws/{drawn['id']}/verify", headers=bearer(token)).json()["matches"]


def test_the_beacon_round_named_at_sealing_is_mixed_in(world, client, monkeypatch):
    monkeypatch.setenv("LAVTERSKEL_DRAW_BEACON", "drand")
    asked = []
    value = "c0ffee" * 10 + "beef"
    monkeypatch.setattr(beacon, "fetch", lambda rnd: (asked.append(rnd), (value, ""))[1])
    day_id, draw_id = _sealed_day(world)
    with world.db(world.a) as db:
        named = db.get(Draw, draw_id).beacon_round
    assert named is not None and named >= beacon.round_at(beacon.time.time()) + 1  # a round still to come
    token = api_token(world, world.a, "work_leader")
    drawn = client.post(f"{A}/days/{day_id}/draw", json={"numbers": [3, 6]}, headers=bearer(token)).json()
    assert asked == [named] and drawn["beacon_value"] == value and drawn["beacon_note"] is None
    assert drawn["final_seed"] == sha(f"{drawn['seed']}:{drawn['entrants_sha256']}:3.6./:{value}")
    assert client.get(f"{A}/draws/{draw_id}/verify", headers=bearer(token)).json()["matches"]


def test_an_unreachable_beacon_leaves_the_numbers_and_says_so(world, client, monkeypatch):
    monkeypatch.setenv("LAVTERSKEL_DRAW_BEACON", "drand")
    monkeypatch.setattr(beacon, "fetch", lambda rnd: (None, "unreachable"))
    day_id, draw_id = _sealed_day(world)
    token = api_token(world, world.a, "work_leader")
    drawn = client.post(f"{A}/days/{day_id}/draw", json={"numbers": [2]}, headers=bearer(token)).json()
    assert drawn["status"] == "drawn" and drawn["beacon_value"] is None and drawn["beacon_note"] == "unreachable"
    login(client, world.a.users["work_leader"])
    assert "could not be fetched" in client.get(f"/dagsverk/draw?date={weekday(0).isoformat()}").text


def test_the_real_fetch_never_waits_for_a_round_not_yet_published():
    assert beacon.fetch_drand(beacon.round_at(beacon.time.time()) + 100) == (None, "not_yet")


def test_a_version_1_draw_still_verifies(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=2)
        persons = people(db, world.a, 5)
        check_in_all(db, day, persons)
        entrants = [algorithm.Entrant(p.id, "first_day" if i == 0 else "none") for i, p in enumerate(persons)]
        seed = "5e" * 32
        placements = algorithm.run_draw(entrants, 2, seed)
        draw = Draw(organization_id=world.a.org.id, day_id=day.id, attempt=1, status="drawn", mode="morning",
                    algorithm=algorithm.ALGORITHM_V1, capacity=2, seed=seed, seed_sha256=algorithm.fingerprint(seed),
                    entrants_sha256=algorithm.entrants_digest(entrants, 2))
        draw.entrants = [DrawEntrant(organization_id=world.a.org.id, participant_id=p.participant_id, right=p.right, result=p.result,
                                     position=p.position, reserve_number=p.reserve_number) for p in placements]
        db.add(draw)
        db.commit()
        draw_id = draw.id
        assert draws.verify(draw).matches
        assert placements[0].ticket == sha(f"{seed}:{persons[0].id}")
    token = api_token(world, world.a, "work_leader")
    body = client.get(f"{A}/draws/{draw_id}/verify", headers=bearer(token)).json()
    assert body["matches"] and body["algorithm"] == "dagsverk-lottery/1" and body["final_seed"] is None
    detail = client.get(f"{A}/draws/{draw_id}", headers=bearer(token)).json()
    assert detail["entrants"][0]["ticket"] == sha(f"{seed}:{detail['entrants'][0]['participant_id']}")
    # The checker recomputes a version 1 transcript written by hand from what the API shows.
    v1 = {"algorithm": "dagsverk-lottery/1", "capacity": 2, "seed": seed, "seed_sha256": detail["seed_sha256"],
          "entrants_sha256": detail["entrants_sha256"], "entrants": [[e["participant_id"], e["right"]] for e in detail["entrants"]],
          "results": [[e["participant_id"], e["result"], e["position"], e["reserve_number"]] for e in detail["entrants"]]}
    checked = subprocess.run([sys.executable, "-I", str(CHECKER), "-"], input=json.dumps(v1), capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    login(client, world.a.users["leader"])
    assert "matches" in client.get(f"/dagsverk/draws/{draw_id}/verify").text
    # No public transcript for version 1: it named entrants by participant id.
    assert client.get(f"/dagsverk/public/{world.a.org.slug}/draws/{draw_id}/transcript.json").status_code == 404
    assert client.get(f"{A}/draws/{draw_id}/transcript", headers=bearer(token)).status_code == 404


def _drawn_with_transcript(world, client, numbers=(12, 7, 45)):
    day_id, draw_id = _sealed_day(world)
    with world.db(world.a) as db:
        draws.perform(db, db.get(Draw, draw_id), None, numbers=list(numbers))
    client.cookies.clear()  # nobody signed in
    r = client.get(f"/dagsverk/public/{world.a.org.slug}/draws/{draw_id}/transcript.json")
    assert r.status_code == 200, r.text
    return draw_id, r.json()


def test_the_public_check_page_finds_a_place_by_receipt_code_and_names_no_one(world, client):
    draw_id, transcript = _drawn_with_transcript(world, client)
    with world.db(world.a) as db:
        names = [p.first_name for p in db.scalars(select(Participant))]
        code, result, position, reserve = transcript["results"][-1]
    path = f"/dagsverk/public/{world.a.org.slug}/check"
    page = client.get(f"{path}?date={weekday(0).isoformat()}&code={code.lower()}")
    assert page.status_code == 200, page.text[:500]
    assert sha(f"{transcript['final_seed']}:{code}") in page.text and f"Reserve no. {reserve}" in page.text
    assert not any(name in page.text for name in names)
    assert client.get(f"{path}?date={weekday(0).isoformat()}&code=XXXXX").status_code == 404
    assert client.get(f"/dagsverk/public/no-such-org/check").status_code == 404
    assert client.get(f"/dagsverk/public/{world.b.org.slug}/draws/{draw_id}/transcript.json").status_code == 404
    # The transcript names no person and no internal id.
    text = json.dumps(transcript)
    assert "participant" not in text and not any(name in text for name in names)
    assert transcript["algorithm"] == "dagsverk-lottery/2" and transcript["contribution"] == "7.12.45./"
    assert [e[0] for e in transcript["entrants"]] == sorted(r[0] for r in transcript["results"])
    # The API gives the same transcript to staff.
    token = api_token(world, world.a, "payroll")
    assert client.get(f"{A}/draws/{draw_id}/transcript", headers=bearer(token)).json() == transcript


def _check(tmp_path: Path, transcript: dict) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "transcript.json"
    path.write_text(json.dumps(transcript), encoding="utf-8")
    return subprocess.run([sys.executable, "-I", str(CHECKER), str(path)], capture_output=True, text=True, timeout=60)


def test_the_checker_recomputes_a_real_transcript_and_fails_on_tampering(world, client, tmp_path):
    _draw_id, transcript = _drawn_with_transcript(world, client)
    ok = _check(tmp_path, transcript)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout and transcript["results"][0][0] in ok.stdout

    changed_entrant = json.loads(json.dumps(transcript))
    changed_entrant["entrants"][0][1] = "third_day" if changed_entrant["entrants"][0][1] == "none" else "none"
    changed_contribution = {**transcript, "contribution": "7.12.46./"}
    changed_seed = {**transcript, "seed": "0" * 64}
    swapped_results = json.loads(json.dumps(transcript))
    swapped_results["results"][0][0], swapped_results["results"][-1][0] = swapped_results["results"][-1][0], swapped_results["results"][0][0]
    for tampered in (changed_entrant, changed_contribution, changed_seed, swapped_results):
        bad = _check(tmp_path, tampered)
        assert bad.returncode == 1, bad.stdout + bad.stderr
        assert "MISMATCH" in bad.stdout
    assert _check(tmp_path, {"not": "a transcript"}).returncode == 2


def test_a_draw_still_verifies_after_an_entrant_is_erased(world, client):
    draw_id, transcript = _drawn_with_transcript(world, client)
    with world.db(world.a) as db:
        pid, code = db.execute(select(DrawEntrant.participant_id, DrawEntrant.receipt_code).where(DrawEntrant.draw_id == draw_id)).first()
    login(client, world.a.users["leader"])
    # The person's export holds their receipt codes: the day's and the draw's.
    export = json.loads(post_form(client, f"/participants/{pid}/export", {"format": "json"}).text)["tables"]
    assert export["dagsverk_lottery_checkin"]["rows"][0]["receipt_code"] == code
    assert export["dagsverk_lottery_draw_entrant"]["rows"][0]["receipt_code"] == code
    assert export["dagsverk_lottery_checkin"]["categories"]["receipt_code"] == "identity"
    r = post_form(client, f"/participants/{pid}/erase", {"confirm": "1"})
    assert r.status_code == 200, r.text[:500]
    with world.db(world.a) as db:
        assert db.scalar(select(CheckIn.receipt_code).where(CheckIn.participant_id == pid)) is None  # the day's code is gone
        assert db.scalar(select(DrawEntrant.receipt_code).where(DrawEntrant.participant_id == pid)) == code  # the draw keeps it
        assert draws.verify(db.get(Draw, draw_id)).matches
    client.cookies.clear()
    again = client.get(f"/dagsverk/public/{world.a.org.slug}/draws/{draw_id}/transcript.json").json()
    assert again == transcript


def test_the_screen_tells_two_joergen_and_the_two_arnes_apart(world, client):
    with world.db(world.a) as db:
        day = open_day(db, world.a, weekday(0), capacity=2)
        named = [("Jørgen", "Hansen", ""), ("Jørgen", "Holm", ""), ("Arne", "Berg", ""), ("Arne", "Bakke", ""),
                 ("Øyvind", "Åsen", ""), ("Liv", "Strand", "Livi")]
        persons = [Participant(organization_id=world.a.org.id, first_name=f, last_name=l, nickname=n, gender="man") for f, l, n in named]
        db.add_all(persons)
        db.commit()
        check_in_all(db, day, persons)
        draws.seal(db, day, None)
        draws.perform(db, draws.active_draw(db, day), None, numbers=[1])
        codes = {c.participant_id: c.receipt_code for c in db.scalars(select(CheckIn))}
    login(client, world.a.users["work_leader"])
    state = client.get(f"/dagsverk/screen/state?date={weekday(0).isoformat()}").json()
    shown = [d["name"] for d in state["drawn"]] + [r["name"] for r in state["reserve"]]
    assert len(shown) == 6 and len(set(shown)) == 6
    # Two with the same initial: each with their receipt code; "Arne B." on both lists can be told apart.
    assert sorted(n for n in shown if n.startswith("Jørgen H.")) == sorted(f"Jørgen H. · {codes[p.id]}" for p in persons[:2])
    assert sorted(n for n in shown if n.startswith("Arne B.")) == sorted(f"Arne B. · {codes[p.id]}" for p in persons[2:4])
    assert "Øyvind Å." in shown and "Livi S." in shown

    with world.db(world.a) as db:
        set_setting(db, world.a.org.id, cal.DEFS["dagsverk.screen_names"], "receipt")
        db.commit()
    state = client.get(f"/dagsverk/screen/state?date={weekday(0).isoformat()}").json()
    assert sorted(d["name"] for d in state["drawn"] + state["reserve"]) == sorted(codes.values())


def test_screen_names_rule():
    class P:
        def __init__(self, first, last="", nick=""):
            self.first_name, self.last_name, self.nickname = first, last, nick

        @property
        def short_name(self):
            return self.nickname or self.first_name

    names = screen_names([(P("Arne", "Berg"), "AAAAA"), (P("Arne", "Dahl"), "CCCCC"), (P("Rune", "Lie"), "DDDDD")], "short")
    assert names == ["Arne B.", "Arne D.", "Rune L."]
    names = screen_names([(P("Stig"), "AAAAA"), (P("stig"), "CCCCC")], "first_name")
    assert names == ["Stig · AAAAA", "stig · CCCCC"]


def test_the_calendar_sets_whether_numbers_are_required_and_the_screen_names(world, client):
    login(client, world.a.users["leader"])
    r = post_form(client, "/dagsverk/calendar/settings", {"draw_contribution": "optional", "screen_names": "receipt"})
    assert r.status_code == 303, r.text[:500]
    with world.db(world.a) as db:
        assert cal.draw_contribution(db) == "optional" and cal.screen_names(db) == "receipt"
    assert post_form(client, "/dagsverk/calendar/settings", {"draw_contribution": "sometimes"}).status_code == 400
    login(client, world.a.users["work_leader"])  # not theirs to change
    assert post_form(client, "/dagsverk/calendar/settings", {"draw_contribution": "required"}).status_code == 403
