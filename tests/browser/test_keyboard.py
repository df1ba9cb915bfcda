"""Staff can do everything on the layout with the keyboard alone: sign in, skip to the
content, move through the navigation, and switch language, always seeing where the focus is.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, current_locale, demo_username, visit

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, href: e.getAttribute('href'),
    text: (e.innerText || e.value || '').trim(), value: e.getAttribute('value'),
    inMain: !!e.closest('main'), inNav: !!e.closest('header nav'), inLangSwitch: !!e.closest('form.lang-switch'),
    visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
    shadow: s.boxShadow !== 'none',
  };
}"""


def tab(page: Any, shift: bool = False) -> dict[str, Any]:
    page.keyboard.press("Shift+Tab" if shift else "Tab")
    focused = page.evaluate(FOCUSED)
    assert focused is not None, "the focus left the page"
    assert focused["visible"], f"the focused element is off screen: {focused}"
    assert focused["outline"] or focused["shadow"], f"the focused element shows no focus indicator: {focused}"
    return dict(focused)


def tab_until(page: Any, wanted: Any, limit: int = 40) -> tuple[dict[str, Any], int]:
    for presses in range(1, limit + 1):
        focused = tab(page)
        if wanted(focused):
            return focused, presses
    raise AssertionError(f"not reached with {limit} presses of Tab")


def keyboard_login(page: Any, username: str) -> None:
    visit(page, "/login")
    assert page.evaluate(FOCUSED)["id"] == "username", "the username field should have the focus on arrival"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["id"] == "password"
    page.keyboard.type("demo-passord-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/"), page.url


@pytest.fixture
def keyboard_page(new_page: Any) -> Any:
    """A work leader of its own (the second one), signed in by keyboard, so the language
    it switches to and back never touches the pages other tests share."""
    page = new_page()
    keyboard_login(page, demo_username("work_leader") + "2")
    return page


def test_skip_link_is_first_and_moves_focus_to_the_content(keyboard_page: Any) -> None:
    page = keyboard_page
    visit(page, "/participants")
    hidden = page.locator(".skip-link").bounding_box()
    assert hidden is not None and hidden["x"] + hidden["width"] < 0, "the skip link should stay out of sight until focused"
    focused = tab(page)
    assert focused["cls"] == "skip-link" and focused["href"] == "#main", focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.url.endswith("#main")
    # The next Tab lands on the content's first control, past the whole header.
    focused = tab(page)
    assert focused["inMain"] and not focused["inNav"], focused
    assert page.evaluate(
        "() => document.activeElement === document.querySelector("
        "'main a[href], main button, main input:not([type=hidden]), main select, main textarea')"
    ), focused


def test_navigation_by_keyboard(keyboard_page: Any) -> None:
    page = keyboard_page
    visit(page, "/")
    nav = page.locator("header nav a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    focused, presses = tab_until(page, lambda f: f["inNav"] and f["href"] == "/work-orders")
    # Skip link, brand, then one stop per navigation entry: nothing hidden in between.
    assert presses == 2 + nav.index("/work-orders") + 1, f"{presses} presses of Tab to reach the work orders"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/work-orders")
    current = page.locator("header nav a[aria-current=page]")
    assert current.count() == 1 and current.get_attribute("href") == "/work-orders"
    # Back through the navigation with Shift+Tab works too.
    focused, _ = tab_until(page, lambda f: f["inNav"] and f["href"] == "/participants")
    back = tab(page, shift=True)
    assert back["inNav"] and back["href"] == "/", back
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").count() == 1 and page.url.endswith("/")


def test_language_switch_by_keyboard_keeps_the_page(keyboard_page: Any) -> None:
    page = keyboard_page
    visit(page, "/work-orders?q=Vedbua")
    assert current_locale(page) == "nb"
    title_nb = page.locator("h1").inner_text()
    focused, _ = tab_until(page, lambda f: f["inLangSwitch"])
    assert focused["tag"] == "button" and focused["value"] == "en", focused
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert current_locale(page) == "en"
    assert page.url.endswith("/work-orders?q=Vedbua"), page.url
    assert page.locator("h1").inner_text() != title_nb
    assert page.locator("#q").input_value() == "Vedbua"
    assert_accessible(page, "/work-orders in English after the switch")
    # And back, with Space this time.
    focused, _ = tab_until(page, lambda f: f["inLangSwitch"])
    assert focused["value"] == "nb", focused
    with page.expect_navigation():
        page.keyboard.press(" ")
    assert current_locale(page) == "nb"
    assert page.locator("h1").inner_text() == title_nb
