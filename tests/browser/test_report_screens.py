"""The demo data gives each organization a yearly report with charts; the browser checks
that every chart loads, that the page passes axe, and keeps a screenshot for the README."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveSite, screenshot, use_locale, visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("org", ["stavne", "velferdsetaten"])
def test_yearly_report_of_the_demo_with_charts(staff_page: Any, live_site: LiveSite, org: str) -> None:
    page = staff_page("leader", org)
    use_locale(page, "nb")
    visit(page, "/reports")
    assert page.locator("h1").inner_text().startswith("Årsrapport")
    charts = page.locator("figure.chart img")
    assert charts.count() >= 2, "the demo report should have several charts"
    for i in range(charts.count()):
        img = charts.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
        assert img.get_attribute("alt"), "every chart has a text alternative"
    # Every chart has its numbers in a table beside it.
    assert page.locator("section.report-section table.report-table").count() >= charts.count()
    page.locator("section.report-section:has(figure.chart)").first.scroll_into_view_if_needed()
    path = screenshot(page, live_site, f"report-{org}")
    assert path is not None and path.stat().st_size > 10_000
