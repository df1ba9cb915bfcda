"""The pay pages and the JSON API, as staff use them: roles, approval, CSV, payslips, nb/en."""
from __future__ import annotations

import csv
import re
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from plugins.payroll_rules.models import PayRun
from tests.conftest import api_token, bearer, h1, login, post_form
from tests.plugins.payroll_rules.helpers import HoursSource, approval, person, register_hours, setting, status, worked_shift

D = dt.date


def text(response) -> str:
    """The page with Babel's no-break and narrow spaces as plain ones."""
    return response.text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture
def hours(app) -> Iterator[HoursSource]:
    yield from register_hours(app)


@pytest.fixture
def nyttig_month(app, world, hours):
    """Beta's September: a paid person, one on AAP and one capped on social assistance."""
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        paid, aap, capped = person(db, b.org.id, "Per", "Betalt"), person(db, b.org.id, "Aase", "Aap"), person(db, b.org.id, "Sofie", "Sosial")
        status(db, b.org.id, aap.id, "aap", D(2026, 1, 1))
        status(db, b.org.id, capped.id, "social_assistance", D(2026, 1, 1))
        approval(db, b.org.id, capped.id, D(2026, 1, 1), D(2026, 12, 31))
        for day in (7, 14, 21):
            for who in (paid, aap, capped):
                hours.add(who.id, D(2026, 9, day), "10")
    return {"paid": paid.id, "aap": aap.id, "capped": capped.id}


def test_month_run_approve_csv_and_payslip(client, world, nyttig_month):
    login(client, world.b.users["payroll"])
    r = post_form(client, "/payroll/runs", {"month": "2026-09"})
    assert r.status_code == 303
    run_path = r.headers["location"]
    page = client.get(run_path)
    assert page.status_code == 200
    assert "5 500,00 kr" in text(page)  # 3000 paid + 0 AAP + 2500 capped
    assert "Approve" not in page.text and "Godkjenn" not in page.text  # payroll may not approve
    # Payroll cannot approve, and a draft cannot be exported.
    assert post_form(client, f"{run_path}/approve").status_code == 403
    assert client.get(f"{run_path}/export.csv").status_code == 409

    client.cookies.clear()
    login(client, world.b.users["leader"])
    page = client.get(run_path)

    fp = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.text).group(1)
    assert post_form(client, f"{run_path}/approve", {"fingerprint": fp}).status_code == 303
    assert "Godkjent" in client.get(run_path).text

    r = client.get(f"{run_path}/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert {row["participant_id"] for row in rows} == {str(nyttig_month["paid"]), str(nyttig_month["capped"])}
    assert sum(int(row["amount_ore"]) for row in rows) == 550000
    assert all(row["source"].startswith("test_timesheet:") for row in rows)

    slip = client.get(f"{run_path}/payslips/{nyttig_month['aap']}")
    assert slip.status_code == 200 and "arbeidsavklaringspenger" in slip.text.lower()
    pdf = client.get(f"{run_path}/payslips/{nyttig_month['capped']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"

    client.cookies.set("lavterskel_locale", "en")
    slip = client.get(f"{run_path}/payslips/{nyttig_month['capped']}")
    assert "NOK 2,500.00" in text(slip) and "monthly cap on social assistance" in slip.text


def test_roles(client, world, nyttig_month):
    with world.db(world.b) as db:
        pid = db.scalars(select(PayRun.id)).first()
    assert pid is None
    login(client, world.b.users["work_leader"])
    assert client.get("/payroll").status_code == 403
    assert client.get("/payroll/cash-sheet").status_code == 200
    assert client.get(f"/payroll/benefits/{nyttig_month['aap']}").status_code == 403
    client.cookies.clear()
    login(client, world.b.users["payroll"])
    assert client.get(f"/payroll/benefits/{nyttig_month['aap']}").status_code == 200
    assert client.get(f"/participants/{nyttig_month['aap']}").status_code == 403  # sees pay and benefit status only
    assert post_form(client, f"/payroll/benefits/{nyttig_month['aap']}/status", {"status": "none", "valid_from": "2026-10-01"}).status_code == 403


def test_other_organization_gets_404(client, world, nyttig_month):
    login(client, world.a.users["leader"])
    assert client.get(f"/payroll/benefits/{nyttig_month['aap']}").status_code == 404
    assert client.get(f"/api/v1/payroll/benefits/{nyttig_month['aap']}", headers=bearer(api_token(world, world.a, "leader"))).status_code == 404


def test_dagsverket_cash_sheet_for_a_day(client, world, app):
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        setting(app, db, a.org.id, "payroll.period", "day")
        ola, aase = person(db, a.org.id, "Ola", "Olsen"), person(db, a.org.id, "Aase", "Aap")
        status(db, a.org.id, aase.id, "aap", D(2026, 1, 1))
        worked_shift(db, a.org.id, a.site.id, ola.id, D(2026, 6, 2))
        worked_shift(db, a.org.id, a.site.id, aase.id, D(2026, 6, 2))
    login(client, a.users["work_leader"])
    r = post_form(client, "/payroll/cash-sheet", {"date": "2026-06-02"})
    assert r.status_code == 303
    sheet = client.get(r.headers["location"])
    assert sheet.status_code == 200
    assert "Ola Olsen" in sheet.text and "250,00 kr" in text(sheet) and "Signatur" in sheet.text
    assert "Ulønnet" in sheet.text and "arbeidsavklaringspenger" not in sheet.text.lower()  # effect, never the benefit
    assert "Utkast" in sheet.text
    assert post_form(client, "/payroll/cash-sheet", {"date": "2. juni"}).status_code == 400


def test_benefit_forms_validate_and_record(client, world, nyttig_month):
    login(client, world.b.users["social_worker"])
    pid = nyttig_month["paid"]
    r = post_form(client, f"/payroll/benefits/{pid}/status", {"status": "aap", "valid_from": "2026-10-01"})
    assert r.status_code == 303
    page = client.get(f"/payroll/benefits/{pid}")
    assert "Arbeidsavklaringspenger (AAP)" in page.text
    bad = post_form(client, f"/payroll/benefits/{pid}/approvals", {"district": "Bydel Sagene", "decided_on": "2026-10-01",
                                                                    "valid_from": "2026-10-01", "valid_to": "2026-09-01", "cap": "abc"})
    assert bad.status_code == 400 and "Bydel Sagene" in bad.text
    ok = post_form(client, f"/payroll/benefits/{pid}/approvals", {"district": "Bydel Sagene", "decided_on": "2026-10-01",
                                                                   "valid_from": "2026-10-01", "valid_to": "", "cap": "2000,50"})
    assert ok.status_code == 303
    assert "2 000,50 kr" in text(client.get(f"/payroll/benefits/{pid}"))


def test_participant_panel_shows_unpaid_before_pay_is_planned(client, world, nyttig_month):
    login(client, world.b.users["social_worker"])
    page = client.get(f"/participants/{nyttig_month['aap']}")
    assert page.status_code == 200 and "Ulønnet (AAP)" in page.text


def test_api_run_lifecycle_and_statement(client, world, nyttig_month):
    prep = bearer(api_token(world, world.b, "payroll"))
    lead = bearer(api_token(world, world.b, "leader"))
    r = client.post("/api/v1/payroll/runs", json={"date_from": "2026-09-01", "date_to": "2026-09-30"}, headers=prep)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["total_ore"] == sum(ln["amount_ore"] for ln in run["lines"]) == 550000
    aap = [ln for ln in run["lines"] if ln["participant_id"] == nyttig_month["aap"]]
    assert aap and all(ln["amount_ore"] == 0 and ln["effect"] == "unpaid" for ln in aap)
    assert client.post(f"/api/v1/payroll/runs/{run['id']}/approve", json={}, headers=prep).status_code == 403
    r = client.post(f"/api/v1/payroll/runs/{run['id']}/approve", json={"fingerprint": run["fingerprint"]}, headers=lead)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert client.post(f"/api/v1/payroll/runs/{run['id']}/recompute", headers=prep).status_code == 409
    csv_text = client.get(f"/api/v1/payroll/runs/{run['id']}/csv", headers=prep).text
    assert "amount_ore" in csv_text.splitlines()[0]
    st = client.get(f"/api/v1/payroll/statements/{nyttig_month['aap']}?year=2026", headers=prep).json()
    assert st["paid_ore"] == 0 and st["unpaid_hours"] == "30.00"
    st = client.get(f"/api/v1/payroll/statements/{nyttig_month['capped']}?year=2026", headers=prep).json()
    assert st["paid_ore"] == 250000 and st["unpaid_hours"] == "5.00"
    bad = client.post("/api/v1/payroll/runs", json={"date_from": "2026-09-30", "date_to": "2026-09-01"}, headers=prep)
    assert bad.status_code == 422 and "date_to" in bad.json()["errors"]
    m = client.get("/api/v1/payroll/markers?date=2026-09-07", headers=prep).json()
    assert {(i["participant_id"], i["code"]) for i in m["items"]} == {(nyttig_month["aap"], "unpaid"), (nyttig_month["capped"], "capped")}
    slip = client.get(f"/api/v1/payroll/runs/{run['id']}/payslips/{nyttig_month['capped']}", headers=prep).json()
    assert slip["total_ore"] == 250000


def test_yearly_statement_pages(client, world, app):
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        ola = person(db, a.org.id, "Ola", "Olsen")
        worked_shift(db, a.org.id, a.site.id, ola.id, D(2026, 6, 2))
    login(client, a.users["leader"])
    r = post_form(client, "/payroll/runs", {"date": "2026-06-02"})
    run_path = r.headers["location"]

    fp = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', client.get(run_path).text).group(1)
    post_form(client, f"{run_path}/approve", {"fingerprint": fp})
    page = client.get(f"/payroll/statements/{ola.id}?year=2026")
    assert page.status_code == 200 and h1(page.text).startswith("Årsoppgave 2026")
    assert "250,00 kr" in text(page)
    pdf = client.get(f"/payroll/statements/{ola.id}/pdf?year=2026")
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"/payroll/statements/{ola.id}?year=1800").status_code == 400


def test_the_csv_columns_are_the_documented_ones(client, world, nyttig_month):
    """docs/payroll.md describes every column the export writes, in order, and no other."""
    from pathlib import Path

    from plugins.payroll_rules.outputs import CSV_COLUMNS

    doc = (Path(__file__).resolve().parents[3] / "docs" / "payroll.md").read_text(encoding="utf-8")
    table = doc.split("## The CSV", 1)[1]
    documented = [name for row in re.findall(r"^\| (`[^|]+`) \|", table, re.M) for name in re.findall(r"`([a-z_]+)`", row)]
    assert documented == list(CSV_COLUMNS)
    prep = bearer(api_token(world, world.b, "leader"))
    run = client.post("/api/v1/payroll/runs", json={"date_from": "2026-09-01", "date_to": "2026-09-30"}, headers=prep).json()
    client.post(f"/api/v1/payroll/runs/{run['id']}/approve", json={}, headers=prep)
    header = client.get(f"/api/v1/payroll/runs/{run['id']}/csv", headers=prep).content.decode("utf-8-sig").splitlines()[0]
    assert header.split(";") == list(CSV_COLUMNS)


def test_a_long_run_is_shown_a_page_of_people_at_a_time(client, world, nyttig_month, monkeypatch):
    from plugins.payroll_rules import web

    monkeypatch.setattr(web, "PEOPLE_PER_PAGE", 2)
    login(client, world.b.users["payroll"])
    run_path = post_form(client, "/payroll/runs", {"month": "2026-09"}).headers["location"]
    first, second = client.get(run_path), client.get(f"{run_path}?page=2")
    names = re.compile(r'<h2 id="p-\d+">([^·<]+)·')
    shown_first, shown_second = names.findall(first.text), names.findall(second.text)
    # Sorted by last name: Aap, Betalt on the first page, Sosial on the second.
    assert [n.strip() for n in shown_first] == ["Aase Aap", "Per Betalt"]
    assert [n.strip() for n in shown_second] == ["Sofie Sosial"]
    assert "Side 1 av 2" in first.text and 'href="?page=2"' in first.text
    # The run's total and head count cover everyone, on every page.
    for page in (first, second):
        assert "5 500,00 kr" in text(page) and "<dd>3</dd>" in page.text
    # Each page holds its own people's lines and nobody else's: three lines a person.
    lines = re.compile(r"<code>(test_timesheet:\d+)</code>")
    first_lines, second_lines = set(lines.findall(first.text)), set(lines.findall(second.text))
    assert len(first_lines) == 6 and len(second_lines) == 3 and not first_lines & second_lines
    # A page number out of range or not a number shows the nearest page, not an error.
    assert names.findall(client.get(f"{run_path}?page=9").text) == shown_second
    assert names.findall(client.get(f"{run_path}?page=x").text) == shown_first


def test_payslip_of_someone_outside_the_run_is_404(client, world, nyttig_month):
    with world.db(world.b) as db:
        outsider = person(db, world.b.org.id, "Uten", "Arbeid")
    login(client, world.b.users["leader"])
    run_path = post_form(client, "/payroll/runs", {"month": "2026-09"}).headers["location"]
    run_id = run_path.rsplit("/", 1)[1]
    assert client.get(f"{run_path}/payslips/{nyttig_month['paid']}").status_code == 200
    assert client.get(f"{run_path}/payslips/{outsider.id}").status_code == 404
    assert client.get(f"{run_path}/payslips/{outsider.id}/pdf").status_code == 404
    token = bearer(api_token(world, world.b, "leader"))
    assert client.get(f"/api/v1/payroll/runs/{run_id}/payslips/{nyttig_month['paid']}", headers=token).json()["total_ore"] == 300000
    assert client.get(f"/api/v1/payroll/runs/{run_id}/payslips/{outsider.id}", headers=token).status_code == 404


def test_a_bad_period_on_the_page_is_shown_on_the_field_filled_in(client, world, app):
    login(client, world.b.users["payroll"])
    client.cookies.set("lavterskel_locale", "en")
    r = post_form(client, "/payroll/runs", {"month": "september"})
    assert r.status_code == 400 and "Must be a month (YYYY-MM)." in r.text
    with world.db(world.b) as db:
        setting(app, db, world.b.org.id, "payroll.period", "day")  # the page then asks for a day
    r = post_form(client, "/payroll/runs", {"date": "1066-10-14"})
    assert r.status_code == 400 and "Must be a date between" in r.text
    r = post_form(client, "/payroll/runs", {"date_from": "2026-09-30", "date_to": "2026-09-01"})
    assert r.status_code == 400 and "Must be on or after the start date." in r.text
    with world.db(world.b) as db:
        assert db.scalars(select(PayRun)).first() is None


def test_a_period_ending_before_it_starts_is_refused_at_the_end_date_and_keeps_both_dates(client, world):
    login(client, world.b.users["payroll"])
    r = post_form(client, "/payroll/runs", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert r.status_code == 400
    form = r.text.split("<details", 1)[1].split("</details>", 1)[0]
    assert form.startswith(" open>"), "the other-period form is shown open, with its error"
    assert 'name="date_from" type="date" value="2026-11-30"' in form
    assert 'name="date_to" type="date" value="2026-11-01"' in form
    assert 'id="err-date_to"' in form and 'id="err-date_from"' not in form
