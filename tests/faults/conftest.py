"""Fault fixtures: a real server process on its own database, killed with SIGKILL where a
test chooses, and started again on the same database.

- ``fault_site``: a fresh database (a SQLite file, or on PostgreSQL a new database on the
  cluster ``LAVTERSKEL_DATABASE_URL`` points at), migrated, holding one organization with
  Dagsverket's lottery and the pay rules, a leader with a personal API token, and 40
  participants. ``fault_site.start()`` serves it with ``uvicorn tests.faults.asgi:app`` on
  127.0.0.1 (one process, so its pid is the server's); ``fault_site.pause_after(regex)``
  arms the switch in ``tests/faults/asgi.py``; ``fault_site.crash_during(request, regex)``
  sends a request, waits until the server sits inside the transaction right after the
  matching statement, and kills it there.
- ``fault_site.db()``: an unscoped session on the database, to look at what was stored.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.servers import free_port, new_pg_database

from core.config import load_settings
from core.db import make_engine, make_session_factory, scoped_session
from core.migrate import upgrade
from core.models import Membership, Organization, OrganizationPlugin, Participant, Site, StaffUser
from core.plugins import build_plugin_manager
from core.services.auth import create_api_token, hash_password
from tests.conftest import IS_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 40






@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class FaultSite:
    database_url: str
    work_dir: Path
    engine: Engine
    organization_id: int = 0
    leader_id: int = 0
    token: str = ""
    participant_ids: list[int] = field(default_factory=list)
    server: Server | None = None
    servers_started: int = 0

    # --- the database --------------------------------------------------------------

    def db(self) -> Session:
        return scoped_session(make_session_factory(self.engine), None)

    def seed(self) -> None:
        with self.db() as db:
            org = Organization(slug="faults", name="Fault Dagsverk", program_name="Dagsverket")
            db.add(org)
            db.flush()
            for p in ("dagsverk_lottery", "payroll_rules"):
                db.add(OrganizationPlugin(organization_id=org.id, plugin=p, enabled=True))
            db.add(Site(organization_id=org.id, name="Base"))
            user = StaffUser(username="faults-leader", full_name="Fault Leader", password_hash=hash_password(secrets.token_hex(16)))
            db.add(user)
            db.flush()
            db.add_all([Membership(user_id=user.id, organization_id=org.id, role=r) for r in ("leader", "payroll")])
            people = [Participant(organization_id=org.id, first_name=f"Person{i:02d}", last_name="Test",
                                  first_seen_on=dt.date(2020, 1, 1), card_code=f"F{i:03d}") for i in range(PEOPLE)]
            db.add_all(people)
            db.commit()
            self.organization_id, self.leader_id = org.id, user.id
            self.participant_ids = [p.id for p in people]
            self.token = create_api_token(db, user, org.id, "fault tests")

    # --- the server ----------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            LAVTERSKEL_DATABASE_URL=self.database_url, LAVTERSKEL_DATA_DIR=str(self.work_dir),
            LAVTERSKEL_FAULT_DIR=str(self.work_dir), PYTHONUNBUFFERED="1",
        )
        return env

    def start(self) -> Server:
        assert self.server is None or self.server.proc.poll() is not None, "a server is already running"
        port = free_port()
        log = self.work_dir / f"server-{self.servers_started}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "tests.faults.asgi:app", "--host", "127.0.0.1", "--port", str(port),
                 "--log-level", "warning", "--no-access-log"],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )
        self.servers_started += 1
        self.server = Server(f"http://127.0.0.1:{port}", proc, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the server exited with {proc.returncode}:\n{self.server.log_tail()}")
            try:
                if httpx.get(f"{self.server.url}/login", timeout=2).status_code == 200:
                    return self.server
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"the server did not answer within 60 s:\n{self.server.log_tail()}")

    def stop(self) -> None:
        if self.server is not None and self.server.proc.poll() is None:
            self.server.proc.send_signal(signal.SIGTERM)
            try:
                self.server.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.server.proc.kill()
                self.server.proc.wait(timeout=15)

    def api(self) -> httpx.Client:
        assert self.server is not None
        return httpx.Client(base_url=self.server.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=60)

    # --- the fault switch ----------------------------------------------------------

    def pause_after(self, pattern: str | None) -> None:
        """Arm (or with ``None`` disarm) the pause after the first statement matching ``pattern``."""
        (self.work_dir / "paused").unlink(missing_ok=True)
        arm = self.work_dir / "pause"
        if pattern is None:
            arm.unlink(missing_ok=True)
        else:
            arm.write_text(pattern, encoding="utf-8")

    def crash_during(self, method: str, path: str, pattern: str, json: Any = None) -> str:
        """Send the request, wait until the server pauses right after the statement matching
        ``pattern`` (inside the open transaction), SIGKILL the process there and disarm.
        Returns the statement it was killed after. The request itself must not succeed."""
        assert self.server is not None
        self.pause_after(pattern)
        outcome: dict[str, Any] = {}

        def send() -> None:
            try:
                with self.api() as c:
                    outcome["response"] = c.request(method, path, json=json)
            except httpx.HTTPError as exc:  # the connection dies with the server
                outcome["error"] = exc

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        paused = self.work_dir / "paused"
        deadline = time.monotonic() + 60
        while not paused.exists():
            if "response" in outcome:
                r = outcome["response"]
                pytest.fail(f"{method} {path} finished ({r.status_code}) without reaching {pattern!r}: {r.text[:500]}")
            if self.server.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server never paused after {pattern!r}:\n{self.server.log_tail()}")
            time.sleep(0.02)
        statement = paused.read_text(encoding="utf-8")
        os.kill(self.server.proc.pid, signal.SIGKILL)
        self.server.proc.wait(timeout=15)
        assert self.server.proc.returncode == -signal.SIGKILL
        self.pause_after(None)
        sender.join(timeout=30)
        assert "response" not in outcome, f"the request got an answer although the server was killed: {outcome}"
        return statement


@pytest.fixture
def fault_site() -> Iterator[FaultSite]:
    work_dir = Path(tempfile.mkdtemp(prefix="lavterskel-faults-"))
    drop: Callable[[], None] | None = None
    if IS_POSTGRES:
        database_url, drop = new_pg_database(os.environ["LAVTERSKEL_DATABASE_URL"], "lavterskel_faults")
    else:
        database_url = f"sqlite:///{work_dir / 'faults.db'}"
    engine = make_engine(database_url)
    site = FaultSite(database_url=database_url, work_dir=work_dir, engine=engine)
    try:
        upgrade(engine, build_plugin_manager(load_settings().plugins.allowed))
        site.seed()
        yield site
    finally:
        site.stop()
        engine.dispose()
        if drop is not None:
            drop()
        shutil.rmtree(work_dir, ignore_errors=True)
