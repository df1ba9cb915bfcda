"""Pay rules on their own terms: rates on their dates, rounding, benefit status effects."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from plugins.payroll_rules import runs
from plugins.payroll_rules.rules import round_hours
from tests.plugins.payroll_rules.helpers import HoursSource, approval, env, person, register_hours, setting, status, worked_shift

D = dt.date


@pytest.fixture
def hours(app) -> Iterator[HoursSource]:
    yield from register_hours(app)


def test_day_wage_rate_changes_on_its_date(app, world):
    """200 NOK before the new rate's date, 250 NOK from that very day."""
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        setting(app, db, a.org.id, "payroll.day_wage", "200", D(2008, 1, 1))
        setting(app, db, a.org.id, "payroll.day_wage", "250", D(2026, 3, 2))
        p = person(db, a.org.id)
        for day in (D(2026, 2, 27), D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3)):
            worked_shift(db, a.org.id, a.site.id, p.id, day)
        lines = runs.compute_lines(db, env(app, db, a.org.id), D(2026, 2, 27), D(2026, 3, 3))
    assert [(ln.work_date, ln.amount_ore) for ln in lines] == [
        (D(2026, 2, 27), 20000), (D(2026, 3, 1), 20000), (D(2026, 3, 2), 25000), (D(2026, 3, 3), 25000)]
    assert all(ln.tax_free and not ln.counts_toward_cap for ln in lines)
    assert [ln.source.split(":")[0] for ln in lines] == ["shift"] * 4


def test_day_wage_for_left_early_follows_the_setting(app, world):
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        setting(app, db, a.org.id, "payroll.pay_left_early", False)
        p = person(db, a.org.id)
        worked_shift(db, a.org.id, a.site.id, p.id, D(2026, 4, 7), outcome="left_early")
        (line,) = runs.compute_lines(db, env(app, db, a.org.id), D(2026, 4, 7), D(2026, 4, 7))
    assert line.amount_ore == 0 and line.effect == "unpaid" and line.reason == "not_paid_by_rule"


@pytest.mark.parametrize(("raw", "step", "paid"), [
    ("7.37", "0.25", "7.25"), ("7.38", "0.25", "7.50"), ("7.125", "0.25", "7.25"), ("3", "0.5", "3.00"), ("2.74", "0.5", "2.50"),
])
def test_hours_round_half_up_to_the_step(raw, step, paid):
    assert round_hours(Decimal(raw), Decimal(step)) == Decimal(paid)


def test_hourly_rate_changes_on_its_date_and_hours_are_rounded(app, world, hours):
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        setting(app, db, b.org.id, "payroll.hourly_wage", "100", D(2020, 1, 1))
        setting(app, db, b.org.id, "payroll.hourly_wage", "110", D(2026, 5, 15))
        p = person(db, b.org.id)
        hours.add(p.id, D(2026, 5, 14), "4.1")   # 4.00 h x 100
        hours.add(p.id, D(2026, 5, 15), "4.2")   # 4.25 h x 110
        lines = runs.compute_lines(db, env(app, db, b.org.id), D(2026, 5, 1), D(2026, 5, 31))
    assert [(ln.quantity, ln.rate_ore, ln.amount_ore) for ln in lines] == [(Decimal("4.00"), 10000, 40000), (Decimal("4.25"), 11000, 46750)]
    assert lines[0].reason_params["hours_worked"] == "4.1"


def test_aap_is_unpaid_and_disability_paid(app, world, hours):
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        aap, uf = person(db, b.org.id, "Aap"), person(db, b.org.id, "Ufor")
        status(db, b.org.id, aap.id, "aap", D(2026, 1, 1))
        status(db, b.org.id, uf.id, "disability", D(2026, 1, 1))
        hours.add(aap.id, D(2026, 6, 3), "5")
        hours.add(uf.id, D(2026, 6, 3), "5")
        lines = runs.compute_lines(db, env(app, db, b.org.id), D(2026, 6, 1), D(2026, 6, 30))
    by = {ln.participant_id: ln for ln in lines}
    assert (by[aap.id].amount_ore, by[aap.id].effect, by[aap.id].reason) == (0, "unpaid", "unpaid_status")
    assert by[aap.id].gross_ore == 50000  # the work is shown with what it would have earned
    assert (by[uf.id].amount_ore, by[uf.id].effect) == (50000, "paid")


def test_benefit_status_changing_mid_month(app, world, hours):
    """Paid while on no benefit; from the 16th on social assistance, everything earned in
    the month counts toward the cap, so only the rest of the cap is paid."""
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        p = person(db, b.org.id)
        status(db, b.org.id, p.id, "none", D(2026, 1, 1))
        status(db, b.org.id, p.id, "social_assistance", D(2026, 9, 16))
        approval(db, b.org.id, p.id, D(2026, 9, 16), D(2026, 12, 31))
        hours.add(p.id, D(2026, 9, 10), "10")   # 1000 kr, status none
        hours.add(p.id, D(2026, 9, 15), "10")   # 1000 kr, status none
        hours.add(p.id, D(2026, 9, 16), "10")   # 500 of 1000 left under the 2500 cap
        hours.add(p.id, D(2026, 9, 17), "10")   # cap reached
        lines = runs.compute_lines(db, env(app, db, b.org.id), D(2026, 9, 1), D(2026, 9, 30))
    assert [(ln.benefit_status, ln.amount_ore, ln.reason) for ln in lines] == [
        ("none", 100000, ""), ("none", 100000, ""), ("social_assistance", 50000, "cap_partly"), ("social_assistance", 0, "cap_reached")]


def test_approval_expiring_mid_month_holds_pay_after_it(app, world, hours):
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        p = person(db, b.org.id)
        status(db, b.org.id, p.id, "social_assistance", D(2026, 1, 1))
        approval(db, b.org.id, p.id, D(2026, 1, 1), D(2026, 10, 14), cap_ore=200000)
        hours.add(p.id, D(2026, 10, 13), "5")
        hours.add(p.id, D(2026, 10, 14), "5")
        hours.add(p.id, D(2026, 10, 15), "5")
        lines = runs.compute_lines(db, env(app, db, b.org.id), D(2026, 10, 1), D(2026, 10, 31))
    assert [(ln.work_date.day, ln.amount_ore, ln.effect, ln.reason) for ln in lines] == [
        (13, 50000, "paid", "within_cap"), (14, 50000, "paid", "within_cap"), (15, 0, "held", "no_approval")]
    assert lines[0].reason_params["cap_ore"] == 200000


def test_day_wage_does_not_use_the_social_assistance_cap(app, world):
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        p = person(db, a.org.id)
        status(db, a.org.id, p.id, "social_assistance", D(2026, 1, 1))  # and no approval at all
        for d in range(1, 16):
            worked_shift(db, a.org.id, a.site.id, p.id, D(2026, 7, d))
        lines = runs.compute_lines(db, env(app, db, a.org.id), D(2026, 7, 1), D(2026, 7, 31))
    assert sum(ln.amount_ore for ln in lines) == 15 * 25000  # 3750 kr, above the 2500 cap
    assert {ln.reason for ln in lines} == {"not_counted"}
