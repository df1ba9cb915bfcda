"""Two-factor sign-in (TOTP): enrolment, the code after the password, replay, and an
organization that requires it for roles that see sensitive data."""
from __future__ import annotations

import re

import pyotp
from litestar.testing import TestClient

from core.models import Participant, StaffTotp, StaffUser
from core.services import auth as auth_service
from core.services.settings import set_setting
from tests.conftest import api_token, bearer, login, post_form


def _secret(client: TestClient, world, user_id: int) -> str:  # type: ignore[no-untyped-def, type-arg]
    """The plain TOTP secret, read the way the app reads it (the column holds it encrypted)."""
    with world.db() as db:
        secret = auth_service.totp_secret(client.app.state["ctx"].settings.security, db.get(StaffTotp, user_id))  # type: ignore[arg-type]
    assert secret is not None
    return secret


def _person(world) -> int:  # type: ignore[no-untyped-def]
    with world.db(world.a) as db:
        p = Participant(organization_id=world.a.org.id, first_name="Per")
        db.add(p)
        db.commit()
        return p.id


def _enrol(client: TestClient, world, role: str) -> pyotp.TOTP:  # type: ignore[no-untyped-def, type-arg]
    page = post_form(client, "/account/totp/begin")
    assert page.status_code == 200
    assert "<svg" in page.text and "http://" not in page.text.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    secret = _secret(client, world, world.a.users[role].id)
    assert secret in page.text  # for typing by hand
    totp = pyotp.TOTP(secret)
    r = post_form(client, "/account/totp/confirm", {"code": totp.now()})
    assert r.status_code == 303
    return totp


def _require_totp(world) -> None:  # type: ignore[no-untyped-def]
    from core.builtin.privacy import SETTINGS

    with world.db(world.a) as db:
        set_setting(db, world.a.org.id, next(d for d in SETTINGS if d.key == "privacy.require_totp"), True)


def _fresh_code(totp: pyotp.TOTP) -> str:
    """The next time step's code: still accepted (clock drift), and not the one just spent."""
    import time

    return totp.at(int(time.time()) + 30)


def test_enrolment_shows_a_qr_as_inline_svg_and_confirms_with_a_code(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["social_worker"])
    page = client.get("/account/totp")
    assert page.status_code == 200 and "<svg" not in page.text
    _enrol(client, world, "social_worker")
    with world.db() as db:
        assert db.get(StaffTotp, world.a.users["social_worker"].id).confirmed_at is not None  # type: ignore[union-attr]


def test_a_wrong_code_does_not_confirm_enrolment(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    post_form(client, "/account/totp/begin")
    assert post_form(client, "/account/totp/confirm", {"code": "000000"}).status_code == 400
    with world.db() as db:
        assert db.get(StaffTotp, world.a.users["leader"].id).confirmed_at is None  # type: ignore[union-attr]


def test_after_the_password_nothing_but_the_code_page_is_reachable(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["leader"]
    login(client, user)
    totp = _enrol(client, world, "leader")
    post_form(client, "/logout")
    r = login(client, user)
    assert r.headers["location"].startswith("/login/totp")
    for path in ("/", "/participants", "/account"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login/totp"), path
    assert post_form(client, "/login/totp", {"code": "123456", "next": "/participants"}).status_code == 400
    code = _fresh_code(totp)
    r = post_form(client, "/login/totp", {"code": code, "next": "/participants"})
    assert r.status_code == 303 and r.headers["location"] == "/participants"
    assert client.get("/participants").status_code == 200
    # A code is spent once used: replaying it in another session fails.
    with TestClient(client.app, base_url="http://testserver.local") as other:
        login(other, user)
        assert post_form(other, "/login/totp", {"code": code}).status_code == 400


def test_wrong_codes_count_towards_the_lockout(world, client) -> None:  # type: ignore[no-untyped-def]
    user = world.a.users["leader"]
    login(client, user)
    _enrol(client, world, "leader")
    post_form(client, "/logout")
    login(client, user)
    security = client.app.state["ctx"].settings.security
    for _ in range(security.login_max_failures - 1):
        assert post_form(client, "/login/totp", {"code": "000000"}).status_code == 400
    r = post_form(client, "/login/totp", {"code": "000000"})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    with world.db() as db:
        assert db.get(StaffUser, user.id).locked_until is not None  # type: ignore[union-attr]


def test_a_totp_required_role_cannot_reach_a_sensitive_page_without_the_second_factor(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = _person(world)
    _require_totp(world)
    login(client, world.a.users["social_worker"])
    # Pages without sensitive data still work.
    assert client.get("/participants").status_code == 200
    for path in (f"/participants/{pid}/sensitive", f"/participants/{pid}/consents"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/account/totp"), path
    r = post_form(client, f"/participants/{pid}/sensitive/show", {"category": "health"})
    assert r.status_code == 303 and r.headers["location"].startswith("/account/totp")
    page = client.get("/account/totp")
    assert "requires two-factor" in page.text or "krever" in page.text
    _enrol(client, world, "social_worker")
    assert client.get(f"/participants/{pid}/sensitive").status_code == 200


def test_a_totp_required_role_is_asked_for_the_code_in_a_new_session(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = _person(world)
    user = world.a.users["social_worker"]
    login(client, user)
    totp = _enrol(client, world, "social_worker")
    _require_totp(world)
    with TestClient(client.app, base_url="http://testserver.local") as c:
        login(c, user)
        r = c.get(f"/participants/{pid}/sensitive", follow_redirects=False)
        assert r.headers["location"].startswith("/login/totp")
        assert post_form(c, "/login/totp", {"code": _fresh_code(totp)}).status_code == 303
        assert c.get(f"/participants/{pid}/sensitive").status_code == 200
        # Required by the organization: it cannot be turned off.
        assert post_form(c, "/account/totp/disable", {"code": totp.now()}).status_code == 400


def test_api_tokens_of_a_required_role_without_totp_are_refused_sensitive_routes(world, client) -> None:  # type: ignore[no-untyped-def]
    pid = _person(world)
    _require_totp(world)
    token = bearer(api_token(world, world.a, "social_worker"))
    r = client.get(f"/api/v1/participants/{pid}/consents", headers=token)
    assert r.status_code == 403
    assert client.get("/api/v1/me", headers=token).status_code == 200


def test_roles_without_sensitive_permissions_are_not_asked(world, client) -> None:  # type: ignore[no-untyped-def]
    _require_totp(world)
    login(client, world.a.users["payroll"])
    assert client.get("/", follow_redirects=False).status_code == 200
    login(client, world.a.users["admin"])
    page = client.get("/account/totp")
    assert not re.search(r"role=\"alert\"", page.text)


def test_totp_secrets_are_never_in_a_url(world, client) -> None:  # type: ignore[no-untyped-def]
    login(client, world.a.users["leader"])
    page = post_form(client, "/account/totp/begin")
    secret = _secret(client, world, world.a.users["leader"].id)
    for url in re.findall(r'(?:href|action|src)="([^"]*)"', page.text):
        assert secret not in url
