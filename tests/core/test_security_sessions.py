"""Sessions and tokens, attacked: lock-out from another client, tokens that outlive their
purpose, a CSRF token carried from one session to another, the TOTP secret in a database
copy, and personal data in the server's log."""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pyotp
from litestar.testing import TestClient
from sqlalchemy import select, text, update

from core.models import ApiToken, Participant
from core.services import auth as auth_service
from core.services.settings import set_setting
from tests.conftest import PASSWORD, api_token, bearer, csrf_token, login, post_form

BASE = "http://testserver.local"


@contextmanager
def client_at(app: Any, address: str) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """A browser on another machine: the app sees requests come from ``address``."""

    async def from_address(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "client": (address, 40000)}
        await app(scope, receive, send)

    from_address.state = app.state  # type: ignore[attr-defined]
    with TestClient(from_address, base_url=BASE) as c:  # type: ignore[arg-type]
        yield c


def _try(client: TestClient, username: str, password: str) -> tuple[int, str]:  # type: ignore[type-arg]
    r = client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": csrf_token(client)}, follow_redirects=False
    )
    # The form echoes nothing that differs between attempts but the CSRF token.
    return r.status_code, re.sub(r'value="[^"]*"', "", r.text)


def _person(world) -> int:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        p = Participant(organization_id=world.a.org.id, first_name="Per")
        db.add(p)
        db.commit()
        return p.id


def _require_totp(world) -> None:  # type: ignore[no-untyped-def]
    from core.builtin.privacy import SETTINGS

    with world.db(world.a) as db:
        set_setting(db, world.a.org.id, next(d for d in SETTINGS if d.key == "privacy.require_totp"), True)


# --- lock-out --------------------------------------------------------------------------------


def test_a_strangers_failures_do_not_lock_the_staff_member_out_elsewhere(app, world) -> None:  # type: ignore[no-untyped-def]
    victim = world.a.users["leader"].username
    security = app.state["ctx"].settings.security
    with client_at(app, "203.0.113.66") as stranger:
        for _ in range(security.login_max_failures + 3):
            _try(stranger, victim, "guess")
        # The stranger is made to wait, even with the right password...
        assert _try(stranger, victim, PASSWORD)[0] == 429
    # ...the staff member at their own desk is not.
    with client_at(app, "198.51.100.7") as desk:
        assert _try(desk, victim, PASSWORD)[0] == 303


def test_failures_answer_the_same_for_known_and_unknown_usernames(app, world) -> None:  # type: ignore[no-untyped-def]
    security = app.state["ctx"].settings.security
    known, unknown = [], []
    with client_at(app, "203.0.113.10") as a, client_at(app, "203.0.113.11") as b:
        for _ in range(security.login_max_failures + 2):
            known.append(_try(a, world.a.users["social_worker"].username, "guess"))
            unknown.append(_try(b, "nobody-by-this-name", "guess"))
    # Status and page, attempt by attempt: the lock state tells nothing either.
    assert known == unknown
    assert [s for s, _ in known][-1] == 429


def test_waits_double_with_every_further_failure(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    security = app.state["ctx"].settings.security
    user = world.a.users["payroll"].username
    start = dt.datetime(2026, 3, 2, 8, 0)
    clock = {"now": start}
    monkeypatch.setattr(auth_service, "utcnow", lambda: clock["now"])
    with client_at(app, "203.0.113.12") as c:
        for _ in range(security.login_max_failures):
            _try(c, user, "guess")
        first = dt.timedelta(minutes=security.login_lock_minutes)
        clock["now"] = start + first + dt.timedelta(seconds=1)
        assert _try(c, user, "guess")[0] == 429  # one more failure after the wait...
        after = clock["now"]
        clock["now"] = after + 2 * first - dt.timedelta(seconds=1)
        assert _try(c, user, PASSWORD)[0] == 429  # ...waits twice as long
        clock["now"] = after + 2 * first + dt.timedelta(seconds=1)
        assert _try(c, user, PASSWORD)[0] == 303


def test_a_forged_forwarded_for_header_does_not_give_a_fresh_address(app, world) -> None:  # type: ignore[no-untyped-def]
    security = app.state["ctx"].settings.security
    user = world.a.users["leader"].username
    with client_at(app, "203.0.113.13") as c:
        for i in range(security.login_max_failures + 1):
            r = c.post(
                "/login", data={"username": user, "password": "guess", "_csrf_token": csrf_token(c)},
                headers={"X-Forwarded-For": f"10.0.0.{i}"}, follow_redirects=False,
            )
        assert r.status_code == 429


def test_two_failures_at_once_for_one_pair_both_count(app, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two wrong passwords at the same moment both find no row: the second must count on
    the first one's row, not end in a 500."""
    from core.models import LoginThrottle

    security = app.state["ctx"].settings.security
    with world.db() as db:
        auth_service.check_password(db, security, "nobody", "guess", "203.0.113.50")
    with world.db() as db:
        real_get, calls = db.get, {"n": 0}

        def as_if_not_yet_committed(model, ident, **kw):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            return None if model is LoginThrottle and calls["n"] <= 2 else real_get(model, ident, **kw)

        monkeypatch.setattr(db, "get", as_if_not_yet_committed)
        assert not auth_service.check_password(db, security, "nobody", "guess", "203.0.113.50").ok
    with world.db() as db:
        assert db.scalars(select(LoginThrottle.failures)).one() == 2


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    from core.web.client import client_address

    def scope(peer: str, forwarded: str | None) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return {"client": (peer, 1), "headers": headers}

    trusted = frozenset({"10.0.0.2"})
    assert client_address(scope("203.0.113.5", "1.2.3.4"), trusted) == "203.0.113.5"
    assert client_address(scope("10.0.0.2", "1.2.3.4"), trusted) == "1.2.3.4"
    # What the client wrote itself stands left of what the proxy appended.
    assert client_address(scope("10.0.0.2", "6.6.6.6, 198.51.100.9"), trusted) == "198.51.100.9"
    assert client_address(scope("10.0.0.2", None), trusted) == "10.0.0.2"


# --- API tokens ----------------------------------------------------------------------------


def test_an_expired_token_opens_nothing(world, client) -> None:  # type: ignore[no-untyped-def]
    token = api_token(world, world.a, "leader")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with world.db() as db:
        db.execute(update(ApiToken).values(expires_at=auth_service.utcnow() - dt.timedelta(seconds=1)))
        db.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def _now() -> dt.datetime:
    """Now, with its offset, as the API gives moments."""
    return auth_service.utcnow().replace(tzinfo=dt.timezone.utc)


def test_tokens_have_a_chosen_lifetime_within_the_limit(world, client) -> None:  # type: ignore[no-untyped-def]
    days = client.app.state["ctx"].settings.security.token_days
    own = bearer(api_token(world, world.a, "leader"))
    r = client.post("/api/v1/me/tokens", json={"name": "kort", "expires_in_days": 7}, headers=own)
    assert r.status_code == 201
    expires = dt.datetime.fromisoformat(r.json()["expires_at"])
    assert dt.timedelta(days=6, hours=23) < expires - _now() <= dt.timedelta(days=7)
    r = client.post("/api/v1/me/tokens", json={"name": "lang"}, headers=own)
    assert dt.datetime.fromisoformat(r.json()["expires_at"]) - _now() > dt.timedelta(days=days - 1)
    # Beyond the server's limit is a rule (422); not a positive whole number, the schema (400).
    for bad, status in ((0, 400), (days + 1, 422), ("evig", 400), (10**30, 400)):
        assert client.post("/api/v1/me/tokens", json={"name": "x", "expires_in_days": bad}, headers=own).status_code == status, bad


def test_a_token_reaches_only_what_its_scopes_allow(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = _person(world)
    full = bearer(api_token(world, world.a, "social_worker"))

    def make(scopes: list[str]) -> dict[str, str]:
        r = client.post("/api/v1/me/tokens", json={"name": "+".join(scopes), "scopes": scopes}, headers=full)
        assert r.status_code == 201 and r.json()["scopes"] == scopes
        return bearer(r.json()["token"])

    read, write, sensitive = make(["read"]), make(["read", "write"]), make(["read", "sensitive"])
    consents = f"/api/v1/participants/{pid}/consents"
    assert client.get(f"/api/v1/participants/{pid}", headers=read).status_code == 200
    # Looking is not changing...
    r = client.patch(f"/api/v1/participants/{pid}", json={"first_name": "Pål"}, headers=read)
    assert r.status_code == 403 and "write" in r.json()["errors"]["scopes"]
    assert client.patch(f"/api/v1/participants/{pid}", json={"first_name": "Pål"}, headers=write).status_code == 200
    # ...and special-category data needs its own scope, whatever the role may see.
    assert client.get(consents, headers=read).status_code == 403
    assert client.get(consents, headers=write).status_code == 403
    assert client.get(consents, headers=sensitive).status_code == 200
    # A token left without a scope default has read only.
    r = client.post("/api/v1/me/tokens", json={"name": "standard"}, headers=full)
    assert r.json()["scopes"] == ["read"]
    assert client.post("/api/v1/me/tokens", json={"name": "x", "scopes": ["admin"]}, headers=full).status_code == 400


def test_a_token_cannot_mint_a_stronger_one(world, client) -> None:  # type: ignore[no-untyped-def]
    full = bearer(api_token(world, world.a, "leader"))
    r = client.post("/api/v1/me/tokens", json={"name": "rw", "scopes": ["read", "write"], "expires_in_days": 2}, headers=full)
    limited = bearer(r.json()["token"])
    r = client.post("/api/v1/me/tokens", json={"name": "more", "scopes": ["read", "write", "sensitive"]}, headers=limited)
    assert r.status_code == 422
    r = client.post("/api/v1/me/tokens", json={"name": "longer", "scopes": ["read"]}, headers=limited)
    assert r.status_code == 201
    assert dt.datetime.fromisoformat(r.json()["expires_at"]) - _now() <= dt.timedelta(days=2)


def test_logout_everywhere_in_the_browser_ends_every_token(world, client) -> None:  # type: ignore[no-untyped-def]
    token = bearer(api_token(world, world.a, "work_leader"))
    login(client, world.a.users["work_leader"])
    assert post_form(client, "/account/logout-everywhere").status_code == 303
    assert client.get("/api/v1/me", headers=token).status_code == 401


def test_disabling_ends_tokens_and_enabling_again_revives_none(world, client) -> None:  # type: ignore[no-untyped-def]
    victim = world.a.users["work_leader"]
    token = bearer(api_token(world, world.a, "work_leader"))
    admin = bearer(api_token(world, world.a, "admin"))
    assert client.patch(f"/api/v1/admin/staff/{victim.id}", json={"is_active": False}, headers=admin).status_code == 200
    assert client.get("/api/v1/me", headers=token).status_code == 401
    assert client.patch(f"/api/v1/admin/staff/{victim.id}", json={"is_active": True}, headers=admin).status_code == 200
    assert client.get("/api/v1/me", headers=token).status_code == 401
    with world.db() as db:
        assert db.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == victim.id)) is not None


def _shown_secret(page: str) -> str:
    """The secret as the enrolment page shows it for typing by hand."""
    shown = re.search(r"<code[^>]*>([A-Z2-7 ]{16,})</code>", page)
    assert shown, "the secret is shown for typing by hand"
    return shown.group(1).replace(" ", "")


def _enrol(client: TestClient) -> pyotp.TOTP:  # type: ignore[type-arg]
    totp = pyotp.TOTP(_shown_secret(post_form(client, "/account/totp/begin").text))
    assert post_form(client, "/account/totp/confirm", {"code": totp.now()}).status_code == 303
    return totp


def _web_token(client: TestClient, scopes: list[str]) -> str:  # type: ignore[type-arg]
    r = post_form(client, "/account/tokens", {"name": "fra nettleseren", "scopes": scopes})
    assert r.status_code == 200, r.text[:300]
    m = re.search(r'<code class="token">([^<]+)</code>', r.text)
    assert m
    return m.group(1)


def test_a_token_made_before_two_factor_enrolment_does_not_count_as_two_factor(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = _person(world)
    consents = f"/api/v1/participants/{pid}/consents"
    login(client, world.a.users["social_worker"])
    before = bearer(_web_token(client, ["read", "sensitive"]))
    _enrol(client)
    after = bearer(_web_token(client, ["read", "sensitive"]))
    _require_totp(world)
    assert client.get(consents, headers=before).status_code == 403
    assert client.get(consents, headers=after).status_code == 200


# --- CSRF ----------------------------------------------------------------------------------


def _page_token(client: TestClient) -> str:  # type: ignore[type-arg]
    m = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/account").text)
    assert m
    return m.group(1)


def test_a_csrf_token_from_one_session_is_refused_in_another(app, world) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url=BASE) as attacker, TestClient(app, base_url=BASE) as victim:
        login(attacker, world.a.users["payroll"])
        stolen_cookie = attacker.cookies.get("lavterskel_csrf")
        stolen = _page_token(attacker)
        login(victim, world.a.users["leader"])
        # Even with the attacker's CSRF cookie planted in the victim's browser (a sibling
        # domain can toss cookies over plain HTTP), the token is not the victim session's.
        victim.cookies.set("lavterskel_csrf", stolen_cookie, domain="testserver.local", path="/")
        r = victim.post("/account/tokens", data={"name": "planted", "_csrf_token": stolen}, follow_redirects=False)
        assert r.status_code == 403
        # The victim's own page token works.
        assert victim.post(
            "/account/tokens", data={"name": "own", "scopes": "read", "_csrf_token": _page_token(victim)}, follow_redirects=False
        ).status_code == 200


def test_the_csrf_token_changes_with_the_session(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    first = _page_token(client)
    post_form(client, "/logout")
    login(client, world.a.users["leader"])
    assert _page_token(client) != first
    r = client.post("/account/tokens", data={"name": "old", "_csrf_token": first}, follow_redirects=False)
    assert r.status_code == 403


# --- TOTP secrets at rest ------------------------------------------------------------------


def test_the_totp_secret_is_not_in_the_database(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    secret = _shown_secret(post_form(client, "/account/totp/begin").text)
    with world.db() as db:
        stored = db.execute(text("SELECT secret FROM staff_totp")).scalar_one()
    assert secret not in stored and secret.lower() not in stored.lower()
    # And the app still accepts codes from it.
    assert post_form(client, "/account/totp/confirm", {"code": pyotp.TOTP(secret).now()}).status_code == 303


# --- the server's log ----------------------------------------------------------------------


def test_the_request_log_has_route_templates_and_no_query_strings_or_ids(world, client, caplog) -> None:  # type: ignore[no-untyped-def]
    pid = _person(world)
    login(client, world.a.users["leader"])
    with caplog.at_level(logging.DEBUG):
        assert client.get("/participants", params={"q": "Ødegård"}).status_code == 200
        assert client.get(f"/participants/{pid}").status_code == 200
        assert client.get(f"/api/v1/participants/{pid}", headers=bearer(api_token(world, world.a, "leader"))).status_code == 200
        client.get("/no-such-page", params={"q": "Ødegård"})
    ours = [r for r in caplog.records if r.name.startswith("lavterskel")]
    lines = [r.getMessage() for r in ours]
    assert any(line.startswith("GET /participants 200") for line in lines), lines
    assert any(line.startswith("GET /participants/{") and " 200 " in line for line in lines), lines
    assert any(line.startswith("GET /api/v1/participants/{") for line in lines), lines
    assert any(r.status == 404 for r in ours if hasattr(r, "status")), lines  # type: ignore[attr-defined]
    everything = "\n".join(lines + [repr(r.__dict__) for r in ours])
    for leak in ("Ødegård", "%C3%98deg", "q=", f"/{pid}"):
        assert leak not in everything, leak


def test_lavterskel_serve_turns_the_servers_access_log_off(monkeypatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from core.cli import cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    result = CliRunner().invoke(cli, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert seen["app"] == "core.web.asgi:app" and seen["access_log"] is False
    # The app's own request log is not swallowed: its logger has a handler.
    assert "lavterskel" in seen["log_config"]["loggers"]


def test_resettotp_removes_a_lost_second_factor_and_ends_the_sessions(world, client) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from core.cli import cli

    user = world.a.users["leader"]
    login(client, user)
    _enrol(client)
    result = CliRunner().invoke(cli, ["resettotp", user.username])
    assert result.exit_code == 0, result.output
    assert client.get("/account", follow_redirects=False).headers["location"].startswith("/login")
    login(client, user)  # straight in: no code page any more
    assert client.get("/account", follow_redirects=False).status_code == 200
    assert CliRunner().invoke(cli, ["resettotp", "nobody"]).exit_code != 0


def test_the_account_page_shows_how_to_send_a_token_in_both_languages(world, client) -> None:  # type: ignore[no-untyped-def]
    """The placeholder in "Authorization: Bearer <token>" is text, not a tag the browser
    swallows (it read "Bearer »" in Bokmål)."""
    login(client, world.a.users["work_leader"])
    for locale in ("nb", "en"):
        post_form(client, "/language", {"locale": locale, "next": "/account"})
        assert "Bearer &lt;token&gt;" in client.get("/account").text
