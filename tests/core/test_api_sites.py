"""Sites are readable by whoever plans days (issue 14): an integrator finds the site id it
creates a day with, without being an administrator. Adding a site stays the administrator's."""
from __future__ import annotations

from tests.conftest import api_token, bearer


def test_staff_who_see_days_read_the_sites(world, client) -> None:  # type: ignore[no-untyped-def]
    for role in ("leader", "work_leader", "admin"):
        h = bearer(api_token(world, world.a, role))
        items = client.get("/api/v1/sites", headers=h).json()["items"]
        assert items == [{"id": world.a.site.id, "name": world.a.site.name, "address": ""}], role
        one = client.get(f"/api/v1/sites/{world.a.site.id}", headers=h)
        assert one.status_code == 200 and one.json()["name"] == world.a.site.name
        # Another organization's site is not found; adding one is not theirs unless admin.
        assert client.get(f"/api/v1/sites/{world.b.site.id}", headers=h).status_code == 404
        added = client.post("/api/v1/admin/sites", json={"name": f"Ny {role}"}, headers=h).status_code
        assert added == (201 if role == "admin" else 403), role


def test_the_site_id_is_what_a_day_is_created_with(world, client) -> None:  # type: ignore[no-untyped-def]
    h = bearer(api_token(world, world.a, "work_leader"))
    site_id = client.get("/api/v1/sites", headers=h).json()["items"][0]["id"]
    assert client.post("/api/v1/days", json={"site_id": site_id, "date": "2026-05-04"}, headers=h).status_code == 201


def test_roles_without_days_do_not_read_sites(world, client) -> None:  # type: ignore[no-untyped-def]
    for role in ("social_worker", "payroll"):
        h = bearer(api_token(world, world.a, role))
        assert client.get("/api/v1/sites", headers=h).status_code == 403
        assert client.get(f"/api/v1/sites/{world.a.site.id}", headers=h).status_code == 403
    assert client.get("/api/v1/sites").status_code == 401
