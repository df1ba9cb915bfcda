"""The demo data gives each organization a yearly report with charts; the browser checks
that every chart loads, that the page passes axe, and keeps a screenshot for the README."""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveSite, screenshot, use_locale, visit

pytestmark = pytest.mark.browser

# Sections whose chart the demo's last twelve months must fill, per organization; the
# first is the one the README's screenshot shows.
CHARTS = {
    "stavne": ("dagsverk_by_month", "age_groups", "work_by_month", "payroll_pay"),
    "velferdsetaten": ("nyttig_pipeline", "nyttig_moves", "nyttig_waiting", "nyttig_departments", "nyttig_onward",
                       "nyttig_hours"),
}


@pytest.mark.parametrize("org", ["stavne", "velferdsetaten"])
def test_yearly_report_of_the_demo_with_charts(staff_page: Any, live_site: LiveSite, org: str) -> None:
    page = staff_page("leader", org)
    use_locale(page, "nb")
    visit(page, "/reports")
    assert page.locator("h1").inner_text().startswith("Årsrapport")
    charts = page.locator("figure.chart img")
    assert charts.count() >= len(CHARTS[org]), "the demo report should have several charts"
    for key in CHARTS[org]:
        assert page.locator(f"#sec-{key} figure.chart img").count() == 1, f"{key} has no chart"
    for i in range(charts.count()):
        img = charts.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=img.element_handle())
        assert img.get_attribute("alt"), "every chart has a text alternative"
    # Every chart has its numbers in a table beside it.
    assert page.locator("section.report-section table.report-table").count() >= charts.count()
    # The program's own first chart at the top of the picture, its table beside it.
    page.evaluate("(id) => document.getElementById(id).scrollIntoView()", f"sec-{CHARTS[org][0]}")
    path = screenshot(page, live_site, f"report-{org}")
    assert path is not None and path.stat().st_size > 10_000


@pytest.mark.parametrize("locale,word", [("nb", "skjult"), ("en", "hidden")])
def test_shared_report_says_hidden_in_words_at_both_widths(staff_page: Any, locale: str, word: str, tmp_path: Any) -> None:
    """A hidden cell reads as a word in italics with a line under its table saying why, in
    both languages, on a phone and a laptop: never a colour or a symbol alone."""
    page = staff_page("leader", "stavne")
    use_locale(page, locale)
    try:
        for width in (1366, 320):
            page.set_viewport_size({"width": width, "height": 900})
            visit(page, "/reports?shared=1")
            cells = page.locator("td.hidden-cell")
            assert cells.count() > 0, "the demo year has small groups"
            assert {t.strip() for t in cells.all_inner_texts()} == {word}
            assert cells.first.evaluate("el => getComputedStyle(el).fontStyle") == "italic"
            section = page.locator("section.report-section", has=page.locator("td.hidden-cell")).first
            note = section.locator("p.hidden-note")
            assert note.is_visible() and "5" in note.inner_text()
            # A wide table scrolls in its own box: the page itself never gets wider than the screen.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"page wider than {width} px"
            cells.first.scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / f"shared-report-{locale}-{width}.png"), full_page=False)
            # The figures are still there in the internal report.
            visit(page, "/reports")
            assert page.locator("td.hidden-cell").count() == 0
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
        use_locale(page, "nb")
