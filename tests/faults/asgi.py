"""The product app with a test-only fault switch, served by the fault tests' server.

Nothing here is part of the product: ``uvicorn tests.faults.asgi:app`` serves
``create_app()`` unchanged, plus SQLAlchemy listeners on the app's engine that do nothing
until the test writes into ``$LAVTERSKEL_FAULT_DIR/pause`` either

- ``REGEX``: pause right after the first SQL statement matching it has run, inside its
  still open transaction; or
- ``commit after REGEX``: pause when a transaction that ran a matching statement is about
  to COMMIT (every write done, only the commit missing).

When it pauses, it writes ``$LAVTERSKEL_FAULT_DIR/paused`` (the statement, for the test's
messages) and the request's thread sleeps, so the test can kill the process with SIGKILL
exactly there.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from core.web.app import create_app

app = create_app()
engine = app.state["ctx"].engine

_DIR = Path(os.environ["LAVTERSKEL_FAULT_DIR"])
_ARM = _DIR / "pause"
_PAUSED = _DIR / "paused"
_AT_COMMIT = "commit after "


def _armed() -> tuple[str, bool] | None:
    try:
        text = _ARM.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if text.startswith(_AT_COMMIT):
        return text[len(_AT_COMMIT):], True
    return (text, False) if text else None


def _pause(what: str) -> None:
    tmp = _PAUSED.with_suffix(".tmp")
    tmp.write_text(what, encoding="utf-8")
    tmp.replace(_PAUSED)
    time.sleep(600)  # the test kills the process long before this ends


@event.listens_for(engine, "begin")
def _new_transaction(conn: Any) -> None:
    conn.info.pop("fault_matched", None)


@event.listens_for(engine, "after_cursor_execute")
def _after_statement(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
    armed = _armed()
    if armed is None:
        return
    pattern, at_commit = armed
    flat = " ".join(statement.split())
    if not re.search(pattern, flat):
        return
    if at_commit:
        conn.info["fault_matched"] = flat
    else:
        _pause(flat)


@event.listens_for(engine, "commit")
def _before_commit(conn: Any) -> None:
    # Called before the DBAPI commit: the transaction is still open here.
    matched = conn.info.pop("fault_matched", None)
    if matched is not None and _armed() is not None:
        _pause(f"COMMIT after {matched}")
