"""Signing in through the API (issue 14): ``POST /api/v1/tokens`` gives an integrator a
scoped, expiring token for username, password and, where the account has one, the second
factor's code, with the sign-in page's checks and answers."""
from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import pyotp
from sqlalchemy import select

from core.models import ApiToken, Membership, StaffUser
from tests.conftest import PASSWORD, bearer, login, post_form
from tests.core.test_security_sessions import client_at
from tests.core.test_security_totp import _enrol

URL = "/api/v1/tokens"


def _sign_in(client: Any, username: str, password: str = PASSWORD, **more: Any) -> Any:
    return client.post(URL, json={"username": username, "password": password, **more})


def test_a_token_for_username_and_password(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["work_leader"]
    r = _sign_in(client, user.username, name="Lønnseksport", scopes=["read", "write"], expires_in_days=7)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["token"].startswith("lvt_") and body["name"] == "Lønnseksport"
    assert body["scopes"] == ["read", "write"] and body["made_with_second_factor"] is False and body["revoked_at"] is None
    left = dt.datetime.fromisoformat(body["expires_at"]) - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=6, hours=23) < left <= dt.timedelta(days=7)
    # The token works, in the account's organization, and is its owner's own token.
    me = client.get("/api/v1/me", headers=bearer(body["token"])).json()
    assert me["username"] == user.username and me["organization"]["slug"] == world.a.org.slug and me["scopes"] == ["read", "write"]
    listed = client.get("/api/v1/me/tokens", headers=bearer(body["token"])).json()["items"]
    assert [t["id"] for t in listed] == [body["id"]]
    # Left to its defaults: read only, for the longest time the server allows.
    r = _sign_in(client, user.username)
    days = client.app.state["ctx"].settings.security.token_days
    assert r.json()["scopes"] == ["read"]
    assert dt.datetime.fromisoformat(r.json()["expires_at"]) - dt.datetime.now(dt.timezone.utc) > dt.timedelta(days=days - 1)


def test_a_wrong_password_an_unknown_user_and_a_disabled_account_answer_alike(world, client) -> None:  # type: ignore[no-untyped-def]
    disabled = world.a.users["payroll"]
    with world.db() as db:
        db.get(StaffUser, disabled.id).is_active = False  # type: ignore[union-attr]
        db.commit()
    answers = [
        _sign_in(client, world.a.users["leader"].username, "not-the-password"),
        _sign_in(client, "nobody-by-this-name", "not-the-password"),
        _sign_in(client, disabled.username, PASSWORD),
    ]
    assert {r.status_code for r in answers} == {401}
    assert len({r.text for r in answers}) == 1
    assert all(r.headers["www-authenticate"].startswith("Bearer") for r in answers)
    assert "__all__" in answers[0].json()["errors"]
    with world.db() as db:
        assert db.scalars(select(ApiToken)).all() == []


def test_too_many_failures_from_one_client_wait(app, world) -> None:  # type: ignore[no-untyped-def]
    security = app.state["ctx"].settings.security
    victim = world.a.users["leader"].username
    with client_at(app, "203.0.113.9") as stranger:
        statuses = [_sign_in(stranger, victim, "guess").status_code for _ in range(security.login_max_failures + 1)]
        assert statuses[0] == 401 and statuses[-1] == 429
        # Even the right password waits now, from this client; the answer says nothing of the account.
        r = _sign_in(stranger, victim)
        assert r.status_code == 429 and "token" not in r.json()
        assert _sign_in(stranger, "nobody-by-this-name", "guess").status_code == 401
    # The same failures share the sign-in page's count: the page is locked for this client too.
    with client_at(app, "203.0.113.9") as page:
        r = page.post("/login", data={"username": victim, "password": PASSWORD}, follow_redirects=False)
        assert r.status_code in (403, 429)  # 403: the page's CSRF check comes first without a cookie
    with client_at(app, "198.51.100.20") as desk:
        assert _sign_in(desk, victim).status_code == 201


def test_an_account_with_two_factor_needs_the_code(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["social_worker"]
    login(client, user)
    totp = _enrol(client, world, "social_worker")
    client.cookies.clear()
    r = _sign_in(client, user.username, scopes=["read", "sensitive"])
    assert r.status_code == 401 and "code" in r.json()["errors"]
    r = _sign_in(client, user.username, code="000000" if totp.now() != "000000" else "111111")
    assert r.status_code == 401 and "code" in r.json()["errors"]
    # The next step's code (the current one was spent enrolling) gives a two-factor token...
    r = _sign_in(client, user.username, code=totp.at(int(time.time()) + 30), scopes=["read", "sensitive"])
    assert r.status_code == 201, r.text
    assert r.json()["made_with_second_factor"] is True
    token = r.json()["token"]
    with world.db() as db:
        assert db.scalars(select(ApiToken.second_factor).where(ApiToken.id == r.json()["id"])).one() is True
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    # ...and a code is spent once.
    assert _sign_in(client, user.username, code=totp.at(int(time.time()) + 30)).status_code == 401


def test_wrong_codes_lock_the_account_as_on_the_code_page(app, world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["social_worker"]
    login(client, user)
    _enrol(client, world, "social_worker")
    client.cookies.clear()
    statuses = [_sign_in(client, user.username, code="123456").status_code for _ in range(app.state["ctx"].settings.security.login_max_failures)]
    assert statuses[-1] == 429
    with world.db() as db:
        assert db.get(StaffUser, user.id).locked_until is not None  # type: ignore[union-attr]


def test_the_token_gets_only_the_scopes_asked_for(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["social_worker"]
    token = _sign_in(client, user.username, scopes=["read"]).json()["token"]
    r = client.patch("/api/v1/me", json={"locale": "en"}, headers=bearer(token))
    assert r.status_code == 403 and "write" in r.json()["errors"]["scopes"]
    # A scope that does not exist, none, or a lifetime beyond the server's limit is refused, and nothing is made.
    days = client.app.state["ctx"].settings.security.token_days
    assert _sign_in(client, user.username, scopes=["admin"]).status_code == 400
    assert _sign_in(client, user.username, scopes=[]).status_code == 400
    assert _sign_in(client, user.username, expires_in_days=days + 1).status_code == 422
    assert _sign_in(client, user.username, colour="red").status_code == 400
    with world.db() as db:
        assert len(db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()) == 1


def test_one_account_in_two_organizations_names_the_one(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["leader"]
    with world.db() as db:
        db.add(Membership(user_id=user.id, organization_id=world.b.org.id, role="payroll"))
        db.commit()
    r = _sign_in(client, user.username)
    assert r.status_code == 422 and world.b.org.slug in r.json()["errors"]["organization"]
    token = _sign_in(client, user.username, organization=world.b.org.slug).json()["token"]
    me = client.get("/api/v1/me", headers=bearer(token)).json()
    assert me["organization"]["id"] == world.b.org.id and me["roles"] == ["payroll"]
    by_id = _sign_in(client, user.username, organization=str(world.a.org.id)).json()["token"]
    assert client.get("/api/v1/me", headers=bearer(by_id)).json()["organization"]["id"] == world.a.org.id
    # An organization the account has no role in is refused, as is the right one with the wrong password.
    assert _sign_in(client, world.b.users["admin"].username, organization=world.a.org.slug).status_code == 422
    assert _sign_in(client, user.username, "wrong", organization=world.b.org.slug).status_code == 401


def test_the_schema_says_signing_in_needs_no_token(client) -> None:  # type: ignore[no-untyped-def]
    op = client.get("/api/v1/schema/openapi.json").json()["paths"][URL]["post"]
    assert op["security"] == []
    assert {"username", "password", "code", "scopes", "expires_in_days", "organization"} <= set(
        client.get("/api/v1/schema/openapi.json").json()["components"]["schemas"][op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
    )


def test_neither_the_password_nor_the_code_reaches_the_log(world, client, caplog) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["work_leader"]
    secret_password, secret_code = "Kanarifugl-passord-7781", "778899"
    with caplog.at_level(logging.DEBUG):
        _sign_in(client, user.username, secret_password, code=secret_code)
        _sign_in(client, user.username, secret_password, code=secret_code, scopes=["everything"])
        _sign_in(client, user.username, secret_password, code=12345)
        client.post(URL, content=b'{"username": "x", "password": "' + secret_password.encode() + b'"', headers={"content-type": "application/json"})
        ok = _sign_in(client, user.username, code=secret_code)
    assert ok.status_code == 201
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}" for r in caplog.records)
    for secret in (secret_password, secret_code, PASSWORD, ok.json()["token"]):
        assert secret not in logged


def test_the_account_page_and_the_sign_in_make_the_same_kind_of_token(world, client) -> None:  # type: ignore[no-untyped-def]
    """A token made on the page in a session that gave its code counts as two-factor, as
    one made by signing in with the code does (core.services.tokens.new_token)."""
    user = world.a.users["leader"]
    login(client, user)
    totp: pyotp.TOTP = _enrol(client, world, "leader")
    assert post_form(client, "/account/tokens", {"name": "Side", "scopes": ["read"]}).status_code == 200
    client.cookies.clear()
    r = _sign_in(client, user.username, code=totp.at(int(time.time()) + 30), name="API")
    assert r.status_code == 201
    with world.db() as db:
        made = dict(db.execute(select(ApiToken.name, ApiToken.second_factor).where(ApiToken.user_id == user.id)).all())
    assert made == {"Side": True, "API": True}


def test_the_account_page_refuses_a_token_without_a_scope(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["payroll"]
    login(client, user)
    r = post_form(client, "/account/tokens", {"name": "Ingen", "expires_in_days": "3"}, headers={"Accept-Language": "nb"})
    assert r.status_code == 400 and "Feltet må fylles ut." in r.text
    r = post_form(client, "/account/tokens", {"name": "Lese", "expires_in_days": "3", "scopes": "read"})
    assert r.status_code == 200 and "lvt_" in r.text
    with world.db() as db:
        assert db.scalars(select(ApiToken.name).where(ApiToken.user_id == user.id)).all() == ["Lese"]
