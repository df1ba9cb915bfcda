"""Serve the national dataset on loopback and measure the pages staff use most.

Starts the app (``bench.asgi:app``, two worker processes on the machine's two cores) and
loads it with 20 concurrent clients per page: the dashboard, the check-in search, a
participant page, the work-order list and the yearly report, each beside the baseline.
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
from sqlalchemy import select

from bench.docs import write_section
from bench.http_load import measure, table
from core.config import load_settings
from core.db import make_engine
from core.models import Organization, Participant

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    workers = os.environ.get("BENCH_WORKERS", "2")
    engine = make_engine(load_settings().database.url)
    with engine.connect() as conn:
        orgs = conn.execute(select(Organization.id, Organization.slug).where(Organization.slug.like("bench-%")).order_by(Organization.slug)).all()
        people = {
            i: list(conn.execute(select(Participant.id).where(Participant.organization_id == org_id).limit(200)).scalars())
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

        baseline = run("baseline (`SELECT 1`)", lambda o, r: "/bench/baseline")
        results = [
            run("dashboard", lambda o, r: "/"),
            # Lottery organizations have the check-in page; the others search the participant list.
            run("check-in search (3 letters)", lambda o, r: f"/dagsverk/checkin?q={r.choice(['ole', 'kar', 'han', 'lar', 'per'])}"
                if o % 2 == 0 else f"/participants?q={r.choice(['ole', 'kar', 'han'])}"),
            run("participant page", lambda o, r: f"/participants/{r.choice(people[o])}"),
            run("work-order list", lambda o, r: "/work-orders"),
            run("yearly report (1 year)", lambda o, r: f"/reports?{year}", per_client=2),
        ]
        single = asyncio.run(measure(base, "yearly report (5 years, one client)", lambda o, r: f"/reports?{five}", clients=1, per_client=3, orgs=1))
        text = "## Pages under load\n\n"
        text += (f"National dataset (`python -m bench.national`): {n} organizations, 5 years of weekday program days with "
                 f"attendance and shifts. {clients} concurrent clients, each signed in to its own organization, "
                 f"{workers} server processes, on loopback. Server time is the app's own `Server-Timing` measurement.\n\n")
        text += table(results, baseline)
        text += (f"\n\nThe yearly report over all 5 years for one organization, one client: p50 "
                 f"{single.pct(single.server_ms, 50):.0f} ms server time.\n\nReproduce: `bash bench/run` (or, with the "
                 f"dataset generated, `python -m bench.pages`).")
        write_section("pages", text)
        print(text)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
