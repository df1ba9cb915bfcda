"""Per-request context: who is asking, in which language, and the response headers
that protect pages with personal data."""
from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import anyio
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import select

from core import i18n
from core.db import scoped_session
from core.models import Organization, StaffUser
from core.permissions import permissions_for_roles
from core.services import auth as auth_service
from core.web.context import AppContext, CurrentUser, OrgInfo

LOCALE_COOKIE = "lavterskel_locale"


def session_cookie_name(ctx: AppContext) -> str:
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only
    # and path=/, so a sibling subdomain cannot plant or read it.
    return "__Host-lavterskel_session" if ctx.settings.security.secure_cookies else "lavterskel_session"


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is treated as none
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def resolve_user(ctx: AppContext, session_token: str | None, bearer: str | None) -> CurrentUser | None:
    """Look the requester up. Runs in a worker thread: the database calls are blocking."""
    if not session_token and not bearer:
        return None
    with scoped_session(ctx.session_factory, None) as db:
        session_id: int | None = None
        if bearer:
            token = auth_service.live_api_token(db, bearer)
            if token is None:
                return None
            user_id, org_id = token.user_id, token.organization_id
        else:
            row = auth_service.live_session(db, ctx.settings.security, session_token or "")
            if row is None:
                return None
            user_id, org_id, session_id = row.user_id, row.organization_id, row.id
        user = db.get(StaffUser, user_id)
        org = db.get(Organization, org_id)
        if user is None or org is None or not user.is_active:
            return None
        roles = user.roles_in(org.id)
        if not roles:
            return None
        return CurrentUser(
            id=user.id,
            username=user.username,
            full_name=user.full_name,
            organization=OrgInfo(org.id, org.slug, org.name, org.program_name, org.enabled_plugins),
            roles=roles,
            permissions=permissions_for_roles(ctx.permission_defs, roles),
            locale=user.locale,
            session_id=session_id,
        )


class RequestContextMiddleware:
    """Resolves the user and the locale, and adds security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx: AppContext = scope["app"].state["ctx"]
        path: str = scope["path"]
        is_api = path.startswith("/api/")
        cookies = _cookies(scope)
        bearer = None
        authz = _header(scope, b"authorization")
        if authz and authz.lower().startswith("bearer "):
            bearer = authz[7:].strip()
        # The API is reached with tokens only: a cookie there would make it open to CSRF.
        session_token = None if is_api else cookies.get(session_cookie_name(ctx))
        user = None
        if not path.startswith("/static/"):
            user = await anyio.to_thread.run_sync(resolve_user, ctx, session_token, bearer)
        scope["user"] = user
        scope["auth"] = session_token if user is not None and not is_api else None
        locale = i18n.negotiate(
            user.locale if user else None, cookies.get(LOCALE_COOKIE), _header(scope, b"accept-language")
        )
        i18n.set_locale(locale)
        scope.setdefault("state", {})["locale"] = locale
        is_static = path.startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {k.lower() for k, _v in headers}
                extra: dict[bytes, bytes] = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY",
                    b"content-language": locale.encode(),
                }
                if not is_static:
                    extra[b"cache-control"] = b"no-store"
                    extra[b"vary"] = b"Accept-Language, Cookie"
                for key, value in extra.items():
                    if key not in present:
                        headers.append((key, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["LOCALE_COOKIE", "RequestContextMiddleware", "resolve_user", "session_cookie_name"]
