"""The teams a work leader reads at a glance, and the fairness ledger, in Chromium: in
Bokmål and English, at 320 px (WCAG 2.1's reflow width, 1.4.10), a tablet and a desktop,
with no sideways scrolling; the reasons under each team collapsed; the ledger for the leader
and the social worker, refused to a work leader. Screenshots go to /tmp/teams/."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll, use_locale, visit

pytestmark = [pytest.mark.browser, pytest.mark.one_pass]

SHOTS = Path("/tmp/teams")
WIDTHS = (320, 768, 1366)
SUGGEST = {"nb": "Foreslå arbeidslag", "en": "Suggest teams"}


def _last_weekday() -> dt.date:
    d = dt.date.today() - dt.timedelta(days=1)
    while d.isoweekday() > 5:
        d -= dt.timedelta(days=1)
    return d



def _walk(page: Any, path: str, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        visit(page, path)
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert_no_sideways_scroll(page, f"{name} at {width} px", main_only=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_teams_read_at_a_glance(staff_page: Any, live_site: Any, locale: str) -> None:
    page = staff_page("work_leader")
    use_locale(page, locale)
    date = _last_weekday().isoformat()
    try:
        visit(page, f"/dagsverk/teams?date={date}")
        form = page.locator("details:has(form[action$='/teams/suggest'])")
        if form.get_attribute("open") is None:  # folded away once the day has teams
            form.locator("summary").click()
        with page.expect_navigation():
            page.get_by_role("button", name=SUGGEST[locale]).last.click()
        page.wait_for_selector("article.dv-team details.dv-reasons, article.dv-team", timeout=90000)
        page.wait_for_selector("p.dv-working", state="detached", timeout=90000)
        assert page.locator("article.dv-team").count() >= 2
        # The day's notes are a few short lines; each team's reasons sit under it, closed.
        assert page.locator(".dv-why li").count() <= 8
        assert page.locator("details.dv-reasons[open]").count() == 0
        if page.locator("details.dv-reasons").count():
            page.locator("details.dv-reasons summary").first.click()
            assert page.locator("details.dv-reasons[open] li").count() >= 1
        assert_accessible(page, "teams")
        _walk(page, f"/dagsverk/teams?date={date}", f"teams-{locale}")
    finally:
        use_locale(page, "nb")


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_the_fairness_ledger(staff_page: Any, live_site: Any, locale: str) -> None:
    for role in ("leader", "social_worker"):
        page = staff_page(role)
        use_locale(page, locale)
        try:
            _walk(page, "/dagsverk/fairness", f"fairness-{role}-{locale}")
            assert page.locator("table.dv-table").count() == 2
            assert page.locator("table.dv-table").last.locator("tbody tr").count() >= 1
        finally:
            use_locale(page, "nb")
    visit(staff_page("work_leader"), "/dagsverk/fairness", status=403, accessible=False)
