"""Every main page, for every role and in both languages, passes axe-core's WCAG 2.1 A/AA
rules in a real Chromium against a real server with the demo data.

The pages are found the way staff find them: from the navigation the page shows, then the
first record in each list, then its edit form. Plugin pages that appear in the navigation
are checked without anyone listing them here.
"""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ROLES, assert_accessible, axe_violations, current_locale, use_locale, visit

pytestmark = pytest.mark.browser


def nav_paths(page: Any) -> list[str]:
    hrefs = page.locator("header nav a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [h for h in hrefs if h and h.startswith("/")]


def first_detail_path(page: Any, list_path: str) -> str | None:
    """The first link in the page's content to one record under ``list_path``."""
    hrefs = page.locator("main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    pattern = re.compile(rf"^{re.escape(list_path)}/\d+$")
    return next((h for h in hrefs if h and pattern.match(h)), None)


def check_pages(page: Any, *, details: bool) -> list[str]:
    """Visit the dashboard, every navigation entry, the account page and a 404; with
    ``details`` also the first record of each list, its edit form, and a refused form."""
    seen = ["/"]
    visit(page, "/")
    for path in nav_paths(page):
        if path in seen:
            continue
        visit(page, path)
        seen.append(path)
        if not details:
            continue
        can_add = page.locator(f"main a[href='{path}/new']").count() > 0
        detail = first_detail_path(page, path)
        if detail:
            visit(page, detail)
            seen.append(detail)
            if page.locator(f"main a[href='{detail}/edit']").count():
                visit(page, f"{detail}/edit")
                seen.append(f"{detail}/edit")
        if can_add:
            visit(page, f"{path}/new")
            seen.append(f"{path}/new")
            submit_refused_form(page)
    visit(page, "/account")
    visit(page, "/no-such-page", status=404)
    if "/participants" in seen:
        visit(page, "/participants/987654321", status=404)
    return seen


def submit_refused_form(page: Any) -> None:
    """Send the page's form empty, past the browser's own checks, and check the error state."""
    form = page.locator("main form[method=post]").first
    form.evaluate("f => { f.noValidate = true; f.querySelectorAll('input:not([type=hidden]), textarea').forEach(e => e.value = '') }")
    with page.expect_navigation():
        form.locator("button[type=submit]").last.click()
    assert page.locator(".error-summary").count() == 1, f"no error summary after an empty form on {page.url}"
    assert_accessible(page, f"{page.url} (refused form)")


def test_axe_check_finds_violations(new_page: Any) -> None:
    """The check can fail: a field without a label and an image without text are caught."""
    page = new_page()
    visit(page, "/login")
    page.evaluate(
        "() => { const m = document.querySelector('main');"
        " m.insertAdjacentHTML('beforeend', '<input id=\"nolabel\"><img src=\"/static/none.png\">'); }"
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"label", "image-alt"} <= ids, ids
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_login_page_and_failed_login(new_page: Any, locale: str) -> None:
    page = new_page(locale="en-GB" if locale == "en" else "nb-NO")
    visit(page, "/login")
    assert current_locale(page) == locale
    # A username no one has, so no real account gets closer to being locked.
    page.locator("#username").fill("nobody-at-all")
    page.locator("#password").fill("not the password")
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert page.locator("[role=alert]").count() == 1
    assert_accessible(page, "/login (wrong password)")


@pytest.mark.parametrize("locale", ["nb", "en"])
@pytest.mark.parametrize("org", ["stavne", "velferdsetaten"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(staff_page: Any, role: str, org: str, locale: str) -> None:
    """Each role's own navigation in both programs and both languages; the leader also
    opens a record of each list, its edit form and a refused form (the record templates
    are shared, so in English once)."""
    page = staff_page(role, org)
    use_locale(page, locale)
    try:
        seen = check_pages(page, details=role == "leader" and (locale == "nb" or org == "stavne"))
        assert current_locale(page) == locale
    finally:
        use_locale(page, "nb")
    assert "/" in seen and "/account" not in seen  # the account page is not in the navigation
    assert ("/admin" in seen) == (role == "admin")


def test_forbidden_page(staff_page: Any) -> None:
    """A role without the permission gets an accessible refusal, not a broken page."""
    page = staff_page("payroll")
    use_locale(page, "nb")
    visit(page, "/participants", status=403)


def test_refused_form_links_each_error_to_its_field(staff_page: Any) -> None:
    """The error summary names the field and takes the keyboard there; what was typed and
    ticked stays as it was; nothing is saved."""
    page = staff_page("leader")
    use_locale(page, "nb")
    visit(page, "/participants")
    count_before = page.locator("main .count").inner_text()
    visit(page, "/participants/new")
    assert page.locator("#f-active").is_checked()
    page.locator("#f-last_name").fill("Berg")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    link = summary.locator("a[href='#f-first_name']")
    assert link.count() == 1, summary.inner_html()
    assert page.locator("label[for='f-first_name']").inner_text().split(" (")[0] in link.inner_text()
    assert_accessible(page, "/participants/new (refused)")
    link.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "f-first_name"
    assert page.locator("#f-last_name").input_value() == "Berg"
    assert page.locator("#f-active").is_checked(), "the ticked checkbox came back unticked"
    visit(page, "/participants")
    assert page.locator("main .count").inner_text() == count_before
