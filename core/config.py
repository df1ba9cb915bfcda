"""Settings read from the environment, one dataclass per area.

Every field documents the environment variable it comes from, so operations
staff can read this file as the list of knobs.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PLUGINS = ("dagsverk_lottery", "nyttig_contract", "payroll_rules")


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str
    """``LAVTERSKEL_DATABASE_URL``; default a SQLite file in the data directory."""
    echo: bool = False
    """``LAVTERSKEL_DATABASE_ECHO=1`` logs every SQL statement (never in production)."""


@dataclass(frozen=True)
class SecuritySettings:
    secret_key: str
    """``LAVTERSKEL_SECRET_KEY``; default a random key kept in ``<data>/secret_key`` so that
    several server processes on one data directory share it."""
    secure_cookies: bool = False
    """``LAVTERSKEL_SECURE_COOKIES=1`` when served over HTTPS: cookies get ``Secure`` and the
    ``__Host-`` prefix."""
    session_idle_minutes: int = 60
    """``LAVTERSKEL_SESSION_IDLE_MINUTES``: a session unused this long ends."""
    session_absolute_hours: int = 12
    """``LAVTERSKEL_SESSION_ABSOLUTE_HOURS``: a session ends this long after login, used or not."""
    login_max_failures: int = 5
    """``LAVTERSKEL_LOGIN_MAX_FAILURES``: failed logins in a row, from one client for one
    username, before that client must wait to try that username again. Wrong second-factor
    codes (which only someone with the password can type) lock the account itself."""
    login_lock_minutes: int = 15
    """``LAVTERSKEL_LOGIN_LOCK_MINUTES``: the first wait; every further failure from that
    client doubles it, up to a day."""
    trusted_proxies: frozenset[str] = frozenset()
    """``LAVTERSKEL_TRUSTED_PROXIES``: comma-separated addresses of the reverse proxies whose
    ``X-Forwarded-For`` names the real client (login throttling counts per client). Empty:
    the connection's own address is the client, and no forwarded header is believed."""
    token_days: int = 90
    """``LAVTERSKEL_API_TOKEN_DAYS``: how long a new API token lives unless its maker chooses
    a shorter time; also the longest time that can be chosen."""
    encryption_key: str = ""
    """``LAVTERSKEL_ENCRYPTION_KEY``: the key that encrypts secrets at rest (TOTP secrets), kept
    outside the database; default a random key kept in ``<data>/encryption_key``. Losing it
    means every staff member sets two-factor sign-in up again."""


@dataclass(frozen=True)
class PluginSettings:
    allowed: tuple[str, ...] = DEFAULT_PLUGINS
    """``LAVTERSKEL_PLUGINS``: comma-separated allow-list of entry-point names to load. An
    installed package that is not named here never runs code in the app."""


@dataclass(frozen=True)
class WebSettings:
    concurrent_requests: int = 1
    """``LAVTERSKEL_CONCURRENT_REQUESTS``: requests one server process works on at once; the
    rest wait their turn in arrival order. Python runs one thread at a time per process, so
    working on more at once only makes each slower. Default 1, on SQLite and PostgreSQL
    alike: with PostgreSQL on the same cores, a second turn made every page slower and
    served fewer requests (docs/operations.md). Try 2 when the database has a machine of its
    own and pages spend much of their time waiting for it. Run one process per core."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    """``LAVTERSKEL_DATA_DIR``: where the SQLite file and the secret key live; default ``./data``."""
    database: DatabaseSettings
    security: SecuritySettings
    plugins: PluginSettings = field(default_factory=PluginSettings)
    web: WebSettings = field(default_factory=WebSettings)
    default_locale: str = "nb"
    """``LAVTERSKEL_DEFAULT_LOCALE``: the language when nothing else decides; ``nb`` or ``en``."""
    timezone: str = "Europe/Oslo"
    """All dates shown and all "today"s are in this zone."""


def _secret_key(data_dir: Path, env: str = "LAVTERSKEL_SECRET_KEY", filename: str = "secret_key") -> str:
    if key := os.environ.get(env):
        return key
    path = data_dir / filename
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        # Written once with owner-only permissions; a race between two first starts is
        # settled by O_EXCL, the loser reads the winner's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        except FileExistsError:
            pass
    return path.read_text().strip()


def load_settings() -> Settings:
    data_dir = Path(_env("LAVTERSKEL_DATA_DIR", "data")).resolve()
    url = os.environ.get("LAVTERSKEL_DATABASE_URL") or f"sqlite:///{data_dir / 'lavterskel.db'}"
    allowed = tuple(p.strip() for p in _env("LAVTERSKEL_PLUGINS", ",".join(DEFAULT_PLUGINS)).split(",") if p.strip())
    return Settings(
        data_dir=data_dir,
        database=DatabaseSettings(url=url, echo=_env("LAVTERSKEL_DATABASE_ECHO", "") == "1"),
        security=SecuritySettings(
            secret_key=_secret_key(data_dir),
            secure_cookies=_env("LAVTERSKEL_SECURE_COOKIES", "") == "1",
            session_idle_minutes=int(_env("LAVTERSKEL_SESSION_IDLE_MINUTES", "60")),
            session_absolute_hours=int(_env("LAVTERSKEL_SESSION_ABSOLUTE_HOURS", "12")),
            login_max_failures=int(_env("LAVTERSKEL_LOGIN_MAX_FAILURES", "5")),
            login_lock_minutes=int(_env("LAVTERSKEL_LOGIN_LOCK_MINUTES", "15")),
            trusted_proxies=frozenset(a.strip() for a in _env("LAVTERSKEL_TRUSTED_PROXIES", "").split(",") if a.strip()),
            token_days=max(1, int(_env("LAVTERSKEL_API_TOKEN_DAYS", "90"))),
            encryption_key=_secret_key(data_dir, "LAVTERSKEL_ENCRYPTION_KEY", "encryption_key"),
        ),
        plugins=PluginSettings(allowed=allowed),
        web=WebSettings(concurrent_requests=max(1, int(_env("LAVTERSKEL_CONCURRENT_REQUESTS", "1")))),
        default_locale=_env("LAVTERSKEL_DEFAULT_LOCALE", "nb"),
    )
