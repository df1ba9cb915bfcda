"""Nyttig Arbeid in a real browser, in Bokmål and in English: a helper's call, screening,
recruitment interview, waiting list, status meeting, job talk with its checklist, start,
the first timesheet, a "sent home" incident and the page welcoming the person back.
Every page on the way is checked with axe-core."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible, use_locale, visit

pytestmark = pytest.mark.browser

WELCOME = {"nb": "Velkommen tilbake", "en": "Welcome back"}
FITS = {"nb": "Passer", "en": "Fits"}


def _submit(page: Any, form: str) -> None:
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").first.click()


def _move(page: Any, pid: int, phase: str) -> None:
    page.select_option("#f-to_phase", phase)
    _submit(page, f"form[action='/nyttig/people/{pid}/move']:has(#f-to_phase)")
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_nyttig_path_from_a_helpers_call_to_welcome_back(staff_page: Any, locale: str) -> None:
    page = staff_page("leader", "velferdsetaten")
    visit(page, "/nyttig")
    use_locale(page, locale)
    name = f"Brita{locale.upper()}"
    today = page.evaluate("() => new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Oslo'})")

    # A helper calls.
    visit(page, "/nyttig/contact/new")
    page.fill("#f-first_name", name)
    page.fill("#f-last_name", "Testesen")
    page.fill("#f-birth_date", "1984-04-04")
    page.select_option("#f-came_via", "helper")
    page.fill("#f-helper_name", "Ruskonsulent, Bydel Gamle Oslo")
    _submit(page, "form[action='/nyttig/contact']")
    pid = int(re.search(r"/nyttig/people/(\d+)", page.url).group(1))
    assert_accessible(page, "person, new contact")

    # Screening, shown before the first meeting is booked.
    for key, value in (("substance_main_problem", "yes"), ("nav_program", "no"), ("physically_able", "yes"), ("wants_change", "yes")):
        page.check(f"input[name={key}][value={value}]")
    _submit(page, f"form[action='/nyttig/people/{pid}/screening']")
    assert FITS[locale] in page.locator("#h-screening + p, section[aria-labelledby=h-screening]").first.inner_text()

    # Recruitment interview with the assessment form and the rules ticked off.
    _move(page, pid, "interview")
    page.fill("#f-helper_present", "Ruskonsulent")
    page.fill("#f-life_situation", "Bor i egen leilighet")
    for rule in ("hygiene", "rested", "zero_tolerance", "no_promises"):
        page.check(f"#f-rule-{rule}")
    _submit(page, f"form[action='/nyttig/people/{pid}/interview']")
    assert "Bor i egen leilighet" not in page.content(), "the assessment is shown only on request"

    # Waiting list, then a status meeting and the job talk.
    _move(page, pid, "waiting")
    visit(page, "/nyttig/waiting-list")
    assert name in page.locator("table.waiting-list").inner_text()
    visit(page, f"/nyttig/people/{pid}")
    _move(page, pid, "status_meeting")
    _move(page, pid, "job_talk")

    # The job talk's checklist.
    weekday = dt.date.fromisoformat(today).weekday()
    page.fill("#f-weekly_hours", "8")
    page.fill(f"#f-day-{weekday}", "4")
    page.fill(f"#f-day-{(weekday + 2) % 7}", "4")
    page.fill("#f-shoe_size", "41")
    page.check("#f-photo")
    page.select_option("#f-department_id", index=1)
    _submit(page, f"form[action='/nyttig/people/{pid}/checklist']")
    page.select_option("#f-contact_person_1_id", index=1)
    page.select_option("#f-contact_person_2_id", index=2)
    _submit(page, f"form[action='/nyttig/people/{pid}/contact-persons']")
    page.locator("section[aria-labelledby=h-start-list] details").nth(1).locator("summary").click()
    page.fill("#f-contacts", "Ruskonsulent")
    page.fill("#f-scope", "Oppmøte")
    _submit(page, f"form[action='/nyttig/people/{pid}/consent']")
    for kind in ("contract", "confidentiality"):
        _submit(page, f"form[action='/nyttig/people/{pid}/documents/{kind}']")
    assert page.locator(".checklist li", has_text="✘").count() == 0, page.locator(".checklist").inner_text()
    assert_accessible(page, "job talk done")

    # The first day.
    page.check("input[name=housing_in_place][value=yes]")
    page.check("input[name=economy_stable][value=yes]")
    _submit(page, "form:has(#f-start-on)")
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    visit(page, f"/nyttig/people/{pid}/card")
    assert page.locator(".id-card svg").count() == 1

    # The first timesheet, recorded and approved.
    visit(page, f"/nyttig/timesheets?week={today}")
    page.select_option("#f-ts-p", str(pid))
    page.fill("#f-ts-d", today)
    page.fill("#f-ts-h", "4")
    _submit(page, "form:has(#f-ts-h)")
    _submit(page, "form[action='/nyttig/timesheets/approve']")
    assert name in page.locator("table.timesheet").inner_text()

    # Seemed affected: sent home with two staff present, and welcome back.
    visit(page, f"/nyttig/people/{pid}")
    page.locator("section[aria-labelledby=h-incidents] summary").click()
    page.select_option("#f-inc-kind", "sent_home")
    page.locator("section[aria-labelledby=h-incidents] select[name=staff_2_id]").select_option(index=2)
    _submit(page, f"form[action='/nyttig/people/{pid}/incidents']")
    assert WELCOME[locale] in page.locator(".welcome").inner_text()
    assert_accessible(page, "welcome back")
    assert page.locator("h1 small").inner_text() in ("Startet", "Started")
    use_locale(page, "nb")
