"""Day-before mode in the browser, as the work leader and the leader run it from a phone,
a tablet and a desk, in Bokmål and English: every row starts "not called yet", phone
numbers for those who call (none for the social worker), a decline that the big screen
follows without a reload, a status undone, no sideways scrolling at 320 px. A new work
order with terrain flags and weekdays is made on the same walk. Screenshots go to
/tmp/orders/ (not the repo)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll, demo_username, login, use_locale, visit

pytestmark = [pytest.mark.browser, pytest.mark.one_pass]

SHOTS = Path("/tmp/orders")
TEXT = {
    "nb": {"seal": "Steng oppmøtet", "draw": "Trekk nå", "not_called": "Ikke ringt ennå", "declined": "Avslått", "reached": "Nådd",
           "undo": "Angre", "save": "Lagre"},
    "en": {"seal": "Close check-in", "draw": "Draw now", "not_called": "Not called yet", "declined": "Declined", "reached": "Reached",
           "undo": "Undo", "save": "Save"},
}
WIDTHS = (320, 768, 1366)


def _weekday_ahead(days: int) -> dt.date:
    d = dt.date.today() + dt.timedelta(days=days)
    while d.isoweekday() > 5:
        d += dt.timedelta(days=1)
    return d


def _submit(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()



def _set_mode(page: Any, mode: str) -> None:
    visit(page, "/dagsverk/calendar", accessible=False)
    page.locator("#c-mode").select_option(mode)
    _submit(page, page.locator("form[action='/dagsverk/calendar/settings'] button[type=submit]"))


@pytest.mark.parametrize(("locale", "ahead"), [("nb", 42), ("en", 49)])
def test_the_call_list_on_a_phone(staff_page: Any, new_page: Any, locale: str, ahead: int) -> None:
    t = TEXT[locale]
    SHOTS.mkdir(exist_ok=True)
    leader = staff_page("leader")
    use_locale(leader, locale)
    date = _weekday_ahead(ahead).isoformat()
    _set_mode(leader, "day_before")
    try:
        visit(leader, f"/dagsverk/checkin?date={date}", accessible=False)
        for i in range(26):  # 23 places and 3 reserves
            leader.locator("#dv-q").fill(f"STA{1000 + i}")
            with leader.expect_navigation():
                leader.locator("#dv-q").press("Enter")
        visit(leader, f"/dagsverk/draw?date={date}", accessible=False)
        # Check-in closes first (the fingerprints are shown), then the room's numbers are typed.
        _submit(leader, leader.get_by_role("button", name=t["seal"]))
        leader.locator("#dv-numbers").fill("3 14 15")
        _submit(leader, leader.get_by_role("button", name=t["draw"]))
    finally:
        _set_mode(leader, "morning")  # the draw keeps its mode; the other walks draw in the morning

    screen = new_page()
    login(screen, demo_username("social_worker"))
    use_locale(screen, locale)
    visit(screen, f"/dagsverk/screen?date={date}")
    reserves_before = screen.locator("#dv-reserve li").count()
    assert reserves_before == 3

    work_leader = staff_page("work_leader")
    use_locale(work_leader, locale)
    for width in WIDTHS:
        work_leader.set_viewport_size({"width": width, "height": 800})
        visit(work_leader, f"/dagsverk/draw?date={date}&w={width}")
        calls = work_leader.locator(".dv-call")
        assert calls.count() == 23
        work_leader.screenshot(path=str(SHOTS / f"calls-work_leader-{locale}-{width}.png"), full_page=False)
        assert_no_sideways_scroll(work_leader, f"call list at {width} px ({locale})")
    assert work_leader.locator(".dv-call-status", has_text=t["not_called"]).count() == 23
    assert work_leader.locator("a.dv-call-phone[href^='tel:']").count() == 23

    # A decline: the place goes to the first reserve, and the screen follows by itself.
    work_leader.set_viewport_size({"width": 320, "height": 800})
    first = work_leader.locator(".dv-call").first
    _submit(work_leader, first.get_by_role("button", name=t["declined"], exact=True))
    screen.wait_for_function("document.querySelectorAll('#dv-reserve li').length === 2", timeout=15000)
    assert screen.locator("#dv-drawn li").count() == 23
    assert_accessible(screen, "big screen after a decline")
    calls = work_leader.locator(".dv-call")
    assert calls.count() == 24 and work_leader.locator(".dv-call-gone").count() == 1
    # A wrong status, undone.
    second = calls.nth(1)
    _submit(work_leader, second.get_by_role("button", name=t["reached"], exact=True))
    assert work_leader.locator(".dv-call").nth(1).locator("button[aria-pressed='true']").count() == 1
    _submit(work_leader, work_leader.locator(".dv-call").nth(1).get_by_role("button", name=t["undo"]))
    assert t["not_called"] in work_leader.locator(".dv-call").nth(1).inner_text()
    assert_accessible(work_leader, "call list after calls")
    assert_no_sideways_scroll(work_leader, "call list after calls")
    work_leader.screenshot(path=str(SHOTS / f"calls-after-{locale}-320.png"), full_page=True)
    work_leader.set_viewport_size({"width": 1280, "height": 800})

    # The leader calls too; the social worker sees the list but no number.
    for width in WIDTHS:
        leader.set_viewport_size({"width": width, "height": 800})
        visit(leader, f"/dagsverk/draw?date={date}&w={width}")
        assert leader.locator("a.dv-call-phone[href^='tel:']").count() == 24
        assert_no_sideways_scroll(leader, f"leader's call list at {width} px")
        leader.screenshot(path=str(SHOTS / f"calls-leader-{locale}-{width}.png"))
    leader.set_viewport_size({"width": 1280, "height": 800})
    social = staff_page("social_worker")
    use_locale(social, locale)
    visit(social, f"/dagsverk/draw?date={date}")
    assert social.locator(".dv-call").count() == 24
    assert social.locator(".dv-call-phone").count() == 0 and not re.search(r"tel:", social.content())
    assert social.locator(".dv-call-buttons").count() == 0


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_a_new_work_order_with_terrain_and_weekdays(staff_page: Any, locale: str) -> None:
    page = staff_page("work_leader")
    use_locale(page, locale)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        visit(page, "/work-orders/new")
        assert_no_sideways_scroll(page, f"work order form at {width} px ({locale})")
        page.screenshot(path=str(SHOTS / f"order-form-{locale}-{width}.png"), full_page=True)
    page.locator("#f-title").fill(f"Plenklipp Østre Åsen {locale}")
    page.locator("#f-kind").select_option("recurring")
    page.locator("#f-steep").check()
    page.locator("#f-ladders").check()
    page.locator("input[name=repeat_weekdays][value='1']").check()
    page.locator("input[name=repeat_weekdays][value='4']").check()
    page.locator("#f-start_date").fill("2026-12-07")
    page.locator("#f-repeat_every_weeks").fill("2")
    _submit(page, page.locator("form.record-form button[type=submit]"))
    expected = {"nb": "Hver 2. uke på mandag og torsdag", "en": "Every 2 weeks on Monday and Thursday"}[locale]
    assert expected in page.locator("main").inner_text()
    assert_accessible(page, "work order with a rule")
    page.screenshot(path=str(SHOTS / f"order-detail-{locale}-{page.viewport_size['width']}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
