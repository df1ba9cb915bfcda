"""An organization sees and changes only the core's settings and its enabled plugins'."""
from tests.conftest import api_token, bearer, login, post_form


def test_settings_of_plugins_an_organization_has_not_enabled_are_not_offered(world, client):
    a = {i["key"] for i in client.get("/api/v1/admin/settings", headers=bearer(api_token(world, world.a, "admin"))).json()["items"]}
    b = {i["key"] for i in client.get("/api/v1/admin/settings", headers=bearer(api_token(world, world.b, "admin"))).json()["items"]}
    assert "dagsverk.capacity" in a and "dagsverk.capacity" not in b
    assert "nyttig.max_start_age" in b and "nyttig.max_start_age" not in a
    assert "payroll.day_wage" in a and "payroll.day_wage" in b  # both run the pay plugin
    login(client, world.b.users["admin"])
    assert "dagsverk.capacity" not in client.get("/admin").text
    r = post_form(client, "/admin/settings", {"key": "dagsverk.capacity", "value": "5", "valid_from": "2026-01-01"})
    assert r.status_code == 400
