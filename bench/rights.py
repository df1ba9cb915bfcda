"""Benchmark of the rights before a draw (a script run by hand, not a timed test).

    .venv/bin/python bench/rights.py [--people 10000] [--days 20] [--pg-url postgresql+psycopg://...]

Issue 15 added two things to the rights computed when check-in closes: a "held a right"
mark in the one aggregate query (rights carried over), and a look in the calendar for the
newest open day without a stored row (it cuts the history). This times, on one throwaway
database (a temporary SQLite file; with ``--pg-url`` also a new database on that cluster,
dropped afterwards), with ``--people`` people registered, entered and drawn on each of
``--days`` open days and all of them registered today:

* ``rights_on``: everything the draw does for the rights (the lookup, the aggregate, who
  was seen before);
* the calendar lookup alone (``last_unrecorded_open_day``);
* the aggregate alone (``standings_before`` less the lookup);
* the aggregate as it was before issue 15 (copied below), on the same data;
* the same-run baseline: ``SELECT 1`` through the same session, so the figures can be read
  against what a round trip costs on this machine at this moment.

Medians of interleaved repeats, so a busy machine slows all of them alike.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402

FIRST_DAY = dt.date(2030, 1, 7)


def _open_days(n: int) -> list[dt.date]:
    from plugins.dagsverk_lottery.calendar import public_holiday

    out, day = [], FIRST_DAY
    while len(out) < n:
        if day.isoweekday() <= 5 and public_holiday(day) is None:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def measure(url: str, label: str, people: int, days: int, repeats: int) -> list[str]:
    import logging
    from dataclasses import replace

    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ.setdefault("LAVTERSKEL_DATA_DIR", tempfile.mkdtemp(prefix="lavterskel-bench-rights-"))
    from core.config import load_settings
    from core.db import scoped_session
    from core.migrate import upgrade
    from core.models import Attendance, Organization, OrganizationPlugin, Participant, ProgramDay, Site
    from core.web.app import create_app
    from plugins.dagsverk_lottery import draws
    from plugins.dagsverk_lottery.calendar import last_unrecorded_open_day
    from plugins.dagsverk_lottery.models import CheckIn, Draw, DrawEntrant

    settings = load_settings()
    app = create_app(replace(settings, database=replace(settings.database, url=url)))
    ctx = app.state["ctx"]
    upgrade(ctx.engine, ctx.plugins)
    rng = random.Random(15)
    dates = _open_days(days + 1)
    with scoped_session(ctx.session_factory, None) as db:
        org = Organization(slug="bench-rights", name="Rights benchmark", program_name="Dagsverk")
        db.add(org)
        db.flush()
        db.add(OrganizationPlugin(organization_id=org.id, plugin="dagsverk_lottery", enabled=True))
        site = Site(organization_id=org.id, name="Base")
        db.add(site)
        db.flush()
        db.execute(insert(Participant), [{"organization_id": org.id, "first_name": f"P{i}", "last_name": "Rights", "nickname": "",
                                          "gender": "unknown", "phone": "", "card_code": None, "first_seen_on": dt.date(2020, 1, 1),
                                          "active": True} for i in range(people)])
        ids = list(db.scalars(select(Participant.id).where(Participant.organization_id == org.id).order_by(Participant.id)))
        for n, date in enumerate(dates):
            day_id = db.execute(insert(ProgramDay).returning(ProgramDay.id), {"organization_id": org.id, "site_id": site.id, "date": date,
                                                                              "is_open": True, "note": ""}).scalar_one()
            db.execute(insert(Attendance), [{"organization_id": org.id, "day_id": day_id, "participant_id": p} for p in ids])
            db.execute(insert(CheckIn), [{"organization_id": org.id, "day_id": day_id, "participant_id": p, "status": "entered"} for p in ids])
            if n == days:
                today = db.get(ProgramDay, day_id)
                break
            draw_id = db.execute(insert(Draw).returning(Draw.id), {
                "organization_id": org.id, "day_id": day_id, "attempt": 1, "status": "drawn", "mode": "morning", "algorithm": "x",
                "capacity": 23, "seed": "s", "seed_sha256": "f", "entrants_sha256": "e"}).scalar_one()
            won = set(rng.sample(ids, 23))
            db.execute(insert(DrawEntrant), [{
                "organization_id": org.id, "draw_id": draw_id, "participant_id": p,
                "right": rng.choice(["none"] * 9 + ["third_day"]), "result": "lottery" if p in won else "reserve",
                "called_in": False, "call_status": rng.choice(["", "", "", "not_reached"])} for p in ids])
        db.commit()
        if ctx.engine.dialect.name == "postgresql":
            db.execute(text("ANALYZE"))
            db.commit()
        timings: dict[str, list[float]] = {"rights_on": [], "lookup": [], "aggregate": [], "old": [], "baseline": []}
        for _ in range(repeats):
            t = time.perf_counter()
            rights = draws.rights_on(db, today, ids)
            timings["rights_on"].append(time.perf_counter() - t)
            t = time.perf_counter()
            last_unrecorded_open_day(db, site.id, today.date, draws.HISTORY_DAYS)
            timings["lookup"].append(time.perf_counter() - t)
            t = time.perf_counter()
            draws.standings_before(db, site.id, today.date)
            timings["aggregate"].append(time.perf_counter() - t)
            t = time.perf_counter()
            db.execute(_old_statement(False), {"site_id": site.id, "before": today.date, "history_limit": draws.HISTORY_DAYS}).all()
            timings["old"].append(time.perf_counter() - t)
            t = time.perf_counter()
            db.execute(text("SELECT 1")).scalar_one()
            timings["baseline"].append(time.perf_counter() - t)
        carried = sum(1 for right, _w in rights.values() if right == "carried_over")
    ctx.engine.dispose()
    ms = {k: statistics.median(v) * 1000 for k, v in timings.items()}
    return [f"| {label} | {people:,} | {days} | {ms['rights_on']:.1f} ms | {ms['lookup']:.2f} ms | "
            f"{ms['aggregate'] - ms['lookup']:.1f} ms | {ms['old']:.1f} ms | {ms['baseline']:.3f} ms | {carried:,} |"]


# The aggregate as it was before issue 15 (no "held a right" mark, no calendar cut), kept
# here as the same-run comparison for the one added to the draw's path.
import functools  # noqa: E402

from sqlalchemy import Date, Integer, bindparam, case, func, literal_column, or_, union_all  # noqa: E402

from core.models import Attendance, ProgramDay, Shift  # noqa: E402
from plugins.dagsverk_lottery.models import Draw, DrawEntrant  # noqa: E402


@functools.cache
def _old_statement(for_people: bool) -> Any:
    days = (
        select(ProgramDay.id.label("day_id"), func.row_number().over(order_by=ProgramDay.date.desc()).label("n"))
        .where(ProgramDay.site_id == bindparam("site_id", type_=Integer), ProgramDay.date < bindparam("before", type_=Date),
               ProgramDay.is_open)
        .order_by(ProgramDay.date.desc()).limit(bindparam("history_limit", type_=Integer)).cte("history_days")
    )
    day_ids = select(days.c.day_id)
    got_work = or_(DrawEntrant.result.in_(("right", "lottery")), DrawEntrant.called_in)
    zero, one = literal_column("0"), literal_column("1")
    branches = [
        select(Attendance.day_id, Attendance.participant_id, zero.label("entered"), zero.label("worked"))
        .where(Attendance.day_id.in_(day_ids)),
        select(Draw.day_id, DrawEntrant.participant_id, one, case((got_work, one), else_=zero))
        .join(DrawEntrant, DrawEntrant.draw_id == Draw.id).where(Draw.day_id.in_(day_ids), Draw.status == "drawn"),
        select(Shift.day_id, Shift.participant_id, zero, one).where(Shift.day_id.in_(day_ids), Shift.outcome != "no_show"),
    ]
    if for_people:
        people = bindparam("people", expanding=True, type_=Integer)
        branches[0] = branches[0].where(Attendance.participant_id.in_(people))
        branches[1] = branches[1].where(DrawEntrant.participant_id.in_(people))
        branches[2] = branches[2].where(Shift.participant_id.in_(people))
    marks = union_all(*branches).subquery("marks")
    per_day = (
        select(marks.c.participant_id, days.c.n, func.max(marks.c.entered).label("entered"), func.max(marks.c.worked).label("worked"))
        .join(days, days.c.day_id == marks.c.day_id).group_by(marks.c.participant_id, days.c.n).subquery("per_day")
    )
    no_work = (
        select(per_day.c.participant_id, per_day.c.n, per_day.c.entered,
               func.row_number().over(partition_by=per_day.c.participant_id, order_by=per_day.c.n).label("k"))
        .where(per_day.c.worked == 0).subquery("no_work")
    )
    waited = func.sum(no_work.c.entered)
    return (select(no_work.c.participant_id, waited).where(no_work.c.n == no_work.c.k)
            .group_by(no_work.c.participant_id).having(waited > 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--pg-url", default=None, help="a PostgreSQL cluster: a new database is made there and dropped")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="lavterskel-bench-rights-") as tmp:
        rows += measure(f"sqlite:///{tmp}/bench.db", "SQLite", args.people, args.days, args.repeats)
    if args.pg_url:
        name = f"bench_rights_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            rows += measure(args.pg_url.rsplit("/", 1)[0] + f"/{name}", "PostgreSQL", args.people, args.days, args.repeats)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()
    print(f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| database | people entered | open days of history | rights_on (median) | calendar lookup | aggregate query "
          "| before issue 15 | baseline SELECT 1 | carried over today |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
