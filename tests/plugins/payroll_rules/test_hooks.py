"""The pay hooks: another program adds its own pay rule as a plugin; others read markers."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from core import hookimpl
from core.contrib import PayableWork, PayQuote, PayRule, SettingDef
from core.models import Organization
from plugins.payroll_rules import runs
from tests.plugins.payroll_rules.helpers import HoursSource, approval, env, person, register_hours, setting, status

D = dt.date


class PieceRatePlugin:
    """A made-up program paying 30 kr per filled sack of firewood, as its own plugin."""

    @hookimpl
    def lavterskel_pay_rules(self) -> list[PayRule]:
        def price(work: PayableWork, setting) -> PayQuote:  # type: ignore[no-untyped-def]
            sacks = Decimal(work.hours or 0)
            return PayQuote(quantity=sacks, rate_ore=3000, amount_ore=int(sacks * 3000), unit="sack", note="30 kr per sack")

        return [PayRule(key="piece_rate", label="Piece rate", kinds=("hours",), price=price)]


@pytest.fixture
def hours(app) -> Iterator[HoursSource]:
    yield from register_hours(app)


@pytest.fixture
def piece_rate(app) -> Iterator[None]:
    pm = app.state["ctx"].plugins.pm
    pm.register(PieceRatePlugin(), name="test_piece_rate")
    try:
        yield
    finally:
        pm.unregister(name="test_piece_rate")


def test_lavterskel_pay_rules_another_program_adds_its_own_rule(app, world, hours, piece_rate):
    b = world.b
    with world.db(b) as db:
        p = person(db, b.org.id)
        status(db, b.org.id, p.id, "social_assistance", D(2026, 1, 1))
        approval(db, b.org.id, p.id, D(2026, 1, 1), None, cap_ore=50000)
        hours.add(p.id, D(2026, 2, 3), "12")  # 12 sacks = 360 kr, but the cap is 500 kr
        hours.add(p.id, D(2026, 2, 4), "10")  # 300 kr, cut to 140 kr
        e = env(app, db, b.org.id)
        assert {"day_wage", "hourly_wage", "piece_rate"} <= set(e.rules)
        setting(app, db, b.org.id, "payroll.rules", "piece_rate")
        lines = runs.compute_lines(db, e, D(2026, 2, 1), D(2026, 2, 28))
    # The program's own rule prices the work; benefit status and the cap apply as for any rule.
    assert [(ln.rule, ln.unit, ln.amount_ore, ln.reason) for ln in lines] == [
        ("piece_rate", "sack", 36000, "within_cap"), ("piece_rate", "sack", 14000, "cap_partly")]
    assert lines[0].note == "30 kr per sack"


def test_lavterskel_pay_rules_only_from_enabled_plugins(app, world):
    """An organization without the pay plugin is offered none of its rules."""
    with world.db(world.b) as db:
        org = db.get(Organization, world.b.org.id)
        caller = app.state["ctx"].plugins.for_organization("lavterskel_pay_rules", {"nyttig_contract"})
        keys = {r.key for result in caller(organization=org) for r in (result or ())}
    assert "day_wage" not in keys and "hourly_wage" not in keys


def test_lavterskel_pay_markers_say_who_is_unpaid_or_held(app, world):
    b = world.b
    with world.db(b) as db:
        aap, sa, sa_ok, fine = (person(db, b.org.id, n) for n in ("Aap", "Sosial", "Godkjent", "Vanlig"))
        status(db, b.org.id, aap.id, "aap", D(2026, 1, 1))
        status(db, b.org.id, sa.id, "social_assistance", D(2026, 1, 1))
        status(db, b.org.id, sa_ok.id, "social_assistance", D(2026, 1, 1))
        approval(db, b.org.id, sa_ok.id, D(2026, 1, 1), D(2026, 6, 30))
        org = db.get(Organization, b.org.id)
        caller = app.state["ctx"].plugins.for_organization("lavterskel_pay_markers", org.enabled_plugins)
        ids = [aap.id, sa.id, sa_ok.id, fine.id]
        june = {(m.participant_id, m.code) for r in caller(db=db, organization=org, participant_ids=ids, day=D(2026, 6, 30)) for m in r}
        july = {(m.participant_id, m.code) for r in caller(db=db, organization=org, participant_ids=ids, day=D(2026, 7, 1)) for m in r}
        other_org = app.state["ctx"].plugins.for_organization("lavterskel_pay_markers", {"nyttig_contract"})
        none = [m for r in other_org(db=db, organization=org, participant_ids=ids, day=D(2026, 6, 30)) for m in (r or ())]
    assert june == {(aap.id, "unpaid"), (sa.id, "held"), (sa_ok.id, "capped")}
    assert july == {(aap.id, "unpaid"), (sa.id, "held"), (sa_ok.id, "held")}  # the approval ran out
    assert none == []
