"""The app factory: one function that wires settings, database, plugins, routes and i18n."""
from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from sqlalchemy.exc import StatementError

from core import i18n
from core.config import Settings, load_settings
from core.db import make_engine, make_session_factory
from core.forms import FormError
from core.api import api_router
from core.permissions import CORE_PERMISSIONS, sensitive_permissions
from core.services.disclosure import SecondFactorNeeded
from core.web.controllers.access import AccessRequestsController
from core.web.controllers.admin import AdminController
from core.web.controllers.auth import AuthController
from core.web.controllers.dashboard import dashboard
from core.web.controllers.days import DaysController
from core.web.controllers.privacy import PrivacyController
from core.web.controllers.records import all_records_routers
from core.web.controllers.reports import ReportsController
from core.web.controllers.totp import SecondFactorRequired, TotpController, second_factor_handler
from core.web.templating import build_environment
from core.plugins import Plugins, build_plugin_manager
from core.web.context import AppContext
from core.web.errors import database_error_handler, form_error_handler, http_exception_handler, internal_error_handler
from core.web.handlers import provide_db
from core.web.csrf import SessionCSRFMiddleware
from core.web.openapi import StrictStructSchemaPlugin
from core.web.middleware import RequestContextMiddleware, add_response_headers, localize_early_error
from core.web.request_log import log_request
from core.web.request_limits import screen_request

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
OPENAPI_PATH = "/api/v1/schema"
API_DESCRIPTION = (
    "Lavterskel's JSON API: the same actions as the staff pages, with the same permissions. "
    "Conventions (ids, dates, money, errors, pagination) and a worked example: docs/api.md."
)


def permission_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Every route is closed unless it says what opens it."""
    opt = handler.opt
    if opt.get("public") or connection.scope["path"].startswith(OPENAPI_PATH):
        return
    user = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    plugin = opt.get("plugin")
    if plugin is not None and plugin not in user.organization.enabled_plugins:
        # Checked before the permission: 403 would tell an organization without the
        # plugin that the route exists.
        raise NotFoundException()
    permission = opt.get("permission")
    if permission is None or permission not in user.permissions:
        raise PermissionDeniedException()
    _token_scope_check(connection, user.token_scopes, permission)
    _second_factor_check(connection, opt, permission)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _reaches_sensitive(connection: ASGIConnection[Any, Any, Any, Any], permission: str) -> bool:
    """Whether a route can return or change special-category data: what two-factor sign-in
    and a token's ``sensitive`` scope both cover, decided in this one place."""
    return permission in sensitive_permissions(connection.app.state["ctx"].permission_defs)


def _token_scope_check(connection: ASGIConnection[Any, Any, Any, Any], scopes: frozenset[str] | None, permission: str) -> None:
    """An API token reaches a route only with every scope it needs: ``read`` to look,
    ``write`` to change, and ``sensitive`` for special-category data as well."""
    if scopes is None:  # a browser session: the role alone decides
        return
    needed = {"read" if connection.scope.get("method", "GET") in SAFE_METHODS else "write"}
    if _reaches_sensitive(connection, permission):
        needed.add("sensitive")
    if not needed <= scopes:
        missing = ", ".join(sorted(needed - scopes))
        raise PermissionDeniedException(extra={"scopes": i18n.gettext("This API token lacks the scope: %(names)s", names=missing)})


def _second_factor_check(connection: ASGIConnection[Any, Any, Any, Any], opt: dict[str, Any], permission: str) -> None:
    """A session whose owner has TOTP set up reaches nothing but the code page until the
    code is given; where the organization requires TOTP, sensitive permissions need it."""
    state = connection.scope.get("state", {})
    factor = state.get("second_factor", "missing")
    if factor == "pending" and not opt.get("second_factor_exempt"):
        raise SecondFactorRequired("verify")
    if state.get("second_factor_required") and factor != "verified":
        if _reaches_sensitive(connection, permission):
            raise SecondFactorRequired("verify" if factor == "pending" else "enrol")


def plugin_enabled_guard(plugin: str) -> Any:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        # Not 403: an organization without the plugin should not learn the route exists.
        if user is not None and plugin not in user.organization.enabled_plugins:
            raise NotFoundException()

    guard.__name__ = f"plugin_enabled_{plugin}"
    return guard


def _collect_flat(results: list[Any]) -> list[Any]:
    out: list[Any] = []
    for r in results:
        if r:
            out.extend(r)
    return out


def check_route_permissions(app: Litestar, known: set[str]) -> None:
    """Refuse to start with a route that declares no permission, or an unknown one."""
    for route in app.routes:
        if route.path.startswith(OPENAPI_PATH):
            continue
        for handler in getattr(route, "route_handlers", []):
            opt = handler.opt
            # Litestar adds an OPTIONS handler per path by itself; the guard still covers it.
            if opt.get("public") or getattr(handler, "handler_name", "") == "options_handler":
                continue
            perm = opt.get("permission")
            if perm is None:
                raise RuntimeError(f"route {route.path} ({handler.handler_name}) declares no permission")
            if perm not in known:
                raise RuntimeError(f"route {route.path} needs unknown permission {perm!r}")


def create_app(
    settings: Settings | None = None,
    extra_plugins: Sequence[tuple[str, Any]] = (),
) -> Litestar:
    """Build the app. ``extra_plugins`` registers plugin modules directly (tests use it)."""
    settings = settings or load_settings()
    plugins: Plugins = build_plugin_manager(settings.plugins.allowed, extra_plugins)
    engine = make_engine(settings.database.url, settings.database.echo)

    i18n.load_catalogues(_collect_flat(plugins.hook.lavterskel_locale_dirs()))
    jinja = build_environment(_collect_flat(plugins.hook.lavterskel_template_dirs()))
    permission_defs = [*CORE_PERMISSIONS, *_collect_flat(plugins.hook.lavterskel_permissions())]
    setting_defs: dict[str, Any] = {}
    setting_owner: dict[str, str] = {}
    for owner, defs in plugins.per_plugin("lavterskel_settings"):
        for d in defs or ():
            setting_defs[d.key] = d
            setting_owner[d.key] = owner
    ctx = AppContext(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        plugins=plugins,
        jinja=jinja,
        permission_defs=permission_defs,
        setting_defs=setting_defs,
        setting_owner=setting_owner,
    )

    route_handlers: list[Any] = [
        AuthController, dashboard, DaysController, AdminController, AccessRequestsController, ReportsController, api_router(), *all_records_routers(),
        PrivacyController, TotpController,
    ]
    for name, handlers in plugins.per_plugin("lavterskel_route_handlers"):
        if handlers:
            route_handlers.append(Router(path="/", route_handlers=list(handlers), guards=[plugin_enabled_guard(name)], opt={"plugin": name}))
    route_handlers.append(create_static_files_router(path="/static", directories=[STATIC_DIR], opt={"public": True}, name="static"))

    csrf_config = CSRFConfig(
        secret=settings.security.secret_key,
        # __Host-: over HTTPS the browser then refuses a cookie planted by a sibling domain.
        cookie_name="__Host-lavterskel_csrf" if settings.security.secure_cookies else "lavterskel_csrf",
        cookie_secure=settings.security.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=["^/api/"],
    )
    app = Litestar(
        route_handlers=route_handlers,
        dependencies={"db": Provide(provide_db)},
        guards=[permission_guard],
        before_request=screen_request,
        # The CSRF check is ours, not Litestar's built-in one: it binds the token to the
        # session (core.web.csrf), so Litestar gets no csrf_config of its own.
        middleware=[DefineMiddleware(RequestContextMiddleware), DefineMiddleware(SessionCSRFMiddleware, config=csrf_config)],
        # App-level, so errors raised before any route (unknown URL) get language and headers too.
        before_send=[add_response_headers, log_request],
        after_exception=[localize_early_error],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(jinja)),
        exception_handlers={
            HTTPException: http_exception_handler,
            FormError: form_error_handler,
            StatementError: database_error_handler,
            SecondFactorRequired: second_factor_handler,
            SecondFactorNeeded: second_factor_handler,
            Exception: internal_error_handler,
        },
        openapi_config=OpenAPIConfig(
            title="Lavterskel API",
            version="1",
            path=OPENAPI_PATH,
            render_plugins=[JsonRenderPlugin()],
            description=API_DESCRIPTION,
            components=Components(security_schemes={"bearer": SecurityScheme(
                type="http", scheme="bearer",
                description="An API token: POST /api/v1/tokens with username, password and, where set up, the second factor's code.",
            )}),
            security=[{"bearer": []}],
        ),
        plugins=[StrictStructSchemaPlugin()],
        request_max_body_size=2 * 1024 * 1024,
        state=None,
        debug=False,
    )
    app.state["ctx"] = ctx
    app.state["csrf_config"] = csrf_config
    check_route_permissions(app, {d.name for d in permission_defs})
    # The app's own objects (modules, routes, templates, catalogues: a few hundred thousand)
    # live as long as the process. Moved out of the collector's sight, they no longer make
    # every full collection during a request walk them all (~0.1 s in a large draw).
    gc.collect()
    gc.freeze()
    return app
