"""The role matrix, checked from the app's own route table.

Every route (HTML and API, the core's and every loaded plugin's) is requested as every
role. The expected answer comes from the permission the route declares and the
permissions the role holds: a role without it gets 403, a role with it gets anything but
401/403. A route that declares no permission cannot even be built into the app.
Cross-organization isolation is tested in tests/core/test_isolation.py.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from sqlalchemy import select

from core.models import OrganizationPlugin, StaffUser
from core.permissions import CORE_PERMISSIONS, category_matrix_markdown, permissions_for_roles, role_matrix_markdown
from core.services import auth as auth_service
from core.web.csrf import session_csrf_token
from core.web.app import OPENAPI_PATH, check_route_permissions
from tests.conftest import ROLES

SAMPLE = {"int": "999999", "str": "x", "date": "2026-01-05", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}:]+:(\w+)\}", lambda m: SAMPLE.get(m.group(1), "x"), path)


def _routes(app: Litestar) -> list[tuple[str, str, Any]]:
    out = []
    for route in app.routes:
        if route.path.startswith(OPENAPI_PATH) or route.path.startswith("/static"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if getattr(handler, "handler_name", "") == "options_handler":
                continue
            for method in sorted(handler.http_methods):
                if method in {"OPTIONS", "HEAD"}:
                    continue
                out.append((route.path, method, handler))
    return out


def test_every_route_declares_a_permission_or_is_public(app: Litestar) -> None:
    known = {d.name for d in app.state["ctx"].permission_defs}
    routes = _routes(app)
    assert len(routes) > 50
    for path, method, handler in routes:
        opt = handler.opt
        assert opt.get("public") or opt.get("permission") in known, f"{method} {path} declares no known permission"


def test_a_route_without_a_declared_permission_stops_the_app() -> None:
    @get("/forgotten", sync_to_thread=False)
    def forgotten() -> str:
        return "x"

    @get("/typo", sync_to_thread=False, opt={"permission": "participnts.view"})
    def typo() -> str:
        return "x"

    for handler in (forgotten, typo):
        with pytest.raises(RuntimeError, match="permission"):
            check_route_permissions(Litestar(route_handlers=[handler]), {"participants.view"})


def _org_for(world, enabled: dict[int, set[str]], plugin: str | None):  # type: ignore[no-untyped-def]
    """An organization that has the route's plugin enabled (any for a core route)."""
    if plugin is None:
        return world.a
    for org in (world.a, world.b):
        if plugin in enabled[org.org.id]:
            return org
    return None


def test_every_route_for_every_role(app: Litestar, world) -> None:  # type: ignore[no-untyped-def]
    defs = app.state["ctx"].permission_defs
    failures: list[str] = []
    with TestClient(app, base_url="http://testserver.local") as client:
        with world.db() as db:
            enabled: dict[int, set[str]] = {world.a.org.id: set(), world.b.org.id: set()}
            for row in db.scalars(select(OrganizationPlugin).where(OrganizationPlugin.enabled)):
                enabled[row.organization_id].add(row.plugin)
            users = {
                (org.org.id, role): db.get(StaffUser, org.users[role].id) for org in (world.a, world.b) for role in ROLES
            }
            for path, method, handler in _routes(app):
                opt = handler.opt
                org = _org_for(world, enabled, opt.get("plugin"))
                if org is None:
                    continue
                url = _concrete(path)
                is_api = path.startswith("/api/")
                for role in ROLES:
                    user = users[(org.org.id, role)]
                    allowed = bool(opt.get("public")) or opt.get("permission") in permissions_for_roles(defs, {role})
                    headers: dict[str, str] = {}
                    kwargs: dict[str, Any] = {}
                    if is_api:
                        headers["Authorization"] = "Bearer " + auth_service.create_api_token(db, user, org.org.id, "matrix")
                        if method in {"POST", "PUT", "PATCH"}:
                            kwargs["json"] = {}
                    else:
                        # A fresh session per request: an allowed logout must not spoil the next one.
                        token = auth_service.start_session(db, user, org.org.id)
                        # The CSRF token is bound to the session (core.web.csrf).
                        bound = session_csrf_token(app.state["ctx"].settings.security.secret_key, token)
                        headers["Cookie"] = f"lavterskel_session={token}; lavterskel_csrf={bound}"
                        if method in {"POST", "PUT", "PATCH", "DELETE"}:
                            kwargs["data"] = {"_csrf_token": bound}
                    r = client.request(method, url, headers=headers, follow_redirects=False, **kwargs)
                    client.cookies.clear()
                    # A redirect to sign in (with ?next=) or to the second factor is a refusal;
                    # logout's plain redirect to /login is the route doing its job.
                    denied = r.status_code in (401, 403) or (
                        r.status_code == 303
                        and r.headers.get("location", "").startswith(("/login?next=", "/login/totp", "/account/totp?"))
                    )
                    if allowed and denied:
                        failures.append(f"{role} {method} {path}: {r.status_code}, expected access ({opt.get('permission')})")
                    if not allowed and r.status_code != 403:
                        failures.append(f"{role} {method} {path}: {r.status_code}, expected 403 ({opt.get('permission')})")
    assert not failures, "\n".join(failures)


def test_anonymous_requests_reach_only_public_routes(app: Litestar, world) -> None:  # type: ignore[no-untyped-def]
    failures = []
    with TestClient(app, base_url="http://testserver.local") as client:
        client.get("/login")
        csrf = client.cookies.get("lavterskel_csrf")
        for path, method, handler in _routes(app):
            if handler.opt.get("public"):
                continue
            kwargs: dict[str, Any] = {"data": {"_csrf_token": csrf}} if method != "GET" and not path.startswith("/api/") else {}
            r = client.request(method, _concrete(path), follow_redirects=False, **kwargs)
            if path.startswith("/api/"):
                ok = r.status_code == 401
            else:
                ok = r.status_code == 303 and r.headers["location"].startswith("/login")
            if not ok:
                failures.append(f"{method} {path}: {r.status_code}")
    assert not failures, "\n".join(failures)


def _perms(role: str) -> frozenset[str]:
    return permissions_for_roles(CORE_PERMISSIONS, {role})


def test_the_roles_hold_what_the_programs_need_and_no_more() -> None:
    categories = {"data.health", "data.substance_use", "data.conduct", "data.social", "data.assessment"}
    sensitive = {"sensitive.contact", "consents.view", "consents.edit", "privacy.export", "privacy.erase", "access_log.view",
                 *categories}
    # Payroll: pay runs and benefit status (plugin permissions) only; nothing about people's lives.
    assert not _perms("payroll") & (sensitive | {"participants.view", "days.view"})
    # Admin: settings, staff, plugins and rates; no sensitive data.
    assert "org.admin" in _perms("admin") and not _perms("admin") & sensitive
    # Work leader: the work, and of a person only what it needs; notes only as contact person.
    assert {"days.edit", "participants.view", "sensitive.contact"} <= _perms("work_leader")
    assert not _perms("work_leader") & (sensitive - {"sensitive.contact"})
    # Social worker: intake and follow-up notes, consents, the export.
    assert {"sensitive.contact", "consents.edit", "privacy.export"} | categories <= _perms("social_worker")
    assert not {"privacy.erase", "access_log.view", "org.admin"} & _perms("social_worker")
    # Leader: everything in the organization's work, the access log and erasure.
    assert sensitive <= _perms("leader")


def test_docs_show_the_core_role_matrix() -> None:
    from core import i18n

    i18n.set_locale("en")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    for line in role_matrix_markdown(CORE_PERMISSIONS).splitlines()[2:]:
        assert line in doc, f"docs/security.md is missing or has a stale row: {line}"


def test_every_special_category_has_a_permission_and_the_docs_show_who_reads_it() -> None:
    from core.classification import SPECIAL

    names = {d.name: d for d in CORE_PERMISSIONS}
    for category in SPECIAL:
        d = names[f"data.{category.value}"]
        assert d.sensitive and set(d.roles) == {"leader", "social_worker"}
    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert category_matrix_markdown(CORE_PERMISSIONS) in doc, "docs/security.md: the role × category matrix is stale"
