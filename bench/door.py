"""Benchmark of the check-in search at the door (a script, not a timed test).

    .venv/bin/python -m bench.door                                   # SQLite (a throwaway file)
    .venv/bin/python -m bench.door --pg-url postgresql+psycopg://...  # also PostgreSQL: a database this script EMPTIES

The national dataset's people (``bench/national.py``: 20,000 participants, 50 organizations
of 400, names from ``core.demo``'s lists, with Æ, Ø and Å) written in bulk through the same
column defaults as any import, with five years of attendance for the organization searched;
and, as the worst case, the same 20,000 people in ONE organization (a national program on one
account), with a year of attendance.

Each query a work leader types at 08:55 (a few letters, a full name, letters without ø, a
doubled letter, a typo, a card code) is run many times through the door's search
(``plugins.dagsverk_lottery.checkin.find``: folding, SQL narrowing, grading, ranking, the
last visits, the people loaded) and, as the same-run baseline, through the search it
replaces (kept below as ``old_find``: ``lower() LIKE 'word%'`` on three columns, which on
SQLite finds nothing for "øyv"). Then the whole request, ``GET
/api/v1/dagsverk/days/{day_id}/checkin-candidates?q=``, through Litestar's test client in
this process (no server, no network: the app's work and the database's). Server time, p50
and p95 in milliseconds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LAVTERSKEL_DATA_DIR", tempfile.mkdtemp(prefix="lavterskel-bench-door-"))

from sqlalchemy import func, insert, or_, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core.demo import LAST, MEN, WOMEN  # noqa: E402
from core.models import Attendance, Participant  # noqa: E402

QUERIES = ["øyv", "Øyvind am", "oyvind", "ØYVIND AMUNDSEN", "jørg", "hå", "liv h", "kristofersen", "Kristofesen",
           "sørensen", "sor", "per", "aas", "ma", "Bjørn Lie", "zzz", "CARD"]
"""What is typed at the door; CARD is replaced by a real card code."""


def old_find(db: Session, query: str, limit: int = 8) -> list[Participant]:
    """The search before issue 15, as it was: ASCII-only case folding on SQLite."""
    q = " ".join((query or "").split())[:100]
    if not q:
        return []
    card = db.scalars(select(Participant).where(Participant.card_code == q)).first()
    if card is not None:
        return [card]
    stmt = select(Participant).where(Participant.active)
    for word in q.lower().split()[:3]:
        like = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(
            func.lower(Participant.first_name).like(like, escape="\\"),
            func.lower(Participant.last_name).like(like, escape="\\"),
            func.lower(Participant.nickname).like(like, escape="\\"),
        ))
    return list(db.scalars(stmt.order_by(Participant.first_name, Participant.last_name).limit(limit)))


def _people(rng: random.Random, org_id: int, n: int, prefix: str) -> list[dict[str, Any]]:
    today = dt.date.today()
    rows = []
    for i in range(n):
        woman = rng.random() < 0.3
        rows.append({"organization_id": org_id, "first_name": rng.choice(WOMEN if woman else MEN), "last_name": rng.choice(LAST),
                     "nickname": "", "gender": "woman" if woman else "man", "phone": "", "card_code": f"{prefix}{i:05d}",
                     "birth_date": today - dt.timedelta(days=rng.randint(21 * 365, 66 * 365)), "active": True})
    return rows


def generate(ctx: Any) -> dict[str, tuple[int, int, str]]:
    """Both shapes; returns label -> (organization id, a day id to search on, a card code)."""
    from core.models import Membership, Organization, OrganizationPlugin, ProgramDay, Site, StaffUser
    from core.services.auth import hash_password

    rng = random.Random(15)
    today = dt.date.today()
    out = {}
    pw = hash_password("bench-password-2026")
    with ctx.engine.begin() as conn:
        shapes = [("national (400 per organization, 50 organizations)", 50, 400, 5 * 260),
                  ("one organization of 20,000", 1, 20_000, 260)]
        for s, (label, orgs, per_org, days) in enumerate(shapes):
            for n in range(orgs):
                org_id = conn.execute(insert(Organization).returning(Organization.id), {
                    "slug": f"door-{s}-{n:02d}", "name": f"Door {s}-{n}", "program_name": "Dagsverk"}).scalar_one()
                conn.execute(insert(Participant), _people(rng, org_id, per_org, f"D{s}{n:02d}"))
                if n:
                    continue
                # The organization searched: staff, the plugin, a site and its days with attendance.
                conn.execute(insert(OrganizationPlugin), {"organization_id": org_id, "plugin": "dagsverk_lottery", "enabled": True})
                site_id = conn.execute(insert(Site).returning(Site.id), {"organization_id": org_id, "name": "Base", "address": ""}).scalar_one()
                user_id = conn.execute(insert(StaffUser).returning(StaffUser.id), {
                    "username": f"door-{s}-wl", "full_name": "Work leader", "password_hash": pw, "is_active": True, "failed_logins": 0}).scalar_one()
                conn.execute(insert(Membership), [{"user_id": user_id, "organization_id": org_id, "role": r} for r in ("work_leader", "leader")])
                ids = list(conn.execute(select(Participant.id).where(Participant.organization_id == org_id)).scalars())
                dates = [today - dt.timedelta(days=k) for k in range(1, days * 7 // 5) if (today - dt.timedelta(days=k)).weekday() < 5][:days]
                day_rows = [{"organization_id": org_id, "site_id": site_id, "date": d, "is_open": True, "capacity": None, "note": ""}
                            for d in [today, *dates]]
                conn.execute(insert(ProgramDay), day_rows)
                day_ids = dict(conn.execute(select(ProgramDay.date, ProgramDay.id).where(ProgramDay.organization_id == org_id)).all())
                regulars = ids[: max(60, len(ids) // 3)]
                attendance = [{"organization_id": org_id, "day_id": day_ids[d], "participant_id": p}
                              for d in dates for p in rng.sample(regulars, 35)]
                for i in range(0, len(attendance), 20_000):
                    conn.execute(insert(Attendance), attendance[i:i + 20_000])
                card = conn.execute(select(Participant.card_code).where(Participant.id == ids[len(ids) // 2])).scalar_one()
                out[label] = (org_id, day_ids[today], card, f"door-{s}-wl")
    if ctx.engine.dialect.name == "postgresql":
        with ctx.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return out


def _pct(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] * 1000


def bench(url: str, label: str, repeats: int) -> list[str]:
    from litestar.testing import TestClient

    from bench.pages import _token
    from core.config import load_settings
    from core.db import scoped_session
    from core.migrate import upgrade
    from core.web.app import create_app
    from plugins.dagsverk_lottery.checkin import find

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("lavterskel.request").setLevel(logging.WARNING)
    settings = load_settings()
    app = create_app(replace(settings, database=replace(settings.database, url=url)))
    ctx = app.state["ctx"]
    if ctx.engine.dialect.name == "postgresql":  # the database given is this script's to empty
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(ctx.engine, ctx.plugins)
    t = time.perf_counter()
    shapes = generate(ctx)
    print(f"{label}: generated in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    rows = []
    for shape, (org_id, day_id, card, _user) in shapes.items():
        new_t: list[float] = []
        old_t: list[float] = []
        api_t: list[float] = []
        found_new = found_old = 0
        queries = [card if q == "CARD" else q for q in QUERIES]
        with scoped_session(ctx.session_factory, org_id) as db:
            for q in queries:  # warm up both
                find(db, q, organization_id=org_id)
                old_find(db, q)
            for _ in range(repeats):
                for q in queries:
                    t = time.perf_counter()
                    hits = find(db, q, organization_id=org_id)
                    new_t.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    old = old_find(db, q)
                    old_t.append(time.perf_counter() - t)
                    found_new += bool(hits)
                    found_old += bool(old)
                    db.expire_all()
        headers = {"Authorization": f"Bearer {_token(ctx.session_factory, org_id)}"}
        with TestClient(app, base_url="http://testserver.local") as client:
            for q in queries:
                client.get(f"/api/v1/dagsverk/days/{day_id}/checkin-candidates", params={"q": q}, headers=headers)
            for _ in range(repeats):
                for q in queries:
                    t = time.perf_counter()
                    r = client.get(f"/api/v1/dagsverk/days/{day_id}/checkin-candidates", params={"q": q}, headers=headers)
                    api_t.append(time.perf_counter() - t)
                    assert r.status_code == 200, r.text[:300]
        n = repeats * len(queries)
        rows.append(f"| {label} | {shape} | door search (new) | {_pct(new_t, .5):.1f} ms | {_pct(new_t, .95):.1f} ms | "
                    f"{found_new * len(queries) // n} of {len(queries)} |")
        rows.append(f"| {label} | {shape} | old search (baseline) | {_pct(old_t, .5):.1f} ms | {_pct(old_t, .95):.1f} ms | "
                    f"{found_old * len(queries) // n} of {len(queries)} |")
        rows.append(f"| {label} | {shape} | whole API request (new) | {_pct(api_t, .5):.1f} ms | {_pct(api_t, .95):.1f} ms | |")
    ctx.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", help="also on PostgreSQL: a database this script empties (DROP SCHEMA public)")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    lines = [f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python -m bench.door` on {platform.machine()}, Python "
             f"{platform.python_version()}, a shared 2-core machine (load average {os.getloadavg()[0]:.1f} at the start).", "",
             f"{len(QUERIES)} queries ({', '.join(QUERIES)}) × {args.repeats} runs each.", "",
             "| database | people | search | p50 | p95 | queries finding someone |", "|---|---|---|---:|---:|---:|"]
    lines += bench(f"sqlite:///{Path(tempfile.mkdtemp(prefix='lavterskel-bench-door-')) / 'door.db'}", "SQLite", args.repeats)
    if args.pg_url:
        lines += bench(args.pg_url, "PostgreSQL", args.repeats)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
