"""Per-request context: who is asking, in which language, and the response headers
that protect pages with personal data."""
from __future__ import annotations

import logging
import time
from http.cookies import SimpleCookie

import anyio
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core import i18n
from core.db import scoped_session
from core.models import Organization, StaffUser
from core.permissions import permissions_for_roles
from core.services import auth as auth_service
from core.web.context import AppContext, CurrentUser, OrgInfo

LOCALE_COOKIE = "lavterskel_locale"
log = logging.getLogger("lavterskel.web")


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


def second_factor_state(ctx: AppContext, user: CurrentUser) -> tuple[str, bool]:
    """Where the requester stands with the second factor, and whether it is required of them.

    State: ``verified`` (code given in this session), ``pending`` (TOTP set up but no code
    given yet in this session), or ``missing`` (no TOTP set up). An API token counts as
    verified when its owner has TOTP set up: tokens are made in a signed-in session.
    Required: the organization requires TOTP and the user holds a sensitive permission.
    Runs in a worker thread.
    """
    from core.permissions import sensitive_permissions
    from core.services.settings import setting_on

    with scoped_session(ctx.session_factory, user.organization.id) as db:
        enrolled = auth_service.has_totp(db, user.id)
        if user.session_id is None:
            state = "verified" if enrolled else "missing"
        elif auth_service.session_has_second_factor(db, user.session_id):
            state = "verified"
        else:
            state = "pending" if enrolled else "missing"
        required = False
        if user.permissions & sensitive_permissions(ctx.permission_defs) and REQUIRE_TOTP_SETTING in ctx.setting_defs:
            required = bool(setting_on(db, ctx.setting_defs, REQUIRE_TOTP_SETTING))
    return state, required


REQUIRE_TOTP_SETTING = "privacy.require_totp"


def _requester(ctx: AppContext, session_token: str | None, bearer: str | None) -> tuple[CurrentUser | None, tuple[str, bool]]:
    user = resolve_user(ctx, session_token, bearer)
    return user, (second_factor_state(ctx, user) if user is not None else ("missing", False))


def _security_headers(locale: str, is_static: bool, secure: bool = False) -> dict[bytes, bytes]:
    headers: dict[bytes, bytes] = {
        b"content-security-policy": CSP.encode(),
        b"x-content-type-options": b"nosniff",
        b"referrer-policy": b"no-referrer",
        b"x-frame-options": b"DENY",
        b"content-language": locale.encode(),
    }
    if secure:
        headers[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
    if not is_static:
        headers[b"cache-control"] = b"no-store"
        # The page's language depends on these; a cache must not serve nb to an en reader.
        headers[b"vary"] = b"Accept-Language, Cookie"
    return headers


async def resolve_request_context(scope: Scope) -> str:
    """Find the requester and choose the locale; store both on the scope and return the locale.

    The user's own setting wins, then the language cookie, then Accept-Language, then Bokmål.
    """
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
    user, second_factor = None, ("missing", False)
    if not path.startswith("/static/") and (session_token or bearer):
        # One trip to a worker thread for both look-ups: each trip costs more than the queries.
        user, second_factor = await anyio.to_thread.run_sync(_requester, ctx, session_token, bearer)
    scope["user"] = user
    scope["auth"] = session_token if user is not None and not is_api else None
    state = scope.setdefault("state", {})
    state["second_factor"], state["second_factor_required"] = second_factor
    locale = i18n.negotiate(
        user.locale if user else None, cookies.get(LOCALE_COOKIE), _header(scope, b"accept-language")
    )
    i18n.set_locale(locale)
    scope.setdefault("state", {})["locale"] = locale
    return locale


class RequestContextMiddleware:
    """Resolves the user and the locale for every request that matched a route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})[_STARTED] = time.perf_counter()
            await resolve_request_context(scope)
        await self.app(scope, receive, send)


async def add_response_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: language and security headers on every HTTP response.

    An app-level hook rather than the middleware's send wrapper, so responses that never
    reach a route (unknown URL, wrong method, failed CSRF check) carry them too.
    """
    if message["type"] != "http.response.start" or scope.get("type") != "http":
        return
    locale = scope.get("state", {}).get("locale") or i18n.DEFAULT_LOCALE
    headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
    present = {k.lower() for k, _v in headers}
    secure = scope["app"].state["ctx"].settings.security.secure_cookies
    for key, value in _security_headers(locale, scope["path"].startswith("/static/"), secure).items():
        if key not in present:
            headers.append((key, value))
    if (cookie := scope.get("state", {}).get(_EARLY_CSRF_COOKIE)) is not None:
        headers.append((b"set-cookie", cookie.encode("latin-1")))
    if (started := scope.get("state", {}).get(_STARTED)) is not None:
        # Time spent in the app until the response starts; the benchmark reads it.
        headers.append((b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.2f}".encode()))
    message["headers"] = headers


_EARLY_CSRF_COOKIE = "lavterskel_early_csrf_cookie"
_STARTED = "lavterskel_started"


async def localize_early_error(exc: Exception, scope: Scope) -> None:
    """``after_exception`` hook: give an error raised before any route ran the request's language.

    Litestar raises 404 (no route) and 405 (wrong method) in its router, before route
    middleware, so the user and locale are still unknown there. They are resolved here,
    so the error page comes in the reader's language, with the normal layout and a
    working language switch (which needs a CSRF token). Never raises: an error page must
    not turn into a 500.
    """
    if scope.get("type") != "http" or "locale" in scope.get("state", {}):
        return
    try:
        await resolve_request_context(scope)
        _give_csrf_token(scope)
    except Exception:  # noqa: BLE001 - fall back to Bokmål and an anonymous page
        log.exception("could not resolve the request context for an error page")
        scope["user"] = None
        i18n.set_locale(i18n.DEFAULT_LOCALE)
        scope.setdefault("state", {})["locale"] = i18n.DEFAULT_LOCALE


def _give_csrf_token(scope: Scope) -> None:
    """Do what Litestar's CSRF middleware does on a GET, for a request that never reached it."""
    from litestar.datastructures import Cookie
    from litestar.middleware.csrf import generate_csrf_token
    from litestar.utils.scope.state import ScopeState

    config = scope["app"].csrf_config
    if config is None:
        return
    existing = _cookies(scope).get(config.cookie_name)
    token = existing or generate_csrf_token(secret=config.secret)
    ScopeState.from_scope(scope).csrf_token = token
    if existing is None:
        cookie = Cookie(
            key=config.cookie_name, value=token, path=config.cookie_path, secure=config.cookie_secure,
            httponly=config.cookie_httponly, samesite=config.cookie_samesite, domain=config.cookie_domain,
        )
        scope["state"][_EARLY_CSRF_COOKIE] = cookie.to_header(header="")


__all__ = [
    "LOCALE_COOKIE", "RequestContextMiddleware", "add_response_headers", "localize_early_error",
    "resolve_request_context", "resolve_user", "second_factor_state", "session_cookie_name",
]
