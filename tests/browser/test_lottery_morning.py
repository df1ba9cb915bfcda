"""A whole Dagsverket morning in the browser, in Bokmål and in English: 35 check-ins at
the door (card scans, a newcomer, one not fit to work), the draw watched on the big screen
as it happens, teams suggested and adjusted, the day closed, and the day's cash sheet
from the pay plugin. Every page is checked with axe-core on the way."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, use_locale, visit

pytestmark = pytest.mark.browser

TEXT = {
    "nb": {"registered": "Registrert", "not_fit": "Til stede, ikke i arbeidsform i dag", "seal": "Steng oppmøtet", "draw": "Trekk nå",
           "find": "Finn plassen min", "reserve": "Reserve nr.",
           "suggest": "Foreslå arbeidslag", "move": "Flytt", "lock": "Lås arbeidslaget", "close": "Avslutt dagen", "cash": "Lag utbetalingslisten"},
    "en": {"registered": "Registered", "not_fit": "Present, not fit to work today", "seal": "Close check-in", "draw": "Draw now",
           "find": "Find my place", "reserve": "Reserve no.",
           "suggest": "Suggest teams", "move": "Move", "lock": "Lock team", "close": "Close the day", "cash": "Make the cash sheet"},
}


def _open_day_back(days: int) -> dt.date:
    """An open weekday about ``days`` ago, before the demo's own days: a day can be closed
    and paid only once it has come, and a public holiday or Christmas Eve is closed."""
    import holidays

    d = dt.date.today() - dt.timedelta(days=days)
    while d.isoweekday() > 5 or d in holidays.Norway(years=d.year) or (d.month, d.day) in ((12, 24), (12, 31)):
        d -= dt.timedelta(days=1)
    return d


def _submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


@pytest.mark.parametrize(("locale", "back"), [("nb", 400), ("en", 407)])
def test_a_whole_morning(staff_page: Any, new_page: Any, live_site: Any, locale: str, back: int) -> None:
    t = TEXT[locale]
    page = staff_page("leader")
    use_locale(page, locale)
    date = _open_day_back(back).isoformat()
    screen = None
    try:
        visit(page, f"/dagsverk/checkin?date={date}")
        # 34 card scans: the scanner types the code and presses Enter; one action each.
        for i in range(34):
            page.locator("#dv-q").fill(f"STA{1000 + i}")
            with page.expect_navigation():
                page.locator("#dv-q").press("Enter")
            assert t["registered"] in page.locator(".dv-ok").inner_text()
            if i == 0:  # the first one's receipt code, shown at the door: they look it up after the draw
                receipt = page.locator(".dv-ok .dv-code").inner_text()
        # A newcomer with only a nickname.
        page.locator("#dv-nick").fill(f"Nykommer-{locale}")
        _submit(page, page.locator("form[action$='/newcomer'] button"))
        # One judged not fit to work today: present, not entered.
        _submit(page, page.locator("main table tbody tr").nth(1).locator("form[action$='/fit'] button"))
        assert t["not_fit"] in page.locator("main table tbody tr").nth(1).inner_text()
        assert_accessible(page, "check-in with 35 people")
        rows = page.locator("main table tbody tr")
        assert rows.count() == 35

        # The big screen is open on the TV before the draw.
        screen = new_page()
        from tests.browser.conftest import demo_username, login

        login(screen, demo_username("work_leader"))
        use_locale(screen, locale)
        visit(screen, f"/dagsverk/screen?date={date}")
        assert screen.locator("#dv-drawn li").count() == 0

        visit(page, f"/dagsverk/draw?date={date}")
        _submit(page, page.get_by_role("button", name=t["seal"]))
        # Both fingerprints are on the screen before the numbers are drawn.
        screen.wait_for_function("!document.getElementById('dv-entrants-line').hidden", timeout=15000)
        assert re.fullmatch(r"[0-9a-f]{64}", screen.locator("#dv-entrants").inner_text())
        assert re.fullmatch(r"[0-9a-f]{64}", screen.locator("#dv-fingerprint").inner_text())
        # Balls from the lottery machine, typed in front of everyone.
        page.locator("#dv-numbers").fill("45 7 12")
        _submit(page, page.get_by_role("button", name=t["draw"]))
        # The screen updates by itself (its script polls): 23 names, the reserve list, the seed.
        screen.wait_for_function("document.querySelectorAll('#dv-drawn li').length === 23", timeout=15000)
        assert screen.locator("#dv-reserve li").count() == 35 - 1 - 23
        assert re.fullmatch(r"[0-9a-f]{64}", screen.locator("#dv-seed").inner_text())
        assert screen.locator("#dv-contribution").inner_text() == "7.12.45./"
        assert_accessible(screen, "big screen after the draw")

        # The person finds their own place on the public check page, on a phone, signed out.
        phone = new_page()
        phone.set_viewport_size({"width": 320, "height": 640})
        check = screen.locator(".dv-seed a").get_attribute("href")
        visit(phone, check)
        use_locale(phone, locale)
        phone.locator("#dv-code").fill(receipt.lower())
        with phone.expect_navigation():
            phone.get_by_role("button", name=t["find"]).click()
        assert re.search(r"[0-9a-f]{64}", phone.locator(".dv-receipt-result").inner_text())
        phone.screenshot(path=f"/tmp/draw/check-{locale}-320.png", full_page=True)
        # WCAG 1.4.10 for the page's own content. (The signed-out header's language button,
        # "Norsk (bokmål)", is the core's: it overflows 320 px by a pixel in English.)
        assert phone.evaluate("document.querySelector('main').scrollWidth <= window.innerWidth")
        assert_accessible(phone, "public check page at 320 px")
        page.screenshot(path=f"/tmp/draw/draw-{locale}.png", full_page=True)

        # Teams: suggested, one person moved, one team locked.
        visit(page, f"/dagsverk/teams?date={date}")
        _submit(page, page.get_by_role("button", name=t["suggest"]).last)
        # A solver process makes them; the page says it is working and refreshes itself.
        page.wait_for_selector("article.dv-team", timeout=90000)
        assert page.locator("details.dv-reasons[open]").count() == 0  # the reasons are collapsed
        teams = page.locator("article.dv-team")
        assert teams.count() >= 3  # the fixed teams at least; the demo's orders start later than this day
        first_move = teams.first.locator("form[action$='/teams/move']").first
        options = first_move.locator("select option")
        target = options.nth(1).get_attribute("value")
        first_move.locator("select").select_option(target)
        _submit(page, first_move.get_by_role("button", name=t["move"]))
        _submit(page, page.locator("article.dv-team").first.get_by_role("button", name=t["lock"]))
        assert page.locator("article.dv-team-locked").count() == 1
        assert_accessible(page, "teams")

        # The end of the day: everyone worked (the default), orders not finished.
        visit(page, f"/dagsverk/end?date={date}")
        _submit(page, page.get_by_role("button", name=t["close"]))
        assert page.locator("p.notice").count() == 1

        # The day's cash sheet from the pay plugin.
        visit(page, "/payroll/cash-sheet")
        page.locator("#f-date").fill(date)
        _submit(page, page.get_by_role("button", name=t["cash"]))
        body = page.locator("main").inner_text()
        assert "250" in body
        # A day wage for each who worked and had started in the program by then: on a day this
        # long ago, some of the demo's people had not yet (their start is later), and pay
        # follows the start date.
        assert page.locator("main table tbody tr").count() >= 10
        assert_accessible(page, "cash sheet")
    finally:
        use_locale(page, "nb")
        if screen is not None:  # the language is kept per user: leave the work leader's as other tests expect it
            visit(screen, "/")  # the big screen has no language switch
            use_locale(screen, "nb")
