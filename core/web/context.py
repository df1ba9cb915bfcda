"""What the app knows for its lifetime, and who is asking in a request."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException

if TYPE_CHECKING:
    from jinja2 import Environment
    from litestar.connection import ASGIConnection
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from core.config import Settings
    from core.contrib import PermissionDef
    from core.plugins import Plugins


@dataclass
class AppContext:
    """Built once by the app factory; read-only while serving."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    plugins: Plugins
    jinja: Environment
    permission_defs: list[PermissionDef] = field(default_factory=list)
    setting_defs: dict[str, Any] = field(default_factory=dict)
    setting_owner: dict[str, str] = field(default_factory=dict)
    """Setting key -> the plugin that declared it."""

    def settings_for(self, enabled_plugins: frozenset[str]) -> dict[str, Any]:
        """The settings an organization can see and change: the core's and its enabled plugins'."""
        program = set(self.plugins.program_plugins)
        return {
            key: d for key, d in self.setting_defs.items()
            if self.setting_owner.get(key) not in program or self.setting_owner.get(key) in enabled_plugins
        }


@dataclass(frozen=True)
class OrgInfo:
    id: int
    slug: str
    name: str
    program_name: str
    enabled_plugins: frozenset[str]


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in staff member, resolved once per request by the auth middleware."""

    id: int
    username: str
    full_name: str
    organization: OrgInfo
    roles: frozenset[str]
    permissions: frozenset[str]
    locale: str | None
    session_id: int | None = None
    """The login session's row id; None for API-token requests."""
    token_scopes: frozenset[str] | None = None
    """The API token's scopes (``core.services.auth.TOKEN_SCOPES``); None in a browser session."""
    token_expires_at: dt.datetime | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def app_context(connection: ASGIConnection[Any, Any, Any, Any]) -> AppContext:
    return connection.app.state["ctx"]


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    user = connection.scope.get("user")
    if user is None:  # guards run first, so only a public route could get here
        raise NotFoundException()
    return user
