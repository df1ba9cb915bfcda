"""Pay runs: drafts, approval once and for all, corrections in later runs."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from core.forms import FormError
from core.models import Shift
from plugins.payroll_rules import runs
from plugins.payroll_rules.models import PayLine, PayRun
from tests.plugins.payroll_rules.helpers import HoursSource, approval, env, person, register_hours, setting, status, worked_shift

D = dt.date


@pytest.fixture
def hours(app) -> Iterator[HoursSource]:
    yield from register_hours(app)


def _lines(db, run_id):
    return list(db.scalars(select(PayLine).where(PayLine.run_id == run_id).order_by(PayLine.position)))


def test_draft_recomputes_to_the_same_lines_and_totals_add_up(app, world, hours):
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        p, q = person(db, b.org.id, "Per"), person(db, b.org.id, "Kari")
        hours.add(p.id, D(2026, 3, 2), "3.5")
        hours.add(q.id, D(2026, 3, 4), "6")
        e = env(app, db, b.org.id)
        run = runs.create_run(db, e, D(2026, 3, 1), D(2026, 3, 31))
        first = [ln.key() for ln in runs.stored_lines(run)]
        fp = run.fingerprint
        runs.recompute(db, e, run)
        assert [ln.key() for ln in runs.stored_lines(run)] == first
        assert run.fingerprint == fp
        assert run.total_ore == sum(ln.amount_ore for ln in _lines(db, run.id)) == 35000 + 60000


def test_approved_run_never_changes_and_corrections_go_to_a_later_run(app, world, hours):
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        p = person(db, b.org.id)
        w = hours.add(p.id, D(2026, 3, 2), "4")
        e = env(app, db, b.org.id)
        march = runs.create_run(db, e, D(2026, 3, 1), D(2026, 3, 31))
        runs.approve(db, e, march, world.b.users["leader"].id)
        assert march.status == "approved" and march.total_ore == 40000
        before = [ln.key() for ln in runs.stored_lines(march)]

        # Later: the hourly rate for March is corrected, and the timesheet shrinks.
        setting(app, db, b.org.id, "payroll.hourly_wage", "110", D(2026, 3, 1))
        hours.remove(w)
        hours.add(p.id, D(2026, 3, 2), "3")
        with pytest.raises(FormError):
            runs.recompute(db, e, march)
        db.expire_all()
        assert [ln.key() for ln in runs.stored_lines(db.get(PayRun, march.id))] == before

        april = runs.create_run(db, e, D(2026, 4, 1), D(2026, 4, 30))
        got = [(ln.line_kind, ln.source, ln.amount_ore, ln.reason) for ln in runs.stored_lines(april)]
    # The removed line is taken back; the new, late timesheet line is paid at the new rate.
    assert got == [("adjustment", w.source, -40000, "work_removed"), ("pay", "test_timesheet:2", 33000, "")]


def test_work_removed_in_bulk_is_taken_back_line_by_line(app, world, hours, monkeypatch):
    """When many paid pieces of work stop being payable at once (a program's plugin
    switched off), their approved lines are read in chunks: here, one source a statement."""
    monkeypatch.setattr(runs, "_SOURCES_PER_STATEMENT", 1)
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        p, q = person(db, b.org.id, "Per"), person(db, b.org.id, "Kari")
        gone = [hours.add(p.id, D(2026, 3, 2), "4"), hours.add(q.id, D(2026, 3, 3), "2"), hours.add(p.id, D(2026, 3, 9), "1")]
        e = env(app, db, b.org.id)
        march = runs.create_run(db, e, D(2026, 3, 1), D(2026, 3, 31))
        runs.approve(db, e, march, world.b.users["leader"].id)
        for w in gone:
            hours.remove(w)
        april = runs.create_run(db, e, D(2026, 4, 1), D(2026, 4, 30))
        got = [(ln.participant_id, ln.source, ln.amount_ore, ln.reason) for ln in runs.stored_lines(april)]
    # Person by person, each person's work by date, as every run is ordered.
    assert got == [(p.id, gone[0].source, -40000, "work_removed"), (p.id, gone[2].source, -10000, "work_removed"),
                   (q.id, gone[1].source, -20000, "work_removed")]


def test_a_run_total_above_21_million_kroner_is_stored_and_approved(app, world, hours):
    """A year for a large program passes 2,147,483,647 øre, the most a 32-bit integer holds:
    PostgreSQL refused such a total until the column was made 64-bit (pr_0002)."""
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        setting(app, db, b.org.id, "payroll.hourly_wage", "100000", D(2026, 1, 1))
        people = [person(db, b.org.id, f"P{i}") for i in range(5)]
        for day in range(1, 6):
            for p in people:
                hours.add(p.id, D(2026, 3, day), "10")  # 1,000,000 kr a line, 25 lines
        e = env(app, db, b.org.id)
        run = runs.create_run(db, e, D(2026, 3, 1), D(2026, 3, 31))
        runs.approve(db, e, run, world.b.users["leader"].id)
        run_id = run.id
    with world.db(b) as db:
        stored = db.get(PayRun, run_id)
        assert (stored.status, stored.total_ore) == ("approved", 2_500_000_000)
        assert sum(ln.amount_ore for ln in _lines(db, run_id)) == 2_500_000_000


def test_held_pay_is_released_by_a_later_run_once_an_approval_is_recorded(app, world, hours):
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        p = person(db, b.org.id)
        status(db, b.org.id, p.id, "social_assistance", D(2026, 1, 1))
        w = hours.add(p.id, D(2026, 5, 5), "10")
        e = env(app, db, b.org.id)
        may = runs.create_run(db, e, D(2026, 5, 1), D(2026, 5, 31))
        runs.approve(db, e, may, None)
        assert [(ln.amount_ore, ln.effect, ln.reason) for ln in runs.stored_lines(may)] == [(0, "held", "no_approval")]
        approval(db, b.org.id, p.id, D(2026, 5, 1), None)
        june = runs.create_run(db, e, D(2026, 6, 1), D(2026, 6, 30))
        (line,) = runs.stored_lines(june)
    assert (line.source, line.line_kind, line.amount_ore, line.reason) == (w.source, "adjustment", 100000, "recomputed")
    assert line.reason_params["was_ore"] == 0 and line.reason_params["why"] == "within_cap"


def test_approval_refuses_a_stale_draft_and_saves_the_fresh_one(app, world, hours):
    b = world.b
    with world.db(b) as db:
        setting(app, db, b.org.id, "payroll.rules", "hourly_wage")
        p = person(db, b.org.id)
        hours.add(p.id, D(2026, 3, 2), "4")
        e = env(app, db, b.org.id)
        run = runs.create_run(db, e, D(2026, 3, 1), D(2026, 3, 31))
        seen = run.fingerprint
        hours.add(p.id, D(2026, 3, 3), "2")
        with pytest.raises(runs.StaleDraft):
            runs.approve(db, e, run, None, seen)
        db.expire_all()
        run = db.get(PayRun, run.id)
        assert run.status == "draft" and run.total_ore == 60000
        runs.approve(db, e, run, None, run.fingerprint)
        assert db.get(PayRun, run.id).status == "approved"


def test_two_overlapping_runs_never_pay_the_same_work_twice(app, world):
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        p = person(db, a.org.id)
        worked_shift(db, a.org.id, a.site.id, p.id, D(2026, 8, 3))
        e = env(app, db, a.org.id)
        day = runs.create_run(db, e, D(2026, 8, 3), D(2026, 8, 3))
        month = runs.create_run(db, e, D(2026, 8, 1), D(2026, 8, 31))
        assert month.total_ore == day.total_ore == 25000
        runs.approve(db, e, day, None)
        with pytest.raises(runs.StaleDraft):
            runs.approve(db, e, month, None, month.fingerprint)
        runs.approve(db, e, db.get(PayRun, month.id), None)
        total = sum(ln.amount_ore for r in db.scalars(select(PayRun)) for ln in r.lines)
    assert total == 25000


def test_a_shift_changed_after_approval_is_corrected_in_the_next_days_run(app, world):
    a = world.a
    with world.db(a) as db:
        setting(app, db, a.org.id, "payroll.rules", "day_wage")
        p = person(db, a.org.id)
        shift = worked_shift(db, a.org.id, a.site.id, p.id, D(2026, 8, 3))
        e = env(app, db, a.org.id)
        monday = runs.create_run(db, e, D(2026, 8, 3), D(2026, 8, 3))
        runs.approve(db, e, monday, None)
        db.get(Shift, shift.id).outcome = "no_show"
        db.commit()
        tuesday = runs.create_run(db, e, D(2026, 8, 4), D(2026, 8, 4))
        (line,) = runs.stored_lines(tuesday)
    assert (line.source, line.amount_ore, line.reason) == (f"shift:{shift.id}", -25000, "work_removed")


def test_bad_periods_are_refused(app, world):
    with world.db(world.b) as db:
        e = env(app, db, world.b.org.id)
        with pytest.raises(FormError):
            runs.create_run(db, e, D(2026, 3, 2), D(2026, 3, 1))
        with pytest.raises(FormError):
            runs.create_run(db, e, D(2025, 1, 1), D(2026, 3, 1))
