from tests.conftest import h1, login


def test_leader_sees_dashboard_with_plugin_panel(world, client):
    login(client, world.a.users["leader"])
    r = client.get("/")
    assert r.status_code == 200
    assert h1(r.text) in {"Dashboard", "Oversikt"}
    assert "rolling-list-count" in r.text
