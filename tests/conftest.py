"""Test fixtures: one app per run on a migrated database, wiped between tests.

Set ``LAVTERSKEL_DATABASE_URL`` to run on PostgreSQL (``scripts/test`` does so for its
second pass); otherwise a SQLite file in a temporary directory is used. The environment
is set here, before anything imports the app.
"""
from __future__ import annotations

import gc
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="lavterskel-test-"))
os.environ["LAVTERSKEL_DATA_DIR"] = str(_TMP)
os.environ.setdefault("LAVTERSKEL_SECRET_KEY", "test-secret-key-not-for-production")
# No test reaches the drand beacon over the network; tests of the beacon inject a fetch.
os.environ.setdefault("LAVTERSKEL_DRAW_BEACON", "off")
if not os.environ.get("LAVTERSKEL_DATABASE_URL"):
    os.environ["LAVTERSKEL_DATABASE_URL"] = f"sqlite:///{_TMP / 'test.db'}"

from litestar import Litestar  # noqa: E402
from litestar.testing import TestClient  # noqa: E402
from sqlalchemy import delete  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from core.config import load_settings  # noqa: E402
from core.db import Base, scoped_session  # noqa: E402
from core.models import Membership, Organization, OrganizationPlugin, Site, StaffUser  # noqa: E402
from core.services.auth import hash_password  # noqa: E402
from tests import plugin_rolling_list  # noqa: E402

PASSWORD = "correct-horse-battery-staple"
ROLES = ("admin", "leader", "work_leader", "social_worker", "payroll")
# Plugins that live in tests/: registered directly, never through entry points.
TEST_PLUGINS = [("rolling_list", plugin_rolling_list)]
IS_POSTGRES = os.environ["LAVTERSKEL_DATABASE_URL"].startswith("postgresql")


@pytest.fixture(scope="session")
def app() -> Litestar:
    from core.migrate import upgrade
    from core.web.app import create_app

    application = create_app(load_settings(), extra_plugins=TEST_PLUGINS)
    ctx = application.state["ctx"]
    if IS_POSTGRES:
        # A reused cluster may hold a previous run's tables: start from nothing.
        with ctx.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(ctx.engine, ctx.plugins)
    return application


@pytest.fixture(scope="session")
def session_factory(app: Litestar) -> sessionmaker[Session]:
    return app.state["ctx"].session_factory


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table before a test that touches the app."""
    if "app" in request.fixturenames or "world" in request.fixturenames or "session_factory" in request.fixturenames:
        factory = request.getfixturevalue("session_factory")
        from core.services.privacy import purge_permit

        # A query result a test left half-read and caught in a reference cycle (a frame
        # kept by an exception) holds its SQLite statement, and with it a read snapshot on
        # a pooled connection, until the collector frees it; a later write on that
        # connection is then refused ("database is locked"). Free such leftovers first.
        # PostgreSQL resets a connection's cursors when it returns to the pool.
        if not IS_POSTGRES:
            gc.collect()

        with factory() as db:
            # The access log refuses DELETE (a database trigger) except under a purge permit.
            with purge_permit(db, "test database wipe"):
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name != "access_log_purge_permit":
                        db.execute(delete(table))
            db.commit()
    yield


_HASH: dict[str, str] = {}


def password_hash() -> str:
    # Hashing with argon2 costs ~50 ms; the same hash serves every test user.
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


@dataclass
class OrgWorld:
    org: Organization
    site: Site
    users: dict[str, StaffUser] = field(default_factory=dict)


@dataclass
class World:
    a: OrgWorld
    b: OrgWorld
    factory: sessionmaker[Session]

    def db(self, org: OrgWorld | None = None) -> Session:
        """A session scoped to ``org`` (or unscoped)."""
        return scoped_session(self.factory, org.org.id if org else None)


def make_org(db: Session, slug: str, name: str, plugins: tuple[str, ...]) -> OrgWorld:
    org = Organization(slug=slug, name=name, program_name=name)
    db.add(org)
    db.flush()
    for p in plugins:
        db.add(OrganizationPlugin(organization_id=org.id, plugin=p, enabled=True))
    site = Site(organization_id=org.id, name=f"{name} base")
    db.add(site)
    world = OrgWorld(org=org, site=site)
    for role in ROLES:
        user = StaffUser(username=f"{slug}-{role}".replace("_", ""), full_name=f"{name} {role}", password_hash=password_hash())
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id, organization_id=org.id, role=role))
        world.users[role] = user
    db.flush()
    return world


@pytest.fixture
def world(app: Litestar, session_factory: sessionmaker[Session]) -> World:
    """Two organizations, each with one staff user per role.

    ``a`` runs Dagsverket's plugins plus the test plugin; ``b`` runs Nyttig Arbeid's.
    """
    with session_factory() as db:
        a = make_org(db, "alpha", "Alpha Dagsverk", ("dagsverk_lottery", "payroll_rules", "rolling_list"))
        b = make_org(db, "beta", "Beta Nyttig", ("nyttig_contract", "payroll_rules"))
        db.commit()
    return World(a=a, b=b, factory=session_factory)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as c:
        yield c


def csrf_token(client: TestClient[Litestar]) -> str:
    token = client.cookies.get("lavterskel_csrf")
    if token is None:
        client.get("/login")
        token = client.cookies.get("lavterskel_csrf")
    assert token, "no CSRF cookie was set"
    return token


def login(client: TestClient[Litestar], user: StaffUser | str, password: str = PASSWORD) -> Any:
    username = user if isinstance(user, str) else user.username
    response = client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": csrf_token(client), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return response


def post_form(client: TestClient[Litestar], path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form the way a browser does: with the CSRF token, not following redirects."""
    body = dict(data or {})
    body["_csrf_token"] = csrf_token(client)
    return client.post(path, data=body, follow_redirects=False, **kwargs)


def api_token(world: World, org: OrgWorld, role: str) -> str:
    from core.services.auth import create_api_token

    with world.db() as db:
        user = db.get(StaffUser, org.users[role].id)
        return create_api_token(db, user, org.org.id, "test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def h1(html: str) -> str:
    m = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else ""
