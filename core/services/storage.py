"""Letting go of erased bytes: what the database keeps after a row is deleted or overwritten.

A committed erasure removes a person's values from every query and from every logical dump
(``pg_dump`` reads live rows only). The files underneath can still hold the old bytes:

- **SQLite** overwrites deleted and replaced content with zeros because every connection
  sets ``PRAGMA secure_delete=ON`` (:func:`core.db.make_engine`). In WAL mode the old
  page images also sit in the ``-wal`` file until a checkpoint copies the new pages into
  the database and the log is truncated: :func:`forget_erased` does that after the
  erasure commits. A backup (SQLite's backup API copies pages, free space included) taken
  afterwards holds no trace.
- **PostgreSQL** keeps the old row versions as dead tuples until ``VACUUM`` removes them;
  :func:`forget_erased` vacuums the tables the erasure touched, outside its transaction.
  What stays out of the application's reach: the write-ahead log until its segments are
  recycled (and any WAL archive), replicas, and backups taken before the erasure. See
  ``docs/security.md``.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)


def forget_erased(bind: Engine | Connection, tables: Iterable[str]) -> float:
    """Ask the database to drop the old bytes of ``tables`` now, after an erasure committed.

    Best effort: an erasure is complete when it commits; if another connection holds the
    SQLite log open, its old frames are overwritten at the next checkpoint instead, and a
    failed ``VACUUM`` is left to autovacuum. Never raises.

    :returns: the seconds it took.
    """
    engine = bind.engine if isinstance(bind, Connection) else bind
    started = time.perf_counter()
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                busy, *_frames = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
                if busy:
                    log.info("erasure: the WAL is in use; its old frames go at the next checkpoint")
        elif engine.dialect.name == "postgresql":
            preparer = engine.dialect.identifier_preparer
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in sorted(set(tables)):
                    conn.exec_driver_sql(f"VACUUM {preparer.quote(table)}")
    except Exception:  # noqa: BLE001 - the erasure has committed; this only hurries the storage
        log.exception("erasure committed, but the database could not drop the old bytes now")
    return time.perf_counter() - started
