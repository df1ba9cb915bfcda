"""Generate a national-scale dataset: every program in the country on one installation.

Default: 50 organizations, 20,000 participants, 5 years of weekday program days with
attendance and shifts. Half the organizations run Dagsverket's lottery, half Nyttig
Arbeid's contract model, all with the pay rules; the plugins' own rows come through the
plugins' own models (imported here, in bench/, never in core/):

- lottery organizations: every open day's check-ins and a real, verifiable draw (the
  plugin's algorithm, capacity 23), the drawn people's shifts, five work leaders;
- Nyttig organizations: three departments and approved timesheets for everyone who came;
- everyone: a benefit status (45 % disability benefit, 13 % AAP, 17 % social assistance,
  four in five of those with a district approval, the rest none);
- pay: an approved run for every month up to the last full one, which is left open for
  ``bench/pages.py`` to compute and approve. The month before it is computed and approved
  by the pay-rules plugin itself; the older ones are written in bulk, priced as the plugin
  prices them, and the plugin's run checks that: it corrects earlier months, so any
  difference would show as adjustment lines (the generator prints their number: 0).

Rows are written with bulk inserts in large batches. Usage::

    python -m bench.national --database-url sqlite:///bench-data/bench.db
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from core.config import load_settings
from core.db import make_engine
from core.demo import LAST, MEN, WOMEN
from core.migrate import upgrade
from core.models import (
    Attendance, Customer, DatedSetting, Department, Membership, Organization, OrganizationPlugin, Participant, ProgramDay, Shift, Site,
    StaffUser, WorkOrder,
)
from core.plugins import build_plugin_manager
from core.services.auth import hash_password
from plugins.dagsverk_lottery import algorithm
from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant
from plugins.nyttig_contract.models import Timesheet
from plugins.payroll_rules.models import BenefitStatus, DistrictApproval, PayLine, PayRun

PASSWORD = "bench-password-2026"
BATCH = 20_000
CAPACITY = 23
DAY_WAGE_ORE = 25_000
HOURLY_ORE = 10_000
CAP_ORE = 250_000
ENGINE_MONTHS = 1  # months before the open one that the pay-rules plugin computes and approves itself


def _flush(conn, table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[i : i + BATCH])
    rows.clear()


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.year * 12 + day.month - 1 + months
    return dt.date(m // 12, m % 12 + 1, 1)


def _flush_days(conn, counts: dict[str, int], attendance: list[dict], shifts: list[dict], checkins: list[dict],  # type: ignore[no-untyped-def]
                timesheets: list[dict]) -> None:
    counts["attendance"] += len(attendance)
    counts["shifts"] += len(shifts)
    counts["timesheets"] += len(timesheets)
    _flush(conn, Attendance.__table__, attendance)
    _flush(conn, Shift.__table__, shifts)
    _flush(conn, CheckIn.__table__, checkins)
    _flush(conn, Timesheet.__table__, timesheets)


def _flush_draws(conn, counts: dict[str, int], org_id: int, draws: dict[int, tuple[dict, list]]) -> None:  # type: ignore[no-untyped-def]
    _flush(conn, Draw.__table__, [row for row, _p in draws.values()])
    draw_ids = dict(conn.execute(select(Draw.day_id, Draw.id).where(Draw.organization_id == org_id)).all())
    entrants = [{"organization_id": org_id, "draw_id": draw_ids[day_id], "participant_id": pl.participant_id, "right": pl.right,
                 "result": pl.result, "position": pl.position, "reserve_number": pl.reserve_number, "called_in": False, "call_status": ""}
                for day_id, (_row, placements) in draws.items() for pl in placements]
    counts["draws"] += len(draws)
    counts["draw_entrants"] += len(entrants)
    _flush(conn, DrawEntrant.__table__, entrants)


def _benefit_statuses(conn, counts: dict[str, int], rng: random.Random, org_id: int, ids: list[int], first: dt.date) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Each person's status for the whole period; returns ``participant id -> status``
    (``social_assistance_approved`` for those with a district approval)."""
    statuses, rows, approvals = {}, [], []
    for pid in ids:
        r = rng.random()
        status = "disability" if r < 0.45 else "aap" if r < 0.58 else "social_assistance" if r < 0.75 else "none"
        rows.append({"organization_id": org_id, "participant_id": pid, "status": status, "valid_from": first, "note": ""})
        if status == "social_assistance" and rng.random() < 0.8:
            approvals.append({"organization_id": org_id, "participant_id": pid, "district": "Bydel Bench", "decision_date": first,
                              "valid_from": first, "valid_to": None, "cap_ore": None, "note": ""})
            status = "social_assistance_approved"
        statuses[pid] = status
    counts["benefit_statuses"] += len(rows)
    _flush(conn, BenefitStatus.__table__, rows)
    _flush(conn, DistrictApproval.__table__, approvals)
    return statuses


def _pay_runs_in_bulk(conn, counts: dict[str, int], org_id: int, user_id: int, lottery: bool, statuses: dict[int, str],  # type: ignore[no-untyped-def]
                      first: dt.date, until: dt.date) -> None:
    """Approved monthly runs from the first month up to (not including) ``until``, priced
    like the pay rules do with the default settings: the day wage for a worked day or one
    left early (tax-free, not counted against benefits), the motivation wage per quarter
    hour (unpaid on AAP, capped at 2,500 NOK a month on social assistance with an
    approval, held without one)."""
    if lottery:
        work = conn.execute(
            select(Shift.id, Shift.participant_id, ProgramDay.date).join(ProgramDay, ProgramDay.id == Shift.day_id)
            .where(Shift.organization_id == org_id, ProgramDay.date < until).order_by(Shift.participant_id, ProgramDay.date, Shift.id)
        ).all()
    else:
        work = conn.execute(
            select(Timesheet.id, Timesheet.participant_id, Timesheet.date, Timesheet.hours).where(Timesheet.organization_id == org_id, Timesheet.date < until)
            .order_by(Timesheet.participant_id, Timesheet.date, Timesheet.id)
        ).all()
    months: dict[dt.date, list[dict]] = {}
    counted: dict[tuple[int, dt.date], int] = {}
    for row in work:
        month = row.date.replace(day=1)
        status = statuses[row.participant_id]
        base = {"organization_id": org_id, "participant_id": row.participant_id, "work_date": row.date, "line_kind": "pay",
                "note": "", "reason_params": {}}
        if lottery:
            line = {**base, "source": f"shift:{row.id}", "work_kind": "day", "rule": "day_wage", "unit": "day", "quantity": Decimal(1),
                    "rate_ore": DAY_WAGE_ORE, "gross_ore": DAY_WAGE_ORE, "tax_free": True, "counts_toward_cap": False,
                    "benefit_status": status.replace("_approved", "")}
            if status == "aap":
                line.update(amount_ore=0, effect="unpaid", reason="unpaid_status")
            elif status.startswith("social_assistance"):
                line.update(amount_ore=DAY_WAGE_ORE, effect="paid", reason="not_counted")
            else:
                line.update(amount_ore=DAY_WAGE_ORE, effect="paid", reason="")
        else:
            gross = int(Decimal(row.hours) * HOURLY_ORE)
            line = {**base, "source": f"nyttig_timesheet:{row.id}", "work_kind": "hours", "rule": "hourly_wage", "unit": "hour",
                    "quantity": Decimal(row.hours), "rate_ore": HOURLY_ORE, "gross_ore": gross, "tax_free": False, "counts_toward_cap": True,
                    "benefit_status": status.replace("_approved", "")}
            if status == "aap":
                line.update(amount_ore=0, effect="unpaid", reason="unpaid_status")
            elif status == "social_assistance":
                line.update(amount_ore=0, effect="held", reason="no_approval")
            elif status == "social_assistance_approved":
                before = counted.get((row.participant_id, month), 0)
                amount = min(gross, max(0, CAP_ORE - before))
                counted[(row.participant_id, month)] = before + amount
                line.update(amount_ore=amount, effect="paid" if amount == gross else "capped",
                            reason="within_cap" if amount == gross else "cap_reached" if amount == 0 else "cap_partly",
                            reason_params={"cap_ore": CAP_ORE, "counted_before_ore": before, "district": "Bydel Bench"})
            else:
                line.update(amount_ore=gross, effect="paid", reason="")
        months.setdefault(month, []).append(line)
    month = first.replace(day=1)
    runs = []
    while month < until:
        lines = months.get(month, [])
        approved = dt.datetime.combine(_add_months(month, 1) + dt.timedelta(days=4), dt.time(10, 0))
        runs.append({"organization_id": org_id, "period_start": month, "period_end": _add_months(month, 1) - dt.timedelta(days=1),
                     "status": "approved", "total_ore": sum(ln["amount_ore"] for ln in lines), "line_count": len(lines),
                     "fingerprint": "bulk", "computed_at": approved, "created_by_id": user_id, "approved_at": approved,
                     "approved_by_id": user_id, "exported_at": None, "created_at": approved})
        month = _add_months(month, 1)
    counts["pay_runs"] += len(runs)
    _flush(conn, PayRun.__table__, runs)
    run_ids = dict(conn.execute(select(PayRun.period_start, PayRun.id).where(PayRun.organization_id == org_id)).all())
    out: list[dict] = []
    for month, lines in months.items():
        lines.sort(key=lambda ln: (ln["participant_id"], ln["work_date"], ln["source"]))
        for i, ln in enumerate(lines):
            ln["run_id"], ln["position"] = run_ids[month], i
        out.extend(lines)
        if len(out) > 100_000:
            counts["pay_lines"] += len(out)
            _flush(conn, PayLine.__table__, out)
    counts["pay_lines"] += len(out)
    _flush(conn, PayLine.__table__, out)


def _pay_runs_by_the_plugin(engine: Engine, start: dt.date, until: dt.date) -> int:
    """The months from ``start`` up to ``until``, computed and approved by the pay-rules
    plugin itself in every organization, as a leader would."""
    from types import SimpleNamespace

    from bench import baseline
    from core.db import make_session_factory, scoped_session
    from plugins.payroll_rules import runs

    plugins = build_plugin_manager(load_settings().plugins.allowed, [("bench_baseline", baseline)])
    ctx = SimpleNamespace(plugins=plugins, setting_defs={d.key: d for r in plugins.hook.lavterskel_settings() for d in (r or ())})
    factory = make_session_factory(engine)
    with engine.connect() as conn:
        orgs = conn.execute(select(Organization.id).where(Organization.slug.like("bench-%")).order_by(Organization.id)).scalars().all()
    made = adjustments = 0
    for org_id in orgs:
        with scoped_session(factory, org_id) as db:
            org = db.get(Organization, org_id)
            leader = db.scalars(select(Membership.user_id).where(Membership.organization_id == org_id, Membership.role == "leader")).first()
            env = runs.pay_env(ctx, org)
            month = start
            while month < until:
                run = runs.create_run(db, env, month, runs.last_of_month(month), leader)
                runs.approve(db, env, run, leader)
                adjustments += sum(1 for ln in run.lines if ln.line_kind == "adjustment")
                made += 1
                month = _add_months(month, 1)
    print(f"{made} pay runs computed and approved by the pay-rules plugin, with {adjustments} adjustment lines to the bulk-written months")
    return made


def generate(engine: Engine, *, organizations: int = 50, participants: int = 20_000, years: int = 5, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    today = dt.date.today()
    first = today - dt.timedelta(days=365 * years)
    weekdays = [first + dt.timedelta(days=i) for i in range((today - first).days + 1) if (first + dt.timedelta(days=i)).weekday() < 5]
    per_org = participants // organizations
    pw = hash_password(PASSWORD)
    counts = dict.fromkeys(("organizations", "participants", "days", "attendance", "shifts", "work_orders", "draws", "draw_entrants",
                            "timesheets", "benefit_statuses", "pay_runs", "pay_lines"), 0)
    open_month = _add_months(today.replace(day=1), -1)  # the last full month: left for bench/pages.py
    engine_from = _add_months(open_month, -ENGINE_MONTHS)
    with engine.begin() as conn:
        for n in range(organizations):
            lottery = n % 2 == 0
            org_id = conn.execute(insert(Organization).returning(Organization.id), {
                "slug": f"bench-{n:02d}", "name": f"Program {n:02d}", "program_name": "Dagsverk" if lottery else "Nyttig"}).scalar_one()
            plugins = ("dagsverk_lottery", "payroll_rules") if lottery else ("nyttig_contract", "payroll_rules")
            conn.execute(insert(OrganizationPlugin), [{"organization_id": org_id, "plugin": p, "enabled": True}
                                                      for p in (*plugins, "bench_baseline")])
            site_id = conn.execute(insert(Site).returning(Site.id), {"organization_id": org_id, "name": f"Base {n:02d}", "address": ""}).scalar_one()
            user_id = conn.execute(insert(StaffUser).returning(StaffUser.id), {
                "username": f"bench-{n:02d}-leader", "full_name": f"Leader {n:02d}", "password_hash": pw, "is_active": True,
                "failed_logins": 0}).scalar_one()
            conn.execute(insert(Membership), [{"user_id": user_id, "organization_id": org_id, "role": r}
                                              for r in ("leader", "work_leader", "admin", "payroll")])
            if lottery:
                for k in range(1, 5):  # five work leaders in all, as at Stavne
                    wl = conn.execute(insert(StaffUser).returning(StaffUser.id), {
                        "username": f"bench-{n:02d}-wl{k}", "full_name": f"Work leader {n:02d}-{k}", "password_hash": pw,
                        "is_active": True, "failed_logins": 0}).scalar_one()
                    conn.execute(insert(Membership), {"user_id": wl, "organization_id": org_id, "role": "work_leader"})
            conn.execute(insert(DatedSetting), {"organization_id": org_id, "key": "payroll.rules", "valid_from": dt.date(1900, 1, 1),
                                                "value": "day_wage" if lottery else "hourly_wage", "note": "bench"})
            people = []
            for i in range(per_org):
                woman = rng.random() < 0.3
                people.append({
                    "organization_id": org_id, "first_name": rng.choice(WOMEN if woman else MEN), "last_name": rng.choice(LAST),
                    "nickname": "", "gender": "woman" if woman else "man", "phone": "", "card_code": f"B{n:02d}{i:05d}",
                    "birth_date": today - dt.timedelta(days=rng.randint(21 * 365, 66 * 365)),
                    "first_seen_on": rng.choice(weekdays), "active": True,
                })
            _flush(conn, Participant.__table__, people)
            ids = list(conn.execute(select(Participant.id).where(Participant.organization_id == org_id)).scalars())
            customers = [{"organization_id": org_id, "name": f"Customer {n}-{c}", "kind": rng.choice(("municipality", "housing_coop", "business", "private")),
                          "contact_name": "", "phone": "", "email": "", "address": "", "active": True} for c in range(20)]
            _flush(conn, Customer.__table__, customers)
            cust_ids = list(conn.execute(select(Customer.id).where(Customer.organization_id == org_id)).scalars())
            # Orders last a day to two weeks; those over before today are done. Eight more are
            # under way today, as on a normal morning (the team suggestion's candidates).
            orders = []
            for o in range(200):
                start = rng.choice(weekdays) if o < 192 else today - dt.timedelta(days=rng.randint(0, 5))
                end = start + dt.timedelta(days=rng.randint(0, 14)) if o < 192 else today + dt.timedelta(days=rng.randint(0, 10))
                orders.append({"organization_id": org_id, "customer_id": rng.choice(cust_ids), "site_id": site_id, "title": f"Order {n}-{o}",
                               "description": "", "location": "", "kind": "one_off",
                               "status": "done" if end < today else rng.choice(("scheduled", "in_progress")),
                               "status_reason": "", "people_needed": rng.randint(3, 6), "indoor": False, "heavy": rng.random() < 0.3,
                               "start_date": start, "end_date": end, "recurrence": "", "remaining": ""})
            _flush(conn, WorkOrder.__table__, orders)
            days = [{"organization_id": org_id, "site_id": site_id, "date": d, "is_open": rng.random() > 0.02, "capacity": None, "note": ""}
                    for d in weekdays]
            _flush(conn, ProgramDay.__table__, days)
            day_ids = conn.execute(select(ProgramDay.id, ProgramDay.is_open, ProgramDay.date).where(ProgramDay.organization_id == org_id)).all()
            departments: list[int] = []
            if not lottery:
                _flush(conn, Department.__table__, [{"organization_id": org_id, "site_id": site_id, "name": name, "opened_on": first,
                                                     "closed_on": None} for name in ("Recycling station", "Free shop", "Coffee bar")])
                departments = list(conn.execute(select(Department.id).where(Department.organization_id == org_id)).scalars())
            attendance: list[dict] = []
            shifts: list[dict] = []
            checkins: list[dict] = []
            timesheets: list[dict] = []
            draws: dict[int, tuple[dict, list[algorithm.Placement]]] = {}
            regulars = ids[: len(ids) // 3]
            for day_id, is_open, date in day_ids:
                if not is_open:
                    continue
                came = rng.sample(regulars, min(len(regulars), rng.randint(25, 40))) if lottery else rng.sample(ids, rng.randint(10, 20))
                attendance.extend({"organization_id": org_id, "day_id": day_id, "participant_id": p} for p in came)
                at = dt.datetime.combine(date, dt.time(8, 0))
                if lottery:
                    checkins.extend({"organization_id": org_id, "day_id": day_id, "participant_id": p, "status": "entered", "created_at": at}
                                    for p in came)
                    entrants = [algorithm.Entrant(p, "third_day" if rng.random() < 0.05 else "none") for p in came]
                    seed = "%064x" % rng.getrandbits(256)
                    placements = algorithm.run_draw(entrants, CAPACITY, seed)
                    draws[day_id] = ({
                        "organization_id": org_id, "day_id": day_id, "attempt": 1, "status": "drawn", "mode": "morning",
                        "algorithm": algorithm.ALGORITHM_V1, "capacity": CAPACITY, "seed": seed, "seed_sha256": algorithm.fingerprint(seed),
                        "entrants_sha256": algorithm.entrants_digest(entrants, CAPACITY), "sealed_at": at + dt.timedelta(minutes=58),
                        "sealed_by_id": user_id, "drawn_at": at + dt.timedelta(hours=1), "drawn_by_id": user_id, "void_reason": "",
                    }, placements)
                    workers = [pl.participant_id for pl in placements if pl.drawn]
                else:
                    workers = came
                    for p in came:
                        timesheets.append({"organization_id": org_id, "participant_id": p, "date": date, "department_id": rng.choice(departments),
                                           "hours": Decimal(rng.randint(12, 30)) / 4, "note": "", "recorded_by_id": user_id,
                                           "approved_by_id": user_id, "approved_at": at + dt.timedelta(hours=7)})
                for p in workers:
                    shifts.append({"organization_id": org_id, "day_id": day_id, "participant_id": p, "team_id": None,
                                   "hours": Decimal("4.50"), "outcome": "worked" if rng.random() > 0.05 else "left_early"})
                if len(attendance) > 100_000:
                    _flush_days(conn, counts, attendance, shifts, checkins, timesheets)
            _flush_days(conn, counts, attendance, shifts, checkins, timesheets)
            if draws:
                _flush_draws(conn, counts, org_id, draws)
            statuses = _benefit_statuses(conn, counts, rng, org_id, ids, first)
            _pay_runs_in_bulk(conn, counts, org_id, user_id, lottery, statuses, first, engine_from)
            counts["organizations"] += 1
            counts["participants"] += len(ids)
            counts["days"] += len(day_ids)
            counts["work_orders"] += 200
    counts["pay_runs"] += _pay_runs_by_the_plugin(engine, engine_from, open_month)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    elif engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--organizations", type=int, default=50)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or load_settings().database.url
    engine = make_engine(url)
    from bench import baseline

    upgrade(engine, build_plugin_manager(load_settings().plugins.allowed, [("bench_baseline", baseline)]))
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Organization).where(Organization.slug.like("bench-%"))).scalar_one():
            print("the national dataset is already there")
            return
    started = time.perf_counter()
    counts = generate(engine, organizations=args.organizations, participants=args.participants, years=args.years)
    print(f"generated in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
