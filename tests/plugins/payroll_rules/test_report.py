"""Pay in the yearly report: approved runs only, by the month of the work, exact kroner."""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from core.models import Participant
from plugins.payroll_rules.models import PayLine, PayRun
from tests.conftest import login
from tests.core.test_reports import _table

Q = {"start": "2026-01-01", "end": "2026-12-31"}
D = dt.date


@pytest.fixture(autouse=True)
def _english(client):
    client.headers["Accept-Language"] = "en"


def _run(db, org, status, start, lines):
    run = PayRun(organization_id=org.org.id, period_start=start, period_end=start + dt.timedelta(days=27), status=status)
    db.add(run)
    db.flush()
    for i, (p, day, unit, qty, gross, amount, effect, reason, tax_free, kind) in enumerate(lines):
        db.add(PayLine(organization_id=org.org.id, run_id=run.id, position=i, participant_id=p.id, work_date=day,
                       source=f"test:{run.id}:{i}", work_kind="hours" if unit == "hour" else "day", line_kind=kind, unit=unit,
                       quantity=Decimal(qty), gross_ore=gross, amount_ore=amount, effect=effect, reason=reason, tax_free=tax_free))


@pytest.fixture
def pay(world):
    org = world.b
    with world.db(org) as db:
        p1, p2, p3, p4 = ps = [Participant(organization_id=org.org.id, first_name=f"P{i}") for i in range(1, 5)]
        db.add_all(ps)
        db.flush()
        _run(db, org, "approved", D(2026, 1, 1), [
            (p1, D(2026, 1, 5), "hour", "4", 24000, 24000, "paid", "", False, "pay"),
            (p2, D(2026, 1, 6), "day", "1", 30000, 30000, "paid", "", True, "pay"),
            (p3, D(2026, 1, 7), "hour", "3.5", 21000, 0, "unpaid", "unpaid_status", False, "pay"),  # AAP
            (p4, D(2026, 1, 8), "hour", "2", 12000, 0, "held", "held_status", False, "pay"),
        ])
        _run(db, org, "approved", D(2026, 2, 1), [
            (p1, D(2026, 2, 2), "hour", "2.25", 13500, 13500, "paid", "", False, "pay"),
            (p1, D(2026, 1, 5), "hour", "-1", -6000, -6000, "paid", "", False, "adjustment"),  # corrects January
            (p3, D(2026, 2, 3), "day", "1", 30000, 0, "unpaid", "unpaid_status", False, "pay"),
            (p2, D(2026, 2, 4), "day", "1", 30000, 10001, "capped", "cap_partly", True, "pay"),
            (p4, D(2025, 12, 30), "day", "1", 5000, 5000, "paid", "", False, "adjustment"),  # work before the period
        ])
        _run(db, org, "draft", D(2026, 3, 1), [(p1, D(2026, 3, 2), "hour", "9", 99999, 99999, "paid", "", False, "pay")])
        db.commit()
    return world


def test_pay_by_month_hand_computed(pay, client):
    login(client, pay.b.users["leader"])
    page = client.get("/reports", params=Q).text
    # January: 240 + 300 - 60 = 480 kr, of which 300 tax-free (62.5 %); 3.5 AAP hours unpaid; 120 kr held; P1 and P2 paid.
    # February: 135 + 100.01 = 235.01 kr, tax-free 100.01 / 235.01 = 42.6 %; one unpaid day; nothing held.
    # Total: 715.01 kr, tax-free 400.01 / 715.01 = 55.9 %. The draft run and December's work do not count.
    assert _table(page, "payroll_pay") == [
        ["Jan 2026", "480.00", "62.5 %", "3.50", "0.00", "120.00", "2"],
        ["Feb 2026", "235.01", "42.6 %", "0.00", "1.00", "0.00", "2"],
        ["Total", "715.01", "55.9 %", "3.50", "1.00", "120.00", "2"],
    ]


def test_pay_csv_is_exact_kroner_and_chart_renders(pay, client):
    login(client, pay.b.users["leader"])
    rows = list(csv.reader(io.StringIO(client.get("/reports/csv/payroll_pay", params=Q).text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Month", "Paid (NOK)", "Tax-free share", "Unpaid hours (benefit status)", "Unpaid days (benefit status)",
                       "Held (NOK)", "People paid"]
    assert rows[1] == ["Jan 2026", "480.00", "62.5", "3.50", "0.00", "120.00", "2"]
    assert rows[-1] == ["Total", "715.01", "55.9", "3.50", "1.00", "120.00", "2"]
    chart = client.get("/reports/chart/payroll_pay", params=Q)
    assert chart.status_code == 200 and "Paid (NOK)" in chart.text and "<script" not in chart.text


def test_pay_section_hides_few_people_when_shared(pay, client):
    login(client, pay.b.users["leader"])
    rows = _table(client.get("/reports", params={**Q, "shared": "1"}).text, "payroll_pay")
    assert [r[6] for r in rows] == ["hidden"] * 3
    # Two people paid: the amounts would tell each one's pay, so they are hidden too.
    assert rows[2][1] == "hidden" and rows[0][0] == "Jan 2026"


def test_pay_sums_stay_exact_over_many_lines(world, client):
    """Summed in the database: øre as integers, and quantities at two decimals even where
    binary floating point would drift (0.10 + 0.20 is not 0.30 in a float)."""
    org = world.b
    with world.db(org) as db:
        people = [Participant(organization_id=org.org.id, first_name=f"P{i}") for i in range(6)]
        db.add_all(people)
        db.flush()
        lines = [(p, D(2026, 3, 2 + i % 20), "hour", "0.10", 1, 1, "paid", "", i % 3 == 0, "pay") for i, p in enumerate(people * 50)]
        lines += [(people[0], D(2026, 3, 2), "hour", q, 0, 0, "unpaid", "unpaid_status", False, "pay") for q in ("0.10", "0.20")] * 5
        _run(db, org, "approved", D(2026, 3, 1), lines)
        db.commit()
    login(client, world.b.users["leader"])
    rows = _table(client.get("/reports", params=Q).text, "payroll_pay")
    # 300 lines of 1 øre, 100 of them tax-free; ten unpaid lines of 0.10 and 0.20 hours.
    assert rows == [["Mar 2026", "3.00", "33.3 %", "1.50", "0.00", "0.00", "6"], ["Total", "3.00", "33.3 %", "1.50", "0.00", "0.00", "6"]]
