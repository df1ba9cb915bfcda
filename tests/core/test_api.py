"""The JSON API: tokens only, and every action the staff UI offers (records, days, admin,
account) with the same rules as the HTML pages."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from core.models import ApiToken, DatedSetting, LoginSession, OrganizationPlugin, Site, StaffUser
from tests.conftest import api_token, bearer, login, post_form


@pytest.fixture
def admin(world):
    return bearer(api_token(world, world.a, "admin"))


def test_api_needs_a_token_and_ignores_the_session_cookie(world, client):
    assert client.get("/api/v1/participants").status_code == 401
    login(client, world.a.users["admin"])
    # Signed in with a browser session, the API still wants a token (no CSRF route in).
    assert client.get("/api/v1/participants").status_code == 401
    assert client.get("/api/v1/participants", headers=bearer("lvt_not-a-token")).status_code == 401


def test_openapi_schema_lists_every_api_action(client):
    schema = client.get("/api/v1/schema/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/v1/participants": {"get", "post"},
        "/api/v1/participants/{participant_id}": {"get", "patch"},
        "/api/v1/work-orders/{work_order_id}/status": {"post"},
        "/api/v1/days/{day_id}/shifts/{shift_id}": {"patch"},
        "/api/v1/admin/plugins": {"get"},
        "/api/v1/admin/plugins/{plugin}": {"put"},
        "/api/v1/admin/settings": {"get", "post"},
        "/api/v1/admin/sites": {"get", "post"},
        "/api/v1/admin/staff": {"get", "post"},
        "/api/v1/admin/staff/{user_id}": {"patch"},
        "/api/v1/me": {"get", "patch"},
        "/api/v1/me/tokens": {"get", "post"},
        "/api/v1/me/tokens/{token_id}": {"delete"},
        "/api/v1/me/logout-everywhere": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))


def test_admin_api_is_for_administrators_only(world, client):
    leader = bearer(api_token(world, world.a, "leader"))
    for method, path in (("GET", "/api/v1/admin/staff"), ("POST", "/api/v1/admin/sites"), ("PUT", "/api/v1/admin/plugins/payroll_rules")):
        assert client.request(method, path, json={}, headers=leader).status_code == 403


def test_plugins_on_and_off(world, client, admin):
    items = {p["name"]: p for p in client.get("/api/v1/admin/plugins", headers=admin).json()["items"]}
    assert items["dagsverk_lottery"]["is_enabled"] is True and items["nyttig_contract"]["is_enabled"] is False
    assert items["rolling_list"]["label"]  # a translated label, not just the name
    r = client.put("/api/v1/admin/plugins/rolling_list", json={"is_enabled": False}, headers=admin)
    assert r.status_code == 200 and r.json() == {"name": "rolling_list", "is_enabled": False}
    # The plugin's pages are gone for this organization at once, its data kept.
    login(client, world.a.users["admin"])
    assert client.get("/rolling-list").status_code == 404
    r = client.put("/api/v1/admin/plugins/rolling_list", json={"is_enabled": True}, headers=admin)
    assert client.get("/rolling-list").status_code == 200
    with world.db() as db:
        rows = db.scalars(select(OrganizationPlugin).where(OrganizationPlugin.plugin == "rolling_list")).all()
        assert [(r.organization_id, r.enabled) for r in rows] == [(world.a.org.id, True)]
    # Another organization is untouched, an unknown plugin is 404, a malformed body 400.
    assert client.put("/api/v1/admin/plugins/no_such", json={"is_enabled": True}, headers=admin).status_code == 404
    assert client.put("/api/v1/admin/plugins/rolling_list", json={"is_enabled": "perhaps"}, headers=admin).status_code == 400
    assert client.put("/api/v1/admin/plugins/rolling_list", json={}, headers=admin).status_code == 400


def _a_setting(client, admin, dated):
    items = client.get("/api/v1/admin/settings", headers=admin).json()["items"]
    # A pay setting: both test organizations run the pay plugin, so both see the key.
    return next(i for i in items if i["is_dated"] is dated and i["kind"] in {"int", "decimal"} and i["key"].startswith(("payroll.", "privacy.")))


def test_dated_settings_keep_their_history(world, client, admin):
    s = _a_setting(client, admin, dated=True)
    key = s["key"]
    r = client.post("/api/v1/admin/settings", json={"key": key, "value": "18", "valid_from": "2016-01-01"}, headers=admin)
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/admin/settings", json={"key": key, "value": "23", "valid_from": "2018-01-01", "note": "Økt"}, headers=admin)
    assert r.status_code == 201
    item = next(i for i in client.get("/api/v1/admin/settings", headers=admin).json()["items"] if i["key"] == key)
    assert [h["valid_from"] for h in item["history"]][-2:] == ["2016-01-01", "2018-01-01"]
    assert str(item["value"]).startswith("23")
    # The value in force on a past day is the one valid then (the service both sides use).
    from core.services.settings import setting_on

    defs = world_defs(client)
    with world.db(world.a) as db:
        assert str(setting_on(db, defs, key, dt.date(2017, 6, 1))).startswith("18")
    # A dated setting needs its date; a number must be a number; the other organization sees nothing.
    before = _count(world, DatedSetting)
    assert client.post("/api/v1/admin/settings", json={"key": key, "value": "5"}, headers=admin).status_code == 422
    r = client.post("/api/v1/admin/settings", json={"key": key, "value": "many", "valid_from": "2020-01-01"}, headers=admin)
    assert r.status_code == 422 and "value" in r.json()["errors"]
    assert client.post("/api/v1/admin/settings", json={"key": key, "value": [1], "valid_from": "2020-01-01"}, headers=admin).status_code == 400
    assert client.post("/api/v1/admin/settings", json={"key": "no.such", "value": "1"}, headers=admin).status_code == 422
    assert _count(world, DatedSetting) == before
    other = bearer(api_token(world, world.b, "admin"))
    item_b = next(i for i in client.get("/api/v1/admin/settings", headers=other).json()["items"] if i["key"] == key)
    assert item_b["history"] == []


def world_defs(client):
    return client.app.state["ctx"].setting_defs


def _count(world, model, **where):
    with world.db() as db:
        stmt = select(func.count()).select_from(model)
        for k, v in where.items():
            stmt = stmt.where(getattr(model, k) == v)
        return db.scalar(stmt)


def test_sites(world, client, admin):
    r = client.post("/api/v1/admin/sites", json={"name": "  Vedbua ", "address": "Stavnebrua 2"}, headers=admin)
    assert r.status_code == 201 and r.json()["name"] == "Vedbua"
    names = [s["name"] for s in client.get("/api/v1/admin/sites", headers=admin).json()["items"]]
    assert "Vedbua" in names and world.b.site.name not in names
    before = _count(world, Site)
    assert client.post("/api/v1/admin/sites", json={"name": ""}, headers=admin).status_code == 400
    r = client.post("/api/v1/admin/sites", json={"name": "X", "address": "a" * 301}, headers=admin)
    assert r.status_code == 400 and "address" in r.json()["errors"]
    assert client.post("/api/v1/admin/sites", json={"name": "X", "colour": "red"}, headers=admin).status_code == 400
    assert _count(world, Site) == before


def test_staff_add_disable_enable(world, client, admin):
    body = {"username": "Ny.Leder", "full_name": "Ny Leder", "password": "a-long-enough-password", "roles": ["work_leader"]}
    # A work leader's role reaches sensitive data: the administrator only asks, a leader confirms.
    r = client.post("/api/v1/admin/staff", json=body, headers=admin)
    assert r.status_code == 202, r.text
    request_id = r.json()["pending_change"]["id"]
    leader = bearer(api_token(world, world.a, "leader"))
    assert client.post(f"/api/v1/access-requests/{request_id}/approve", headers=leader).json()["status"] == "approved"
    new = next(s for s in client.get("/api/v1/admin/staff", headers=admin).json()["items"] if s["username"] == "ny.leder")
    assert new["roles"] == ["work_leader"] and new["is_active"] is True
    staff = {s["username"] for s in client.get("/api/v1/admin/staff", headers=admin).json()["items"]}
    assert "ny.leder" in staff and not any(u.startswith("beta") for u in staff)
    # The new colleague can sign in; disabling ends their sessions and locks them out.
    login(client, "ny.leder", "a-long-enough-password")
    assert client.get("/").status_code == 200
    r = client.patch(f"/api/v1/admin/staff/{new['id']}", json={"is_active": False}, headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert client.get("/", follow_redirects=False).status_code == 303
    assert _count(world, LoginSession, user_id=new["id"], ended_at=None) == 0
    assert client.patch(f"/api/v1/admin/staff/{new['id']}", json={"is_active": True}, headers=admin).json()["is_active"] is True
    # Refused, with nothing written: taken name, short password (rules: 422), no or unknown
    # role, no name (outside the schema: 400), oneself.
    before = _count(world, StaffUser)
    for bad, field, status in (
        ({**body, "username": "ny.leder"}, "username", 422),
        ({**body, "username": "x2", "password": "short"}, "password", 422),
        ({**body, "username": "x3", "roles": []}, "roles", 400),
        ({**body, "username": "x4", "roles": ["king"]}, "roles", 400),
        ({**body, "username": "x5", "roles": "admin"}, "roles", 400),
        ({**body, "username": ""}, "username", 400),
    ):
        r = client.post("/api/v1/admin/staff", json=bad, headers=admin)
        assert r.status_code == status and any(k.split("[")[0] == field for k in r.json()["errors"]), (bad, r.text)
    assert _count(world, StaffUser) == before
    me = world.a.users["admin"].id
    assert client.patch(f"/api/v1/admin/staff/{me}", json={"is_active": False}, headers=admin).status_code == 422
    assert client.patch(f"/api/v1/admin/staff/{world.b.users['leader'].id}", json={"is_active": False}, headers=admin).status_code == 404
    with world.db() as db:
        assert db.get(StaffUser, world.b.users["leader"].id).is_active


def test_personal_tokens_list_create_revoke(world, client):
    own = bearer(api_token(world, world.a, "social_worker"))
    r = client.post("/api/v1/me/tokens", json={"name": "Mobil"}, headers=own)
    assert r.status_code == 201
    created = r.json()
    secret = created.pop("token")
    assert secret.startswith("lvt_")
    listed = client.get("/api/v1/me/tokens", headers=own).json()["items"]
    assert created in listed and all("token" not in t for t in listed) and len(listed) == 2
    # The new secret works; after revoking it does not; it is stored only as a hash.
    assert client.get("/api/v1/me", headers=bearer(secret)).json()["username"] == world.a.users["social_worker"].username
    with world.db() as db:
        assert db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.token_hash == secret)) == 0
    r = client.delete(f"/api/v1/me/tokens/{created['id']}", headers=own)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert created["id"] not in [t["id"] for t in client.get("/api/v1/me/tokens", headers=own).json()["items"]]
    # Someone else's token, in the same or another organization, is not found and stays live.
    colleague = api_token(world, world.a, "leader")
    with world.db() as db:
        cid = db.scalars(select(ApiToken.id).where(ApiToken.user_id == world.a.users["leader"].id)).one()
    assert client.delete(f"/api/v1/me/tokens/{cid}", headers=own).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(colleague)).status_code == 200
    for bad in ({}, {"name": ""}, {"name": "x" * 121}, {"name": "ok", "scope": "all"}, {"name": ["x"]}):
        assert client.post("/api/v1/me/tokens", json=bad, headers=own).status_code == 400, bad


def test_language_and_logout_everywhere(world, client):
    user = world.a.users["work_leader"]
    own = bearer(api_token(world, world.a, "work_leader"))
    assert client.patch("/api/v1/me", json={"locale": "en"}, headers=own).json() == {"locale": "en"}
    login(client, user)
    assert '<html lang="en"' in client.get("/").text
    assert client.patch("/api/v1/me", json={"locale": "de"}, headers=own).status_code == 400
    r = client.post("/api/v1/me/logout-everywhere", headers=own)
    assert r.status_code == 200 and r.json()["ended_sessions"] >= 1 and r.json()["revoked_tokens"] == 1
    assert client.get("/", follow_redirects=False).status_code == 303  # the browser session ended
    assert client.get("/api/v1/me", headers=own).status_code == 401  # and every token, this one too


def test_records_through_the_api(world, client):
    h = bearer(api_token(world, world.a, "leader"))
    r = client.post("/api/v1/customers", json={"name": "Byåsen borettslag", "kind": "housing_coop"}, headers=h)
    assert r.status_code == 201
    cid = r.json()["id"]
    r = client.post("/api/v1/work-orders", json={"title": "Plenklipp", "customer_id": cid, "people_needed": 4,
                                                 "starts_on": "2026-05-01", "ends_on": "2026-05-03", "kind": "multi_day"}, headers=h)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["status"] == "requested" and order["customer_id"] == cid and order["people_needed"] == 4
    r = client.patch(f"/api/v1/work-orders/{order['id']}", json={"people_needed": 6, "location": "Byåsen"}, headers=h)
    assert r.json()["people_needed"] == 6 and r.json()["title"] == "Plenklipp"
    assert client.get(f"/api/v1/work-orders?customer_id={cid}", headers=h).json()["total"] == 1
    assert client.get(f"/api/v1/work-orders?customer_id={cid}&status=done", headers=h).json()["total"] == 0
    # Status only moves through its endpoint, with the reason where one is needed.
    assert client.patch(f"/api/v1/work-orders/{order['id']}", json={"status": "done"}, headers=h).status_code == 400
    r = client.post(f"/api/v1/work-orders/{order['id']}/status", json={"status": "accepted"}, headers=h)
    assert r.status_code == 422 and "status_reason" in r.json()["errors"]
    r = client.post(f"/api/v1/work-orders/{order['id']}/status", json={"status": "accepted", "status_reason": "Meningsfylt"}, headers=h)
    assert r.json()["status"] == "accepted" and r.json()["status_reason"] == "Meningsfylt"
    r = client.post(f"/api/v1/work-orders/{order['id']}/status", json={"status": "declined", "status_reason": "x"}, headers=h)
    assert r.status_code == 422 and client.get(f"/api/v1/work-orders/{order['id']}", headers=h).json()["status"] == "accepted"


def test_the_admin_page_uses_the_same_rules(world, client):
    """The HTML page and the API share the services: the same refusals, the same effect."""
    login(client, world.a.users["admin"])
    before = _count(world, StaffUser)
    r = post_form(client, "/admin/staff", {"username": "kort", "full_name": "Kort Passord", "password": "short", "roles": "leader"},
                  headers={"Accept-Language": "nb"})
    assert r.status_code == 400 and "Minst 12 tegn." in r.text
    r = post_form(client, "/admin/staff", {"username": "kort", "full_name": "K", "password": "long-enough-pass", "roles": "emperor"})
    assert r.status_code == 400
    assert _count(world, StaffUser) == before
    assert post_form(client, "/admin/staff", {"username": "lang", "full_name": "L", "password": "long-enough-pass", "roles": "leader"}).status_code == 303
    assert post_form(client, "/admin/sites", {"name": "Kampen", "address": "x" * 301}).status_code == 400
    assert post_form(client, "/admin/sites", {"name": "Kampen", "address": "Kampengata 1"}).status_code == 303
    assert _count(world, Site, organization_id=world.a.org.id) == 2
    assert post_form(client, f"/admin/staff/{world.a.users['admin'].id}/active", {"is_active": "0"}).status_code == 400
    with world.db() as db:
        assert db.get(StaffUser, world.a.users["admin"].id).is_active
