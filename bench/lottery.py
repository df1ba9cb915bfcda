"""Benchmark of Dagsverket's draw and team suggestion (a script, not a timed test).

    .venv/bin/python bench/lottery.py            # prints a Markdown table
    .venv/bin/python bench/lottery.py --write    # also replaces the "Lottery" section of docs/benchmarks.md
    .venv/bin/python bench/lottery.py --api [--pg-url postgresql+psycopg://...]   # adds the draw through the API

The draw: 40, 1,000 and 10,000 entrants (10 % with a right), capacity 23, the median of
several runs of ``run_draw`` plus the entrants' digest and a verification (recompute), for
``dagsverk-lottery/2`` beside ``/1`` (the same-run baseline).

With ``--api``, the whole draw as the room runs it (``dagsverk-lottery/2``): ``POST
/api/v1/dagsverk/days/<day_id>/seal`` (check-in closes: entrants by receipt code, rights
from the last 60 open days, seed, both fingerprints), then ``POST .../draw`` with the typed
numbers (final seed, draw, results stored), each timed and their total, and ``GET
/api/v1/dagsverk/draws/<id>/verify``, beside ``GET /bench/baseline``, in this process through
Litestar's test client, on a throwaway database shaped like ``bench/pages.py``'s
``bench-draw`` organization (10,000 participants, a day with that many checked in per draw,
earlier draws as the later ones' history): a temporary SQLite file, and with ``--pg-url``
also a new database on that PostgreSQL cluster, dropped afterwards. No server, no network:
the figures are the app's own work and the database's.

The teams: 23 drawn people, 5 work leaders, 8 orders (firewood shed, indoor team and six
outdoor orders, some heavy or steep), realistic limits, "not with" pairs, close follow-up
and four weeks of history; five random instances, solved by CP-SAT with 2 workers. The
gap is CP-SAT's own: the distance between the best solution found and the best bound it
proved (0 % = proven optimal).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugins.dagsverk_lottery.algorithm import (  # noqa: E402
    ALGORITHM_V1,
    ALGORITHM_V2,
    Entrant,
    contribution_text,
    entrants_digest,
    final_seed,
    new_seed,
    run_draw,
)
from plugins.dagsverk_lottery.team_solver import Person, Slot, suggest  # noqa: E402


def bench_draw(n: int, repeats: int, algorithm: str = ALGORITHM_V1) -> tuple[float, float]:
    """Median seconds of (draw + digest, recompute) for one algorithm; version 2 also makes
    the final seed from the seed, the digest and five typed numbers."""
    rng = random.Random(n)
    entrants = [Entrant(i, rng.choice(["first_day", "third_day"]) if rng.random() < 0.1 else "none", f"C{i:07d}") for i in range(1, n + 1)]
    draw_times, verify_times = [], []
    for _ in range(repeats):
        seed = new_seed()
        t = time.perf_counter()
        if algorithm == ALGORITHM_V2:
            digest = entrants_digest(entrants, 23, algorithm, 1234)
            seed = final_seed(seed, digest, contribution_text([45, 7, 12, 3, 99]), None)
            placements = run_draw(entrants, 23, seed, algorithm)
        else:
            placements = run_draw(entrants, 23, seed)
            entrants_digest(entrants, 23)
        draw_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert run_draw(list(reversed(entrants)), 23, seed, algorithm) == placements
        verify_times.append(time.perf_counter() - t)
    return statistics.median(draw_times), statistics.median(verify_times)


def bench_api(url: str, label: str) -> list[str]:
    """Table rows for the draw and its verification through the API on the database at ``url``."""
    import logging
    import tempfile
    from dataclasses import replace

    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    os.environ.setdefault("LAVTERSKEL_DATA_DIR", tempfile.mkdtemp(prefix="lavterskel-bench-lottery-"))
    os.environ.setdefault("LAVTERSKEL_DRAW_BEACON", "off")  # no network: the figures are the app's own work
    from litestar.testing import TestClient

    from bench import baseline
    from bench.pages import _token, prepare_draws
    from core.config import load_settings
    from core.migrate import upgrade
    from core.web.app import create_app
    from sqlalchemy import select

    from core.models import ProgramDay

    settings = load_settings()
    app = create_app(replace(settings, database=replace(settings.database, url=url)), extra_plugins=[("bench_baseline", baseline)])
    ctx = app.state["ctx"]
    upgrade(ctx.engine, ctx.plugins)
    org_id, plan = prepare_draws(ctx.engine, ctx.session_factory)
    headers = {"Authorization": f"Bearer {_token(ctx.session_factory, org_id)}"}
    rows = []
    ms = lambda xs: f"{statistics.median(xs) * 1000:.1f} ms"  # noqa: E731
    with TestClient(app, base_url="http://testserver.local") as client:
        baseline_times = []
        for _ in range(30):  # the same-run baseline: the app's smallest request on the same database
            t = time.perf_counter()
            assert client.get("/bench/baseline", headers=headers).status_code == 200
            baseline_times.append(time.perf_counter() - t)
        for n, dates in plan:
            seal_times, draw_times, total_times, verify_times, ids = [], [], [], [], []
            for day in dates:
                with ctx.engine.connect() as conn:  # the API addresses days by id
                    day_id = conn.execute(select(ProgramDay.id).where(ProgramDay.organization_id == org_id, ProgramDay.date == day)).scalar_one()
                t = time.perf_counter()
                r = client.post(f"/api/v1/dagsverk/days/{day_id}/seal", headers=headers)
                t_seal = time.perf_counter() - t
                assert r.status_code == 200 and r.json()["status"] == "sealed", r.text[:300]
                t = time.perf_counter()
                r = client.post(f"/api/v1/dagsverk/days/{day_id}/draw", json={"numbers": [45, 7, 12, 3, 99]}, headers=headers)
                t_draw = time.perf_counter() - t
                body = r.json()
                assert r.status_code == 200 and body["status"] == "drawn" and len(body["entrants"]) == n, r.text[:300]
                assert body["algorithm"] == "dagsverk-lottery/2" and body["contribution"] == "3.7.12.45.99./"
                seal_times.append(t_seal)
                draw_times.append(t_draw)
                total_times.append(t_seal + t_draw)
                ids.append(body["id"])
            for draw_id in ids:
                t = time.perf_counter()
                r = client.get(f"/api/v1/dagsverk/draws/{draw_id}/verify", headers=headers)
                verify_times.append(time.perf_counter() - t)
                assert r.status_code == 200 and r.json()["matches"], r.text[:300]
            rows.append(f"| {label} | {n:,} | {len(dates)} | {ms(seal_times)} | {ms(draw_times)} | {ms(total_times)} | "
                        f"{max(total_times) * 1000:.1f} ms | {ms(verify_times)} | {ms(baseline_times)} |")
    ctx.engine.dispose()
    return rows


def team_instance(seed: int) -> tuple[list[Person], list[Slot]]:
    rng = random.Random(seed)
    people = []
    for i in range(23):
        limits = set()
        if rng.random() < 0.15:
            limits.add("no_heavy")
        if rng.random() < 0.1:
            limits.add("no_steep")
        people.append(Person(
            i, f"P{i}", woman=rng.random() < 0.3, experienced=rng.random() < 0.55, limits=frozenset(limits),
            preferences=frozenset(rng.sample(["indoor", "outdoor", "firewood", "order"], rng.randint(0, 1))),
            not_with=frozenset({(i + 3) % 23}) if i % 8 == 0 else frozenset(), follow_up=rng.random() < 0.13,
            history={k: rng.randint(0, 6) for k in ("indoor", "firewood", "heavy", "outdoor")},
        ))
    slots = [Slot("fw", "Firewood shed", "firewood", heavy=True, fixed=True),
             Slot("in", "Indoor team", "indoor", indoor=True, fixed=True)]
    for j in range(6):
        need = rng.choice([4, 4, 5, 6])
        slots.append(Slot(f"o{j}", f"Order {j}", "order", order_id=j, heavy=rng.random() < 0.4, steep=rng.random() < 0.3,
                          min_size=4, max_size=max(6, need), target=need))
    return people, slots


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--api", action="store_true", help="also time the draw request through the API, in this process")
    parser.add_argument("--pg-url", help="with --api: a PostgreSQL cluster to make a throwaway database on, as well as SQLite")
    args = parser.parse_args()
    lines = ["## Lottery", "",
             f"Measured {time.strftime('%Y-%m-%d')} with `bench/lottery.py` on {platform.machine()}, Python {platform.python_version()}, "
             f"a shared 2-core machine (load average {os.getloadavg()[0]:.1f} at the start; other work running, so times are upper bounds).", "",
             "### The draw (capacity 23)", "",
             "| entrants | algorithm | draw + digest (median) | recompute for verification (median) |", "|---:|---|---:|---:|"]
    for n, repeats in ((40, 200), (1_000, 30), (10_000, 7)):
        for algorithm in (ALGORITHM_V1, ALGORITHM_V2):  # /1 is the same-run baseline
            d, v = bench_draw(n, repeats, algorithm)
            lines.append(f"| {n:,} | `{algorithm}` | {d * 1000:.2f} ms | {v * 1000:.2f} ms |")
    lines += ["", "The draw is one SHA-256 per entrant and a sort: linear-logarithmic. The seed's part of each hash is "
              "computed once and each group is sorted on its own; the tickets and the order are those of "
              "`docs/lottery.md`, so every stored draw still verifies.", ""]
    if args.api:
        import tempfile

        lines += ["### The whole draw request, through the API in one process", "",
                  "`dagsverk-lottery/2` as the room runs it, on a day with that many people checked in (each with a "
                  "receipt code): `POST /api/v1/dagsverk/days/<day_id>/seal` closes check-in (entrants with their "
                  "receipt codes, rights from the last 60 open days in one aggregate query, seed, beacon round, both "
                  "fingerprints, entrants written in one statement), then `POST .../draw` with five typed numbers (the "
                  "final seed, the draw, its results stored in one statement; the response lists every entrant with "
                  "their ticket). Total = the two. Then `GET /api/v1/dagsverk/draws/<id>/verify`. Baseline: "
                  "`GET /bench/baseline` (one `SELECT 1` through the same app and middleware) in the same run. "
                  "Litestar's test client in this process (no server, no network, the beacon off) on a throwaway "
                  "database shaped like `bench-draw` in `bench/pages.py`. Before issue 15 the one draw request "
                  "(`dagsverk-lottery/1`) took 38 ms for 40 entrants and 403 ms for 10,000.", "",
                  "| database | entrants | draws | seal (median) | draw (median) | total (median) | slowest total | verify (median) | baseline (median) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += bench_api(f"sqlite:///{Path(tempfile.mkdtemp(prefix='lavterskel-bench-lottery-')) / 'draw.db'}", "SQLite")
        if args.pg_url:
            from tests.servers import new_pg_database

            url, drop = new_pg_database(args.pg_url, "bench_lottery")
            try:
                lines += bench_api(url, "PostgreSQL")
            finally:
                drop()
        lines.append("")
    lines += [
              "### Team suggestion: 23 people, 5 work leaders, 8 orders (CP-SAT, 2 workers)", "",
              "| instance | time limit | status | time | objective | best bound | gap to optimum |", "|---:|---:|---|---:|---:|---:|---:|"]
    for seed in range(1, 6):
        people, slots = team_instance(seed)
        for limit in (1.0, 5.0):
            s = suggest(people, slots, leaders=5, max_follow_up=1, time_limit=limit)
            lines.append(f"| {seed} | {limit:.0f} s | {s.status} | {s.seconds:.2f} s | {s.objective:.0f} | {s.bound:.0f} | {s.gap * 100:.1f} % |")
    lines += ["", "OPTIMAL means CP-SAT proved no better suggestion exists under the model's weights (gap 0 %). "
              "An objective above 10,000 means one person could not be placed under the hard constraints, and the "
              "bound above 10,000 proves it; the teams page then asks staff to place that person by hand. The app "
              "gives the solver 5 s; with a 1 s limit the bound is sometimes still weak, which shows as a large gap.", ""]
    text = "\n".join(lines)
    print(text)
    if args.write:
        path = ROOT / "docs" / "benchmarks.md"
        old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        pattern = re.compile(r"## Lottery\n.*?(?=\n## (?!#)|\n<!-- bench:|\Z)", re.S)
        new = pattern.sub(lambda _m: text.rstrip("\n") + "\n", old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
        path.write_text(new, encoding="utf-8")
        print(f"wrote {path} ({hashlib.sha256(new.encode()).hexdigest()[:8]})", file=sys.stderr)


if __name__ == "__main__":
    main()
