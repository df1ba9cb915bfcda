"""Property tests: whatever the work, the statuses and the way a month is split into runs,
the cap holds, AAP is never paid, lines add up, drafts are reproducible, approved runs are
frozen."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from core.forms import FormError
from core.models import DatedSetting, Participant
from plugins.payroll_rules import runs
from plugins.payroll_rules.benefits import record_status
from plugins.payroll_rules.models import BenefitStatus, DistrictApproval, PayLine, PayRun
from tests.plugins.payroll_rules.helpers import HoursSource, approval, env, register_hours, setting, status

D = dt.date
MONTH = (2026, 9)
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

quarter_hours = st.integers(min_value=1, max_value=40).map(lambda q: Decimal(q) / 4)
work_items = st.lists(st.tuples(st.integers(1, 30), quarter_hours), min_size=1, max_size=8)
# Days on which a new run starts: any split of the month into consecutive runs.
splits = st.sets(st.integers(2, 30), max_size=4).map(sorted)


@pytest.fixture
def hours(app) -> Iterator[HoursSource]:
    yield from register_hours(app)


def _reset(db, hours: HoursSource, org_id: int) -> Participant:
    for model in (PayLine, PayRun, BenefitStatus, DistrictApproval, DatedSetting):
        db.execute(delete(model))
    db.commit()
    hours.items.clear()
    p = db.scalars(select(Participant)).first()
    if p is None:
        p = Participant(organization_id=org_id, first_name="Kari", last_name="Nordmann")
        db.add(p)
        db.commit()
    return p


def _status(db, org_id: int, participant_id: int, value: str, day: dt.date) -> None:
    """Record a status from ``day`` (replacing one on the same day), as staff do."""
    record_status(db, org_id, participant_id, value, day, "", None)


def _periods(split_days: list[int]) -> list[tuple[dt.date, dt.date]]:
    starts = [1, *split_days]
    ends = [d - 1 for d in split_days] + [30]
    return [(D(*MONTH, s), D(*MONTH, e)) for s, e in zip(starts, ends)]


def _approved_amounts(db) -> dict[str, int]:
    out: dict[str, int] = {}
    for ln in db.scalars(select(PayLine).join(PayRun).where(PayRun.status == "approved")):
        out[ln.source] = out.get(ln.source, 0) + ln.amount_ore
    return out


@SETTINGS
@given(items=work_items, cap_kr=st.integers(0, 5000), split_days=splits, order=st.randoms(use_true_random=False))
def test_social_assistance_pay_never_exceeds_the_cap_over_any_split_into_runs(app, world, hours, items, cap_kr, split_days, order):
    b = world.b
    with world.db(b) as db:
        p = _reset(db, hours, b.org.id)
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        setting(app, db, b.org.id, "payroll.social_assistance_cap", str(cap_kr), D(2020, 1, 1))
        status(db, b.org.id, p.id, "social_assistance", D(2026, 1, 1))
        approval(db, b.org.id, p.id, D(2026, 1, 1), None)
        for day, h in items:
            hours.add(p.id, D(*MONTH, day), h)
        e = env(app, db, b.org.id)
        periods = _periods(split_days)
        order.shuffle(periods)
        for start, end in periods:
            run = runs.create_run(db, e, start, end)
            assert run.total_ore == sum(ln.amount_ore for ln in run.lines)
            runs.approve(db, e, run, None)
        paid = sum(_approved_amounts(db).values())
    gross = sum(int(h * 10000) for _d, h in items)
    assert paid <= cap_kr * 100
    assert paid == min(gross, cap_kr * 100)  # up to the cap, not less


statuses = st.sampled_from(["none", "disability", "aap", "social_assistance", "other"])


@SETTINGS
@given(items=work_items, changes=st.lists(st.tuples(st.integers(1, 30), statuses), min_size=1, max_size=4),
       later=st.lists(st.tuples(st.integers(1, 30), statuses), max_size=3), split_days=splits)
def test_nobody_on_aap_is_ever_paid(app, world, hours, items, changes, later, split_days):
    """Also when the status history is changed after runs were approved: the corrections in
    later runs take back whatever was paid for days now known to be on AAP."""
    b = world.b
    with world.db(b) as db:
        p = _reset(db, hours, b.org.id)
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        approval(db, b.org.id, p.id, D(2026, 1, 1), None)
        for day, value in changes:
            _status(db, b.org.id, p.id, value, D(*MONTH, day))
        work = [hours.add(p.id, D(*MONTH, day), h) for day, h in items]
        e = env(app, db, b.org.id)
        for start, end in _periods(split_days):
            runs.approve(db, e, runs.create_run(db, e, start, end), None)
        for day, value in later:
            _status(db, b.org.id, p.id, value, D(*MONTH, day))
        runs.approve(db, e, runs.create_run(db, e, D(2026, 10, 1), D(2026, 10, 31)), None)
        paid = _approved_amounts(db)
        from plugins.payroll_rules.benefits import Timelines

        tl = Timelines(db, [p.id])
        on_aap = [w for w in work if tl.status_on(p.id, w.date) == "aap"]
        aap_lines = list(db.scalars(select(PayLine).where(PayLine.benefit_status == "aap", PayLine.line_kind == "pay")))
    assert all(paid.get(w.source, 0) == 0 for w in on_aap)
    assert all(ln.amount_ore == 0 for ln in aap_lines)


@SETTINGS
@given(items=work_items, statuses_=st.lists(st.tuples(st.integers(1, 30), statuses), max_size=3), cap_kr=st.integers(0, 4000))
def test_recomputing_a_draft_with_the_same_inputs_gives_the_same_lines(app, world, hours, items, statuses_, cap_kr):
    b = world.b
    with world.db(b) as db:
        p = _reset(db, hours, b.org.id)
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        setting(app, db, b.org.id, "payroll.social_assistance_cap", str(cap_kr), D(2020, 1, 1))
        approval(db, b.org.id, p.id, D(*MONTH, 10), D(*MONTH, 20))
        for day, value in statuses_:
            _status(db, b.org.id, p.id, value, D(*MONTH, day))
        for day, h in items:
            hours.add(p.id, D(*MONTH, day), h)
        e = env(app, db, b.org.id)
        run = runs.create_run(db, e, D(*MONTH, 1), D(*MONTH, 30))
        first = [ln.key() for ln in runs.stored_lines(run)]
        total = run.total_ore
        runs.recompute(db, e, run)
        again = [ln.key() for ln in runs.stored_lines(run)]
    assert again == first
    assert run.total_ore == total == sum(ln.amount_ore for ln in run.lines)


edits = st.lists(st.one_of(
    st.tuples(st.just("rate"), st.integers(50, 300)),
    st.tuples(st.just("remove"), st.integers(0, 11)),
    st.tuples(st.just("add"), st.integers(1, 30)),
    st.tuples(st.just("status"), statuses),
), min_size=1, max_size=5)


@SETTINGS
@given(items=work_items, changes=edits)
def test_an_approved_run_never_changes_after_later_edits(app, world, hours, items, changes):
    b = world.b
    with world.db(b) as db:
        p = _reset(db, hours, b.org.id)
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        work = [hours.add(p.id, D(*MONTH, day), h) for day, h in items]
        e = env(app, db, b.org.id)
        run = runs.create_run(db, e, D(*MONTH, 1), D(*MONTH, 30))
        runs.approve(db, e, run, None)
        frozen = ([ln.key() for ln in runs.stored_lines(run)], run.total_ore, run.fingerprint)
        for kind, value in changes:
            if kind == "rate":
                setting(app, db, b.org.id, "payroll.hourly_wage", str(value), D(*MONTH, 1))
            elif kind == "remove" and value < len(work) and work[value] in hours.items:
                hours.remove(work[value])
            elif kind == "add":
                hours.add(p.id, D(*MONTH, value), "2")
            elif kind == "status":
                _status(db, b.org.id, p.id, value, D(2026, 1, 1))
        with pytest.raises(FormError):
            runs.recompute(db, e, run)
        with pytest.raises(FormError):
            runs.approve(db, e, run, None)
        runs.approve(db, e, runs.create_run(db, e, D(2026, 10, 1), D(2026, 10, 31)), None)
        db.expire_all()
        again = db.get(PayRun, run.id)
        assert ([ln.key() for ln in runs.stored_lines(again)], again.total_ore, again.fingerprint) == frozen
        assert runs.fingerprint(runs.stored_lines(again)) == frozen[2]
