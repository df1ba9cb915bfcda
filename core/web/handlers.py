"""Small helpers shared by the HTML and API controllers."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any, TypeVar

from litestar import Request, delete, get, patch, post, put
from litestar.exceptions import NotFoundException
from litestar.response import Redirect
from sqlalchemy.orm import Session

from core.actions import Caller
from core.db import get_scoped, scoped_session
from core.services.disclosure import PENDING, Disclosure
from core.services.privacy import is_contact_person

# Handlers are synchronous (SQLAlchemy is), so Litestar runs them in its thread pool and
# the event loop stays free. Every route goes through these so none forgets.
page_get = partial(get, sync_to_thread=True)
page_post = partial(post, sync_to_thread=True)
api_get = partial(get, sync_to_thread=True)
api_post = partial(post, sync_to_thread=True)
api_put = partial(put, sync_to_thread=True)
api_patch = partial(patch, sync_to_thread=True)
api_delete = partial(delete, sync_to_thread=True)

T = TypeVar("T")


def provide_db(request: Request[Any, Any, Any]) -> Iterator[Session]:
    """A database session scoped to the requester's organization, closed after the response.

    It carries the request's :class:`core.services.disclosure.Disclosure` (the gate for
    special-category values, ``request.state["disclosure"]``). When the handler or its
    templates showed such a value, the access-log entries are committed here, after the
    response was built and before it is sent: a failed commit is a 500, never a value
    shown without its entry.
    """
    user = request.scope.get("user")
    session = scoped_session(request.app.state["ctx"].session_factory, user.organization.id if user else None)
    if user is not None:
        request.scope.setdefault("state", {})["disclosure"] = disclosure_for(request, session)
    try:
        yield session
        if session.info.get(PENDING):
            session.commit()
    finally:
        session.close()


def disclosure_for(request: Request[Any, Any, Any], db: Session) -> Disclosure:
    """The request's gate for special-category values (see core.services.disclosure)."""
    ctx = request.app.state["ctx"]
    user = request.scope["user"]
    state = request.scope.get("state", {})
    handler = request.scope.get("route_handler")
    opt = getattr(handler, "opt", {}) or {}
    return Disclosure(
        db, user, request.scope.get("path_template") or request.url.path,
        lambda staff_id, person_id: is_contact_person(db, ctx.plugins, user.organization, staff_id, person_id),
        second_factor=state.get("second_factor", "missing"), second_factor_required=bool(state.get("second_factor_required")),
        sensitive_scope=user.token_scopes is None or "sensitive" in user.token_scopes,
        source=str(opt.get("plugin") or "core"),
    )


def disclosure(request: Request[Any, Any, Any]) -> Disclosure:
    """The gate of a request whose handler takes ``db``."""
    return request.scope["state"]["disclosure"]


def caller_of(request: Request[Any, Any, Any], db: Session) -> Caller:
    """Who is acting in this request, as the actions in ``core.actions`` take it."""
    ctx = request.app.state["ctx"]
    return Caller(
        db=db, user=request.scope["user"], plugins=ctx.plugins, settings=ctx.settings,
        gate=disclosure(request), api=request.url.path.startswith("/api/"),
        setting_defs=ctx.settings_for(request.scope["user"].organization.enabled_plugins),
        permission_defs=tuple(ctx.permission_defs),
    )


def get_or_404(db: Session, model: type[T], obj_id: int) -> T:
    obj = get_scoped(db, model, obj_id)
    if obj is None:
        raise NotFoundException()
    return obj


def route_of(request: Request[Any, Any, Any]) -> str:
    """The route a request matched, as its template (``/participants/{obj_id}/export``):
    what the access log records as the page, so it never holds an id that names a person."""
    return str(request.scope.get("path_template") or request.url.path)


def form_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Form fields without the CSRF token and button names (which start with ``_``)."""
    return {k: v for k, v in (data or {}).items() if not k.startswith("_")}


def form_list(data: Mapping[str, Any] | None, key: str) -> list[str]:
    value = (data or {}).get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def redirect(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths: an open redirect would let a phishing link borrow our login page."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
