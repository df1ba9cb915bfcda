"""The day's team suggestion off the request path: a job row and a worker process.

At a national 09:00 peak every lottery organization draws and then asks for teams in the
same minute. Solved inside the request, each CP-SAT solve (up to 5 s) held one of the
server's few request turns, and a door screen's 15 ms request waited seconds behind it.

Why a process pool *and* a job row:

- The solve runs in a worker **process** (``ProcessPoolExecutor``, started with
  ``spawn``: no fork of a threaded server process), not a thread of the web process: CP-SAT
  would otherwise take the web process's core while it holds the GIL for its model
  building, and a crash in the native solver must not take the server with it. Each
  worker lowers its own priority (``os.nice`` and Linux's idle scheduling class), so the
  doors get the cores first.
- The job's **state lives in the database** (:class:`models.TeamJob`), not in the pool's
  futures: a server runs several processes, and the poll that asks "done yet?" may reach
  another one than the request that started the job. The worker process writes the teams
  and marks the job done in one transaction, so a reader never sees one without the other.

The solver's CPU is bounded three ways: at most ``SOLVER_PROCESSES`` worker processes per
server process (default 1), CP-SAT with one search worker (``num_workers=1``), and at
most ``SOLVE_SECONDS`` per solve. With the usual two server processes on two cores, at
most two solves run at once, at low priority; the rest wait their turn in the queue, and
nobody else does.

The pool is made on the first job of a server process and shut down when the process
exits (``atexit``); core has no lifespan hook for plugins, and a pool made on first use
costs nothing in the processes (tests, the CLI) that never suggest teams.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, make_session_factory, scoped_session, utcnow
from core.forms import FormError
from core.i18n import current_locale, use_locale
from core.i18n import gettext as _
from core.i18n import lazy_gettext as L
from core.models import ProgramDay
from core.services.days import may_lead_teams
from core.services.staff import members_or_error
from plugins.dagsverk_lottery.draws import last_drawn
from plugins.dagsverk_lottery.models import TeamJob

log = logging.getLogger(__name__)

SOLVER_PROCESSES = max(1, int(os.environ.get("LAVTERSKEL_TEAM_SOLVERS", "1")))
"""Worker processes per server process that solve team suggestions."""
SOLVE_SECONDS = float(os.environ.get("LAVTERSKEL_TEAM_SOLVE_SECONDS", "5"))
"""CP-SAT's time limit for one suggestion (the best found by then is used)."""
SOLVER_NICE = 19
"""How much a worker lowers its own priority (and, on Linux, it takes the idle class): the
doors' requests come first."""
INLINE = os.environ.get("LAVTERSKEL_TEAM_SOLVE_INLINE") == "1"
"""Solve inside the request, as before the solver had processes of its own: only for
``bench/peak.py``'s baseline, which measures what the worker spares the doors."""
STALE_AFTER = dt.timedelta(minutes=5)
"""A job queued or running this long was lost (its server process stopped): it may be asked again."""
PENDING = ("queued", "running")

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


# --- The web process's side -------------------------------------------------------------------

def job_of(db: Session, day: ProgramDay) -> TeamJob | None:
    """The day's latest suggestion job, a lost one (see STALE_AFTER) read as failed."""
    if day.id is None:
        return None
    job = db.scalars(select(TeamJob).where(TeamJob.day_id == day.id)).first()
    if job is not None and job.status in PENDING and utcnow() - job.requested_at > STALE_AFTER:
        job.status, job.error, job.finished_at = "failed", "lost", utcnow()
        db.commit()
    return job


def start(db: Session, database_url: str, day: ProgramDay, leader_ids: list[int] | None, staff_id: int | None) -> TeamJob:
    """Check what the request can check itself (a draw to suggest from, leaders who may
    lead: 400/422 now, not a failed job later), store the job and hand it to a worker.
    A job of the day still queued or running is answered as it is: one solve per day."""
    if last_drawn(db, day) is None:
        raise FormError({"__all__": _("Teams are suggested from the drawn people: run the draw first.")})
    if leader_ids is not None:
        leader_ids = may_lead_teams(db, members_or_error(db, leader_ids, "leader_ids"), "leader_ids")
    job = job_of(db, day)
    if job is not None and job.status in PENDING:
        return job
    if job is None:
        job = TeamJob(organization_id=day.organization_id, day_id=day.id)
        db.add(job)
    job.status, job.error, job.leader_ids, job.locale = "queued", "", leader_ids, current_locale()
    job.requested_by_id, job.requested_at, job.started_at, job.finished_at = staff_id, utcnow(), None, None
    try:
        db.commit()
    except IntegrityError:  # another request made the day's job at the same moment: answer with it
        db.rollback()
        found = job_of(db, day)
        assert found is not None
        return found
    _submit(database_url, day.organization_id, job.id)
    return job


def _submit(database_url: str, organization_id: int, job_id: int) -> None:
    global _pool
    if INLINE:
        run(database_url, organization_id, job_id)
        return
    with _pool_lock:
        for attempt in (1, 2):
            if _pool is None:
                _pool = ProcessPoolExecutor(max_workers=SOLVER_PROCESSES, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=_worker_start)
            try:
                future = _pool.submit(run, database_url, organization_id, job_id)
                break
            except (BrokenProcessPool, RuntimeError):  # a worker died: start a fresh pool once
                _pool = None
                if attempt == 2:
                    raise
    future.add_done_callback(_log_failure)


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:  # the job row says "lost" once STALE_AFTER has passed
        log.error("team suggestion job failed in its worker", exc_info=exc)


@atexit.register
def _shutdown() -> None:
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)


# --- The worker process's side ----------------------------------------------------------------

_factories: dict[str, sessionmaker[Session]] = {}


def _worker_start() -> None:
    """Once per worker process: lower its priority, load the translations (the fixed teams
    are named in the asker's language) and the solver, so the first job does not pay for them."""
    with contextlib.suppress(OSError, AttributeError):  # a platform without them runs at normal priority
        os.nice(SOLVER_NICE)
        # Linux: run only on CPU time no one else wants. A door's request preempts a solve at
        # once; the solve's time limit is wall-clock, so a busy machine gets the best
        # suggestion found by then rather than late doors.
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # type: ignore[attr-defined]
    from core.i18n import load_catalogues
    from plugins.dagsverk_lottery import team_solver

    load_catalogues()
    team_solver.warm_up()


def _factory(database_url: str) -> sessionmaker[Session]:
    if database_url not in _factories:
        _factories[database_url] = make_session_factory(make_engine(database_url))
    return _factories[database_url]


def run(database_url: str, organization_id: int, job_id: int) -> str:
    """Solve one job in this worker process: claim it (only a queued job is run, so a job
    submitted twice runs once), suggest and write the teams, and mark it done in the same
    transaction. Returns the job's final status."""
    from plugins.dagsverk_lottery import teams

    with scoped_session(_factory(database_url), organization_id) as db:
        claimed = db.execute(update(TeamJob).where(TeamJob.id == job_id, TeamJob.status == "queued")
                             .values(status="running", started_at=utcnow())).rowcount
        db.commit()
        if not claimed:
            return "skipped"
        job = db.get(TeamJob, job_id)
        day = db.get(ProgramDay, job.day_id) if job else None
        if job is None or day is None:
            return "gone"
        try:
            with use_locale(job.locale):
                teams.suggest_and_apply(db, day, job.leader_ids, time_limit=SOLVE_SECONDS, workers=1, commit=False)
            job.status, job.finished_at = "done", utcnow()
        except FormError as exc:  # the draw was voided, a leader left, since the request
            db.rollback()
            job = db.get(TeamJob, job_id)
            assert job is not None
            job.status, job.error, job.finished_at = "failed", "no_draw" if "__all__" in exc.errors else "invalid", utcnow()
        except Exception:
            log.exception("team suggestion %s failed", job_id)
            db.rollback()
            job = db.get(TeamJob, job_id)
            assert job is not None
            job.status, job.error, job.finished_at = "failed", "crashed", utcnow()
        db.commit()
        return job.status


ERROR_TEXT = {
    "no_draw": L("Teams are suggested from the drawn people: run the draw first."),
    "invalid": L("Choose a work leader or leader."),
    "crashed": L("The suggestion failed. Try again, or make the teams by hand."),
    "lost": L("The suggestion was interrupted. Try again."),
}
"""A failed job's message by its code, in the reader's language."""
