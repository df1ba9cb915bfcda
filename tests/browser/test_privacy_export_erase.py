"""The GDPR export and the erase page, derived from the classification, in a real browser:
accessible (axe) in both languages and readable on a phone and a desktop."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, use_locale, visit

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("LAVTERSKEL_SHOTS", "/tmp/lavterskel-shots"))


def _someone(page: Any) -> str:
    visit(page, "/participants")
    links = page.locator("a[href^='/participants/']").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.textContent.trim()])"
    )
    # Someone not yet anonymized (an erased person is listed as #id).
    return next(h.split("/")[2] for h, name in links if h.split("/")[2].isdigit() and not name.startswith("#"))


def _shot(page: Any, name: str) -> None:
    """Screenshots at a phone's and a desktop's width; at 320 px nothing may scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (320, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        # The page's content (the shared header is another page's concern).
        overflow = page.evaluate("(() => { const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth; })()")
        assert overflow <= 0, f"{name}: the content is {overflow} px wider than the screen at {width} px"
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_the_export_and_the_erase_plan_are_accessible_and_name_each_plugins_records(staff_page, locale: str) -> None:  # type: ignore[no-untyped-def]
    page = staff_page("leader", "velferdsetaten")
    use_locale(page, locale)
    pid = _someone(page)
    visit(page, f"/participants/{pid}/export")
    page.locator("button[type=submit]").last.click()
    page.wait_for_url(f"**/participants/{pid}/export")
    assert_accessible(page, "the readable export")
    assert page.locator("section.card h2").count() >= 3
    _shot(page, f"export-{locale}")
    visit(page, f"/participants/{pid}/erase")
    assert page.locator("ul.erase-plan > li").count() >= 10  # one per table that holds the person's data
    _shot(page, f"erase-{locale}")
    use_locale(page, "nb")
