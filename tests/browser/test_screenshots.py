"""Screenshots of the key pages, in Norwegian, with the demo data, for the README and docs.

They are written to ``docs/screenshots/`` (1280x800 PNG) by every run, so they show what the
current code shows. Each page is also checked by axe-core on the way.
"""
from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, LiveSite, assert_accessible, screenshot, use_locale, visit

pytestmark = pytest.mark.browser


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def first_link(page: Any, pattern: str) -> str:
    hrefs = page.locator("main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    found = next((h for h in hrefs if h and re.fullmatch(pattern, h)), None)
    assert found, f"no link matching {pattern} on {page.url}"
    return str(found)


def shoot(page: Any, site: LiveSite, name: str) -> None:
    path = screenshot(page, site, name)
    assert path == SCREENSHOTS / f"{name}.png"
    assert png_size(path) == (1280, 800)
    # Small enough to commit on every change: a text page compresses well.
    assert path.stat().st_size < 400_000, f"{path} is {path.stat().st_size} bytes"


def test_key_pages_in_norwegian(staff_page: Any, live_site: LiveSite, new_page: Any) -> None:
    assert live_site.has_demo_data
    page = staff_page("leader")
    use_locale(page, "nb")

    visit(page, "/")
    assert page.locator("h1").inner_text() == "Oversikt"
    assert page.locator("main .panel").count() >= 1, "the dashboard shows no panel"
    shoot(page, live_site, "dashboard")

    visit(page, "/participants")
    assert page.locator("main table tbody tr").count() >= 10
    shoot(page, live_site, "participants")
    visit(page, first_link(page, r"/participants/\d+"))
    shoot(page, live_site, "participant")

    visit(page, "/days")
    if page.locator("main table a[href^='/days/']").count():
        visit(page, first_link(page, r"/days/\d+"))
    else:
        # No day in the data yet: open today's, as staff do in the morning (the form's defaults).
        with page.expect_navigation():
            page.locator("form[action='/days'] button[type=submit]").click()
        assert_accessible(page)
    assert page.url.rsplit("/", 1)[-1].isdigit(), page.url
    shoot(page, live_site, "day")

    visit(page, "/work-orders")
    shoot(page, live_site, "work-orders")

    login = new_page()
    visit(login, "/login")
    shoot(login, live_site, "login")


def test_no_screenshot_without_demo_data(staff_page: Any, live_site: LiveSite, tmp_path: Path) -> None:
    """An empty app never ends up in the docs."""
    page = staff_page("leader")
    visit(page, "/")
    empty = LiveSite(database_url=live_site.database_url, data_dir=tmp_path, has_demo_data=False)
    before = {p: p.stat().st_mtime_ns for p in SCREENSHOTS.glob("*.png")}
    assert screenshot(page, empty, "should-not-exist") is None
    assert not (SCREENSHOTS / "should-not-exist.png").exists()
    assert {p: p.stat().st_mtime_ns for p in SCREENSHOTS.glob("*.png")} == before
