"""Every error becomes a translated page (HTML) or a translated JSON body (API).

Nothing reaches the client as a stack trace; a 500 says only that something went wrong
and that it was logged.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.response import Redirect
from sqlalchemy import exc as sa_exc

from core.actions import explain, validation_errors
from core.forms import FormError
from core.i18n import gettext as _
from core.web.request_limits import RequestRefused
from core.web.templating import render

log = logging.getLogger("lavterskel.errors")


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _message(status: int) -> str:
    return {
        400: _("The request could not be understood. Check what was sent and try again."),
        401: _("You need to sign in."),
        403: _("You do not have access to this."),
        404: _("Not found. It may have been removed, or it belongs to another organization."),
        405: _("This action is not available here."),
        409: _("This cannot be done in the record's present state, or it conflicts with a change made at the same time. Reload and try again."),
        413: _("What was sent is too large."),
        415: _("This kind of content is not accepted here."),
        422: _("Some of the values are not valid."),
        429: _("Too many attempts. Wait a little and try again."),
    }.get(status, _("Something went wrong. The error has been logged."))


def _respond(request: Request[Any, Any, Any], status: int, errors: dict[str, str] | None = None) -> Response[Any]:
    message = _message(status)
    if _is_api(request):
        body: dict[str, Any] = {"status_code": status, "detail": message}
        if errors:
            body["errors"] = errors
        # RFC 6750: a 401 names the scheme the client should sign in with.
        headers = {"WWW-Authenticate": 'Bearer realm="lavterskel"'} if status == 401 else None
        return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)
    tmpl = render(request, "error.html", status_code=status, status=status, message=message, errors=errors or {})
    return tmpl  # type: ignore[return-value]


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not _is_api(request):
        nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(path=f"/login?next={quote(nxt, safe='/')}", status_code=303)  # type: ignore[return-value]
    if isinstance(exc, RequestRefused):
        return _respond(request, exc.status_code, {"__all__": exc.message})
    if isinstance(exc, ValidationException):
        # Litestar's own messages are English and may echo input; keep only field names.
        errors: dict[str, str] = {}
        extra = exc.extra if isinstance(exc.extra, list) else []
        for item in extra:
            if isinstance(item, dict) and item.get("key") == "data" and item.get("message"):
                # The body as a whole: msgspec names the field missing or unknown in its message.
                errors.update(validation_errors(str(item["message"])))
            elif isinstance(item, dict) and item.get("key"):
                errors[str(item["key"])[:100]] = explain(str(item.get("message", "")))
            elif isinstance(item, dict) and item.get("message"):
                errors.update(validation_errors(str(item["message"])))
        return _respond(request, 400, errors)
    if isinstance(exc, (PermissionDeniedException, NotAuthorizedException, TooManyRequestsException)) and isinstance(exc.extra, dict):
        # The permission guard says which token scope is missing, the token endpoint why
        # signing in failed (both already translated).
        return _respond(request, status, {str(k): str(v) for k, v in exc.extra.items()})
    if status == 409 and isinstance(exc.extra, dict):
        # An action refused by the state of a record says why (``{"__all__": reason}``, translated).
        return _respond(request, status, {str(k): str(v) for k, v in exc.extra.items()})
    if isinstance(exc, (NotFoundException, PermissionDeniedException)) or status < 500:
        return _respond(request, status)
    log.error("HTTP %s on %s", status, _route(request))
    return _respond(request, status)


def form_error_handler(request: Request[Any, Any, Any], exc: FormError) -> Response[Any]:
    return _respond(request, 422 if _is_api(request) else 400, exc.errors)


def _route(request: Request[Any, Any, Any]) -> str:
    # The route's template, not the path: no query string (search terms typed about a
    # person) and no ids (whose record it was) reach the server log.
    return request.scope.get("path_template") or "(no route)"


def database_error_handler(request: Request[Any, Any, Any], exc: sa_exc.StatementError) -> Response[Any]:
    """The database refused a write or a value: a 4xx with a message, never a 500.

    Input is checked before it reaches the database (``core.forms``), so this is the net
    under a check some handler left out: a row referring to one that does not exist, a
    second row where one is allowed, a number beyond the column. The transaction is rolled
    back with the request's session, so nothing is half-written. Only the error's class
    is logged: its text holds the statement's parameters, which may be personal data.
    """
    cause = exc.orig if exc.orig is not None else exc
    if isinstance(exc, sa_exc.IntegrityError):
        log.warning("integrity error on %s %s: %s", request.method, _route(request), type(cause).__name__)
        message = _("This could not be saved: it refers to something that does not exist, or repeats something already saved.")
        return _respond(request, 409, {"__all__": message})
    if isinstance(exc, sa_exc.DataError) or isinstance(cause, (OverflowError, ValueError)):
        log.warning("value refused by the database on %s %s: %s", request.method, _route(request), type(cause).__name__)
        return _respond(request, 400, {"__all__": _("A value is out of range or cannot be stored.")})
    return internal_error_handler(request, exc)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, _route(request))
    return _respond(request, 500)
