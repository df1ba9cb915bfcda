"""Two server processes on one database behave as one site: a session started on one is
valid on the other, a change made through one is seen through the other, and signing out
on one ends the session on both. Nothing lives in a process (issue 8: on PostgreSQL in the
second pass of scripts/test; on SQLite in the first).
"""
from __future__ import annotations

import secrets
from typing import Any

import pytest

from tests.browser.conftest import LiveSite, demo_username, login, visit

pytestmark = pytest.mark.browser


def session_cookie(page: Any) -> dict[str, Any]:
    cookies = [c for c in page.context.cookies() if c["name"].endswith("lavterskel_session")]
    assert len(cookies) == 1, page.context.cookies()
    return dict(cookies[0])


def test_two_servers_share_sessions_and_data(live_site: LiveSite, new_page: Any) -> None:
    first = live_site.servers[0]
    second = live_site.start_server()
    try:
        assert second.proc.pid != first.proc.pid and second.url != first.url

        # Sign in on the first server.
        one = new_page(base_url=first.url)
        login(one, demo_username("leader"))
        cookie = session_cookie(one)

        # The second server, in a browser that only carries that session cookie, knows the user.
        two = new_page(base_url=second.url)
        two.context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": second.url}])
        visit(two, "/")
        assert not two.url.endswith("/login")
        assert two.locator("header a[href='/account']").inner_text() == "Guri Leder"

        # Without the cookie, the second server asks for a sign-in: the cookie is what counts.
        stranger = new_page(base_url=second.url)
        stranger.goto("/")
        assert "/login" in stranger.url

        # A change made through the second server is seen through the first.
        name = f"Tiller borettslag {secrets.token_hex(3)}"
        visit(two, "/customers/new")
        two.locator("#f-name").fill(name)
        two.locator("#f-kind").select_option("housing_coop")
        with two.expect_navigation():
            two.locator("main form button[type=submit]").click()
        assert two.locator("h1").inner_text().strip().startswith(name)
        visit(one, f"/customers?q={name.split()[-1]}")
        rows = one.locator("main table tbody tr")
        assert rows.count() == 1 and name in rows.first.inner_text()

        # Signing out on the first server ends the session on the second.
        with one.expect_navigation():
            one.locator("form[action='/logout'] button").click()
        assert "/login" in one.url
        two.goto("/")
        assert "/login" in two.url
    finally:
        second.stop()
        live_site.servers.remove(second)
    assert second.proc.returncode is not None
    # The first server is unaffected by the second one stopping.
    visit(new_page(base_url=first.url), "/login")
