"""Sessions, CSRF, lockout and headers, tested the way an attacker would try them."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select, update

from core.models import LoginSession, StaffUser
from core.services import auth as auth_service
from tests.conftest import PASSWORD, TEST_PLUGINS, csrf_token, login, post_form

SESSION = "lavterskel_session"


def plant(client: TestClient, value: str) -> None:  # type: ignore[type-arg]
    """Put a session cookie in a browser, as the server would have set it."""
    client.cookies.set(SESSION, value, domain="testserver.local", path="/")


def _sessions(world) -> int:  # type: ignore[no-untyped-def]
    with world.db() as db:
        return db.scalar(select(func.count()).select_from(LoginSession)) or 0


def _signed_in(client: TestClient) -> bool:  # type: ignore[type-arg]
    r = client.get("/account", follow_redirects=False)
    return r.status_code == 200


# --- session fixation ----------------------------------------------------------------------


def test_planted_session_id_is_replaced_at_login_and_then_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    planted = secrets.token_urlsafe(32)
    plant(client, planted)
    response = login(client, world.a.users["leader"])
    new = client.cookies.get(SESSION)
    assert new and new != planted
    assert f"{SESSION}={new}" in response.headers["set-cookie"]
    assert _signed_in(client)
    # The planted id never became a session: whoever planted it gets nothing.
    with TestClient(client.app, base_url="http://testserver.local") as attacker:
        plant(attacker, planted)
        assert not _signed_in(attacker)


def test_a_live_session_planted_in_a_victims_browser_is_ended_at_their_login(world, client) -> None:  # type: ignore[no-untyped-def]
    with TestClient(client.app, base_url="http://testserver.local") as attacker:
        login(attacker, world.a.users["payroll"])
        attackers = attacker.cookies.get(SESSION)
        plant(client, attackers)
        login(client, world.a.users["leader"])
        assert client.cookies.get(SESSION) != attackers
        assert not _signed_in(attacker)
    assert _signed_in(client)


# --- anonymous requests --------------------------------------------------------------------


def test_anonymous_requests_store_no_session(world, client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/login", "/", "/participants", "/access-log", "/no-such-page", "/api/v1/me", "/static/style.css"):
        r = client.get(path, follow_redirects=False)
        assert SESSION not in r.headers.get("set-cookie", ""), path
    plant(client, "made-up-by-the-client")
    client.get("/", follow_redirects=False)
    post_form(client, "/language", {"locale": "en", "next": "/login"})
    assert _sessions(world) == 0


# --- CSRF ----------------------------------------------------------------------------------


def test_a_post_without_csrf_token_is_refused(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    r = client.post("/logout", data={}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/logout", data={"_csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert _signed_in(client)
    # Nor can a form be posted as JSON to dodge the token.
    r = client.post("/account/tokens", json={"name": "x"}, follow_redirects=False)
    assert r.status_code == 403


def test_login_itself_needs_the_csrf_token(world, client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/login", data={"username": world.a.users["leader"].username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403
    assert client.cookies.get(SESSION) is None


def test_api_accepts_no_session_cookie(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    assert client.get("/api/v1/me").status_code == 401


# --- logout --------------------------------------------------------------------------------


def test_a_stolen_session_cookie_stops_working_after_logout(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["social_worker"])
    stolen = client.cookies.get(SESSION)
    with TestClient(client.app, base_url="http://testserver.local") as thief:
        plant(thief, stolen)
        assert _signed_in(thief)
        assert post_form(client, "/logout").status_code == 303
        assert not _signed_in(thief)
        assert thief.get("/participants", follow_redirects=False).headers["location"].startswith("/login")


def test_logout_everywhere_ends_every_session(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    with TestClient(client.app, base_url="http://testserver.local") as other:
        login(other, world.a.users["leader"])
        assert post_form(client, "/account/logout-everywhere").status_code == 303
        assert not _signed_in(other)
    assert not _signed_in(client)


def test_disabling_a_user_ends_their_sessions(world, client) -> None:  # type: ignore[no-untyped-def]
    victim = world.a.users["work_leader"]
    with TestClient(client.app, base_url="http://testserver.local") as theirs:
        login(theirs, victim)
        login(client, world.a.users["admin"])
        assert post_form(client, f"/admin/staff/{victim.id}/active", {"is_active": "0"}).status_code == 303
        assert not _signed_in(theirs)
    with world.db() as db:
        assert db.scalar(select(func.count()).select_from(LoginSession).where(LoginSession.user_id == victim.id, LoginSession.ended_at.is_(None))) == 0


# --- timeouts ------------------------------------------------------------------------------


@pytest.mark.parametrize("column", ["last_seen_at", "created_at"])
def test_idle_and_absolute_timeouts_end_a_session(world, client, column: str) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    security = client.app.state["ctx"].settings.security
    limit = dt.timedelta(minutes=security.session_idle_minutes) if column == "last_seen_at" else dt.timedelta(hours=security.session_absolute_hours)
    with world.db() as db:
        past = auth_service.utcnow() - limit - dt.timedelta(minutes=1)
        db.execute(update(LoginSession).values({column: past}))
        db.commit()
    assert not _signed_in(client)


def test_a_session_just_inside_the_idle_limit_lives(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    security = client.app.state["ctx"].settings.security
    with world.db() as db:
        db.execute(update(LoginSession).values(last_seen_at=auth_service.utcnow() - dt.timedelta(minutes=security.session_idle_minutes - 1)))
        db.commit()
    assert _signed_in(client)


# --- lockout -------------------------------------------------------------------------------


def test_a_locked_account_stays_locked_for_the_set_time(world, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    security = client.app.state["ctx"].settings.security
    user = world.a.users["leader"]
    start = dt.datetime(2026, 3, 2, 8, 0)
    clock = {"now": start}
    monkeypatch.setattr(auth_service, "utcnow", lambda: clock["now"])

    def attempt(password: str) -> int:
        return client.post(
            "/login", data={"username": user.username, "password": password, "_csrf_token": csrf_token(client)}, follow_redirects=False
        ).status_code

    for _ in range(security.login_max_failures - 1):
        assert attempt("wrong") == 400
    assert attempt("wrong") == 429
    # The right password is refused for the whole locked period...
    for minutes in (0, 1, security.login_lock_minutes - 1):
        clock["now"] = start + dt.timedelta(minutes=minutes)
        assert attempt(PASSWORD) == 429, minutes
    assert client.cookies.get(SESSION) is None
    # ...and accepted once it has passed.
    clock["now"] = start + dt.timedelta(minutes=security.login_lock_minutes, seconds=1)
    assert attempt(PASSWORD) == 303


def test_unknown_and_known_usernames_answer_alike(world, client) -> None:  # type: ignore[no-untyped-def]
    def body(username: str) -> tuple[int, str]:
        r = client.post("/login", data={"username": username, "password": "nope", "_csrf_token": csrf_token(client)}, follow_redirects=False)
        return r.status_code, re.sub(r'value="[^"]*"', "", r.text)

    assert body("no-such-user") == body(world.a.users["leader"].username)


# --- headers -------------------------------------------------------------------------------


def test_security_headers_on_authenticated_pages(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    for path in ("/", "/participants", "/access-log", "/account", "/no-such-page"):
        r = client.get(path, follow_redirects=False)
        h = r.headers
        csp = h["content-security-policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)  # type: ignore[union-attr]
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert h["cache-control"] == "no-store", path


def test_no_template_has_inline_script_or_event_handlers() -> None:
    root = Path(__file__).resolve().parents[2]
    for tmpl in [*root.glob("core/templates/**/*.html"), *root.glob("plugins/*/templates/**/*.html")]:
        text = tmpl.read_text()
        for m in re.finditer(r"<script\b([^>]*)>", text):
            assert "src=" in m.group(1), f"inline script in {tmpl}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {tmpl}"


def test_openapi_is_json_only_with_no_viewer_from_a_cdn(world, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/schema/openapi.json").status_code == 200
    for viewer in ("swagger", "redoc", "elements", "rapidoc", "scalar"):
        r = client.get(f"/api/v1/schema/{viewer}")
        assert r.status_code == 404, viewer
        assert "cdn" not in r.text.lower()


def test_https_deployment_uses_host_prefixed_secure_cookies(world) -> None:  # type: ignore[no-untyped-def]
    from core.config import load_settings
    from core.web.app import create_app

    base = load_settings()
    settings = dataclasses.replace(base, security=dataclasses.replace(base.security, secure_cookies=True))
    app = create_app(settings, extra_plugins=TEST_PLUGINS)
    with TestClient(app, base_url="https://testserver.local") as c:
        page = c.get("/login")
        assert "__Host-lavterskel_csrf=" in page.headers["set-cookie"]
        assert "strict-transport-security" in page.headers
        token = c.cookies.get("__Host-lavterskel_csrf")
        r = c.post(
            "/login", data={"username": world.a.users["leader"].username, "password": PASSWORD, "_csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("__Host-lavterskel_session="))
        attrs = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path", "samesite"} <= attrs
        assert "domain" not in attrs and "Path=/" in cookie
        assert c.get("/account", follow_redirects=False).status_code == 200


def test_passwords_are_stored_with_argon2id(world) -> None:  # type: ignore[no-untyped-def]
    with world.db() as db:
        user = db.get(StaffUser, world.a.users["leader"].id)
        assert user is not None and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_session_tokens_are_stored_only_as_hashes(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    token = client.cookies.get(SESSION)
    with world.db() as db:
        hashes = list(db.scalars(select(LoginSession.token_hash)))
    assert token not in hashes and auth_service.token_hash(token) in hashes


def test_database_errors_do_not_carry_values_into_the_log(world) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    secret = "hemmelig-diagnose-123"
    with world.db() as db, pytest.raises(DBAPIError) as info:
        db.execute(text("INSERT INTO no_such_table (x) VALUES (:v)"), {"v": secret})
    assert secret not in str(info.value)
