"""The national 09:00 peak: every lottery organization checks in, draws in the same second
and asks for teams, while the doors keep asking the server for their screens.

Runs twice on the national dataset (``python -m bench.national``), each time with a fresh
server of two processes (``bench.asgi:app``, as ``bench/pages.py`` runs it):

1. **baseline, solving inline**: ``LAVTERSKEL_TEAM_SOLVE_INLINE=1``, the CP-SAT solve inside
   the suggest request, as before issue 15;
2. **solver processes**: the suggest request stores a job and answers 202; a solver process
   of each server process solves (``plugins/dagsverk_lottery/solve_jobs.py``).

Each run: every lottery organization's leader (an API token each) stores today's day,
checks in ``--people`` people, then all organizations close check-in and draw in the same
second, verify their draw, and ask for teams in the same second; with solver processes each
polls the job every ``POLL_EVERY`` seconds until it is done. From the moment the teams are
asked for until the last team suggestion is done, ``--doors`` door clients (each signed in
to an organization as its leader) ask every ``DOOR_EVERY`` seconds for the door screen's
state (``/dagsverk/screen/state``), first for QUIET_SECONDS after the draw (the same run's
doors without solves), then while the teams are made. Printed: the doors' p50/p95 (client time, which
includes the wait for a server turn, and the app's own server time), errors, the draws,
and how long the teams took, beside each other for the two runs.

Before each run today's days of the lottery organizations are deleted (with their draws,
check-ins, teams and shifts), so both runs start from the same point.

    LAVTERSKEL_DATABASE_URL=postgresql+psycopg://.../bench python -m bench.peak
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import delete, select

from bench.http_load import _login, server_timing
from bench.pages import _free_port, _load_note, _token
from core.config import load_settings
from core.db import make_engine, make_session_factory
from core.i18n import today
from core.models import Organization, OrganizationPlugin, Participant, ProgramDay, Site

ROOT = Path(__file__).resolve().parent.parent
POLL_EVERY = 2.0
"""How often an organization asks whether its teams are done (the page refreshes every 3 s)."""
DOOR_EVERY = 1.0
"""How often each door screen asks for its state (the real one, screen.js, every 3 s: this is busier)."""
QUIET_SECONDS = 15
"""How long the doors are measured after the draw before the teams are asked for."""


@dataclass
class Run:
    name: str
    door_client_ms: list[float] = field(default_factory=list)
    door_server_ms: list[float] = field(default_factory=list)
    door_errors: int = 0
    quiet_client_ms: list[float] = field(default_factory=list)
    quiet_server_ms: list[float] = field(default_factory=list)
    door_queue_ms: list[float] = field(default_factory=list)
    """While the teams are made: how long a door request waited for a server turn."""
    verdicts: dict[str, int] = field(default_factory=dict)
    unplaced: int = 0
    """The same doors in the seconds after the draw, before the teams are asked for."""
    solving: bool = False
    errors: list[str] = field(default_factory=list)
    draws_verified: int = 0
    draw_seconds: float = 0.0
    teams_seconds: float = 0.0
    suggest_answer_ms: list[float] = field(default_factory=list)
    teams_done: int = 0


def pct(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def lottery_orgs(engine) -> list[tuple[int, int, list[int]]]:  # type: ignore[no-untyped-def]
    """(organization id, site id, participant ids) of every lottery organization of the dataset."""
    with engine.connect() as conn:
        orgs = conn.execute(
            select(Organization.id).join(OrganizationPlugin, OrganizationPlugin.organization_id == Organization.id)
            .where(Organization.slug.like("bench-%"), OrganizationPlugin.plugin == "dagsverk_lottery", OrganizationPlugin.enabled)
            .order_by(Organization.slug)
        ).scalars().all()
        out = []
        for org_id in orgs:
            site = conn.execute(select(Site.id).where(Site.organization_id == org_id)).scalars().first()
            ids = conn.execute(select(Participant.id).where(Participant.organization_id == org_id).order_by(Participant.id).limit(400)).scalars().all()
            out.append((org_id, site, list(ids)))
    return out


def clear_today(engine, org_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(delete(ProgramDay).where(ProgramDay.organization_id.in_(org_ids), ProgramDay.date == today()))


def start_server(port: int, inline: bool) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.pop("LAVTERSKEL_TEAM_SOLVE_INLINE", None)
    if inline:
        env["LAVTERSKEL_TEAM_SOLVE_INLINE"] = "1"
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "bench.asgi:app", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
         "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise RuntimeError("the server did not start")


async def one_org(base: str, token: str, site_id: int, people: list[int], n_people: int, run: Run,
                  draw_gate: asyncio.Barrier, teams_gate: asyncio.Barrier, go: asyncio.Event) -> None:
    date = today().isoformat()
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600) as c:
        r = await c.post("/api/v1/days", json={"site_id": site_id, "date": date})
        if r.status_code != 201:
            run.errors.append(f"day: {r.status_code} {r.text[:200]}")
            await draw_gate.wait()
            await teams_gate.wait()
            return
        day_id = r.json()["id"]
        for pid in people[:n_people]:
            r = await c.post(f"/api/v1/dagsverk/days/{day_id}/checkin", json={"participant_id": pid})
            if r.status_code >= 400:
                run.errors.append(f"checkin: {r.status_code} {r.text[:200]}")
        await draw_gate.wait()  # every organization draws in the same second
        r = await c.post(f"/api/v1/dagsverk/days/{day_id}/draw")
        if r.status_code != 200 or r.json().get("status") != "drawn":
            run.errors.append(f"draw: {r.status_code} {r.text[:200]}")
        else:
            v = await c.get(f"/api/v1/dagsverk/draws/{r.json()['id']}/verify")
            if v.status_code == 200 and v.json()["matches"]:
                run.draws_verified += 1
            else:
                run.errors.append(f"verify: {v.status_code} {v.text[:200]}")
        await teams_gate.wait()
        await go.wait()  # and asks for teams in the same second
        t = time.perf_counter()
        r = await c.post(f"/api/v1/dagsverk/days/{day_id}/teams/suggest", json={})
        run.suggest_answer_ms.append((time.perf_counter() - t) * 1000)
        if r.status_code not in (200, 202):
            run.errors.append(f"suggest: {r.status_code} {r.text[:200]}")
            return
        status = r.json().get("status")
        while status in ("queued", "running"):
            await asyncio.sleep(POLL_EVERY)
            s = await c.get(r.json()["status_url"])
            if s.status_code != 200:
                run.errors.append(f"suggestion: {s.status_code} {s.text[:200]}")
                return
            status = s.json()["status"]
        if status == "done":
            run.teams_done += 1
            body = (await c.get(r.json()["teams_url"])).json()
            verdict = (body.get("solver") or {}).get("status") or "?"
            run.verdicts[verdict] = run.verdicts.get(verdict, 0) + 1
            run.unplaced += len(body["unassigned_participant_ids"])
        else:
            run.errors.append(f"suggestion ended {status}")


async def door(base: str, org: int, run: Run, stop: asyncio.Event, started: asyncio.Event) -> None:
    date = today().isoformat()
    path = f"/dagsverk/screen/state?date={date}"
    async with httpx.AsyncClient(base_url=base, timeout=600) as c:
        await _login(c, f"bench-{org:02d}-leader")
        await started.wait()
        await asyncio.sleep(DOOR_EVERY * random.random())  # the screens were switched on at different moments
        while not stop.is_set():
            t = time.perf_counter()
            solving = run.solving
            r = await c.get(path)
            ms = (time.perf_counter() - t) * 1000
            run.door_errors += r.status_code >= 400
            app_ms, queue_ms = server_timing(r.headers.get("server-timing", ""))
            if solving and queue_ms is not None:
                run.door_queue_ms.append(queue_ms)
            (run.door_client_ms if solving else run.quiet_client_ms).append(ms)
            if app_ms is not None:
                (run.door_server_ms if solving else run.quiet_server_ms).append(app_ms)
            await asyncio.sleep(DOOR_EVERY)


async def peak(base: str, orgs: list[tuple[int, int, list[int]]], tokens: list[str], n_people: int, doors: int, name: str) -> Run:
    run = Run(name)
    draw_gate, teams_gate = asyncio.Barrier(len(orgs)), asyncio.Barrier(len(orgs) + 1)
    stop, started, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
    # Door clients of the lottery organizations (bench-00, bench-02...: the even ones).
    door_tasks = [asyncio.create_task(door(base, 2 * (i % len(orgs)), run, stop, started)) for i in range(doors)]
    tasks = [asyncio.create_task(one_org(base, tok, site, ids, n_people, run, draw_gate, teams_gate, go))
             for (org_id, site, ids), tok in zip(orgs, tokens)]
    t = time.perf_counter()
    await teams_gate.wait()
    run.draw_seconds = time.perf_counter() - t
    started.set()
    await asyncio.sleep(QUIET_SECONDS)
    run.solving = True
    go.set()
    t = time.perf_counter()
    await asyncio.gather(*tasks)
    run.teams_seconds = time.perf_counter() - t
    stop.set()
    await asyncio.gather(*door_tasks)
    return run


def table(runs: list[Run], orgs: int, n_people: int, doors: int) -> str:
    lines = [
        f"{orgs} lottery organizations, {n_people} people checked in each, drawing in the same second and then asking for "
        f"teams in the same second (then asking every {POLL_EVERY:.0f} s whether they are done); {doors} door screens, each asking "
        f"every {DOOR_EVERY:.0f} s for its state, measured for {QUIET_SECONDS} s after the draw (before the teams) and then while the "
        "teams are made. 2 server processes, one request at a time each. Door times: client (including the wait for a server turn) "
        "and the app's own server time.", "",
        "| run | doors before the teams: p95 client / server ms | door p50 client ms | door p95 client ms | door p95 server ms "
        "| door p95 wait for a turn ms | door requests | door errors | other errors | draws verified | suggest answered in (p95 ms) "
        "| all teams done after | teams done | solver verdicts | people on no team |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in runs:
        lines.append(f"| {r.name} | {pct(r.quiet_client_ms, 95):.0f} / {pct(r.quiet_server_ms, 95):.0f} | {pct(r.door_client_ms, 50):.0f} "
                     f"| {pct(r.door_client_ms, 95):.0f} | {pct(r.door_server_ms, 95):.0f} | {pct(r.door_queue_ms, 95):.0f} "
                     f"| {len(r.door_client_ms)} | {r.door_errors} | {len(r.errors)} | {r.draws_verified}/{orgs} "
                     f"| {pct(r.suggest_answer_ms, 95):.0f} | {r.teams_seconds:.1f} s | {r.teams_done}/{orgs} "
                     f"| {', '.join(f'{k} {v}' for k, v in sorted(r.verdicts.items()))} | {r.unplaced} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=30, help="people checked in per organization")
    parser.add_argument("--doors", type=int, default=25, help="door clients polling while the teams are made (default: one per organization)")
    parser.add_argument("--only", choices=["inline", "workers"], help="run one of the two")
    args = parser.parse_args()
    url = load_settings().database.url
    if not url.startswith("postgresql"):
        print("note: the peak is meant for PostgreSQL (LAVTERSKEL_DATABASE_URL)", file=sys.stderr)
    engine = make_engine(url)
    orgs = lottery_orgs(engine)
    if not orgs:
        sys.exit("no national dataset: run python -m bench.national first")
    factory = make_session_factory(engine)
    tokens = [_token(factory, org_id) for org_id, _site, _ids in orgs]
    runs = []
    for name, inline in (("baseline: solving inline, in the request", True), ("solver processes (this change)", False)):
        if args.only and args.only != ("inline" if inline else "workers"):
            continue
        clear_today(engine, [o[0] for o in orgs])
        port = _free_port()
        server = start_server(port, inline)
        try:
            run = asyncio.run(peak(f"http://127.0.0.1:{port}", orgs, tokens, args.people, args.doors, name))
        finally:
            server.terminate()
            server.wait(timeout=60)
        runs.append(run)
        for e in run.errors[:5]:
            print("  error:", e, file=sys.stderr)
    print("## National peak: check-in, draw and teams at 09:00\n")
    print(_load_note() + table(runs, len(orgs), args.people, args.doors))
    print("\nReproduce: `LAVTERSKEL_DATABASE_URL=postgresql+psycopg://... python -m bench.peak` after `python -m bench.national`.")


if __name__ == "__main__":
    main()
