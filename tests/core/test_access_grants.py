"""The administrator administers and never gains sensitive access; staff of another
organization are never named. Each test is an attack the first round's code let through."""
from __future__ import annotations

from sqlalchemy import select

from core.builtin.privacy import REQUIRE_TOTP, SETTINGS
from core.models import Membership, StaffUser
from core.services.settings import set_setting, setting_on
from tests.core.test_security_totp import _enrol
from tests.conftest import PASSWORD, api_token, bearer, csrf_token, login, post_form

NO_STAFF = ("No such staff member in this organization.", "Ingen slik ansatt i denne organisasjonen.")
NEW = {"username": "ny.leder", "full_name": "Nina Ny", "password": "a-long-enough-password", "roles": "leader"}


def _user(world, username: str) -> StaffUser | None:
    with world.db() as db:
        return db.scalars(select(StaffUser).where(StaffUser.username == username)).first()


def _changes(world, org) -> list[tuple[str, str, int | None, str]]:
    from core.models import AccessChange  # imported here: the test must fail on code without it at its assertion, not import

    with world.db(org) as db:
        return [(c.action, c.what, c.actor_id, c.staff_name) for c in db.scalars(select(AccessChange).order_by(AccessChange.id))]


def _pending() -> type:
    from core.models import PendingChange

    return PendingChange


def _totp_required(world) -> bool:
    with world.db(world.a) as db:
        return bool(setting_on(db, {d.key: d for d in SETTINGS}, REQUIRE_TOTP))


def test_the_admin_cannot_create_a_leader_without_a_leaders_confirmation(client, world):
    admin, leader = world.a.users["admin"], world.a.users["leader"]
    login(client, admin)
    r = post_form(client, "/admin/staff", NEW)
    assert r.status_code == 303
    # Nothing exists yet: the admin cannot sign in as the leader they just typed in.
    assert _user(world, "ny.leder") is None
    page = client.get("/admin").text
    assert "Nina Ny" in page and ("Waiting for a leader" in page or "Venter på at en leder" in page)
    client.cookies.clear()
    r = client.post("/login", data={"username": "ny.leder", "password": NEW["password"], "_csrf_token": csrf_token(client)}, follow_redirects=False)
    assert r.status_code != 303 or "/login" in r.headers.get("location", "")
    # Nor through the API, nor by asking twice.
    h = bearer(api_token(world, world.a, "admin"))
    r = client.post("/api/v1/admin/staff", json={**NEW, "roles": ["social_worker"]}, headers=h)
    assert r.status_code == 422 and "username" in r.json()["errors"]
    r = client.post("/api/v1/admin/staff", json={**NEW, "username": "ny.sosial", "roles": ["social_worker"]}, headers=h)
    assert r.status_code == 202 and "password_hash" not in r.text and _user(world, "ny.sosial") is None
    # A leader confirms on their page: now the account exists, with the roles asked for.
    login(client, leader)
    page = client.get("/access-requests").text
    assert "Nina Ny" in page and admin.full_name in page
    with world.db(world.a) as db:
        first = db.scalars(select(_pending()).order_by(_pending().id)).first()
    assert post_form(client, f"/access-requests/{first.id}/approve").status_code == 303
    created = _user(world, "ny.leder")
    assert created is not None and {m.role for m in created.memberships} == {"leader"}
    with world.db(world.a) as db:
        row = db.get(_pending(), first.id)
        assert row.status == "approved" and row.decided_by_id == leader.id and "password_hash" not in row.payload
    client.cookies.clear()
    login(client, "ny.leder", NEW["password"])
    assert _changes(world, world.a) == [("request", "staff_roles", admin.id, "Nina Ny"), ("request", "staff_roles", admin.id, "Nina Ny"),
                                        ("approve", "staff_roles", leader.id, "Nina Ny")]


def test_an_account_without_sensitive_roles_is_made_at_once_and_recorded(client, world):
    h = bearer(api_token(world, world.a, "admin"))
    r = client.post("/api/v1/admin/staff", json={**NEW, "username": "lonn", "roles": ["payroll"]}, headers=h)
    assert r.status_code == 201 and r.json()["roles"] == ["payroll"]
    assert _changes(world, world.a) == [("grant", "staff_roles", world.a.users["admin"].id, "Nina Ny")]


def test_nobody_confirms_their_own_request(client, world, session_factory):
    # One person who is both administrator and leader asks, and tries to answer it too.
    with world.db() as db:
        both = StaffUser(username="begge", full_name="Bo Begge", password_hash=db.get(StaffUser, world.a.users["admin"].id).password_hash)
        db.add(both)
        db.flush()
        db.add_all([Membership(user_id=both.id, organization_id=world.a.org.id, role=r) for r in ("admin", "leader")])
        db.commit()
    login(client, "begge", PASSWORD)
    assert post_form(client, "/admin/staff", NEW).status_code == 303
    with world.db(world.a) as db:
        rid = db.scalars(select(_pending().id)).one()
    r = post_form(client, f"/access-requests/{rid}/approve")
    assert r.status_code == 400 and ("another leader" in r.text or "en annen leder" in r.text)
    assert _user(world, "ny.leder") is None
    # An administrator has no say; a leader of another organization does not even see it.
    assert client.post(f"/api/v1/access-requests/{rid}/approve", headers=bearer(api_token(world, world.a, "admin"))).status_code == 403
    assert client.post(f"/api/v1/access-requests/{rid}/approve", headers=bearer(api_token(world, world.b, "leader"))).status_code == 404
    assert client.get("/api/v1/access-requests", headers=bearer(api_token(world, world.b, "leader"))).json()["items"] == []
    # Another leader refuses; a second answer is refused with a message, nothing changes.
    h = bearer(api_token(world, world.a, "leader"))
    assert client.post(f"/api/v1/access-requests/{rid}/reject", headers=h).json()["status"] == "rejected"
    r = client.post(f"/api/v1/access-requests/{rid}/approve", headers=h)
    assert r.status_code == 422 and "__all__" in r.json()["errors"]
    assert _user(world, "ny.leder") is None
    assert [c[0] for c in _changes(world, world.a)] == ["request", "reject"]


def test_switching_two_factor_off_waits_for_a_leader(client, world):
    with world.db(world.a) as db:
        set_setting(db, world.a.org.id, next(d for d in SETTINGS if d.key == REQUIRE_TOTP), True)
    login(client, world.a.users["admin"])
    assert post_form(client, "/admin/settings", {"key": REQUIRE_TOTP, "value": "0"}).status_code == 303
    assert _totp_required(world) is True
    h = bearer(api_token(world, world.a, "admin"))
    r = client.post("/api/v1/admin/settings", json={"key": REQUIRE_TOTP, "value": False}, headers=h)
    assert r.status_code == 422  # one request at a time
    # The leader who confirms must have given their own second factor first.
    client.cookies.clear()
    login(client, world.a.users["leader"])
    r = client.get("/access-requests", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/account/totp")
    _enrol(client, world, "leader")
    with world.db(world.a) as db:
        rows = list(db.scalars(select(_pending())))
    assert [(p.kind, p.payload["key"], p.payload["value"]) for p in rows] == [("setting", REQUIRE_TOTP, False)]
    assert post_form(client, f"/access-requests/{rows[0].id}/approve").status_code == 303
    assert _totp_required(world) is False
    # Switching it on needs nobody's confirmation.
    r = client.post("/api/v1/admin/settings", json={"key": REQUIRE_TOTP, "value": True}, headers=h)
    assert r.status_code == 201 and _totp_required(world) is True
    assert [(c[0], c[1]) for c in _changes(world, world.a)] == [("request", REQUIRE_TOTP), ("approve", REQUIRE_TOTP)]


def test_teams_refuse_staff_of_another_organization(client, world):
    h = bearer(api_token(world, world.a, "leader"))
    day = client.post("/api/v1/days", json={"site_id": world.a.site.id, "date": "2026-05-04"}, headers=h).json()
    for bad in (world.b.users["work_leader"].id, 999_999):
        r = client.post(f"/api/v1/days/{day['id']}/teams", json={"name": "Vedbua", "work_leader_id": bad}, headers=h)
        assert r.status_code == 422 and r.json()["errors"]["work_leader_id"] in NO_STAFF
        r = client.post(f"/api/v1/dagsverk/days/{day['id']}/teams/suggest", json={"leader_ids": [bad]}, headers=h)
        assert r.status_code == 422, r.text
