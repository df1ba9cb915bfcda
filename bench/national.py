"""Generate a national-scale dataset: every program in the country on one installation.

Default: 50 organizations, 20,000 participants, 5 years of weekday program days with
attendance and shifts. Rows are written with bulk inserts in large batches; on SQLite the
whole dataset takes about a minute. Usage::

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
    Attendance, Customer, Membership, Organization, OrganizationPlugin, Participant, ProgramDay, Shift, Site, StaffUser, WorkOrder,
)
from core.plugins import build_plugin_manager
from core.services.auth import hash_password

PASSWORD = "bench-password-2026"
BATCH = 20_000


def _flush(conn, table, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    for i in range(0, len(rows), BATCH):
        conn.execute(insert(table), rows[i : i + BATCH])
    rows.clear()


def generate(engine: Engine, *, organizations: int = 50, participants: int = 20_000, years: int = 5, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    today = dt.date.today()
    first = today - dt.timedelta(days=365 * years)
    weekdays = [first + dt.timedelta(days=i) for i in range((today - first).days + 1) if (first + dt.timedelta(days=i)).weekday() < 5]
    per_org = participants // organizations
    pw = hash_password(PASSWORD)
    counts = dict.fromkeys(("organizations", "participants", "days", "attendance", "shifts", "work_orders"), 0)
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
            conn.execute(insert(Membership), [{"user_id": user_id, "organization_id": org_id, "role": r} for r in ("leader", "work_leader", "admin")])
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
            orders = [{"organization_id": org_id, "customer_id": rng.choice(cust_ids), "site_id": site_id, "title": f"Order {n}-{o}",
                       "description": "", "location": "", "kind": "one_off", "status": rng.choice(("done", "done", "done", "scheduled", "in_progress")),
                       "status_reason": "", "people_needed": rng.randint(3, 6), "indoor": False, "heavy": False,
                       "start_date": rng.choice(weekdays), "end_date": None, "recurrence": "", "remaining": ""} for o in range(200)]
            _flush(conn, WorkOrder.__table__, orders)
            days = [{"organization_id": org_id, "site_id": site_id, "date": d, "is_open": rng.random() > 0.02, "capacity": None, "note": ""}
                    for d in weekdays]
            _flush(conn, ProgramDay.__table__, days)
            day_ids = conn.execute(select(ProgramDay.id, ProgramDay.is_open).where(ProgramDay.organization_id == org_id)).all()
            attendance: list[dict] = []
            shifts: list[dict] = []
            regulars = ids[: len(ids) // 3]
            for day_id, is_open in day_ids:
                if not is_open:
                    continue
                came = rng.sample(regulars, min(len(regulars), rng.randint(25, 40))) if lottery else rng.sample(ids, rng.randint(10, 20))
                attendance.extend({"organization_id": org_id, "day_id": day_id, "participant_id": p} for p in came)
                for p in came[: 23 if lottery else len(came)]:
                    shifts.append({"organization_id": org_id, "day_id": day_id, "participant_id": p, "team_id": None,
                                   "hours": Decimal("4.50"), "outcome": "worked" if rng.random() > 0.05 else "left_early"})
                if len(attendance) > 100_000:
                    counts["attendance"] += len(attendance)
                    counts["shifts"] += len(shifts)
                    _flush(conn, Attendance.__table__, attendance)
                    _flush(conn, Shift.__table__, shifts)
            counts["attendance"] += len(attendance)
            counts["shifts"] += len(shifts)
            _flush(conn, Attendance.__table__, attendance)
            _flush(conn, Shift.__table__, shifts)
            counts["organizations"] += 1
            counts["participants"] += len(ids)
            counts["days"] += len(day_ids)
            counts["work_orders"] += 200
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
