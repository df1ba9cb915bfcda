"""One action, one permission: every route that names an action carries that action's
permission, so its page and its API cannot differ in who may use them (issue 14)."""
from __future__ import annotations

from litestar import Litestar

from core.actions import ACTIONS


def action_routes(app: Litestar) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            name = (handler.opt or {}).get("action")
            if name:
                found.setdefault(name, []).append((route.path, handler.opt.get("permission")))
    return found


def test_every_route_of_an_action_carries_its_permission(app: Litestar) -> None:
    problems = []
    for name, routes in sorted(action_routes(app).items()):
        if name not in ACTIONS:
            problems.append(f"{name}: named by {routes[0][0]} but never defined")
            continue
        for path, permission in routes:
            if permission != ACTIONS[name].permission:
                problems.append(f"{path}: {permission!r}, but {name} needs {ACTIONS[name].permission!r}")
    assert problems == [], "\n".join(problems)


def test_every_action_with_a_page_has_its_api_too(app: Litestar) -> None:
    """What staff can do on a page, an integrator can do through the API."""
    missing = []
    for name, routes in sorted(action_routes(app).items()):
        kinds = {"api" if path.startswith("/api/") else "page" for path, _ in routes}
        if kinds == {"page"}:
            missing.append(name)
    assert missing == [], "actions with a page but no API: " + ", ".join(missing)
