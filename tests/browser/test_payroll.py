"""Pay in a real browser, in Bokmål and in English.

Dagsverket: close a day and print its cash sheet. Nyttig Arbeid: a pay run with a paid
person, one on AAP and one on social assistance capped by the district's approval;
approve it, download the CSV and one payslip. Every page is checked with axe-core.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest

from tests.browser.conftest import use_locale, visit

pytestmark = pytest.mark.browser

TEXT = {
    "nb": {"signature": "Signatur", "unpaid": "Ulønnet", "capped": "Avkortet av taket", "approved": "Godkjent", "aap": "arbeidsavklaringspenger"},
    "en": {"signature": "Signature", "unpaid": "Unpaid", "capped": "Cut by the cap", "approved": "Approved", "aap": "work-assessment allowance"},
}


def _submit(page: Any, form: str) -> None:
    with page.expect_navigation():
        page.locator(form).locator("button[type=submit]").first.click()


def _today(page: Any) -> dt.date:
    return dt.date.fromisoformat(page.evaluate("() => new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Oslo'})"))


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_dagsverket_close_a_day_and_print_its_cash_sheet(staff_page: Any, locale: str) -> None:
    page = staff_page("leader", "stavne")
    visit(page, "/payroll/cash-sheet")
    use_locale(page, locale)
    # A recent day from the demo with shifts on it (nb and en take different days).
    day = _today(page) - dt.timedelta(days=1 if locale == "nb" else 2)
    for _ in range(10):
        visit(page, f"/dagsverk/end?date={day.isoformat()}")
        if page.locator("form[action$='/end'] input[type=radio]").count():
            break
        day -= dt.timedelta(days=1)
    else:
        pytest.fail("the demo has no recent day with shifts to close")
    _submit(page, "form[action$='/end']")
    assert page.locator(".error-summary").count() == 0

    visit(page, "/payroll/cash-sheet")
    page.fill("#f-date", day.isoformat())
    _submit(page, "form[action='/payroll/cash-sheet']")
    assert re.search(r"/payroll/runs/\d+/cash-sheet$", page.url)
    visit(page, page.url)
    table = page.locator("table.cash-sheet")
    assert TEXT[locale]["signature"] in table.locator("thead").inner_text()
    rows = table.locator("tbody tr")
    assert rows.count() >= 3
    money = re.compile(r"250,00\s*kr" if locale == "nb" else r"NOK\s*250\.00")
    assert money.search(table.inner_text().replace("\xa0", " "))
    # Printing: the header and the forms go, the sheet stays; Chromium renders a PDF.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert table.is_visible()
    pdf = page.pdf(format="A4")
    page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def _week_back(today: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks)
    return monday, monday + dt.timedelta(days=6)


def _set_status(page: Any, pid: int, status: str, start: dt.date) -> None:
    visit(page, f"/payroll/benefits/{pid}")
    page.select_option("#s-status", status)
    page.fill("#s-from", start.isoformat())
    _submit(page, f"form[action='/payroll/benefits/{pid}/status']")
    assert page.locator(".error-summary").count() == 0


@pytest.mark.parametrize("locale", ["nb", "en"])
def test_nyttig_run_with_paid_aap_and_capped_people_approve_csv_payslip(staff_page: Any, locale: str) -> None:
    page = staff_page("leader", "velferdsetaten")
    visit(page, "/payroll")
    use_locale(page, locale)
    t = TEXT[locale]
    # The demo's approved timesheets are two and three weeks back: one week per language.
    start, end = _week_back(_today(page), 3 if locale == "nb" else 2)

    # A first draft tells whose approved hours are in the week.
    page.locator("details summary").first.click()
    page.fill("#f-start", start.isoformat())
    page.fill("#f-end", end.isoformat())
    _submit(page, "form[action='/payroll/runs']:has(#f-start)")
    run_url = page.url
    assert re.search(r"/payroll/runs/\d+$", run_url)
    ids = [int(x) for x in re.findall(r'id="p-(\d+)"', page.content())]
    assert len(ids) >= 3, "the demo should have approved hours for at least three people that week"
    paid, aap, capped = ids[:3]

    # Benefit status as the social worker would record it, from the first day of the week.
    _set_status(page, paid, "disability", start)
    _set_status(page, aap, "aap", start)
    _set_status(page, capped, "social_assistance", start)
    page.fill("#a-district", "Bydel Gamle Oslo")
    page.fill("#a-decision", start.isoformat())
    page.fill("#a-from", start.isoformat())
    page.fill("#a-cap", "100")
    _submit(page, f"form[action='/payroll/benefits/{capped}/approvals']")
    assert page.locator(".error-summary").count() == 0

    visit(page, run_url)
    _submit(page, f"form[action$='/recompute']")
    visit(page, run_url)
    section = {pid: page.locator(f"section:has(#p-{pid})") for pid in (paid, aap, capped)}
    assert t["unpaid"] in section[aap].inner_text()
    assert t["aap"] in section[aap].inner_text().lower()
    assert t["capped"] in section[capped].inner_text()

    _submit(page, f"form[action$='/approve']")
    visit(page, run_url)
    assert t["approved"] in page.locator("h1").inner_text()

    with page.expect_download() as download:
        page.locator("a[href$='/export.csv']").click()
    body = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    by_person: dict[int, int] = {}
    for row in rows:
        # The week's own pay lines (the run may also pay or correct earlier, late work).
        if row["line_kind"] == "pay" and start.isoformat() <= row["work_date"] <= end.isoformat():
            by_person[int(row["participant_id"])] = by_person.get(int(row["participant_id"]), 0) + int(row["amount_ore"])
    assert by_person.get(paid, 0) > 0
    assert aap not in by_person  # unpaid lines are not sent to payroll
    assert by_person.get(capped, 0) <= 10000  # never above the approval's 100 kr cap

    visit(page, f"{run_url}/payslips/{capped}")
    assert page.locator("#payslip-total").inner_text()
    response = page.request.get(f"{run_url}/payslips/{paid}/pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    use_locale(page, "nb")
