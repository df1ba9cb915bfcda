"""What the access-log write costs a page that shows special-category values.

Every response that shows a special-category value writes one access-log entry per person
and category (``core.services.disclosure``), in the request's transaction, committed by
``core.web.handlers.provide_db`` before the response leaves. This measures that write on a
page that shows such values: a Nyttig Arbeid person's page (relapse note, incidents,
meeting summary, consent) as the organization's leader, in-process through Litestar's
TestClient, signed in. Three runs, interleaved round by round:

1. the page as it is (entries added, flushed and committed);
2. the same page with the write replaced by a no-op (``Disclosure._log`` only remembers
   what it would have logged: nothing is added, nothing committed; patched in this process
   only);
3. the same-run baseline, ``/bench/baseline`` (``SELECT 1`` through the same middleware).

Server time is the app's own ``Server-Timing`` figure, which includes the commit (the
request's session commits when the handler's dependencies are cleaned up, before the
response starts). Each run's p50 and p95 are the lowest of several rounds: the machine is
shared, and the lowest round is the one least disturbed by other work. Beside them, the
bare write in isolation: one entry added and flushed, and added, flushed and committed.

A fresh database: SQLite in a temporary directory by default; with
``LAVTERSKEL_DATABASE_URL`` set to PostgreSQL, a schema of its own in that database
(``bench_access_log``, dropped before and after), so no other data is touched.

Run: ``.venv/bin/python -m bench.access_log`` (and with ``LAVTERSKEL_DATABASE_URL=...``
for PostgreSQL). Each backend writes its own part of the ``access_log`` section.
"""
from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

_DIR = Path(tempfile.mkdtemp(prefix="bench-access-log-"))
os.environ["LAVTERSKEL_DATA_DIR"] = str(_DIR)  # secret keys of this run only
_URL = os.environ.get("LAVTERSKEL_DATABASE_URL") or f"sqlite:///{_DIR / 'bench.db'}"
SCHEMA = "bench_access_log"
if _URL.startswith("postgresql"):
    # Its own schema: first on the search path, so migrations and the app work in it alone.
    _URL += ("&" if "?" in _URL else "?") + f"options=-csearch_path%3D{SCHEMA}"
os.environ["LAVTERSKEL_DATABASE_URL"] = _URL

import datetime as dt  # noqa: E402
import logging  # noqa: E402
from typing import Any  # noqa: E402

from litestar.testing import TestClient  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from bench import baseline  # noqa: E402
from bench.docs import write_section  # noqa: E402
from bench.http_load import server_timing  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.db import scoped_session, utcnow  # noqa: E402
from core.models import AccessLogEntry, Membership, Organization, OrganizationPlugin, Participant, Site, StaffUser  # noqa: E402
from core.services.auth import hash_password  # noqa: E402
from core.services.disclosure import Disclosure  # noqa: E402

PASSWORD = "bench-access-log-password"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
WRITES = 300


def _reset_schema(url: str, create: bool) -> None:
    plain = url.split("?", 1)[0]
    engine = create_engine(plain)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        if create:
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()


def build(factory: Any) -> dict[str, Any]:
    """One Nyttig Arbeid organization, its leader, and a person whose page shows a relapse
    note (substance use), two incidents (conduct), a consent and a meeting summary (social)
    and an absence with its reason (health)."""
    from plugins.nyttig_contract.models import Absence, Consent, Incident, Meeting, PhaseChange
    from plugins.nyttig_contract.phases import register_contact

    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    with scoped_session(factory, None) as db:
        org = Organization(slug="accesslog", name="Access log bench", program_name="Nyttig Arbeid")
        db.add(org)
        db.flush()
        db.add_all([OrganizationPlugin(organization_id=org.id, plugin=p, enabled=True) for p in ("nyttig_contract", "bench_baseline")])
        db.add(Site(organization_id=org.id, name="Base"))
        leader = StaffUser(username="accesslog-leader", full_name="Bench leader", password_hash=hash_password(PASSWORD))
        db.add(leader)
        db.flush()
        db.add(Membership(user_id=leader.id, organization_id=org.id, role="leader"))
        p = Participant(organization_id=org.id, first_name="Sigrid", last_name="Bench")
        db.add(p)
        db.flush()
        path = register_contact(db, org.id, p, monday - dt.timedelta(days=60), leader.id)
        path.phase, path.started_on = "started", monday - dt.timedelta(days=30)
        db.add(PhaseChange(organization_id=org.id, participant_id=p.id, from_phase="stable", to_phase="started", kind="relapse",
                           on=monday - dt.timedelta(days=3), by_id=leader.id, reason="Relapse after a funeral"))
        db.add(Absence(organization_id=org.id, participant_id=p.id, date=monday, reason="mental_health", note="Called in",
                       recorded_by_id=leader.id))
        db.add(Incident(organization_id=org.id, participant_id=p.id, kind="sent_home", on=monday - dt.timedelta(days=2),
                        description="Seemed affected", staff_1_id=leader.id, recorded_by_id=leader.id))
        db.add(Incident(organization_id=org.id, participant_id=p.id, kind="minor", on=monday - dt.timedelta(days=1),
                        description="Argument at lunch", recorded_by_id=leader.id))
        db.add(Consent(organization_id=org.id, participant_id=p.id, contacts="Fastlege", scope="Health follow-up",
                       given_on=monday - dt.timedelta(days=30)))
        db.add(Meeting(organization_id=org.id, participant_id=p.id, kind="follow_up", held_on=monday - dt.timedelta(days=4),
                       staff_1_id=leader.id, summary="Doing better"))
        db.commit()
        return {"org_id": org.id, "leader_id": leader.id, "pid": p.id}


def login(client: TestClient[Any], username: str) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": username, "password": PASSWORD, "_csrf_token": client.cookies.get("lavterskel_csrf"),
                                    "next": "/"}, follow_redirects=False)
    if r.status_code != 303:
        raise RuntimeError(f"login failed: {r.status_code}")


def _silent_log(self: Disclosure, subject_id: int, category: Any) -> None:
    """The write as a no-op: remember the pair (so the page behaves the same), add nothing."""
    self._logged.add((subject_id, category.value))


def _get(client: TestClient[Any], url: str) -> float:
    r = client.get(url)
    if r.status_code != 200:
        raise RuntimeError(f"{url}: {r.status_code}")
    app_ms, _queue = server_timing(r.headers.get("server-timing", ""))
    return app_ms


def one_round(client: TestClient[Any], page: str) -> dict[str, list[float]]:
    """The three runs request by request in turn (log, no-op, baseline), so a moment when
    other work holds the cores slows all three alike rather than one run."""
    out: dict[str, list[float]] = {"log": [], "noop": [], "baseline": []}
    original = Disclosure._log
    for _ in range(REQUESTS):
        out["log"].append(_get(client, page))
        Disclosure._log = _silent_log  # type: ignore[method-assign]
        try:
            out["noop"].append(_get(client, page))
        finally:
            Disclosure._log = original  # type: ignore[method-assign]
        out["baseline"].append(_get(client, "/bench/baseline"))
    return out


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def count_log(factory: Any, org_id: int) -> int:
    with scoped_session(factory, org_id) as db:
        return db.scalar(select(func.count()).select_from(AccessLogEntry)) or 0


def isolated_write(factory: Any, ids: dict[str, Any], commit: bool) -> list[float]:
    """One entry written as the gate writes it (a row collected, inserted when the session
    commits: here inserted at once, and committed), timed alone, in a transaction already
    under way as in a request."""
    from core.services.disclosure import PENDING

    times = []
    with scoped_session(factory, ids["org_id"]) as db:
        db.scalar(select(func.count()).select_from(Participant))
        for _ in range(WRITES):
            t = time.perf_counter()
            row = {"organization_id": ids["org_id"], "at": utcnow(), "staff_user_id": ids["leader_id"], "staff_name": "Bench leader",
                   "subject_id": ids["pid"], "category": "conduct", "action": "view", "page": "/nyttig/people/{pid}",
                   "source": "nyttig_contract"}
            if commit:
                db.info[PENDING] = [row]
                db.commit()
            else:
                db.execute(insert(AccessLogEntry.__table__), [row])
            times.append((time.perf_counter() - t) * 1000)
        db.commit()
    return times


def main() -> None:
    from core.migrate import upgrade
    from core.web.app import create_app

    postgres = _URL.startswith("postgresql")
    # The request log and the client's log line per request would flood the terminal
    # (equally in every run); warnings still show.
    for name in ("httpx", "lavterskel.request"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if postgres:
        _reset_schema(_URL, create=True)
    try:
        app = create_app(load_settings(), extra_plugins=[("bench_baseline", baseline)])
        ctx = app.state["ctx"]
        upgrade(ctx.engine, ctx.plugins)
        ids = build(ctx.session_factory)
        page = f"/nyttig/people/{ids['pid']}"
        runs: dict[str, list[list[float]]] = {"log": [], "noop": [], "baseline": []}
        per_request = 0.0
        original = Disclosure._log
        with TestClient(app, base_url="http://bench.local") as client:
            login(client, "accesslog-leader")
            one_round(client, page)  # warm up: templates compiled, caches filled
            before = count_log(ctx.session_factory, ids["org_id"])
            Disclosure._log = _silent_log  # type: ignore[method-assign]
            try:
                _get(client, page)
            finally:
                Disclosure._log = original  # type: ignore[method-assign]
            if count_log(ctx.session_factory, ids["org_id"]) != before:
                raise RuntimeError("the no-op wrote access-log entries")
            for _ in range(ROUNDS):
                before = count_log(ctx.session_factory, ids["org_id"])
                for name, values in one_round(client, page).items():
                    runs[name].append(values)
                per_request = (count_log(ctx.session_factory, ids["org_id"]) - before) / REQUESTS
        with ctx.engine.connect() as conn:
            durability = (f"the server's `fsync` is {conn.exec_driver_sql('SHOW fsync').scalar()} and `synchronous_commit` "
                          f"{conn.exec_driver_sql('SHOW synchronous_commit').scalar()}") if postgres else (
                f"journal mode {conn.exec_driver_sql('PRAGMA journal_mode').scalar()}, `synchronous` "
                f"{ {0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA'}[conn.exec_driver_sql('PRAGMA synchronous').scalar()]}, "
                "on the machine's disk")
        flush = isolated_write(ctx.session_factory, ids, commit=False)
        commit = isolated_write(ctx.session_factory, ids, commit=True)
        ctx.engine.dispose()
    finally:
        if postgres:
            _reset_schema(_URL, create=False)
        shutil.rmtree(_DIR, ignore_errors=True)

    best = {k: (min(pct(r, 50) for r in v), min(pct(r, 95) for r in v)) for k, v in runs.items()}
    diff50, diff95 = best["log"][0] - best["noop"][0], best["log"][1] - best["noop"][1]
    # Each logged request beside the no-op request right after it: the median of those
    # differences is the least disturbed by moments when other work held the cores.
    paired = statistics.median(a - b for log, noop in zip(runs["log"], runs["noop"]) for a, b in zip(log, noop))
    backend = "PostgreSQL" if postgres else "SQLite"
    one, five, _ = os.getloadavg()
    rows = [
        f"| person page, access log written ({per_request:g} entries per request) | {best['log'][0]:.2f} | {best['log'][1]:.2f} |",
        f"| same page, write replaced by a no-op | {best['noop'][0]:.2f} | {best['noop'][1]:.2f} |",
        f"| **difference: the access-log write** | **{diff50:.2f}** | **{diff95:.2f}** |",
        f"| difference, request by request (median of {ROUNDS * REQUESTS} pairs) | {paired:.2f} | |",
        f"| baseline (`/bench/baseline`, `SELECT 1`) | {best['baseline'][0]:.2f} | {best['baseline'][1]:.2f} |",
        f"| one entry alone: the insert | {statistics.median(flush):.3f} | {pct(flush, 95):.3f} |",
        f"| one entry alone: the insert and the commit | {statistics.median(commit):.3f} | {pct(commit, 95):.3f} |",
    ]
    part = "\n".join([
        f"### {backend}",
        "",
        f"Measured {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; load average {one:.1f} (1 min), {five:.1f} (5 min) on "
        f"{os.cpu_count()} cores. {ROUNDS} rounds of {REQUESTS} requests per run, the lowest round's p50 and p95; "
        f"the write alone: {WRITES} entries, median and p95. Durability: {durability}.",
        "",
        "| server time, ms | p50 | p95 |",
        "|---|---:|---:|",
        *rows,
        "",
        f"Reproduce: `{'LAVTERSKEL_DATABASE_URL=postgresql+psycopg://... ' if postgres else ''}.venv/bin/python -m bench.access_log`.",
    ])
    print(part)
    _write(backend, part)


def _write(backend: str, part: str) -> None:
    """Write the section with this backend's part replaced and the other backend's kept, so
    SQLite's and PostgreSQL's figures stand side by side whichever ran last."""
    import re

    from bench.docs import DOC

    old = re.search(r"<!-- bench:access_log -->(.*?)<!-- /bench:access_log -->", DOC.read_text(encoding="utf-8"), re.S) \
        if DOC.exists() else None
    parts = dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", old.group(1), re.S | re.M)) if old else {}
    parts[backend] = part.split("\n", 1)[1]
    intro = (
        "## The access-log write\n\n"
        "What writing the access log costs a page that shows special-category values: a Nyttig Arbeid person's page "
        "(relapse note, incidents, consent, meeting summary) requested by the organization's leader, in one process through "
        "Litestar's TestClient, signed in, on a fresh database. The same page is measured with the write replaced by a no-op "
        "(`Disclosure._log` patched in the benchmark process only: nothing added, nothing committed), round by round "
        "beside it, and the same-run baseline. Server time is the app's `Server-Timing` figure and includes the commit of "
        "the entries. The one-entry rows time the bare write alone, in a transaction already under way: the insert, and the insert with the commit (which a page that shows nothing special never pays: its transaction ends in a rollback). "
        "The difference is given twice: between the lowest rounds, and as the median of request-by-request differences "
        "(each logged request beside the no-op one right after it), the steadier of the two on a shared machine. Each backend "
        "states its durability settings: a commit that waits for the disk (SQLite's `synchronous` FULL, PostgreSQL's "
        "`fsync` and `synchronous_commit` on) costs the flush of the disk on top.\n\n"
    )
    body = "\n\n".join(f"### {name}\n\n{parts[name].strip()}" for name in ("SQLite", "PostgreSQL") if name in parts)
    write_section("access_log", intro + body)


if __name__ == "__main__":
    main()
