"""Load a running server from several concurrent clients and report p50/p95 server time.

Every client signs in as one organization's leader (the generated dataset has one per
organization) and requests a page as fast as it can, a fixed number of times. Server time
comes from the ``Server-Timing`` header the app sets; client time and throughput are
measured here. Each figure is compared with the baseline endpoint in the same run.
"""
from __future__ import annotations

import asyncio
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bench.national import PASSWORD


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    server_ms: list[float]
    client_ms: list[float]
    queue_ms: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, values: list[float], p: float) -> float:
        if not values:
            return float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


async def _login(client: httpx.AsyncClient, username: str) -> None:
    page = await client.get("/login")
    token = client.cookies.get("lavterskel_csrf") or re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = await client.post("/login", data={"username": username, "password": PASSWORD, "_csrf_token": token, "next": "/"})
    if r.status_code != 303:
        raise RuntimeError(f"login failed for {username}: {r.status_code}")


async def measure(base_url: str, name: str, path_for: Callable[[int, random.Random], str], *, clients: int = 20,
                  per_client: int = 25, orgs: int = 50, seed: int = 3) -> Result:
    server: list[float] = []
    queued: list[float] = []
    client_times: list[float] = []
    errors = 0

    async def one(i: int) -> None:
        nonlocal errors
        org = i % orgs
        rng = random.Random(seed * 1000 + i)
        async with httpx.AsyncClient(base_url=base_url, follow_redirects=False, timeout=60) as c:
            await _login(c, f"bench-{org:02d}-leader")
            await c.get(path_for(org, rng))  # warm-up, not counted
            for _ in range(per_client):
                t = time.perf_counter()
                r = await c.get(path_for(org, rng))
                client_times.append((time.perf_counter() - t) * 1000)
                if r.status_code >= 400:
                    errors += 1
                app_ms, queue_ms = server_timing(r.headers.get("server-timing", ""))
                if app_ms is not None:
                    server.append(app_ms)
                if queue_ms is not None:
                    queued.append(queue_ms)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(clients)))
    return Result(name, clients * per_client, errors, time.perf_counter() - started, server, client_times, queued)


def server_timing(header: str) -> tuple[float | None, float | None]:
    """The app's own time and the wait for a turn, from a ``Server-Timing`` header."""
    app = re.search(r"app;dur=([\d.]+)", header)
    queue = re.search(r"queue;dur=([\d.]+)", header)
    return (float(app.group(1)) if app else None), (float(queue.group(1)) if queue else None)


def table(results: list[Result], baseline: Result) -> str:
    b50, b95 = baseline.pct(baseline.server_ms, 50), baseline.pct(baseline.server_ms, 95)
    lines = [
        "| page | p50 server ms | p95 server ms | p95 ÷ baseline p95 | p95 wait for a turn ms | p95 client ms | requests/s | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in [baseline, *results]:
        p50, p95 = r.pct(r.server_ms, 50), r.pct(r.server_ms, 95)
        ratio = "1.0" if r is baseline else f"{p95 / b95:.1f}"
        queue = f"{r.pct(r.queue_ms, 95):.1f}" if r.queue_ms else "–"
        lines.append(f"| {r.name} | {p50:.1f} | {p95:.1f} | {ratio} | {queue} | {r.pct(r.client_ms, 95):.1f} | {r.throughput:.0f} | {r.errors} |")
    lines.append("")
    lines.append(f"Baseline: a minimal endpoint running `SELECT 1` through the same middleware and database (p50 {b50:.1f} ms).")
    return "\n".join(lines)
