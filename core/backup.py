"""Backup and restore of the whole database: SQLite's online backup, pg_dump for PostgreSQL.

A backup taken while the server runs is consistent: SQLite's backup API copies a
snapshot page by page, and pg_dump reads inside one transaction.
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_tool(name: str) -> str:
    """pg_dump/pg_restore: from LAVTERSKEL_PG_BIN, else PATH, else Debian's versioned directory."""
    candidates = [os.path.join(os.environ.get("LAVTERSKEL_PG_BIN", ""), name)] if os.environ.get("LAVTERSKEL_PG_BIN") else []
    if found := shutil.which(name):
        candidates.append(found)
    candidates += sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    raise BackupError(f"{name} not found: install PostgreSQL's client tools")


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password  # not on the command line, where ps would show it
    args = ["-d", u.database or ""]
    if u.host:
        args += ["-h", u.host]
    if u.port:
        args += ["-p", str(u.port)]
    if u.username:
        args += ["-U", u.username]
    return args, env


def backup(url: str, target: Path) -> Path:
    target = Path(target)
    if url.startswith("sqlite"):
        src = sqlite3.connect(_sqlite_path(url))
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
        return target
    if url.startswith("postgresql"):
        args, env = _pg_args(url)
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args], check=True, env=env)
        return target
    raise BackupError(f"no backup method for {make_url(url).drivername}")


def restore(url: str, source: Path) -> None:
    """Replace the database's contents with the backup's. Stop the servers first."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if url.startswith("sqlite"):
        src = sqlite3.connect(source)
        dst = sqlite3.connect(_sqlite_path(url))
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    if url.startswith("postgresql"):
        args, env = _pg_args(url)
        subprocess.run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", *args, str(source)],
            check=True, env=env,
        )
        return
    raise BackupError(f"no restore method for {make_url(url).drivername}")
