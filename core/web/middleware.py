"""Per-request context: who is asking, in which language, and the response headers
that protect pages with personal data."""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from http.cookies import SimpleCookie

import anyio
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from sqlalchemy.orm import Session

from core import i18n
from core.db import scoped_session
from core.permissions import permissions_for_roles, sensitive_permissions
from core.services import auth as auth_service
from core.services.settings import setting_on
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


def _current_user(ctx: AppContext, who: auth_service.Requester) -> CurrentUser:
    return CurrentUser(
        id=who.user_id,
        username=who.username,
        full_name=who.full_name,
        organization=OrgInfo(who.organization_id, who.organization_slug, who.organization_name, who.program_name,
                             who.enabled_plugins),
        roles=who.roles,
        permissions=permissions_for_roles(ctx.permission_defs, who.roles),
        locale=who.locale,
        session_id=who.session_id,
        token_scopes=who.token_scopes,
        token_expires_at=who.token_expires_at,
    )


def _second_factor(ctx: AppContext, db: Session, who: auth_service.Requester, user: CurrentUser) -> tuple[str, bool]:
    """Where the requester stands with the second factor, and whether it is required of them.

    State: ``verified`` (code given in this session), ``pending`` (TOTP set up but no code
    given yet in this session), or ``missing`` (no TOTP set up). An API token counts as
    verified only if it was made in a session that had given the code, and its owner
    still has TOTP: a token made before enrolment stays without the second factor.
    Required: the organization requires TOTP and the user holds a sensitive permission.
    """
    if who.session_id is None:
        state = "verified" if who.totp_enrolled and who.second_factor_given else "missing"
    elif who.second_factor_given:
        state = "verified"
    else:
        state = "pending" if who.totp_enrolled else "missing"
    required = False
    if user.permissions & sensitive_permissions(ctx.permission_defs) and REQUIRE_TOTP_SETTING in ctx.setting_defs:
        db.info["organization_id"] = who.organization_id
        required = bool(setting_on(db, ctx.setting_defs, REQUIRE_TOTP_SETTING))
    return state, required


REQUIRE_TOTP_SETTING = "privacy.require_totp"


def _requester(ctx: AppContext, session_token: str | None, bearer: str | None) -> tuple[CurrentUser | None, tuple[str, bool]]:
    """The requester and their second-factor state, in one database session. Runs in a worker thread."""
    if not session_token and not bearer:
        return None, ("missing", False)
    with scoped_session(ctx.session_factory, None) as db:
        who = auth_service.find_requester(db, ctx.settings.security, session_token, bearer)
        if who is None:
            return None, ("missing", False)
        user = _current_user(ctx, who)
        return user, _second_factor(ctx, db, who, user)


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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        arrived = time.perf_counter()
        if scope["path"].startswith("/static/"):
            state[_STARTED] = arrived
            await resolve_request_context(scope)
            await self.app(scope, receive, send)
            return
        async with _gate(scope["app"].state["ctx"].settings.web.concurrent_requests):
            # Server time counts from here: the wait for a turn is reported apart as "queue".
            state[_STARTED] = time.perf_counter()
            state[_QUEUED] = state[_STARTED] - arrived
            await resolve_request_context(scope)
            await self.app(scope, receive, send)


_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _gate(size: int) -> asyncio.Semaphore:
    """The process's turn-taking for requests (one per event loop; tests start several).

    Sync handlers run in worker threads that share one interpreter lock, so ten requests
    worked on at once each take ten times as long, and all finish late. Taking them a few
    at a time, in arrival order, finishes the early ones first at the same throughput.
    """
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(size)
    return gate


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
        # Time the app worked on the request until the response started, and how long the
        # request waited for its turn before that; the benchmark reads both.
        queued = scope["state"].get(_QUEUED, 0.0)
        timing = f"app;dur={(time.perf_counter() - started) * 1000:.2f}, queue;dur={queued * 1000:.2f}"
        headers.append((b"server-timing", timing.encode()))
    message["headers"] = headers


_EARLY_CSRF_COOKIE = "lavterskel_early_csrf_cookie"
_STARTED = "lavterskel_started"
_QUEUED = "lavterskel_queued"


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
    """Do what the CSRF middleware does on a GET, for a request that never reached it."""
    from core.web.csrf import csrf_middleware_for

    csrf = csrf_middleware_for(scope)
    if csrf is None:
        return
    from litestar.utils.scope.state import ScopeState

    existing = _cookies(scope).get(csrf.config.cookie_name)
    token = csrf.token_for(scope, existing)
    ScopeState.from_scope(scope).csrf_token = token
    if token != existing:
        scope["state"][_EARLY_CSRF_COOKIE] = csrf.cookie(token).to_header(header="")


__all__ = [
    "LOCALE_COOKIE", "RequestContextMiddleware", "add_response_headers", "localize_early_error",
    "resolve_request_context", "session_cookie_name",
]
