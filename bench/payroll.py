"""Pay runs at scale: one organization with 500 participants, a month's run and a year's run.

Self-contained: a scratch SQLite database (or ``PAYROLL_BENCH_DATABASE_URL``), migrated,
filled with a year of work — worked shifts (day wage, through the core's
``lavterskel_payable_work``) and approved hours (motivation wage, through a bench plugin
standing in for Nyttig Arbeid's timesheets) — and benefit statuses: 45 % disability
benefit, 13 % AAP, 17 % social assistance (four in five with a district approval), the
rest none. Then it times:

* a month's run: compute and store the draft, recompute it, approve it;
* the next month's run with eleven approved months behind it (corrections checked three
  months back);
* a year's run: one run over the whole year.

Results go to docs/benchmarks.md under "Pay runs". Run alone: ``.venv/bin/python -m bench.payroll``.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import random
import tempfile
import time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select

from core import hookimpl
from core.contrib import PayableWork
from core.db import make_engine, make_session_factory, scoped_session
from core.migrate import upgrade
from core.models import DatedSetting, Organization, OrganizationPlugin, Participant, ProgramDay, Shift, Site
from core.plugins import build_plugin_manager

YEAR = 2025
PEOPLE = 500


class BenchHours:
    """Approved hours, as a program plugin would hand them over."""

    TABLES: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.items: list[PayableWork] = []

    @hookimpl
    def lavterskel_payable_work(self, start: dt.date, end: dt.date) -> list[PayableWork]:
        return [w for w in self.items if start <= w.date <= end]


def _workdays(year: int) -> list[dt.date]:
    day, out = dt.date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def build(url: str) -> tuple[Any, Any, Any, BenchHours, dict[str, int]]:
    hours = BenchHours()
    plugins = build_plugin_manager(["payroll_rules"], [("bench_hours", hours)])
    engine = make_engine(url)
    upgrade(engine, plugins)
    factory = make_session_factory(engine)
    rng = random.Random(6)
    with scoped_session(factory, None) as db:
        org = Organization(slug="bench-pay", name="Bench pay", program_name="Bench")
        db.add(org)
        db.flush()
        db.add_all([OrganizationPlugin(organization_id=org.id, plugin="payroll_rules"), OrganizationPlugin(organization_id=org.id, plugin="bench_hours")])
        site = Site(organization_id=org.id, name="Base")
        db.add(site)
        for key, value in (("payroll.rules", "day_wage hourly_wage"),):
            db.add(DatedSetting(organization_id=org.id, key=key, valid_from=dt.date(1900, 1, 1), value=value))
        db.add(DatedSetting(organization_id=org.id, key="payroll.day_wage", valid_from=dt.date(YEAR, 7, 1), value="275"))
        db.flush()
        people = [Participant(organization_id=org.id, first_name=f"P{i}", last_name="Bench") for i in range(PEOPLE)]
        db.add_all(people)
        db.flush()
        ids = [p.id for p in people]
        status_rows, approval_rows = [], []
        from plugins.payroll_rules.models import BenefitStatus, DistrictApproval

        for pid in ids:
            r = rng.random()
            status = "disability" if r < 0.45 else "aap" if r < 0.58 else "social_assistance" if r < 0.75 else "none"
            status_rows.append({"organization_id": org.id, "participant_id": pid, "status": status, "valid_from": dt.date(YEAR - 1, 1, 1), "note": ""})
            if status == "social_assistance" and rng.random() < 0.8:
                approval_rows.append({"organization_id": org.id, "participant_id": pid, "district": "Bydel Bench", "decision_date": dt.date(YEAR - 1, 12, 1),
                                      "valid_from": dt.date(YEAR, 1, 1), "valid_to": dt.date(YEAR, 12, 31), "note": ""})
        db.execute(insert(BenefitStatus), status_rows)
        db.execute(insert(DistrictApproval), approval_rows)
        days = _workdays(YEAR)
        db.execute(insert(ProgramDay), [{"organization_id": org.id, "site_id": site.id, "date": d, "is_open": True, "note": ""} for d in days])
        day_ids = dict(db.execute(select(ProgramDay.date, ProgramDay.id).where(ProgramDay.site_id == site.id)).all())
        shifts = []
        for d in days:
            # About 10 worked days a month each: 500 people over ~21 workdays.
            for pid in rng.sample(ids, 240):
                shifts.append({"organization_id": org.id, "day_id": day_ids[d], "participant_id": pid, "outcome": "worked"})
        for i in range(0, len(shifts), 5000):
            db.execute(insert(Shift), shifts[i:i + 5000])
        n = 0
        for d in days:
            for pid in rng.sample(ids, 190):
                n += 1
                hours.items.append(PayableWork(pid, d, "hours", f"bench_timesheet:{n}", Decimal(rng.randint(8, 28)) / 4))
        db.commit()
        org_id = org.id
    counts = {"shifts": len(shifts), "hours": len(hours.items)}
    return engine, factory, SimpleNamespace(plugins=plugins, setting_defs={d.key: d for r in plugins.hook.lavterskel_settings() for d in (r or ())}), hours, {"org_id": org_id, **counts}


CPU: dict[str, float] = {}


def timed(fn: Any) -> tuple[float, Any]:
    """Wall-clock seconds; the process's CPU seconds go to ``CPU["last"]`` (on a shared
    machine the wall clock also counts the time other processes had the cores)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    CPU["last"] = time.process_time() - c0
    return time.perf_counter() - t0, out


def main() -> None:
    from plugins.payroll_rules import runs

    url = os.environ.get("PAYROLL_BENCH_DATABASE_URL")
    tmp = tempfile.TemporaryDirectory(prefix="bench-payroll-")
    url = url or f"sqlite:///{tmp.name}/pay.db"
    t_build, (engine, factory, ctx, hours, info) = timed(lambda: build(url))
    # The server freezes what it holds after start-up (core/web/app.py), so the collector
    # never walks it again; here the year of generated work plays that part. Without
    # this, collections walking the generated data were a quarter of each run's time.
    gc.collect()
    gc.freeze()
    results: list[tuple[str, float, float, str]] = []
    with scoped_session(factory, info["org_id"]) as db:
        org = db.get(Organization, info["org_id"])
        env = runs.pay_env(ctx, org)
        jan = (dt.date(YEAR, 1, 1), dt.date(YEAR, 1, 31))
        t, run = timed(lambda: runs.create_run(db, env, *jan))
        results.append(("A month's draft (January: compute and store)", t, CPU["last"], f"{len(run.lines):,} lines, total {run.total_ore / 100:,.2f} kr"))
        t, _ = timed(lambda: runs.recompute(db, env, run))
        results.append(("Recompute the month's draft", t, CPU["last"], "same lines"))
        t, _ = timed(lambda: runs.approve(db, env, run, None))
        results.append(("Approve the month (recompute, compare, lock)", t, CPU["last"], ""))
        for month in range(2, 12):
            r = runs.create_run(db, env, dt.date(YEAR, month, 1), runs.last_of_month(dt.date(YEAR, month, 1)))
            runs.approve(db, env, r, None)
        dec = (dt.date(YEAR, 12, 1), dt.date(YEAR, 12, 31))
        t, run = timed(lambda: runs.create_run(db, env, *dec))
        results.append(("December's draft after 11 approved months", t, CPU["last"], f"{len(run.lines):,} lines; corrections checked 3 months back"))
        t, _ = timed(lambda: runs.approve(db, env, run, None))
        results.append(("Approve December", t, CPU["last"], ""))
    with scoped_session(factory, info["org_id"]) as db:
        # The year's run on a fresh organization state: delete the monthly runs first.
        from sqlalchemy import delete

        from plugins.payroll_rules.models import PayLine, PayRun

        db.execute(delete(PayLine))
        db.execute(delete(PayRun))
        db.commit()
        org = db.get(Organization, info["org_id"])
        env = runs.pay_env(ctx, org)
        t, run = timed(lambda: runs.create_run(db, env, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)))
        results.append(("A year's draft (one run, January to December)", t, CPU["last"], f"{len(run.lines):,} lines, total {run.total_ore / 100:,.2f} kr"))
        t, _ = timed(lambda: runs.approve(db, env, run, None))
        results.append(("Approve the year", t, CPU["last"], ""))
    engine.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    lines = [
        "## Pay runs",
        "",
        f"`.venv/bin/python -m bench.payroll` on {backend}: one organization, {PEOPLE} participants, a year of work "
        f"({info['shifts']:,} worked shifts at the day wage and {info['hours']:,} approved hour lines at the motivation wage), "
        "45 % on disability benefit, 13 % on AAP, 17 % on social assistance (four in five with a district approval). "
        f"Building the data took {t_build:.1f} s. One process; wall-clock seconds, and the CPU seconds the process "
        "itself used (the machine is shared, so the wall clock includes waiting for a core). The generated data is "
        "frozen out of the garbage collector's reach after it is built, as the server does with what it loads at start-up:",
        "",
        "| step | wall s | CPU s | notes |",
        "|---|---:|---:|---|",
        *[f"| {name} | {secs:.2f} | {cpu:.2f} | {note} |" for name, secs, cpu, note in results],
    ]
    text = "\n".join(lines)
    print(text)
    from bench.docs import write_section

    write_section("payroll", text)
    tmp.cleanup()


if __name__ == "__main__":
    main()
