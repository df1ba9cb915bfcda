"""Serve the national dataset on loopback and measure the pages staff use most.

Starts the app (``bench.asgi:app``, two worker processes on the machine's two cores) and
loads it with 20 concurrent clients per page: the dashboard, the check-in search, a
participant page, the work-order list and the yearly report, each beside the baseline.

Then, one request at a time through the JSON API on the same server and database (beside
a one-client baseline): the day's draw with 40, 1,000 and 10,000 entrants, the team
suggestion, and a month's pay run (draft and approval). ``bench/lottery.py`` and
``bench/payroll.py`` time the same work inside one Python process; these are the figures
as staff get them, through the server, the middleware and the database.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import delete, func, insert, select

from bench.docs import write_section
from bench.http_load import Result, measure, server_timing, table
from bench.national import PASSWORD
from core.config import load_settings
from core.db import make_engine, make_session_factory, scoped_session
from core.models import Attendance, Membership, Organization, OrganizationPlugin, Participant, ProgramDay, Site, StaffUser
from core.services.auth import create_api_token, hash_password

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DRAW_SIZES = ((40, 7), (1_000, 5), (10_000, 3))  # entrants, draws measured
DRAW_ORG = "bench-draw"


def _load_note() -> str:
    one, five, _fifteen = os.getloadavg()
    return (f"Load average when measured: {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores; above 2, other work "
            "competed for the cores and every figure, the baseline's too, is an upper bound.\n\n")


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.year * 12 + day.month - 1 + months
    return dt.date(m // 12, m % 12 + 1, 1)


def _token(factory, org_id: int) -> str:  # type: ignore[no-untyped-def]
    with scoped_session(factory, None) as db:
        user_id = db.scalars(select(Membership.user_id).where(Membership.organization_id == org_id, Membership.role == "leader")).first()
        return create_api_token(db, db.get(StaffUser, user_id), org_id, "bench")


def _timed(base: str, name: str, token: str, calls: list[tuple[str, str, object]]) -> tuple[Result, list[httpx.Response]]:
    """Send the calls one after another; server time from each response's Server-Timing."""
    server, queued, client_ms, responses, errors = [], [], [], [], 0
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=300) as c:
        for method, path, body in calls:
            t = time.perf_counter()
            r = c.request(method, path, json=body)
            client_ms.append((time.perf_counter() - t) * 1000)
            responses.append(r)
            errors += r.status_code >= 400
            app_ms, queue_ms = server_timing(r.headers.get("server-timing", ""))
            if app_ms is not None:
                server.append(app_ms)
            if queue_ms is not None:
                queued.append(queue_ms)
    return Result(name, len(calls), errors, time.perf_counter() - started, server, client_ms, queued), responses


def prepare_draws(engine, factory) -> tuple[int, list[tuple[int, list[dt.date]]]]:  # type: ignore[no-untyped-def]
    """A lottery organization of its own with 10,000 participants and, for every draw to
    measure, an open day with that many people checked in (earlier measured days are the
    later ones' history). Earlier benchmark runs' draws are removed first."""
    from core.services.settings import set_setting
    from plugins.dagsverk_lottery.algorithm import RECEIPT_ALPHABET
    from plugins.dagsverk_lottery.calendar import DEFS
    from plugins.dagsverk_lottery.models import CheckIn, Draw

    def receipt(i: int) -> str:  # unique on the day, as check-in gives them (random there)
        return "".join(RECEIPT_ALPHABET[i // len(RECEIPT_ALPHABET) ** k % len(RECEIPT_ALPHABET)] for k in range(5))

    with scoped_session(factory, None) as db:
        org = db.scalars(select(Organization).where(Organization.slug == DRAW_ORG)).first()
        if org is None:
            org = Organization(slug=DRAW_ORG, name="Draw benchmark", program_name="Dagsverk")
            db.add(org)
            db.flush()
            db.add_all([OrganizationPlugin(organization_id=org.id, plugin=p, enabled=True) for p in ("dagsverk_lottery", "bench_baseline")])
            db.add(Site(organization_id=org.id, name="Base"))
            user = StaffUser(username=f"{DRAW_ORG}-leader", full_name="Draw leader", password_hash=hash_password(PASSWORD))
            db.add(user)
            db.flush()
            db.add(Membership(user_id=user.id, organization_id=org.id, role="leader"))
            # One request closes check-in and draws (no numbers typed), as these benchmarks
            # have always measured it; bench/lottery.py times the two requests of the room.
            db.info["organization_id"] = org.id  # the setting is looked up in this organization only
            set_setting(db, org.id, DEFS["dagsverk.draw_contribution"], "optional")
            db.info["organization_id"] = None
            db.execute(insert(Participant), [{"organization_id": org.id, "first_name": f"P{i}", "last_name": "Draw", "nickname": "",
                                              "gender": "unknown", "phone": "", "card_code": None, "first_seen_on": dt.date(2020, 1, 1),
                                              "active": True} for i in range(max(n for n, _r in DRAW_SIZES))])
            db.commit()
        org_id = org.id
        site_id = db.scalars(select(Site.id).where(Site.organization_id == org_id)).one()
        for model in (Draw, CheckIn, Attendance, ProgramDay):
            db.execute(delete(model).where(model.organization_id == org_id))
        db.commit()
        people = list(db.scalars(select(Participant.id).where(Participant.organization_id == org_id).order_by(Participant.id)))
        day = dt.date(2030, 1, 7)
        plan = []
        for n, repeats in DRAW_SIZES:
            dates = []
            for _ in range(repeats):
                while day.isoweekday() > 5:
                    day += dt.timedelta(days=1)
                day_id = db.execute(insert(ProgramDay).returning(ProgramDay.id), {"organization_id": org_id, "site_id": site_id, "date": day,
                                                                                  "is_open": True, "note": ""}).scalar_one()
                db.execute(insert(Attendance), [{"organization_id": org_id, "day_id": day_id, "participant_id": p} for p in people[:n]])
                db.execute(insert(CheckIn), [{"organization_id": org_id, "day_id": day_id, "participant_id": p, "status": "entered",
                                              "receipt_code": receipt(i)} for i, p in enumerate(people[:n])])
                dates.append(day)
                day += dt.timedelta(days=1)
            plan.append((n, dates))
        db.commit()
    return org_id, plan


def _day_id(engine, org_id: int, date: dt.date) -> int:  # type: ignore[no-untyped-def]
    """The API addresses days by id: the organization's day on ``date`` (its one site)."""
    with engine.connect() as conn:
        return conn.execute(select(ProgramDay.id).where(ProgramDay.organization_id == org_id, ProgramDay.date == date)).scalar_one()


def measure_actions(base: str, engine, orgs: list[tuple[int, str]]) -> str:  # type: ignore[no-untyped-def]
    """The draw, the team suggestion and a month's pay run, one request at a time."""
    factory = make_session_factory(engine)
    results: list[Result] = []
    notes: list[str] = []
    draw_org, plan = prepare_draws(engine, factory)
    token = _token(factory, draw_org)
    for n, dates in plan:
        result, responses = _timed(base, f"draw, {n:,} entrants (check-in closes, draw, results stored)", token,
                                   [("POST", f"/api/v1/dagsverk/days/{_day_id(engine, draw_org, d)}/draw", None) for d in dates])
        drawn = [r.json() for r in responses if r.status_code == 200]
        ok = all(len(d["entrants"]) == n and d["status"] == "drawn" for d in drawn) and len(drawn) == len(dates)
        results.append(result)
        if not ok:
            notes.append(f"the {n:,}-entrant draws did not all come back whole")
        verify, _r = _timed(base, f"verify a draw of {n:,} entrants (recompute)", token,
                            [("GET", f"/api/v1/dagsverk/draws/{d['id']}/verify", None) for d in drawn])
        results.append(verify)

    lottery = [(org_id, slug) for org_id, slug in orgs if int(slug.split("-")[1]) % 2 == 0][:5]
    nyttig = [(org_id, slug) for org_id, slug in orgs if int(slug.split("-")[1]) % 2 == 1][:5]
    calls, sizes = [], []
    with engine.connect() as conn:
        for org_id, _slug in lottery:
            day = conn.execute(select(func.max(ProgramDay.date)).where(ProgramDay.organization_id == org_id, ProgramDay.is_open,
                                                                       ProgramDay.date <= dt.date.today())).scalar_one()
            sizes.append(day)
            calls.append((org_id, day))
    suggest_results = []
    for org_id, day in calls:
        r, responses = _timed(base, "team suggestion", _token(factory, org_id),
                              [("POST", f"/api/v1/dagsverk/days/{_day_id(engine, org_id, day)}/teams/suggest", {})] * 2)
        suggest_results.append(r)
        for resp in responses:
            if resp.status_code == 200:
                body = resp.json()
                notes.append(f"team suggestion: {sum(len(t['members']) for t in body['teams'])} people in {len(body['teams'])} teams, "
                             f"solver {body['solver']['status'] if body.get('solver') else '?'}")
    results.append(Result("team suggestion started (answered 202; CP-SAT up to 5 s in a solver process, see bench/peak.py)",
                          sum(r.requests for r in suggest_results), sum(r.errors for r in suggest_results),
                          sum(r.seconds for r in suggest_results), [x for r in suggest_results for x in r.server_ms],
                          [x for r in suggest_results for x in r.client_ms], [x for r in suggest_results for x in r.queue_ms]))

    from plugins.payroll_rules.models import PayRun

    month = _add_months(dt.date.today().replace(day=1), -1)
    period = {"date_from": month.isoformat(), "date_to": (_add_months(month, 1) - dt.timedelta(days=1)).isoformat()}
    for label, group in (("Dagsverket (day wage)", lottery), ("Nyttig Arbeid (hours)", nyttig)):
        drafts, approvals, lines = [], [], []
        for org_id, _slug in group:
            with scoped_session(factory, None) as db:
                db.execute(delete(PayRun).where(PayRun.organization_id == org_id, PayRun.period_start == month))
                db.commit()
            token = _token(factory, org_id)
            r, responses = _timed(base, "draft", token, [("POST", "/api/v1/payroll/runs", period)])
            drafts.append(r)
            if responses[0].status_code == 201:
                run = responses[0].json()
                lines.append(len(run["lines"]))
                a, _resp = _timed(base, "approve", token, [("POST", f"/api/v1/payroll/runs/{run['id']}/approve", {"fingerprint": run["fingerprint"]})])
                approvals.append(a)
        people = f"{min(lines):,}–{max(lines):,} lines" if lines else "no lines"
        for kind, rs in (("draft (compute and store)", drafts), ("approval (recompute, compare, lock)", approvals)):
            results.append(Result(f"a month's pay run, {label}: {kind}, {people}", sum(r.requests for r in rs), sum(r.errors for r in rs),
                                  sum(r.seconds for r in rs), [x for r in rs for x in r.server_ms], [x for r in rs for x in r.client_ms],
                                  [x for r in rs for x in r.queue_ms]))
    baseline = asyncio.run(measure(base, "baseline (`SELECT 1`, one client)", lambda o, r: "/bench/baseline", clients=1, per_client=50, orgs=1))
    text = "## Actions at scale\n\n" + _load_note()
    text += ("One request at a time through the JSON API, on the same server and database as the pages under load, beside a one-client "
             "baseline. The draws run in an organization of their own (`bench-draw`, 10,000 participants) on days with that many "
             "people checked in; each POST closes check-in (entrants, rights from the last 60 open days, seed) and draws. The team "
             f"suggestion and the pay runs use {len(lottery)} Dagsverket and {len(nyttig)} Nyttig Arbeid organizations of the national "
             "dataset (last open day; the last full month, its earlier months approved). `bench/lottery.py` and `bench/payroll.py` "
             "time the same work inside one process, without the server.\n\n")
    text += table(results, baseline)
    unique_notes = sorted(set(notes))
    if unique_notes:
        text += "\n\n" + "\n".join(f"- {n}" for n in unique_notes)
    text += "\n\nReproduce: `bash bench/run` (or, with the dataset generated, `python -m bench.pages`)."
    return text


def main() -> None:
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    workers = os.environ.get("BENCH_WORKERS", "2")
    # BENCH_PARTS=actions measures only the draw, teams and pay runs (default: everything).
    parts = os.environ.get("BENCH_PARTS", "pages,actions").split(",")
    engine = make_engine(load_settings().database.url)
    with engine.connect() as conn:
        orgs = conn.execute(select(Organization.id, Organization.slug).where(Organization.slug.like("bench-%"), Organization.slug != DRAW_ORG)
                            .order_by(Organization.slug)).all()
        people = {
            i: list(conn.execute(select(Participant.id).where(Participant.organization_id == org_id).limit(200)).scalars())
            for i, (org_id, _slug) in enumerate(orgs)
        }
        from plugins.payroll_rules.models import PayRun

        # Each organization's latest approved month, computed by the pay-rules plugin itself.
        pay_runs = {
            i: conn.execute(select(PayRun.id).where(PayRun.organization_id == org_id, PayRun.status == "approved")
                            .order_by(PayRun.period_start.desc())).scalars().first()
            for i, (org_id, _slug) in enumerate(orgs)
        }
    if not orgs:
        sys.exit("no national dataset: run python -m bench.national first")
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "bench.asgi:app", "--host", "127.0.0.1", "--port", str(port), "--workers", workers,
         "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=dict(os.environ),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise RuntimeError("the server did not start")
        n = len(orgs)
        end = dt.date.today()
        year = f"start={(end - dt.timedelta(days=364)).isoformat()}&end={end.isoformat()}"
        five = f"start={(end - dt.timedelta(days=5 * 365)).isoformat()}&end={end.isoformat()}"

        def run(name: str, path, per_client: int = 25, c: int = clients):  # type: ignore[no-untyped-def]
            return asyncio.run(measure(base, name, path, clients=c, per_client=per_client, orgs=n))

        if "pages" in parts:
            baseline = run("baseline (`SELECT 1`)", lambda o, r: "/bench/baseline")
            pages = [
                ("dashboard", lambda o, r: "/", 25),
                # Lottery organizations have the check-in page; the others search the participant list.
                ("check-in search (3 letters)", lambda o, r: f"/dagsverk/checkin?q={r.choice(['ole', 'kar', 'han', 'lar', 'per'])}"
                 if o % 2 == 0 else f"/participants?q={r.choice(['ole', 'kar', 'han'])}", 25),
                ("participant page", lambda o, r: f"/participants/{r.choice(people[o])}", 25),
                ("work-order list", lambda o, r: "/work-orders", 25),
                ("pay run page (a month, 300–500 lines)", lambda o, r: f"/payroll/runs/{pay_runs[o]}", 10),
                ("yearly report (1 year)", lambda o, r: f"/reports?{year}", 2),
            ]
            # BENCH_ONLY=dashboard,participant measures only pages whose names start so (while tuning).
            only = [w for w in os.environ.get("BENCH_ONLY", "").split(",") if w]
            results = [run(name, path, per_client) for name, path, per_client in pages
                       if not only or any(name.startswith(w) for w in only)]
            if only:
                print(table(results, baseline))
                return
            single = asyncio.run(measure(base, "yearly report (5 years, one client)", lambda o, r: f"/reports?{five}", clients=1, per_client=3, orgs=1))
            turns = load_settings().web.concurrent_requests
            text = "## Pages under load\n\n" + _load_note()
            text += (f"National dataset (`python -m bench.national`): {n} organizations, 5 years of weekday program days with "
                     f"attendance, shifts, draws, timesheets and approved pay runs. {clients} concurrent clients, each signed in to its own "
                     f"organization, {workers} server processes taking {turns} request{'s' if turns != 1 else ''} at a time each "
                     "(`LAVTERSKEL_CONCURRENT_REQUESTS`), on loopback; the load generator runs on the same 2 cores. Server time is the "
                     "app's own `Server-Timing` measurement, from the moment a process takes the request up to the response; the time a "
                     "request waited for its turn is the next column, and the client's time includes both and the network.\n\n")
            text += table(results, baseline)
            text += (f"\n\nThe yearly report over all 5 years for one organization, one client: p50 "
                     f"{single.pct(single.server_ms, 50):.0f} ms server time.\n\nReproduce: `bash bench/run` (or, with the "
                     f"dataset generated, `python -m bench.pages`).")
            write_section("pages", text)
            print(text)
        if "actions" in parts:
            actions = measure_actions(base, engine, list(orgs))
            write_section("actions", actions)
            print(actions)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
