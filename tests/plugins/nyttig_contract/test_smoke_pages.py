"""Every Nyttig Arbeid page renders for the organization that runs it, and 404s elsewhere."""
from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.mark.parametrize("path", ["/nyttig", "/nyttig/contact/new", "/nyttig/waiting-list", "/nyttig/timesheets", "/nyttig/incidents",
                                  "/nyttig/departments", "/nyttig/assignments", "/"])
def test_pages_render_for_nyttig_leader(client, world, path):
    login(client, world.b.users["leader"])
    r = client.get(path)
    assert r.status_code == 200, r.text[:2000]


def test_pages_are_404_for_an_organization_without_the_plugin(client, world):
    login(client, world.a.users["leader"])
    assert client.get("/nyttig/waiting-list").status_code == 404
