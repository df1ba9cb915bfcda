"""Every response says how long the app took: the benchmark reads it."""
import re

from tests.conftest import login


def test_server_timing_header_on_pages_and_api(world, client):
    assert re.fullmatch(r"app;dur=\d+\.\d\d", client.get("/login").headers["server-timing"])
    login(client, world.a.users["leader"])
    assert re.fullmatch(r"app;dur=\d+\.\d\d", client.get("/participants").headers["server-timing"])
