"""Helpers for tests that run the app as a real server process: a free loopback port and
a throwaway database on the test run's PostgreSQL cluster."""
from __future__ import annotations

import secrets
import socket
from collections.abc import Callable

from sqlalchemy.engine import make_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_pg_database(base_url: str, prefix: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database on the cluster of ``base_url``; returns its URL and a dropper."""
    import psycopg

    url = make_url(base_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop
