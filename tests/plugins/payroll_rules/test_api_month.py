"""A month's pay run with the API alone, as an integrator follows it from the schema:
benefit statuses recorded and read, a draft computed, read, approved with what was read,
exported; a payslip and a yearly statement read. The calls are those docs/api.md shows."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest

from tests.conftest import api_token, bearer
from tests.plugins.payroll_rules.helpers import HoursSource, person, register_hours, setting

D = dt.date
P = "/api/v1/payroll"


@pytest.fixture
def hours(app) -> Iterator[HoursSource]:
    yield from register_hours(app)


@pytest.fixture
def september(app, world, hours):
    """Beta's approved hours in September: ten hours on three days for each of three people."""
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        people = [person(db, b.org.id, "Per", "Betalt"), person(db, b.org.id, "Aase", "Aap"), person(db, b.org.id, "Sofie", "Sosial")]
        for day in (7, 14, 21):
            for who in people:
                hours.add(who.id, D(2026, 9, day), "10")
    return [p.id for p in people]


def test_a_month_from_nothing_to_an_approved_run(client, world, september):
    paid, aap, capped = september
    social = bearer(api_token(world, world.b, "social_worker"))
    payroll = bearer(api_token(world, world.b, "payroll"))
    leader = bearer(api_token(world, world.b, "leader"))

    # Benefit status: everyone starts with none; the social worker records two.
    r = client.get(f"{P}/benefits?date=2026-09-01", headers=social)
    assert r.status_code == 200 and {i["status"] for i in r.json()["items"]} == {"none"}
    r = client.post(f"{P}/benefits/{aap}/statuses", json={"status": "aap", "valid_from": "2026-01-01"}, headers=social)
    assert r.status_code == 201, r.text
    assert r.json() == {"participant_id": aap, "status": "aap", "valid_from": "2026-01-01", "note": ""}
    r = client.post(f"{P}/benefits/{capped}/statuses", json={"status": "social_assistance", "valid_from": "2026-01-01", "note": "NAV Sagene"},
                    headers=social)
    assert r.status_code == 201, r.text
    r = client.post(f"{P}/benefits/{capped}/approvals", json={"district": "Bydel Sagene", "decided_on": "2025-12-15",
                                                             "valid_from": "2026-01-01", "valid_to": "2026-12-31", "cap_ore": 250000}, headers=social)
    assert r.status_code == 201, r.text
    assert r.json()["cap_ore"] == 250000 and r.json()["decided_on"] == "2025-12-15"
    rows = {i["participant_id"]: i for i in client.get(f"{P}/benefits?date=2026-09-07", headers=social).json()["items"]}
    assert rows[aap]["status"] == "aap" and rows[capped]["cap_ore"] == 250000 and rows[paid]["approval_id"] is None
    assert client.get(f"{P}/benefits?status=aap", headers=social).json()["items"][0]["participant_id"] == aap
    markers = client.get(f"{P}/markers?date=2026-09-07", headers=payroll).json()["items"]
    assert {(m["participant_id"], m["code"]) for m in markers} == {(aap, "unpaid"), (capped, "capped")}

    # The draft: payroll computes it and reads it back.
    r = client.post(f"{P}/runs", json={"date_from": "2026-09-01", "date_to": "2026-09-30"}, headers=payroll)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["status"] == "draft" and run["total_ore"] == 550000 and run["line_count"] == 9
    assert {ln["effect"] for ln in run["lines"] if ln["participant_id"] == aap} == {"unpaid"}
    assert all(isinstance(ln["quantity"], str) for ln in run["lines"])
    read = client.get(f"{P}/runs/{run['id']}", headers=payroll).json()
    assert read["fingerprint"] == run["fingerprint"]
    assert [i["id"] for i in client.get(f"{P}/runs", headers=payroll).json()["items"]] == [run["id"]]

    # Payroll may not approve; the leader approves exactly what was read.
    assert client.post(f"{P}/runs/{run['id']}/approve", json={"fingerprint": read["fingerprint"]}, headers=payroll).status_code == 403
    r = client.post(f"{P}/runs/{run['id']}/approve", json={"fingerprint": read["fingerprint"]}, headers=leader)
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["status"] == "approved" and dt.datetime.fromisoformat(approved["approved_at"]).utcoffset() == dt.timedelta(0) and approved["approved_by_id"] == world.b.users["leader"].id

    # Out to payroll, and to the person.
    r = client.get(f"{P}/runs/{run['id']}/csv", headers=payroll)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert sum(int(row["amount_ore"]) for row in rows) == 550000
    assert client.get(f"{P}/runs/{run['id']}", headers=payroll).json()["exported_at"] is not None
    slip = client.get(f"{P}/runs/{run['id']}/payslips/{capped}", headers=payroll).json()
    assert slip["total_ore"] == 250000 and slip["run"]["id"] == run["id"]
    statement = client.get(f"{P}/statements/{aap}?year=2026", headers=payroll).json()
    assert statement["paid_ore"] == 0 and statement["unpaid_hours"] == "30.00"

    # Frozen: neither recomputed, approved again nor deleted.
    for method, path in (("POST", f"{P}/runs/{run['id']}/recompute"), ("POST", f"{P}/runs/{run['id']}/approve"), ("DELETE", f"{P}/runs/{run['id']}")):
        r = client.request(method, path, json={}, headers=leader)
        assert r.status_code == 409 and r.json()["errors"]["__all__"], (method, path, r.text)


def test_approving_what_changed_since_it_was_read_is_refused_with_the_fresh_draft(client, world, september):
    paid, _aap, _capped = september
    payroll = bearer(api_token(world, world.b, "payroll"))
    leader = bearer(api_token(world, world.b, "leader"))
    run = client.post(f"{P}/runs", json={"date_from": "2026-09-01", "date_to": "2026-09-30"}, headers=payroll).json()
    # Between reading and approving, someone records that the paid person is on AAP.
    client.post(f"{P}/benefits/{paid}/statuses", json={"status": "aap", "valid_from": "2026-09-01"}, headers=leader)
    r = client.post(f"{P}/runs/{run['id']}/approve", json={"fingerprint": run["fingerprint"]}, headers=leader)
    assert r.status_code == 409 and r.json()["errors"]["__all__"]
    fresh = r.json()["run"]
    assert fresh["status"] == "draft" and fresh["fingerprint"] != run["fingerprint"] and fresh["total_ore"] == run["total_ore"] - 300000
    r = client.post(f"{P}/runs/{run['id']}/approve", json={"fingerprint": fresh["fingerprint"]}, headers=leader)
    assert r.status_code == 200 and r.json()["status"] == "approved"


@pytest.mark.parametrize(("body", "field"), [
    ({"date_from": "2026-09-30", "date_to": "2026-09-01"}, "date_to"),
    ({"date_from": "2025-01-01", "date_to": "2026-09-01"}, "date_to"),
])
def test_a_bad_period_is_a_422_on_its_field(client, world, body, field):
    r = client.post(f"{P}/runs", json=body, headers=bearer(api_token(world, world.b, "payroll")))
    assert r.status_code == 422 and field in r.json()["errors"]


@pytest.mark.parametrize("body", [
    {"date_from": "2026-09-01"},
    {"date_from": "2026-09-01", "date_to": "30.9.2026"},
    {"period_start": "2026-09-01", "period_end": "2026-09-30"},
])
def test_a_malformed_period_is_a_400(client, world, body):
    r = client.post(f"{P}/runs", json=body, headers=bearer(api_token(world, world.b, "payroll")))
    assert r.status_code == 400, r.text


def test_an_approval_ending_before_it_starts_is_a_422(client, world, september):
    r = client.post(f"{P}/benefits/{september[2]}/approvals", headers=bearer(api_token(world, world.b, "social_worker")),
                    json={"district": "Bydel Sagene", "decided_on": "2026-09-01", "valid_from": "2026-09-01", "valid_to": "2026-08-31"})
    assert r.status_code == 422 and "valid_to" in r.json()["errors"]
