"""Page/API parity of one action, for every role (issue 14).

A :class:`Pair` says how to reach one action through its page and through its API. The
check runs it twice per role, on two fresh copies of the same starting point (``setup``
is called once for each surface): once as a browser session posting the form, once with an
API token of the same staff member sending JSON. The two must agree on whether the role
may do it, and on what is stored afterwards (``stored`` reads it back without ids).

Roles are those of ``tests.conftest.ROLES``; each gets its own client, signed in as that
role's user of the organization the pair names. Use it from a test module:

    PAIRS = [Pair("days.register_attendance", org="a", setup=..., page=..., api=..., stored=...)]

    @pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.action)
    def test_page_and_api_agree(pair, app, world):
        assert_parity(pair, app, world)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from core.actions import ACTIONS
from tests.conftest import ROLES, OrgWorld, World, api_token, bearer, login, post_form

Ctx = dict[str, Any]
Request = tuple[str, dict[str, Any]]
"""A path and its form fields (page) or JSON body (API)."""


@dataclass
class Pair:
    action: str
    org: str
    """``"a"`` (Dagsverket's plugins) or ``"b"`` (Nyttig Arbeid's), as in ``tests.conftest.world``."""
    setup: Callable[[Session, OrgWorld], Ctx]
    """Make the starting point in the organization's session; return the ids the requests need."""
    page: Callable[[Ctx], Request]
    api: Callable[[Ctx], Request]
    stored: Callable[[Session, Ctx], Any]
    """What the action left behind, in a form that holds no ids (so two runs compare)."""
    api_method: str = "POST"
    roles: tuple[str, ...] = field(default=ROLES)


def _allowed(status: int, *, page: bool) -> bool:
    if status in (401, 403, 404):
        return False
    if page:
        return status in (200, 201, 303)
    return 200 <= status < 300


def _outcome_of_page(client: TestClient[Litestar], path: str, form: dict[str, Any]) -> int:
    return post_form(client, path, form).status_code


def _outcome_of_api(client: TestClient[Litestar], method: str, path: str, body: dict[str, Any], token: str) -> int:
    return client.request(method, path, json=body, headers=bearer(token)).status_code


def assert_parity(pair: Pair, app: Litestar, world: World) -> None:
    act = ACTIONS[pair.action]
    org = world.a if pair.org == "a" else world.b
    routes = [(r.path, h) for r in app.routes for h in getattr(r, "route_handlers", []) if (h.opt or {}).get("action") == act.name]
    surfaces = {"api" if path.startswith("/api/") else "page" for path, _ in routes}
    assert surfaces == {"api", "page"}, f"{act.name} is reached through {sorted(surfaces)} only"
    assert {h.opt["permission"] for _, h in routes} == {act.permission}
    differences = []
    for role in pair.roles:
        with world.db(org) as db:
            page_ctx, api_ctx = pair.setup(db, org), pair.setup(db, org)
            db.commit()
        with TestClient(app, base_url="http://testserver.local") as browser:
            login(browser, org.users[role])
            path, form = pair.page(page_ctx)
            page_status = _outcome_of_page(browser, path, form)
        with TestClient(app, base_url="http://testserver.local") as integrator:
            path, body = pair.api(api_ctx)
            api_status = _outcome_of_api(integrator, pair.api_method, path, body, api_token(world, org, role))
        with world.db(org) as db:
            page_stored, api_stored = pair.stored(db, page_ctx), pair.stored(db, api_ctx)
        page_ok, api_ok = _allowed(page_status, page=True), _allowed(api_status, page=False)
        if page_ok != api_ok or page_stored != api_stored:
            differences.append(f"{role}: page {page_status} → {page_stored!r}; API {api_status} → {api_stored!r}")
    assert differences == [], f"{act.name}: the page and the API disagree\n" + "\n".join(differences)
