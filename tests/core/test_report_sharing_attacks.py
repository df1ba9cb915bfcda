"""A report marked for sharing, attacked by its reader: subtract the shown figures from the
totals and see what comes back; read the hours, pay and relapses of a group too small to show.

The attacker here knows the domain, not the code: a total row adds up the rows above it
(wherever the internal report shows that it does), unique people are women + men + other,
and a row's hours or pay are about the people counted in it. The relations are found from
the internal report's numbers, not from what the sections declare, so a section that
forgets to declare a total is caught too.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import scoped_session
from core.demo import load_demo
from core.i18n import today, use_locale
from core.models import Organization
from core.services.reports import Hidden, build_report
from tests.conftest import login
from tests.core.test_reports import END, START, _table, dataset  # noqa: F401 - the fixture

MIN = 5
Cell = tuple[int, int]

# Rows whose figures are about one group of people: the section, the column counting the group,
# and the columns that say something about that group (its days, hours, pay, relapses, waits).
ABOUT_GROUP = {
    "work_by_month": (3, (1, 2)),
    "payroll_pay": (6, (1, 2, 3, 4, 5)),
    "nyttig_hours": (3, (1, 2)),
    "nyttig_moves": (2, (1,)),
    "nyttig_waiting": (1, (3, 4)),
    "nyttig_departments": (1, (2,)),
}


def _number(v: Any) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def relations(key: str, rows: list[list[Any]], total_row: bool) -> list[tuple[Cell, list[Cell]]]:
    """The sums an outside reader can see hold: each a total cell and the cells it adds up."""
    found: list[tuple[Cell, list[Cell]]] = []
    if key == "people":
        found.append(((0, 1), [(2, 1), (3, 1), (4, 1)]))  # unique people = women + men + other
    # Dagsverket: whoever registered got work (by right, lottery, reserve list) or was turned away;
    # whoever got work worked. Taken where the internal numbers show it holds, as a reader would guess it.
    candidates: list[tuple[Cell, list[Cell]]] = []
    if key == "dagsverk_lottery":
        candidates = [((1, 1), [(3, 1), (4, 1), (5, 1), (6, 1)]), ((7, 1), [(3, 1), (4, 1), (5, 1)])]
    if key == "dagsverk_by_month":
        candidates = [((r, 1), [(r, 3), (r, 4), (r, 5)]) for r in range(len(rows))]
    found += [(t, parts) for t, parts in candidates if rows[t[0]][t[1]] == sum(rows[r][c] for r, c in parts)]
    if total_row and len(rows) > 1:
        last = len(rows) - 1
        for c in range(1, len(rows[last])):
            parts = [(r, c) for r in range(last) if _number(rows[r][c])]
            if _number(rows[last][c]) and parts and rows[last][c] == sum(rows[r][c] for r, _c in parts):
                found.append(((last, c), parts))
    return found


def recovered(internal: list[list[Any]], shared: list[list[Any]], lines: list[tuple[Cell, list[Cell]]]) -> list[tuple[Cell, Any]]:
    """Every hidden cell the attacker works out by subtraction: total - shown parts, or the sum of the parts."""
    out = []
    for total, parts in lines:
        cells = [total, *parts]
        hidden = [c for c in cells if isinstance(shared[c[0]][c[1]], Hidden)]
        if len(hidden) != 1:
            continue
        (cell,) = hidden
        shown = {c: shared[c[0]][c[1]] for c in cells if c != cell}
        guess = sum(shown[p] for p in parts) if cell == total else shown[total] - sum(shown[p] for p in parts if p != cell)
        assert guess == internal[cell[0]][cell[1]]  # the attack works whenever a line has one hidden cell
        out.append((cell, guess))
    return out


def attack(internal_report: Any, shared_report: Any) -> list[str]:
    """What the reader of the shared report learns that the rules say must stay hidden."""
    leaks = []
    shared = {s.key: s for s in shared_report.sections}
    for section in internal_report.sections:
        s = shared[section.key]
        assert len(s.rows) == len(section.rows)
        for r, (inner, outer) in enumerate(zip(section.rows, s.rows)):
            # Sharing only hides: every figure shown is the internal one.
            assert all(isinstance(o, Hidden) or o == i for i, o in zip(inner, outer)), (section.key, r)
            for c, v in enumerate(inner):
                if c in section.people_columns and _number(v) and 0 < v < MIN and not isinstance(outer[c], Hidden):
                    leaks.append(f"{section.key}: a group of {v} shown at row {r}")
            if section.key in ABOUT_GROUP:
                group, measures = ABOUT_GROUP[section.key]
                size = inner[group]
                if _number(size) and 0 < size < MIN:
                    leaks += [f"{section.key}: row {r} shows {inner[c]} about a group of {size}" for c in measures
                              if (_number(inner[c]) or inner[c] is not None) and not isinstance(outer[c], Hidden)]
        for cell, value in recovered(section.rows, s.rows, relations(section.key, section.rows, section.total_row)):
            leaks.append(f"{section.key}: hidden cell {cell} is {value} by subtraction")
    return leaks


@pytest.fixture
def demo(app):
    ctx = app.state["ctx"]
    load_demo(ctx.session_factory, ctx.plugins, seed=11)
    return ctx


def _reports(ctx: Any, slug: str, start: dt.date, end: dt.date) -> tuple[Any, Any]:
    with scoped_session(ctx.session_factory, None) as db:
        org_id = db.scalars(select(Organization.id).where(Organization.slug == slug)).one()
    with scoped_session(ctx.session_factory, org_id) as db, use_locale("en"):
        org = db.get(Organization, org_id)
        return (build_report(db, ctx.plugins, org, start, end),
                build_report(db, ctx.plugins, org, start, end, shared=True))


def test_the_demo_years_shared_report_gives_nothing_away_by_subtraction(demo):
    end = today()
    for slug in ("stavne", "velferdsetaten"):
        internal, shared = _reports(demo, slug, end - dt.timedelta(days=364), end)
        assert not any(isinstance(v, Hidden) for s in internal.sections for row in s.rows for v in row), \
            "the internal report is never suppressed"
        assert any(isinstance(v, Hidden) for s in shared.sections for row in s.rows for v in row), "the demo has small groups"
        assert attack(internal, shared) == [], slug


def test_women_on_a_day_are_not_total_minus_men_minus_other(demo):
    """Day by day (a funder may ask for one day), the people section of Dagsverket's demo."""
    end = today()
    leaks, tried = [], 0
    for back in range(1, 29):
        day = end - dt.timedelta(days=back)
        internal, shared = _reports(demo, "stavne", day, day)
        people = next(s for s in internal.sections if s.key == "people")
        if not people.rows[0][1]:
            continue  # closed that day
        tried += 1
        leaks += [f"{day}: {leak}" for leak in attack(internal, shared)]
    assert tried >= 10 and leaks == []


def test_two_men_of_seven_are_not_seven_minus_five_women_on_page_csv_and_print(dataset, client):
    """Five women, two men, nobody else: hiding the men alone leaves 7 - 5 - 0 = 2 on every format."""
    login(client, dataset.a.users["leader"])
    q = {"start": START.isoformat(), "end": END.isoformat(), "shared": "1"}
    en = {"Accept-Language": "en"}
    page = dict(_table(client.get("/reports", params=q, headers=en).text, "people"))
    printed = client.get("/reports/print", params=q, headers=en).text
    csv_rows = dict(list(csv.reader(io.StringIO(client.get("/reports/csv/people", params=q, headers=en).text.lstrip("\ufeff")),
                                    delimiter=";"))[1:])
    for shown in (page, dict(_table(printed.replace('id="h-', 'id="sec-'), "people")), csv_rows):
        assert shown["Unique people"] == "7"
        parts = [shown[k] for k in ("Women", "Men", "Other or not stated")]
        assert sum(not p.isdigit() for p in parts) >= 2, f"one hidden part of a shown total is a subtraction away: {shown}"
        assert shown["Men"] == "hidden" and shown["Women"] == "hidden"
        assert shown["Women's share"] == "hidden"  # the share of a hidden count would give it back
    # The PDF is the printable page, rendered: the same hidden cells.
    pdf = client.get("/reports/pdf", params=q, headers=en)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The age groups add up to the same seven people, one or two per group: all hidden, the total shown.
    ages = dict(_table(client.get("/reports", params=q, headers=en).text, "age_groups"))
    assert ages["Total"] == "7" and all(v == "hidden" for k, v in ages.items() if k != "Total")


def test_the_internal_report_is_unchanged(dataset, client):
    login(client, dataset.a.users["leader"])
    page = client.get("/reports", params={"start": START.isoformat(), "end": END.isoformat()}, headers={"Accept-Language": "en"}).text
    assert dict(_table(page, "people"))["Men"] == "2"
    cells = [c for key in ("people", "age_groups", "work_by_month") for row in _table(page, key) for c in row]
    assert "hidden" not in cells and 'class="hidden-note"' not in page and "hidden-cell" not in page
