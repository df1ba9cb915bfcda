"""CSRF tokens bound to the login session.

Litestar's own middleware checks that the form's token equals the CSRF cookie (double
submit). That ties a token to a cookie, not to a session: a token taken from one session
is good in any browser given the matching cookie. Here, once a browser has a session
cookie, the only token accepted is an HMAC of that session's id under the secret key, so a
token from one session is refused in every other, and nobody without the secret and the
victim's session id can make one. Before login (the login form, the language switch) the
double-submit check of Litestar stays.

The CSRF cookie still carries the current token, set again whenever the session cookie
changes (login, logout), so a client that reads its token from the cookie keeps working;
the check never trusts the cookie while there is a session.
"""
from __future__ import annotations

import hashlib
import hmac
from secrets import compare_digest

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware._utils import should_bypass_middleware
from litestar.middleware.csrf import CSRFMiddleware, generate_csrf_token
from litestar.types import Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

_PREFIX = "s."


def session_csrf_token(secret: str, session_token: str) -> str:
    """The one CSRF token valid for the session whose cookie holds ``session_token``."""
    session_hash = hashlib.sha256(session_token.encode()).hexdigest()
    return _PREFIX + hmac.new(secret.encode(), f"csrf\n{session_hash}".encode(), hashlib.sha256).hexdigest()


def _session_cookie_name(scope: Scope) -> str:
    from core.web.middleware import session_cookie_name

    return session_cookie_name(scope["app"].state["ctx"])


def _session_cookie(scope: Scope) -> str | None:
    from core.web.middleware import _cookies

    return _cookies(scope).get(_session_cookie_name(scope)) or None


class SessionCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF middleware with the token bound to the session when there is one."""

    def token_for(self, scope: Scope, cookie_token: str | None) -> str:
        """The token this request's forms carry: bound to its session, or before login the
        cookie's own (a fresh one if it has none that is valid)."""
        session = _session_cookie(scope)
        if session:
            return session_csrf_token(self.config.secret, session)
        if cookie_token and self._decode_csrf_token(cookie_token) is not None:
            return cookie_token
        return generate_csrf_token(secret=self.config.secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or should_bypass_middleware(
            scope=scope, scopes=self.scopes, exclude_opt_key=self.config.exclude_from_csrf_key,
            exclude_path_pattern=self.exclude,
        ):
            await self.app(scope, receive, send)
            return
        request = scope["litestar_app"].request_class(scope=scope, receive=receive)
        cookie_token = request.cookies.get(self.config.cookie_name)
        token = self.token_for(scope, cookie_token)
        if request.method not in self.config.safe_methods:
            sent = request.headers.get(self.config.header_name)
            content_type, _ = request.content_type
            if not sent and content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
                sent = (await request.form()).get("_csrf_token")
            if not isinstance(sent, str) or not self._accepted(scope, sent, cookie_token, token):
                raise PermissionDeniedException("CSRF token verification failed")
        ScopeState.from_scope(scope).csrf_token = token
        await self.app(scope, receive, self._send_wrapper(send, token, cookie_token, _session_cookie_name(scope)))

    def _accepted(self, scope: Scope, sent: str, cookie_token: str | None, token: str) -> bool:
        if _session_cookie(scope):
            return compare_digest(sent, token)
        return cookie_token is not None and self._csrf_tokens_match(sent, cookie_token)

    def _send_wrapper(self, send: Send, token: str, cookie_token: str | None, session_name: str) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                new = self._token_after(message, token, session_name)
                if new != cookie_token:
                    headers = MutableScopeHeaders.from_message(message)
                    headers.add("set-cookie", self.cookie(new).to_header(header=""))
            await send(message)

        return wrapped

    def _token_after(self, message: Message, token: str, session_name: str) -> str:
        """The token for the session the browser will have after this response: a login or
        logout sets the session cookie, and the CSRF cookie follows it."""
        from http.cookies import SimpleCookie

        for name, value in message.get("headers", []):
            if name.lower() != b"set-cookie":
                continue
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - not ours to judge; leave the token as it is
                continue
            for key, morsel in jar.items():
                if key == session_name:
                    if morsel.value and morsel["max-age"] != "0":
                        return session_csrf_token(self.config.secret, morsel.value)
                    return generate_csrf_token(secret=self.config.secret)
        return token

    def cookie(self, token: str) -> Cookie:
        c = self.config
        return Cookie(key=c.cookie_name, value=token, path=c.cookie_path, secure=c.cookie_secure, httponly=c.cookie_httponly,
                      samesite=c.cookie_samesite, domain=c.cookie_domain)


def csrf_middleware_for(scope: Scope) -> SessionCSRFMiddleware | None:
    """The app's CSRF middleware settings, for a request that never reached a route."""
    config: CSRFConfig | None = scope["app"].state.get("csrf_config")
    return SessionCSRFMiddleware(lambda *a: None, config) if config is not None else None  # type: ignore[arg-type]


__all__ = ["SessionCSRFMiddleware", "csrf_middleware_for", "session_csrf_token"]
